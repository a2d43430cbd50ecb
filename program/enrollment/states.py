"""Enrollment states and the one table of transitions every service consults.

``TRANSITIONS[(from_state, action)] = (to_state, roles)``: the only moves there are, and who may make
each. ``system`` is the program itself (the daily expiry command and lazy expiry on read).
"""

from __future__ import annotations

from collections.abc import Iterable
from enum import StrEnum

from core.accounts.roles import Role


class Status(StrEnum):
    """Where an enrollment is in its life (PRODUCT.md, "Enrollment")."""

    DRAFT = "draft"
    SUBMITTED = "submitted"
    INFO_REQUESTED = "info_requested"
    APPROVED = "approved"
    DENIED = "denied"
    SUSPENDED = "suspended"
    REVOKED = "revoked"
    EXPIRED = "expired"
    WITHDRAWN = "withdrawn"
    RENEWED = "renewed"  # handed over to its approved renewal


class Action(StrEnum):
    """The verbs that move an enrollment from one state to another."""

    CREATE = "create"  # not a transition: the first history row of a new draft
    SUBMIT = "submit"
    WITHDRAW = "withdraw"
    APPROVE = "approve"
    DENY = "deny"
    REQUEST_INFO = "request_info"
    SUSPEND = "suspend"
    REINSTATE = "reinstate"
    REVOKE = "revoke"
    EXPIRE = "expire"
    RENEW = "renew"  # the earlier enrollment hands over to its approved renewal
    OVERTURN = "overturn"  # an appeal succeeded: back to the state before the decision
    # Not transitions: steps in the history that leave the status as it is.
    AMEND = "amend"
    SUSPEND_SECTORS = "suspend_sectors"
    REINSTATE_SECTORS = "reinstate_sectors"
    PROPOSE = "propose"
    REPLY = "reply"
    APPEAL = "appeal"
    UPHOLD = "uphold"
    ANNUAL_REVIEW = "annual_review"
    LIFT_BAR = "lift_bar"
    VERIFY_PROGRAM = "verify_program"


SYSTEM = "system"
_IMPORTER = frozenset({Role.IMPORTER.value})
_REVIEWER = frozenset({Role.REVIEWER.value})
_SYSTEM = frozenset({SYSTEM})

S, A = Status, Action
TRANSITIONS: dict[tuple[Status, Action], tuple[Status, frozenset[str]]] = {
    (S.DRAFT, A.SUBMIT): (S.SUBMITTED, _IMPORTER),
    (S.INFO_REQUESTED, A.SUBMIT): (S.SUBMITTED, _IMPORTER),
    (S.DRAFT, A.WITHDRAW): (S.WITHDRAWN, _IMPORTER),
    (S.SUBMITTED, A.WITHDRAW): (S.WITHDRAWN, _IMPORTER),
    (S.INFO_REQUESTED, A.WITHDRAW): (S.WITHDRAWN, _IMPORTER),
    (S.SUBMITTED, A.APPROVE): (S.APPROVED, _REVIEWER),
    (S.SUBMITTED, A.DENY): (S.DENIED, _REVIEWER),
    (S.SUBMITTED, A.REQUEST_INFO): (S.INFO_REQUESTED, _REVIEWER),
    (S.APPROVED, A.SUSPEND): (S.SUSPENDED, _REVIEWER),
    (S.SUSPENDED, A.REINSTATE): (S.APPROVED, _REVIEWER),
    (S.APPROVED, A.REVOKE): (S.REVOKED, _REVIEWER),
    (S.SUSPENDED, A.REVOKE): (S.REVOKED, _REVIEWER),
    (S.APPROVED, A.EXPIRE): (S.EXPIRED, _SYSTEM),
    (S.APPROVED, A.RENEW): (S.RENEWED, _REVIEWER),
    (S.DENIED, A.OVERTURN): (S.SUBMITTED, _REVIEWER),
    (S.SUSPENDED, A.OVERTURN): (S.APPROVED, _REVIEWER),
    (S.REVOKED, A.OVERTURN): (S.APPROVED, _REVIEWER),  # or suspended, when it was revoked from there
}
del S, A

# An organisation may hold one enrollment in these states at a time; from the others it may apply again.
OPEN_STATUSES: frozenset[Status] = frozenset(
    {Status.DRAFT, Status.SUBMITTED, Status.INFO_REQUESTED, Status.APPROVED, Status.SUSPENDED}
)
# Of the open ones: an application on its way (at most one per organisation) ...
PENDING_STATUSES: frozenset[Status] = frozenset({Status.DRAFT, Status.SUBMITTED, Status.INFO_REQUESTED})
# ... and one in the program (at most one per organisation); a renewal is pending beside an active one.
ACTIVE_STATUSES: frozenset[Status] = frozenset({Status.APPROVED, Status.SUSPENDED})
CLOSED_STATUSES: frozenset[Status] = frozenset(Status) - OPEN_STATUSES
# The importer may change the application only in these states.
EDITABLE_STATUSES: frozenset[Status] = frozenset({Status.DRAFT, Status.INFO_REQUESTED})
# Waiting for someone at CBP or at the importer: the reviewer queue.
AWAITING_STATUSES: tuple[Status, ...] = (Status.SUBMITTED, Status.INFO_REQUESTED)
# The enrollment has been approved at some point: it carries a program ID and a validity date.
PROGRAM_STATUSES: frozenset[Status] = frozenset(
    {Status.APPROVED, Status.SUSPENDED, Status.REVOKED, Status.EXPIRED, Status.RENEWED}
)
# Decisions an importer may appeal (within APPEAL_DAYS), and what each is called.
APPEALABLE_ACTIONS: tuple[Action, ...] = (Action.DENY, Action.SUSPEND, Action.REVOKE)

STATUS_LABELS: dict[str, str] = {
    Status.DRAFT: "Draft",
    Status.SUBMITTED: "Submitted",
    Status.INFO_REQUESTED: "Information requested",
    Status.APPROVED: "Approved",
    Status.DENIED: "Denied",
    Status.SUSPENDED: "Suspended",
    Status.REVOKED: "Revoked",
    Status.EXPIRED: "Expired",
    Status.WITHDRAWN: "Withdrawn",
    Status.RENEWED: "Renewed",
}

# USWDS tag colours per status (utility classes only).
STATUS_TAG_CLASSES: dict[str, str] = {
    Status.DRAFT: "bg-base",
    Status.SUBMITTED: "bg-primary",
    Status.INFO_REQUESTED: "bg-gold text-ink",
    Status.APPROVED: "bg-green",
    Status.DENIED: "bg-secondary-dark",
    Status.SUSPENDED: "bg-orange text-ink",
    Status.REVOKED: "bg-secondary-darker",
    Status.EXPIRED: "bg-base-dark",
    Status.WITHDRAWN: "bg-base-dark",
    Status.RENEWED: "bg-base-dark",
}

ACTION_LABELS: dict[str, str] = {
    Action.CREATE: "Application started",
    Action.SUBMIT: "Submitted for review",
    Action.WITHDRAW: "Withdrawn by the importer",
    Action.APPROVE: "Approved",
    Action.DENY: "Denied",
    Action.REQUEST_INFO: "More information requested",
    Action.SUSPEND: "Suspended",
    Action.REINSTATE: "Reinstated",
    Action.REVOKE: "Revoked",
    Action.EXPIRE: "Expired",
    Action.RENEW: "Handed over to its renewal",
    Action.OVERTURN: "Appeal allowed: decision overturned",
    Action.AMEND: "Contacts or consent updated",
    Action.SUSPEND_SECTORS: "Sectors suspended",
    Action.REINSTATE_SECTORS: "Sectors reinstated",
    Action.PROPOSE: "Notice of proposed action",
    Action.REPLY: "Importer replied to the notice",
    Action.APPEAL: "Appeal filed",
    Action.UPHOLD: "Appeal dismissed: decision upheld",
    Action.ANNUAL_REVIEW: "Annual review confirmed",
    Action.LIFT_BAR: "Re-application bar lifted",
    Action.VERIFY_PROGRAM: "Other program verified",
}


def sql_list(statuses: Iterable[str]) -> str:
    """``'a', 'b'`` for a CHECK constraint or partial index over ``statuses`` (sorted, so DDL is stable)."""
    return ", ".join(f"'{s}'" for s in sorted(str(s) for s in statuses))


# Moves made only as part of another step (approving a renewal, deciding an appeal): never a button of their own.
INDIRECT_ACTIONS = frozenset({Action.RENEW, Action.OVERTURN})


def allowed_actions(status: str, role: str) -> list[Action]:
    """The actions ``role`` may take on an enrollment in ``status`` (for buttons and templates)."""
    return [action for (frm, action), (_to, roles) in TRANSITIONS.items()
            if frm == status and role in roles and action not in INDIRECT_ACTIONS]
