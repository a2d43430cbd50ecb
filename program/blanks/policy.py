"""Who may do what with blank-goods declarations (registered with core.policy at import)."""

from __future__ import annotations

from core import policy
from core.accounts.roles import Role

FILE = "blanks.file"  # file, withdraw and answer queries about the organisation's declarations
READ = "blanks.read"  # see declarations: importers their own organisation's, CBP all
READ_ALL = "blanks.read_all"  # see every importer's declarations
REVIEW = "blanks.review"  # query and revoke declarations
LICENSED = "blanks.licensed"  # rights holders: see licensed lines naming their marks

policy.register(FILE, Role.IMPORTER)
# The API also answers broker tokens acting for a principal (``on_behalf_of``, ``blank_declarations`` scope).
FILE_API = "blanks.file_api"
READ_API = "blanks.read_api"
policy.register(FILE_API, Role.IMPORTER, Role.BROKER)
policy.register(READ_API, Role.IMPORTER, Role.REVIEWER, Role.ADMIN, Role.BROKER)
policy.register(READ, Role.IMPORTER, Role.REVIEWER, Role.ADMIN)
policy.register(READ_ALL, Role.REVIEWER, Role.ADMIN)
policy.register(REVIEW, Role.REVIEWER)
policy.register(LICENSED, Role.RIGHTS_HOLDER)
