"""What the current user may do to a version now: the transition table plus the guards beyond it.

Views and templates use this to offer only the actions that would succeed; the services check the
same rules again (and answer 409/403) whatever the page offered.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from standards import states
from standards.lookups import latest_version_number, live_endorsement_count, open_version
from standards.models import StandardVersion
from standards.states import Action


@dataclass
class Offer:
    """Actions open to the user, and actions the table allows but another guard blocks (with why)."""

    allowed: set[str] = field(default_factory=set)
    blocked: dict[str, str] = field(default_factory=dict)

    def __contains__(self, action: str) -> bool:
        """``"publish" in offer`` — whether the action can be taken now."""
        return action in self.allowed


def available_actions(user: Any, version: StandardVersion) -> Offer:
    """The actions ``user`` can take on ``version`` now."""
    offer = Offer()
    author_org = version.author_organization_id
    for action in (Action.EDIT, Action.PROPOSE, Action.WITHDRAW, Action.PUBLISH, Action.REVISE,
                   Action.ENDORSE, Action.DECLINE):
        if states.allowed(version.status, action, user, author_org):
            offer.allowed.add(str(action))
    if "publish" in offer.allowed and live_endorsement_count(version.id) < 1:
        offer.allowed.discard("publish")
        offer.blocked["publish"] = "Needs at least one live endorsement of this version."
    if "revise" in offer.allowed:
        pending = open_version(version.standard_id)
        if pending is not None:
            offer.allowed.discard("revise")
            offer.blocked["revise"] = f"Version {pending.version} is still {pending.status}."
        elif version.version != latest_version_number(version.standard_id):
            offer.allowed.discard("revise")
    return offer
