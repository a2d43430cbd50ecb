"""Blank-goods declaration states and the one table of transitions every service consults.

``TRANSITIONS[(from_state, action)] = (to_state, roles)``: the only moves there are, and who may make
each. ``system`` is the program itself (the daily expiry command and lazy expiry on read).
"""

from __future__ import annotations

from enum import StrEnum

from core.accounts.roles import Role
from program.enrollment.states import sql_list

__all__ = ["ACTION_LABELS", "LIVE_STATUSES", "STATUS_LABELS", "STATUS_TAG_CLASSES", "SYSTEM", "TRANSITIONS",
           "Action", "PartyRole", "Marking", "Status", "allowed_actions", "sql_list"]


class Status(StrEnum):
    """Where a declaration is in its life (PRODUCT.md, "Blank-goods declaration")."""

    FILED = "filed"
    QUERIED = "queried"
    REVOKED = "revoked"
    WITHDRAWN = "withdrawn"
    EXPIRED = "expired"


class Action(StrEnum):
    """The verbs that move a declaration from one state to another."""

    FILE = "file"  # not a transition: how a declaration comes to be
    QUERY = "query"
    ANSWER = "answer"
    REVOKE = "revoke"
    WITHDRAW = "withdraw"
    EXPIRE = "expire"


class PartyRole(StrEnum):
    """The parties to the transaction a declaration names (a manufacturer is required)."""

    MANUFACTURER = "manufacturer"
    SELLER = "seller"
    BUYER = "buyer"
    CONSIGNEE = "consignee"
    FINISHER = "finisher"


class Marking(StrEnum):
    """What marks a line's goods will carry after entry: none, or marks applied under licence."""

    NONE = "none"
    LICENSED = "licensed"


SYSTEM = "system"
_IMPORTER = frozenset({Role.IMPORTER.value})
_REVIEWER = frozenset({Role.REVIEWER.value})
_SYSTEM = frozenset({SYSTEM})

S, A = Status, Action
TRANSITIONS: dict[tuple[Status, Action], tuple[Status, frozenset[str]]] = {
    (S.FILED, A.QUERY): (S.QUERIED, _REVIEWER),
    (S.QUERIED, A.ANSWER): (S.FILED, _IMPORTER),
    (S.FILED, A.REVOKE): (S.REVOKED, _REVIEWER),
    (S.QUERIED, A.REVOKE): (S.REVOKED, _REVIEWER),
    (S.FILED, A.WITHDRAW): (S.WITHDRAWN, _IMPORTER),
    (S.QUERIED, A.WITHDRAW): (S.WITHDRAWN, _IMPORTER),
    (S.FILED, A.EXPIRE): (S.EXPIRED, _SYSTEM),
    (S.QUERIED, A.EXPIRE): (S.EXPIRED, _SYSTEM),
}
del S, A

# A declaration in these states can cover shipments (while its validity lasts); the engine agrees.
LIVE_STATUSES: frozenset[Status] = frozenset({Status.FILED, Status.QUERIED})

STATUS_LABELS: dict[str, str] = {
    Status.FILED: "Filed",
    Status.QUERIED: "Queried",
    Status.REVOKED: "Revoked",
    Status.WITHDRAWN: "Withdrawn",
    Status.EXPIRED: "Expired",
}

STATUS_TAG_CLASSES: dict[str, str] = {
    Status.FILED: "bg-green",
    Status.QUERIED: "bg-gold text-ink",
    Status.REVOKED: "bg-secondary-darker",
    Status.WITHDRAWN: "bg-base-dark",
    Status.EXPIRED: "bg-base-dark",
}

ACTION_LABELS: dict[str, str] = {
    Action.FILE: "Filed",
    Action.QUERY: "Queried by CBP",
    Action.ANSWER: "Query answered",
    Action.REVOKE: "Revoked",
    Action.WITHDRAW: "Withdrawn by the importer",
    Action.EXPIRE: "Expired",
}


def allowed_actions(status: str, role: str) -> list[Action]:
    """The actions ``role`` may take on a declaration in ``status`` (for buttons and templates)."""
    return [action for (frm, action), (_to, roles) in TRANSITIONS.items() if frm == status and role in roles]
