"""Who may ask for, and see, release decisions (registered with core.policy at import)."""

from __future__ import annotations

from core import policy
from core.accounts.roles import Role

DECIDE = "decisions.decide"  # ask for a decision: importers for their own IOR numbers, reviewers for any
READ = "decisions.read"  # see decisions: importers their organisation's, CBP all
SCREEN = "decisions.screen"  # bulk-screen a CSV of entry lines
SHIPPERS = "decisions.shippers"  # keep the list of known violative shippers

policy.register(DECIDE, Role.IMPORTER, Role.REVIEWER)
policy.register(READ, Role.IMPORTER, Role.REVIEWER, Role.ADMIN)
policy.register(SCREEN, Role.REVIEWER)
policy.register(SHIPPERS, Role.REVIEWER)
