"""Who may ask for, and see, release decisions (registered with core.policy at import)."""

from __future__ import annotations

from typing import Any

from core import policy
from core.accounts import delegations
from core.accounts.roles import Role

DECIDE = "decisions.decide"  # ask for a decision: importers for their own IOR numbers, reviewers for any
READ = "decisions.read"  # see decisions: importers their organisation's, CBP all
SCREEN = "decisions.screen"  # bulk-screen a CSV of entry lines: reviewers any, brokers for a principal
SHIPPERS = "decisions.shippers"  # keep the list of known violative shippers

policy.register(DECIDE, Role.IMPORTER, Role.REVIEWER, Role.BROKER)
policy.register(READ, Role.IMPORTER, Role.REVIEWER, Role.ADMIN, Role.BROKER)


def check_broker_may_ask(actor: Any, ior_number: str, iors_of: Any) -> None:
    """A broker token may ask only for an IOR number of an importer that gives its organisation a live
    ``decisions`` delegation (403 otherwise, and at once after revocation); the decision's audit entry then
    names that importer. ``iors_of(organization_id)`` gives the IOR numbers on an organisation's enrollments."""
    principal = next((org for org in delegations.principals(actor.organization_id, "decisions")
                      if ior_number in iors_of(org)), None)
    delegations.authorize(actor, principal, "decisions")
policy.register(SCREEN, Role.REVIEWER, Role.BROKER)
policy.register(SHIPPERS, Role.REVIEWER)
