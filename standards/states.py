"""States of a standard version and the one table of who may do what from which state.

A version goes ``draft → proposed → published → superseded``, or is ``withdrawn`` by its authors
while still a draft or a proposal. Endorsing, declining and revising do not move the version itself
but are guarded by the same table, so views, templates and services ask one question:
"may this user take this action on this version now?".
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from core.accounts.roles import Role
from core.errors import Conflict, NotAllowed


class VersionStatus(StrEnum):
    """Life of one version of a genuineness standard."""

    DRAFT = "draft"
    PROPOSED = "proposed"
    PUBLISHED = "published"
    SUPERSEDED = "superseded"
    WITHDRAWN = "withdrawn"


class Action(StrEnum):
    """What can be done to a version."""

    EDIT = "edit"
    PROPOSE = "propose"
    WITHDRAW = "withdraw"
    PUBLISH = "publish"
    SUPERSEDE = "supersede"
    REVISE = "revise"
    ENDORSE = "endorse"
    DECLINE = "decline"


class Decision(StrEnum):
    """A rights holder's answer to a proposed or published version."""

    ENDORSE = "endorse"
    DECLINE = "decline"


# Pseudo-roles: AUTHOR is any user of the standard's author organisation; SYSTEM is a move made only
# as part of another one (publishing v2 supersedes v1), never asked for directly.
AUTHOR = "author"
SYSTEM = "system"

D, P, PUB, SUP, W = (VersionStatus.DRAFT, VersionStatus.PROPOSED, VersionStatus.PUBLISHED,
                     VersionStatus.SUPERSEDED, VersionStatus.WITHDRAWN)
_RH = str(Role.RIGHTS_HOLDER)

# (from status, action) -> (to status, who may). The one place these rules live.
TRANSITIONS: dict[tuple[VersionStatus, Action], tuple[VersionStatus, frozenset[str]]] = {
    (D, Action.EDIT): (D, frozenset({AUTHOR})),
    (D, Action.PROPOSE): (P, frozenset({AUTHOR})),
    (D, Action.WITHDRAW): (W, frozenset({AUTHOR})),
    (P, Action.WITHDRAW): (W, frozenset({AUTHOR})),
    (P, Action.PUBLISH): (PUB, frozenset({str(Role.REVIEWER)})),
    (PUB, Action.SUPERSEDE): (SUP, frozenset({SYSTEM})),
    (P, Action.ENDORSE): (P, frozenset({_RH})),
    (PUB, Action.ENDORSE): (PUB, frozenset({_RH})),
    (P, Action.DECLINE): (P, frozenset({_RH})),
    (PUB, Action.DECLINE): (PUB, frozenset({_RH})),
    (PUB, Action.REVISE): (PUB, frozenset({AUTHOR})),
    (W, Action.REVISE): (W, frozenset({AUTHOR})),
}

# Statuses in which a version may still change or be decided on by its authors.
OPEN_STATUSES = frozenset({D, P})
# Statuses in which rights holders may endorse or decline.
DECIDABLE_STATUSES = frozenset({P, PUB})
# Statuses that have been published (published_at is set exactly for these).
PUBLISHED_STATUSES = frozenset({PUB, SUP})

STATUS_LABELS = {
    D: "Draft",
    P: "Proposed",
    PUB: "Published",
    SUP: "Superseded",
    W: "Withdrawn",
}

ACTION_VERBS = {
    Action.EDIT: "edited",
    Action.PROPOSE: "proposed",
    Action.WITHDRAW: "withdrawn",
    Action.PUBLISH: "published",
    Action.SUPERSEDE: "superseded",
    Action.REVISE: "revised",
    Action.ENDORSE: "endorsed",
    Action.DECLINE: "declined",
}


def sql_in(values: Any) -> str:
    """``'a', 'b'`` for CheckConstraints built from an enum or a set of states."""
    return ", ".join(f"'{v}'" for v in sorted(str(x) for x in values))


def is_author(user: Any, author_organization_id: int) -> bool:
    """Whether ``user`` belongs to the standard's author organisation."""
    return bool(user) and getattr(user, "organization_id", None) == author_organization_id


def actor_qualifies(user: Any, who: frozenset[str], author_organization_id: int) -> bool:
    """Whether ``user`` is among ``who`` (roles, or AUTHOR for the author organisation)."""
    if user is None or not getattr(user, "active", False):
        return False
    if AUTHOR in who and is_author(user, author_organization_id):
        return True
    return getattr(user, "role", None) in who


def target_status(status: str, action: Action) -> VersionStatus | None:
    """Where ``action`` leads from ``status``, or None when the table has no such move."""
    move = TRANSITIONS.get((VersionStatus(status), action))
    return move[0] if move else None


def allowed(status: str, action: Action, user: Any, author_organization_id: int) -> bool:
    """Whether the table lets ``user`` take ``action`` from ``status`` (no other guard is checked)."""
    move = TRANSITIONS.get((VersionStatus(status), action))
    return move is not None and actor_qualifies(user, move[1], author_organization_id)


def check(status: str, action: Action, user: Any, author_organization_id: int) -> VersionStatus:
    """The status ``action`` leads to; 409 when the state forbids it, 403 when the user may not."""
    move = TRANSITIONS.get((VersionStatus(status), action))
    if move is None:
        raise Conflict(f"A {STATUS_LABELS[VersionStatus(status)].lower()} version cannot be "
                       f"{ACTION_VERBS[action]}.", code="invalid_state")
    if not actor_qualifies(user, move[1], author_organization_id):
        if AUTHOR in move[1]:
            raise NotAllowed("Only the organisation that wrote this standard may do this.")
        raise NotAllowed("Your role does not allow this.")
    return move[0]
