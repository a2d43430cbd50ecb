"""Allegation states and the one transition table (new → triaged → referred | closed)."""

from __future__ import annotations

from enum import StrEnum


class AllegationStatus(StrEnum):
    """Where a report stands in CBP's triage."""

    NEW = "new"
    TRIAGED = "triaged"
    REFERRED = "referred"
    CLOSED = "closed"


STATUS_LABELS: dict[str, str] = {
    AllegationStatus.NEW: "New",
    AllegationStatus.TRIAGED: "Triaged",
    AllegationStatus.REFERRED: "Referred",
    AllegationStatus.CLOSED: "Closed",
}

# (from, to): a reviewer may move a report along these edges only; anything else is 409.
TRANSITIONS: frozenset[tuple[AllegationStatus, AllegationStatus]] = frozenset({
    (AllegationStatus.NEW, AllegationStatus.TRIAGED),
    (AllegationStatus.NEW, AllegationStatus.REFERRED),
    (AllegationStatus.NEW, AllegationStatus.CLOSED),
    (AllegationStatus.TRIAGED, AllegationStatus.REFERRED),
    (AllegationStatus.TRIAGED, AllegationStatus.CLOSED),
})

TRIAGE_TARGETS: tuple[str, ...] = (AllegationStatus.TRIAGED, AllegationStatus.REFERRED, AllegationStatus.CLOSED)

SUMMARY_MAX = 200
DETAILS_MAX = 10_000
NAME_MAX = 200
WEBSITE_MAX = 500
NOTE_MAX = 4_000
PORTS_MAX = 20
EVIDENCE_FILES_MAX = 5
# The page's whole request (form and files) is refused above this before the body is parsed.
REPORT_REQUEST_MAX = EVIDENCE_FILES_MAX * 5 * 1024 * 1024 + 256 * 1024
EVIDENCE_FILE_MAX = 5 * 1024 * 1024
API_BODY_MAX = 64 * 1024
