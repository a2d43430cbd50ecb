"""Who may do what with enrollments and the debarred list (registered with core.policy at import)."""

from __future__ import annotations

from core import policy
from core.accounts.roles import Role

APPLY = "enrollment.apply"  # start, edit, submit and withdraw the organisation's application
READ = "enrollment.read"  # see enrollments: importers their own organisation's, brokers their principals', CBP all
READ_ALL = "enrollment.read_all"  # see every organisation's enrollments and the screening findings
REVIEW = "enrollment.review"  # work the queue: decide, suspend, reinstate, revoke
DEBARRED = "debarred.manage"  # keep the suspended/debarred list
LIFT_BAR = "enrollment.lift_bar"  # lift a revoked organisation's 3-year re-application bar

policy.register(APPLY, Role.IMPORTER)
policy.register(READ, Role.IMPORTER, Role.REVIEWER, Role.ADMIN, Role.BROKER)  # brokers: with enrollment_read
policy.register(READ_ALL, Role.REVIEWER, Role.ADMIN)
policy.register(REVIEW, Role.REVIEWER)
policy.register(DEBARRED, Role.REVIEWER)
policy.register(LIFT_BAR, Role.ADMIN)
