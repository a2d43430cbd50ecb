"""Who may see and do what with enforcement cases — the ONE module that decides it (19 CFR 133.21, 133.25).

Parties of a case:

* **CBP** (reviewers; admins read-only) see everything and record every event but the parties' own.
* **The importer** — the organisation the decision names (``ReleaseDecision.organization_id``) — sees
  its own entry's case in full and every detention image, unredacted, from upload on (133.21(d)); of
  the owner's authentication it sees only that one was made (never the notes or the owner's staff).
  It records ``importer_response``.
* **A rights holder** — the owner of a recorded mark on a detained line — sees, from the notice on, the
  five limited facts of *its* lines (date of importation, port, description, quantity, country of
  origin) with the Trade Secrets Act notice; redacted images of its lines once shared; unredacted ones
  only once the law allows (:func:`unredacted_permitted`) and CBP recorded ``unredacted_disclosed``;
  after seizure the importer's, manufacturer's and exporter's names and addresses (133.21(e)). Never
  the importer's identity before seizure, IOR number, values, documents or response, nor other owners'
  lines. It records ``rights_holder_authentication``.
* Anyone else gets 404: a case's existence must not leak.

:func:`fields_for` (party × stage → keys) and :func:`image_visible` are the disclosure table; both the
API and the pages render :func:`present`'s dictionary, so what a party sees is decided here only.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import Select, exists, or_, select

from core import policy
from core.accounts.models import Organization
from core.accounts.roles import CBP_ROLES, Role
from core.errors import NotAllowed, NotFound, ValidationFailed
from core.extensions import db
from core.timeutil import today
from program.cases import deadlines
from program.cases.deadlines import BASIS_LABELS, SUSPECTED_COUNTERFEIT, business_days_between
from program.cases.models import CaseEvent, CaseImage, CaseLine, EnforcementCase
from program.cases.states import (
    DETAINED_EVENT,
    EVENT_LABELS,
    OUTCOMES,
    ROLES_OF,
    STATUS_LABELS,
    TRANSITIONS,
    EventType,
)
from program.decisions.models import DecisionLine, ReleaseDecision, line_rows
from program.decisions.uei import InvalidUEI, format_uei, parse_uei
from standards.models import RecordedMark

READ = "cases.read"  # see cases: CBP all, importers their entries', rights holders those bearing their marks
MANAGE = "cases.manage"  # detain, upload and share images, record outcomes
RESPOND = "cases.respond"  # the importer answers the detention notice
AUTHENTICATE = "cases.authenticate"  # the mark owner reports on the goods' authenticity
STATS = "cases.stats"  # enforcement statistics and their CSV exports

policy.register(READ, Role.IMPORTER, Role.RIGHTS_HOLDER, Role.REVIEWER, Role.ADMIN)
policy.register(MANAGE, Role.REVIEWER)
policy.register(RESPOND, Role.IMPORTER)
policy.register(AUTHENTICATE, Role.RIGHTS_HOLDER)
policy.register(STATS, Role.REVIEWER, Role.ADMIN)

CBP, IMPORTER, RIGHTS_HOLDER = "cbp", "importer", "rights_holder"
PARTIES = (CBP, IMPORTER, RIGHTS_HOLDER)

# 19 CFR 133.21(b)(5): what every disclosure to the mark owner carries.
DISCLOSURE_NOTICE = (
    "Information disclosed to you about this detention may include information protected by the Trade "
    "Secrets Act (18 U.S.C. 1905). It is disclosed for the limited purpose of assisting CBP in determining "
    "whether the goods bear a counterfeit mark (19 CFR 133.21), and must not be used for any other purpose.")
NOT_KNOWN = "not known"

# Disclosure stages of a case, in the order the law opens them (a case released or otherwise closed
# without seizure stays at the stage it reached; ``stage_of`` names it).
NOTICE, REDACTED_SHARED, UNREDACTED_DISCLOSED, SEIZED = "notice", "redacted_shared", "unredacted_disclosed", "seized"
STAGES = (NOTICE, REDACTED_SHARED, UNREDACTED_DISCLOSED, SEIZED)

# Keys every party may see: the case's identity, status, clock, port and country, its own goods, and the
# images and events filtered for it.
COMMON_FIELDS = frozenset({
    "uei", "uei_display", "party", "status", "status_label", "open", "basis", "basis_label", "date_of_importation",
    "presented_on", "detained_on", "notice_date", "notice_due", "notice_late", "response_due", "detention_ends",
    "deemed_excluded", "business_days_left", "overdue", "overdue_by", "clock", "next_due", "port_code",
    "country_of_origin", "outcome_date", "closed_at", "images_shared_importer_on", "images_shared_rights_holder_on",
    "unredacted_disclosed_on", "goods", "images", "events", "allowed_events"})
# The importer's data and CBP's working fields: never a rights holder's.
FULL_FIELDS = frozenset({"responded_on", "insufficient_on", "images_count", "entry", "line_nos"})
OWNER_FIELDS = frozenset({"lines", "disclosure_notice"})
SEIZURE_FIELDS = frozenset({"seizure_disclosure", "seizure_disclosure_due"})
PARTY_FIELDS: dict[str, frozenset[str]] = {
    CBP: COMMON_FIELDS | FULL_FIELDS | {"created_by"},
    IMPORTER: COMMON_FIELDS | FULL_FIELDS,
    RIGHTS_HOLDER: COMMON_FIELDS | OWNER_FIELDS,
}


def fields_for(party: str, stage: str) -> frozenset[str]:
    """The keys of :func:`present` a party sees at a disclosure stage (the seizure disclosure from seizure on:
    the owner is owed it, CBP checks it; the importer knows its own name and address)."""
    fields = PARTY_FIELDS[party]
    if stage == SEIZED and party in (CBP, RIGHTS_HOLDER):
        fields = fields | SEIZURE_FIELDS
    return fields


def stage_of(case: EnforcementCase) -> str:
    """The furthest disclosure stage the case reached."""
    if case.status == "seized":
        return SEIZED
    if case.unredacted_disclosed_on is not None:
        return UNREDACTED_DISCLOSED
    if case.rights_holder_shared_on is not None:
        return REDACTED_SHARED
    return NOTICE


def image_visible(party: str, image: CaseImage, case: EnforcementCase, own_line_nos: frozenset[int] = frozenset()
                  ) -> bool:
    """CBP and the importer see every image (133.21(d)); an owner sees images of its own lines, redacted ones
    once shared with it, unredacted ones once ``unredacted_disclosed`` was recorded."""
    if party in (CBP, IMPORTER):
        return True
    if not own_line_nos.intersection(image.line_nos or ()):
        return False
    if image.redacted:
        return case.rights_holder_shared_on is not None
    return case.unredacted_disclosed_on is not None


def unredacted_permitted(case: EnforcementCase, on: date) -> tuple[bool, str]:
    """Whether unredacted images and codes may go to the owner on ``on`` (133.21(b)(2)(ii)), and why not."""
    if case.basis != SUSPECTED_COUNTERFEIT:
        return False, "Unredacted images go to the mark owner only for suspected counterfeits (19 CFR 133.21)."
    if not mark_owners(case):
        return False, "No recorded mark on the detained lines: there is no rights holder to disclose to."
    if case.insufficient_on is not None:
        return True, ""
    answered_in_time = case.responded_on is not None and case.responded_on <= case.response_due
    if not answered_in_time and on > case.response_due:
        return True, ""
    if answered_in_time:
        return False, ("The importer answered in time: record the response as insufficient before disclosing "
                       "unredacted images.")
    return False, (f"Not before the importer's window closes ({case.response_due.isoformat()}) without an answer, "
                   "or a reviewer records the response as insufficient (19 CFR 133.21(b)).")


# Where the importer's address comes from (enrollment's Form 5106): set by program.wiring.
_address_lookup: list[Any] = []


def set_address_lookup(lookup: Any) -> None:
    """Plug in ``lookup(organization_id) -> address text | None`` (program.wiring does)."""
    _address_lookup[:] = [lookup]


def _importer_address(organization_id: int | None) -> str:
    if organization_id is None or not _address_lookup:
        return ""
    return _address_lookup[0](organization_id) or ""


@dataclass(frozen=True)
class CaseView:
    """What one user may see of one case, and as which party."""

    party: str
    organization_id: int | None
    role: str
    own_line_nos: frozenset[int] | None = None  # rights holder: the lines bearing its marks

    @property
    def full(self) -> bool:
        """CBP and the importer see the whole entry and the importer's data."""
        return self.party in (CBP, IMPORTER)


def parse_case_uei(text: str) -> str:
    """The canonical UEI, or 422 naming ``uei`` (checked before any lookup, API.md "Conventions")."""
    try:
        return parse_uei(text)
    except InvalidUEI as exc:
        raise ValidationFailed(str(exc), code="invalid_uei", fields={"uei": [str(exc)]}) from exc


def mark_owners(case: EnforcementCase) -> dict[int, set[int]]:
    """For each rights-holder organisation with a recorded mark on a detained line: the line numbers bearing them."""
    detained = set(case.line_nos)
    lines = line_rows("line_no", "recordation_number").subquery("decision_line")
    rows = db.session.execute(
        select(RecordedMark.owner_organization_id, lines.c.line_no)
        .join(lines, lines.c.recordation_number == RecordedMark.recordation_number)
        .where(lines.c.decision_id == case.decision_id)
    ).all()
    rows = [(owner, line_no) for owner, line_no in rows if line_no in detained]
    owners: dict[int, set[int]] = {}
    for owner_id, line_no in rows:
        owners.setdefault(owner_id, set()).add(line_no)
    return owners


def view_for(user: Any, case: EnforcementCase) -> CaseView | None:
    """How ``user`` may see ``case`` (None: not at all)."""
    if user is None or not policy.can(user, READ):
        return None
    role = str(user.role)
    org_id = getattr(user, "organization_id", None)
    if role in CBP_ROLES:
        return CaseView(CBP, org_id, role)
    if role == Role.IMPORTER and org_id is not None and case.decision.organization_id == org_id:
        return CaseView(IMPORTER, org_id, role)
    if role == Role.RIGHTS_HOLDER and org_id is not None:
        lines = mark_owners(case).get(org_id)
        if lines:
            return CaseView(RIGHTS_HOLDER, org_id, role, own_line_nos=frozenset(lines))
    return None


def load_case(uei_text: str) -> EnforcementCase | None:
    """The case with this UEI (after checking its format: 422 naming ``uei``), if any."""
    uei = parse_case_uei(uei_text)
    return db.session.scalar(select(EnforcementCase).where(EnforcementCase.uei == uei))


def get_case_for(user: Any, uei_text: str) -> tuple[EnforcementCase, CaseView]:
    """The case and the user's view of it; 422 for a malformed UEI, 404 when absent or not the user's."""
    case = load_case(uei_text)
    view = view_for(user, case) if case is not None else None
    if case is None or view is None:
        raise NotFound("No such case.")
    return case, view


def visible_cases(user: Any) -> Select:
    """Cases ``user`` may list: all for CBP, its entries' for an importer, its marks' for a rights holder."""
    query = select(EnforcementCase).join(ReleaseDecision, ReleaseDecision.id == EnforcementCase.decision_id)
    role = str(getattr(user, "role", ""))
    if role in CBP_ROLES:
        return query
    org_id = getattr(user, "organization_id", None)
    if role == Role.IMPORTER:
        return query.where(ReleaseDecision.organization_id == org_id)
    if role == Role.RIGHTS_HOLDER:
        # A detained line bearing one of the owner's marks: a line row, or the line of a one-line entry's own row.
        owned = (CaseLine.case_id == EnforcementCase.id, RecordedMark.owner_organization_id == org_id)
        bearing = exists().where(
            DecisionLine.decision_id == ReleaseDecision.id, CaseLine.line_no == DecisionLine.line_no,
            DecisionLine.recordation_number == RecordedMark.recordation_number, *owned)
        bearing_one_line = exists().where(
            CaseLine.line_no == ReleaseDecision.line_no,
            ReleaseDecision.line_recordation_number == RecordedMark.recordation_number, *owned)
        return query.where(or_(bearing, bearing_one_line))
    return query.where(EnforcementCase.id.is_(None))


def check_may_record(view: CaseView, event_type: str) -> None:
    """403 unless the viewer's role and party may record ``event_type`` at all (states are the service's)."""
    roles = ROLES_OF.get(event_type, frozenset())
    if view.role not in roles:
        raise NotAllowed("Your role cannot record this event on a case.")
    if event_type == EventType.IMPORTER_RESPONSE and view.party != IMPORTER:
        raise NotAllowed("Only the importer of the entry can respond to the detention notice.")
    if event_type == EventType.RIGHTS_HOLDER_AUTHENTICATION and view.party != RIGHTS_HOLDER:
        raise NotAllowed("Only the owner of a mark on the entry can report on its authenticity.")


def allowed_events(view: CaseView, case: EnforcementCase) -> list[str]:
    """Event types the viewer may record on the case now (for forms and API clients)."""
    found = []
    for (status, event), (_to, roles) in TRANSITIONS.items():
        if status != case.status or view.role not in roles:
            continue
        try:
            check_may_record(view, event)
        except NotAllowed:
            continue
        found.append(event)
    return found


def visible_images(view: CaseView, case: EnforcementCase) -> list[CaseImage]:
    """The case's images the viewer may see (:func:`image_visible`)."""
    return [image for image in case.images
            if image_visible(view.party, image, case, view.own_line_nos or frozenset())]


# A rights holder's timeline: the milestones that concern it (never the importer's or the penalty steps).
_OWNER_MILESTONES = frozenset({DETAINED_EVENT, EventType.IMAGES_SHARED_RIGHTS_HOLDER, EventType.UNREDACTED_DISCLOSED,
                               EventType.SAMPLE_RELEASED, EventType.DETENTION_EXTENDED, *OUTCOMES})


def _event_visible(view: CaseView, event: CaseEvent) -> bool:
    if view.full:
        return True
    return event.type in _OWNER_MILESTONES or event.organization_id == view.organization_id


def _event(view: CaseView, event: CaseEvent) -> dict[str, Any]:
    own = event.organization_id is not None and event.organization_id == view.organization_id
    by_cbp = event.actor_role in CBP_ROLES
    item: dict[str, Any] = {
        "id": event.id, "type": event.type, "label": EVENT_LABELS.get(event.type, event.type),
        "date": event.date, "created_at": event.created_at, "late": event.late,
        "by": "CBP" if by_cbp else ("Importer" if event.actor_role == Role.IMPORTER else "Rights holder"),
    }
    authentication = event.type == EventType.RIGHTS_HOLDER_AUTHENTICATION
    if own or view.party == CBP or (view.party == IMPORTER and not authentication):
        item.update(note=event.note, actor=event.actor,
                    files=[{"id": f.id, "name": f.original_name, "content_type": f.content_type, "size": f.size}
                           for f in event.files])
    else:  # the owner never reads CBP's or the importer's notes; the importer, that an authentication was made
        item.update(note="", actor="CBP" if by_cbp else "", files=[])
    if event.amount is not None and view.full:
        item["amount"] = _money(event.amount)
    if event.until is not None:
        item["until"] = event.until
    if event.bond_reference is not None:
        item["bond_reference"] = event.bond_reference
    return item


def _money(value: Decimal) -> str:
    return format(value, "f")


def _clock(case: EnforcementCase, on: date) -> dict[str, Any]:
    """The case's clock on ``on``: notice late or not, deemed excluded, days left or overdue (never negative)."""
    milestones = deadlines.case_clock(
        basis=case.basis, presented_on=case.presented_on, detained_on=case.detained_on, notice_date=case.notice_date,
        ends=case.detention_ends, due=case.response_due, open_=case.is_open, responded_on=case.responded_on, on=on,
        closed=(f"Outcome: {STATUS_LABELS.get(case.status, case.status).lower()}", case.outcome_date)
        if case.outcome_date else None)
    upcoming = deadlines.next_due(milestones)
    waiting = case.is_open and case.responded_on is None
    overdue = bool(waiting and on > case.response_due)
    return {
        "notice_late": case.notice_date > case.notice_due,
        "deemed_excluded": bool(case.is_open and on > case.detention_ends),
        "business_days_left": (business_days_between(on, case.response_due)
                               if case.is_open and on <= case.response_due else None),
        "overdue": overdue,
        "overdue_by": deadlines.overdue_by(case.response_due, on) if overdue else 0,
        "clock": [{"key": m.key, "label": m.label, "date": m.date, "state": m.state, "overdue_by": m.overdue_by,
                   "days_left": m.days_left} for m in milestones],
        "next_due": ({"key": upcoming.key, "label": upcoming.label, "date": upcoming.date, "state": upcoming.state,
                      "overdue_by": upcoming.overdue_by, "days_left": upcoming.days_left} if upcoming else None),
    }


def _seizure_disclosure(case: EnforcementCase) -> dict[str, Any]:
    importer = db.session.get(Organization, case.decision.organization_id) if case.decision.organization_id else None
    seized_on = case.outcome_date
    return {
        "seizure_disclosure": {
            "importer": {"name": importer.name if importer else NOT_KNOWN,
                         "address": _importer_address(case.decision.organization_id) or NOT_KNOWN},
            "manufacturer": {"name": case.manufacturer_name or NOT_KNOWN, "address": case.manufacturer_address or NOT_KNOWN},
            "exporter": {"name": case.exporter_name or NOT_KNOWN, "address": case.exporter_address or NOT_KNOWN},
        },
        "seizure_disclosure_due": deadlines.seizure_disclosure_due(seized_on) if seized_on else None,
    }


def present(case: EnforcementCase, view: CaseView, *, on: date | None = None) -> dict[str, Any]:
    """The case as ``view`` may see it: the dictionary the API returns and the pages render, cut to
    :func:`fields_for` the viewer's party and the case's disclosure stage."""
    on = on or today()
    decision = case.decision
    detained = set(case.line_nos)
    own = view.own_line_nos or frozenset()
    lines = [line for line in decision.lines if (view.full and line.line_no in detained) or line.line_no in own]
    marks = {m.recordation_number: m for m in db.session.scalars(select(RecordedMark).where(
        RecordedMark.recordation_number.in_({line.recordation_number for line in decision.lines
                                             if line.recordation_number})))}
    imported_on = decision.decided_at.date()
    country = case.country_of_origin or NOT_KNOWN
    data: dict[str, Any] = {
        "uei": case.uei,
        "uei_display": format_uei(case.uei),
        "party": view.party,
        "status": case.status,
        "status_label": STATUS_LABELS.get(case.status, case.status),
        "open": case.is_open,
        "basis": case.basis,
        "basis_label": BASIS_LABELS.get(case.basis, case.basis),
        "date_of_importation": imported_on,
        "presented_on": case.presented_on,
        "detained_on": case.detained_on,
        "notice_date": case.notice_date,
        "notice_due": case.notice_due,
        "response_due": case.response_due,
        "detention_ends": case.detention_ends,
        **_clock(case, on),
        "port_code": case.port_code,
        "country_of_origin": case.country_of_origin,
        "outcome_date": case.outcome_date,
        "closed_at": case.closed_at,
        "images_shared_importer_on": case.importer_shared_on,
        "images_shared_rights_holder_on": case.rights_holder_shared_on,
        "unredacted_disclosed_on": case.unredacted_disclosed_on,
        "goods": [{
            "line_no": line.line_no, "description": line.description, "quantity": _money(line.quantity),
            "recordation_number": line.recordation_number,
            "mark": marks[line.recordation_number].mark if line.recordation_number in marks else None,
        } for line in lines],
        "lines": [{"line_no": line.line_no, "date_of_importation": imported_on, "port_code": case.port_code,
                   "description": line.description, "quantity": _money(line.quantity), "country_of_origin": country}
                  for line in lines],
        "disclosure_notice": DISCLOSURE_NOTICE,
        "images": [{"id": image.id, "caption": image.caption, "created_at": image.created_at,
                    "content_type": image.file.content_type, "redacted": image.redacted,
                    "line_nos": sorted(image.line_nos or []),
                    # Codes go with unredacted images only (an owner sees those once disclosure is permitted).
                    "codes": image.codes if view.full or not image.redacted else ""}
                   for image in visible_images(view, case)],
        "events": [_event(view, e) for e in case.events if _event_visible(view, e)],
        "allowed_events": allowed_events(view, case),
        "responded_on": case.responded_on,
        "insufficient_on": case.insufficient_on,
        "images_count": len(case.images),
        "line_nos": sorted(detained),
        "created_by": case.created_by.email if case.created_by else None,
    }
    if view.full:
        importer = db.session.get(Organization, decision.organization_id) if decision.organization_id else None
        data["entry"] = {
            "decision_id": decision.id, "entry_number": decision.entry_number, "ior_number": decision.ior_number,
            "decision_outcome": decision.outcome, "decided_at": decision.decided_at,
            "importer": {"organization_id": importer.id, "name": importer.name} if importer else None,
            "total_value_usd": _money(sum((line.value_usd for line in decision.lines), Decimal("0"))),
            "lines": [{
                "line_no": line.line_no, "description": line.description, "hts_code": line.hts_code,
                "quantity": _money(line.quantity), "value_usd": _money(line.value_usd), "sector": line.sector,
                "condition": line.condition, "recordation_number": line.recordation_number,
                "mark_owner": marks[line.recordation_number].owner.name if line.recordation_number in marks else None,
                "detained": line.line_no in detained,
            } for line in decision.lines],
        }
    stage = stage_of(case)
    allowed = fields_for(view.party, stage)
    if allowed >= SEIZURE_FIELDS:
        data.update(_seizure_disclosure(case))
    return {key: value for key, value in data.items() if key in allowed}


def deadline_words(row: dict[str, Any]) -> str:
    """The response deadline of a :func:`summary` row in words; an overdue count is never negative."""
    if not row["open"]:
        return "closed"
    if row.get("deemed_excluded"):
        return "deemed excluded"
    if row["overdue"]:
        return f"overdue by {row['overdue_by']} business day{'s' if row['overdue_by'] != 1 else ''}"
    left = row["business_days_left"]
    if left is None:
        return "answered"
    return f"{left} business day{'s' if left != 1 else ''} left"


def summary(case: EnforcementCase, view: CaseView, *, on: date | None = None) -> dict[str, Any]:
    """A list row: the same policy, fewer fields (never the importer's data for a rights holder)."""
    full = present(case, view, on=on)
    keys = ("uei", "uei_display", "status", "status_label", "open", "basis", "basis_label", "presented_on",
            "notice_date", "notice_late", "response_due", "detention_ends", "deemed_excluded", "business_days_left",
            "overdue", "overdue_by", "next_due", "port_code", "country_of_origin", "outcome_date", "goods")
    row = {key: full[key] for key in keys}
    if view.full:
        row["entry_number"] = full["entry"]["entry_number"]
        row["importer"] = full["entry"]["importer"]
        row["ior_number"] = full["entry"]["ior_number"]
        row["responded_on"] = full["responded_on"]
    return row


def is_cbp(user: Any) -> bool:
    """Whether the user sees cases as CBP (every case, the worklist filters)."""
    return user is not None and str(getattr(user, "role", "")) in CBP_ROLES
