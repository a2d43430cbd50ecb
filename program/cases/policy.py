"""Who may see and do what with enforcement cases — the ONE module that decides it (19 CFR 133.21).

Parties of a case:

* **CBP** (reviewers; admins read-only) see everything and record every event but the parties' own.
* **The importer** — the organisation the decision names (``ReleaseDecision.organization_id``) — sees
  its own entry's case in full, except detention images until CBP shares them with it
  (``images_shared_importer``); it records ``importer_response``.
* **A rights holder** — the owner of a recorded mark on any line of the entry — sees only what
  133.21 lets CBP disclose before seizure: the goods bearing *its* marks (description, quantity),
  the images once shared with rights holders (``images_shared_rights_holder``), the port, the dates
  (importation, notice, response due, outcome), the country of origin, the case status and its own
  events. Never the importer's IOR number or name, its contacts, its documents and notes, the entry
  number or values, nor other owners' lines and marks. It records ``rights_holder_authentication``.
* Anyone else gets 404: a case's existence must not leak.

Both the API and the pages render :func:`present`'s dictionary, so what a party sees is decided here.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import Select, exists, select

from core import policy
from core.accounts.models import Organization
from core.accounts.roles import CBP_ROLES, Role
from core.errors import NotAllowed, NotFound, ValidationFailed
from core.extensions import db
from core.timeutil import today
from program.cases.deadlines import business_days_between
from program.cases.models import CaseEvent, EnforcementCase
from program.cases.states import (
    DETAINED_EVENT,
    EVENT_LABELS,
    OUTCOMES,
    ROLES_OF,
    STATUS_LABELS,
    TRANSITIONS,
    EventType,
)
from program.decisions.models import DecisionLine, ReleaseDecision
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
    """For each rights-holder organisation with a recorded mark on the entry: the line numbers bearing them."""
    rows = db.session.execute(
        select(RecordedMark.owner_organization_id, DecisionLine.line_no)
        .join(DecisionLine, DecisionLine.recordation_number == RecordedMark.recordation_number)
        .where(DecisionLine.decision_id == case.decision_id)
    ).all()
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
        bearing = exists().where(
            DecisionLine.decision_id == ReleaseDecision.id,
            DecisionLine.recordation_number == RecordedMark.recordation_number,
            RecordedMark.owner_organization_id == org_id,
        )
        return query.where(bearing)
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


def images_visible(view: CaseView, case: EnforcementCase) -> bool:
    """Detention images: CBP always; a party once CBP shared them with it."""
    if view.party == CBP:
        return True
    if view.party == IMPORTER:
        return case.importer_shared_on is not None
    return case.rights_holder_shared_on is not None


def _event_visible(view: CaseView, event: CaseEvent) -> bool:
    if view.full:
        return True
    # Rights holder: the case's milestones that concern it, and its own events.
    return (event.type in (DETAINED_EVENT, EventType.IMAGES_SHARED_RIGHTS_HOLDER, *OUTCOMES)
            or event.organization_id == view.organization_id)


def _event(view: CaseView, event: CaseEvent) -> dict[str, Any]:
    own = event.organization_id is not None and event.organization_id == view.organization_id
    by_cbp = event.actor_role in CBP_ROLES
    item: dict[str, Any] = {
        "id": event.id, "type": event.type, "label": EVENT_LABELS.get(event.type, event.type),
        "date": event.date, "created_at": event.created_at, "late": event.late,
        "by": "CBP" if by_cbp else ("Importer" if event.actor_role == Role.IMPORTER else "Rights holder"),
    }
    if view.full or own:
        item.update(note=event.note, actor=event.actor,
                    files=[{"id": f.id, "name": f.original_name, "content_type": f.content_type, "size": f.size}
                           for f in event.files])
    else:  # a rights holder never reads CBP's or the importer's notes: they may carry the importer's data
        item.update(note="", actor="CBP" if by_cbp else "", files=[])
    return item


def _money(value: Decimal) -> str:
    return format(value, "f")


def _days_left(case: EnforcementCase, on: date) -> int | None:
    if not case.is_open:
        return None
    return business_days_between(on, case.response_due)


def present(case: EnforcementCase, view: CaseView, *, on: date | None = None) -> dict[str, Any]:
    """The case as ``view`` may see it: the dictionary the API returns and the pages render."""
    on = on or today()
    decision = case.decision
    lines = [line for line in decision.lines if view.full or line.line_no in (view.own_line_nos or ())]
    marks = {m.recordation_number: m for m in db.session.scalars(select(RecordedMark).where(
        RecordedMark.recordation_number.in_({line.recordation_number for line in lines if line.recordation_number})))}
    days_left = _days_left(case, on)
    data: dict[str, Any] = {
        "uei": case.uei,
        "uei_display": format_uei(case.uei),
        "party": view.party,
        "status": case.status,
        "status_label": STATUS_LABELS.get(case.status, case.status),
        "open": case.is_open,
        "date_of_importation": decision.decided_at.date(),
        "notice_date": case.notice_date,
        "response_due": case.response_due,
        "business_days_left": days_left,
        "overdue": bool(case.is_open and case.responded_on is None and on > case.response_due),
        "port_code": case.port_code,
        "country_of_origin": case.country_of_origin,
        "outcome_date": case.outcome_date,
        "closed_at": case.closed_at,
        "images_shared_importer_on": case.importer_shared_on,
        "images_shared_rights_holder_on": case.rights_holder_shared_on,
        "goods": [{
            "line_no": line.line_no, "description": line.description, "quantity": _money(line.quantity),
            "recordation_number": line.recordation_number,
            "mark": marks[line.recordation_number].mark if line.recordation_number in marks else None,
        } for line in lines],
        "images": ([{"id": image.id, "caption": image.caption, "created_at": image.created_at,
                     "content_type": image.file.content_type} for image in case.images]
                   if images_visible(view, case) else []),
        "events": [_event(view, e) for e in case.events if _event_visible(view, e)],
        "allowed_events": allowed_events(view, case),
    }
    if view.full:
        importer = db.session.get(Organization, decision.organization_id) if decision.organization_id else None
        data["responded_on"] = case.responded_on
        data["images_count"] = len(case.images)
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
            } for line in decision.lines],
        }
    if view.party == CBP:
        data["created_by"] = case.created_by.email if case.created_by else None
    return data


def summary(case: EnforcementCase, view: CaseView, *, on: date | None = None) -> dict[str, Any]:
    """A list row: the same policy, fewer fields (never the importer's data for a rights holder)."""
    full = present(case, view, on=on)
    keys = ("uei", "uei_display", "status", "status_label", "open", "notice_date", "response_due",
            "business_days_left", "overdue", "port_code", "country_of_origin", "outcome_date", "goods")
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
