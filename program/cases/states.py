"""Enforcement-case states, event types and the one table of who may record which event when.

``TRANSITIONS[(status, event_type)] = (to_status, roles)``: an outcome event moves a detained case to
the outcome's status (closing it); the other events leave it detained. A seized case keeps its UEI
through forfeiture, petitions, penalties and liquidated damages (COAC: one identifier from inception
to resolution); any other closed case takes no events.
Which *party* of a role may act (the importer of the entry, the owner of a mark on it) is decided by
``program.cases.policy``.
"""

from __future__ import annotations

from enum import StrEnum

from core.accounts.roles import Role


class Status(StrEnum):
    """Where a case is: detained until an outcome closes it."""

    DETAINED = "detained"
    RELEASED = "released"
    SEIZED = "seized"
    ABANDONED = "abandoned"
    MANIPULATED = "manipulated"
    EXPORTED = "exported"
    DESTROYED = "destroyed"


class EventType(StrEnum):
    """What can happen on a case's timeline (API.md, "Enforcement cases")."""

    IMAGES_SHARED_IMPORTER = "images_shared_importer"
    IMAGES_SHARED_RIGHTS_HOLDER = "images_shared_rights_holder"
    IMPORTER_RESPONSE = "importer_response"
    IMPORTER_RESPONSE_INSUFFICIENT = "importer_response_insufficient"
    UNREDACTED_DISCLOSED = "unredacted_disclosed"
    SAMPLE_RELEASED = "sample_released"
    DETENTION_EXTENDED = "detention_extended"
    RIGHTS_HOLDER_AUTHENTICATION = "rights_holder_authentication"
    RELEASED = "released"
    SEIZED = "seized"
    ABANDONED = "abandoned"
    MANIPULATED = "manipulated"
    EXPORTED = "exported"
    DESTROYED = "destroyed"
    FORFEITURE_NOTICE = "forfeiture_notice"
    PETITION_FILED = "petition_filed"
    PETITION_DECIDED = "petition_decided"
    PENALTY_ASSESSED = "penalty_assessed"
    LIQUIDATED_DAMAGES_CLAIMED = "liquidated_damages_claimed"
    PENALTY_CLOSED = "penalty_closed"


# The case's own record of its opening (not an API event type: POST /cases with action "detain").
DETAINED_EVENT = "detained"

OUTCOMES: tuple[str, ...] = ("released", "seized", "abandoned", "manipulated", "exported", "destroyed")
# PRODUCT.md: the alternatives to seizure, counted and highlighted in the statistics.
ALTERNATIVES_TO_SEIZURE: tuple[str, ...] = ("abandoned", "manipulated", "exported", "destroyed")
CLOSED_STATUSES: frozenset[str] = frozenset(OUTCOMES)
# After seizure, on the same UEI (API.md): the forfeiture and penalty steps; the two with an amount.
POST_SEIZURE: tuple[str, ...] = ("forfeiture_notice", "petition_filed", "petition_decided", "penalty_assessed",
                                 "liquidated_damages_claimed", "penalty_closed")
WITH_AMOUNT: tuple[str, ...] = ("penalty_assessed", "liquidated_damages_claimed")
# Outcomes a reviewer may record on many small parcels at once (POST /cases/bulk-events).
BULK_TYPES: tuple[str, ...] = ("abandoned", "destroyed", "released", "seized")
EVENT_TYPES: tuple[str, ...] = tuple(e.value for e in EventType)
ALL_EVENT_TYPES: tuple[str, ...] = (DETAINED_EVENT, *EVENT_TYPES)

_REVIEWER = frozenset({Role.REVIEWER.value})
_IMPORTER = frozenset({Role.IMPORTER.value})
_RIGHTS_HOLDER = frozenset({Role.RIGHTS_HOLDER.value})

E, S = EventType, Status
TRANSITIONS: dict[tuple[str, str], tuple[str, frozenset[str]]] = {
    (S.DETAINED, E.IMAGES_SHARED_IMPORTER): (S.DETAINED, _REVIEWER),
    (S.DETAINED, E.IMAGES_SHARED_RIGHTS_HOLDER): (S.DETAINED, _REVIEWER),
    (S.DETAINED, E.IMPORTER_RESPONSE): (S.DETAINED, _IMPORTER),
    (S.DETAINED, E.IMPORTER_RESPONSE_INSUFFICIENT): (S.DETAINED, _REVIEWER),
    (S.DETAINED, E.UNREDACTED_DISCLOSED): (S.DETAINED, _REVIEWER),
    (S.DETAINED, E.SAMPLE_RELEASED): (S.DETAINED, _REVIEWER),
    (S.DETAINED, E.DETENTION_EXTENDED): (S.DETAINED, _REVIEWER),
    (S.DETAINED, E.RIGHTS_HOLDER_AUTHENTICATION): (S.DETAINED, _RIGHTS_HOLDER),
    **{(S.DETAINED, outcome): (Status(outcome), _REVIEWER) for outcome in OUTCOMES},
    **{(S.SEIZED, step): (S.SEIZED, _REVIEWER) for step in POST_SEIZURE},
}
del E, S

# Every role that may record each event type in some state (403 before any talk of states).
ROLES_OF: dict[str, frozenset[str]] = {
    event: frozenset().union(*(roles for (_s, e), (_to, roles) in TRANSITIONS.items() if e == event))
    for event in EVENT_TYPES
}

STATUS_LABELS: dict[str, str] = {
    "detained": "Detained",
    "released": "Released",
    "seized": "Seized",
    "abandoned": "Abandoned",
    "manipulated": "Manipulated (marks removed)",
    "exported": "Exported",
    "destroyed": "Destroyed",
}

STATUS_TAG_CLASSES: dict[str, str] = {
    "detained": "bg-gold text-ink",
    "released": "bg-green",
    "seized": "bg-secondary-dark",
    "abandoned": "bg-primary",
    "manipulated": "bg-primary",
    "exported": "bg-primary",
    "destroyed": "bg-primary",
}

EVENT_LABELS: dict[str, str] = {
    DETAINED_EVENT: "Shipment detained; notice sent",
    "images_shared_importer": "Images shared with the importer",
    "images_shared_rights_holder": "Redacted images shared with the rights holder",
    "importer_response": "Importer responded",
    "importer_response_insufficient": "CBP found the importer's response insufficient",
    "unredacted_disclosed": "Unredacted images disclosed to the rights holder (importer told)",
    "sample_released": "Sample released to the rights holder under bond",
    "detention_extended": "Detention period extended",
    "rights_holder_authentication": "Rights holder's authentication",
    "released": "Released",
    "seized": "Seized",
    "abandoned": "Abandoned by the importer",
    "manipulated": "Marks removed or obliterated, then released",
    "exported": "Exported",
    "destroyed": "Destroyed",
    "forfeiture_notice": "Notice of seizure and forfeiture",
    "petition_filed": "Petition for relief filed",
    "petition_decided": "Petition decided",
    "penalty_assessed": "Penalty assessed",
    "liquidated_damages_claimed": "Liquidated damages claimed",
    "penalty_closed": "Penalty case closed",
}


def sql_list(values) -> str:
    """``'a', 'b'`` for a CHECK constraint (sorted, so DDL is stable)."""
    return ", ".join(f"'{v}'" for v in sorted(str(v) for v in values))


def allowed_events(status: str, role: str) -> list[str]:
    """Event types ``role`` may record on a case in ``status`` (for forms and buttons)."""
    return [event for (frm, event), (_to, roles) in TRANSITIONS.items() if frm == status and role in roles]
