"""Thread states, the objects a thread can be about, and the one transition table."""

from __future__ import annotations

from enum import StrEnum

from core.accounts.roles import OrgKind


class ThreadStatus(StrEnum):
    """A thread is open for replies until CBP closes it; CBP may reopen it."""

    OPEN = "open"
    CLOSED = "closed"


# Kinds of object a thread may be tied to; each domain registers a resolver for its own type
# (program.messages.related). The database check constraint lists the same names.
RELATED_TYPES: tuple[str, ...] = ("enrollment", "standard", "blank_declaration", "case")

RELATED_LABELS: dict[str, str] = {
    "enrollment": "Enrollment",
    "standard": "Genuineness standard",
    "blank_declaration": "Blank-goods declaration",
    "case": "Enforcement case",
}

# Organisations that can be the party of a thread (the other side is always CBP).
PARTY_KINDS: frozenset[str] = frozenset({OrgKind.IMPORTER, OrgKind.RIGHTS_HOLDER, OrgKind.INDUSTRY_GROUP})

PARTY_KIND_LABELS: dict[str, str] = {
    OrgKind.IMPORTER: "Importer",
    OrgKind.RIGHTS_HOLDER: "Rights holder",
    OrgKind.INDUSTRY_GROUP: "Industry group",
}

# (from status, action) -> to status. Who may act is the permission "messages.manage" (CBP).
TRANSITIONS: dict[tuple[ThreadStatus, str], ThreadStatus] = {
    (ThreadStatus.OPEN, "close"): ThreadStatus.CLOSED,
    (ThreadStatus.CLOSED, "reopen"): ThreadStatus.OPEN,
}

SUBJECT_MAX = 200
BODY_MAX = 20_000
ATTACHMENTS_MAX = 5
