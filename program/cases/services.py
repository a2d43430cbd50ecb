"""Every change to an enforcement case: detain (open), add images, record events, send reminders.

Each function checks the move against ``states.TRANSITIONS`` and ``policy`` (403 for the wrong role or
party, 409 for the wrong state), writes the audit entry (entity type ``case``) and queues the
notifications in the caller's transaction. Outcomes use a conditional ``UPDATE ... WHERE status =
'detained'`` whose row count proves no one closed the case meanwhile (on SQLite too). Callers commit.
"""

from __future__ import annotations

import io
from collections.abc import Iterable
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from werkzeug.datastructures import FileStorage

from core import audit
from core.errors import Conflict, NotAllowed, NotFound, ValidationFailed
from core.extensions import db
from core.timeutil import today, utcnow
from core.uploads import DOCUMENT_TYPES, IMAGE_TYPES, delete_stored, read_stored, store_upload
from program.cases import deadlines, notices, policy
from program.cases.deadlines import BASES, SUSPECTED_COUNTERFEIT
from program.cases.models import CaseEvent, CaseEventFile, CaseImage, CaseLine, EnforcementCase
from program.cases.states import (
    BULK_TYPES,
    DETAINED_EVENT,
    EVENT_TYPES,
    OUTCOMES,
    POST_SEIZURE,
    STATUS_LABELS,
    TRANSITIONS,
    WITH_AMOUNT,
    EventType,
)
from program.decisions.models import ReleaseDecision
from standards.thumbnails import make_thumbnail

NOTE_MAX = 5000
CAPTION_MAX = 300
CODES_MAX = 500
FILES_MAX = 10
def _text(value: Any, *, field: str, max_len: int) -> str:
    text = value.strip() if isinstance(value, str) else ""
    if len(text) > max_len:
        raise ValidationFailed("The text is too long.", fields={field: [f"At most {max_len} characters."]})
    return text


def _country(value: Any) -> str | None:
    from program.enrollment.countries import COUNTRIES

    text = (value or "").strip().upper() if isinstance(value, str) else ""
    if not text:
        return None
    if text not in COUNTRIES:
        raise ValidationFailed("Unknown country.", fields={"country_of_origin": [
            "Give an ISO 3166-1 alpha-2 country code, e.g. CN."]})
    return text


def _record(actor: Any, case: EnforcementCase, event_type: str, on: date, note: str = "", late: bool = False
            ) -> CaseEvent:
    event = CaseEvent(case=case, type=event_type, date=on, note=note, late=late,
                      actor_id=getattr(actor, "id", None), actor=getattr(actor, "email", None) or "system",
                      actor_role=str(getattr(actor, "role", None) or "system"),
                      organization_id=getattr(actor, "organization_id", None))
    db.session.add(event)
    return event


def _a_date(value: Any, field: str) -> date | None:
    if value in (None, ""):
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value))
    except ValueError as exc:
        raise ValidationFailed("The date is not valid.", fields={field: ["Use YYYY-MM-DD."]}) from exc


def _clock_errors(decision: ReleaseDecision, *, notice_date: date, presented_on: date | None,
                  detained_on: date | None, on: date) -> tuple[dict[str, list[str]], date, date]:
    """Check the clock's dates (none in the future; presentation ≤ decision to detain ≤ notice)."""
    errors: dict[str, list[str]] = {}
    presented = presented_on or decision.decided_at.date()
    detained = detained_on or presented
    for field, value in (("presented_on", presented_on), ("detained_on", detained_on), ("notice_date", notice_date)):
        if value is not None and value > on:
            errors.setdefault(field, []).append("Cannot be in the future.")
    if not errors:
        if detained < presented:
            errors["detained_on"] = [f"The decision to detain cannot precede presentation ({presented.isoformat()})."]
        elif notice_date < detained:
            errors["notice_date"] = [f"The notice cannot precede the decision to detain ({detained.isoformat()})."]
    return errors, presented, detained


def open_case(actor: Any, decision: ReleaseDecision, *, notice_date: date, basis: Any = None,
              presented_on: Any = None, detained_on: Any = None, line_nos: Any = None,
              country_of_origin: Any = None, note: Any = "", on: date | None = None) -> EnforcementCase:
    """Detain the shipment of ``decision``: a case keyed by its UEI, with the clock of its legal basis; the
    importer is notified, and each owner of a mark on the detained lines gets the limited facts' notice."""
    if getattr(actor, "role", None) not in TRANSITIONS[("detained", "seized")][1]:
        raise NotAllowed("Only a CBP reviewer can detain a shipment.")
    on = on or today()
    errors: dict[str, list[str]] = {}
    basis = basis or SUSPECTED_COUNTERFEIT
    if basis not in BASES:
        errors["basis"] = [f"Must be one of: {', '.join(BASES)}."]
    dates: dict[str, date | None] = {}
    for field, value in (("presented_on", presented_on), ("detained_on", detained_on)):
        try:
            dates[field] = _a_date(value, field)
        except ValidationFailed as exc:
            errors.update(exc.fields)
    presented = detained = notice_date
    if not errors:
        clock_errors, presented, detained = _clock_errors(decision, notice_date=notice_date, on=on, **dates)
        errors.update(clock_errors)
    detained_lines: list[int] = []
    try:
        detained_lines = _entry_line_nos(decision, line_nos)
    except ValidationFailed as exc:
        errors.update(exc.fields)
    try:
        country = _country(country_of_origin)
    except ValidationFailed as exc:
        errors.update(exc.fields)
        country = None
    note = _text(note, field="note", max_len=NOTE_MAX)
    if errors:
        raise ValidationFailed("The detention could not be recorded.", fields=errors)
    if db.session.scalar(select(EnforcementCase.id).where(EnforcementCase.decision_id == decision.id)):
        raise Conflict("This shipment is already detained: there is a case for this decision.", code="case_exists")
    ends = deadlines.detention_ends(presented)
    case = EnforcementCase(uei=decision.uei, decision=decision, basis=basis, presented_on=presented,
                           detained_on=detained, notice_date=notice_date, notice_due=deadlines.notice_due(detained),
                           detention_ends=ends, response_due=deadlines.response_due_for(basis, notice_date, ends),
                           port_code=decision.port_code, country_of_origin=country, created_by_id=actor.id,
                           detained_lines=[CaseLine(line_no=n) for n in detained_lines])
    try:
        with db.session.begin_nested():
            db.session.add(case)
            db.session.flush()
    except IntegrityError as exc:  # a concurrent detention of the same decision won the race
        raise Conflict("This shipment is already detained: there is a case for this decision.",
                       code="case_exists") from exc
    _record(actor, case, DETAINED_EVENT, notice_date, note)
    db.session.flush()
    audit.record(actor, "case.detain", "case", case.uei, after={
        "status": case.status, "decision_id": decision.id, "basis": basis, "presented_on": presented,
        "detained_on": detained, "notice_date": notice_date, "notice_due": case.notice_due,
        "detention_ends": ends, "response_due": case.response_due, "port_code": case.port_code,
        "country_of_origin": country, "line_nos": detained_lines})
    notices.notify_detention(case)
    return case


def parse_line_nos(value: Any, case: EnforcementCase) -> list[int]:
    """Detained line numbers of the case from a list or ``"1, 2"`` (422 naming ``line_nos``); empty = all of them."""
    return _numbers(value, sorted(case.line_nos))


def _entry_line_nos(decision: ReleaseDecision, value: Any) -> list[int]:
    return _numbers(value, sorted(line.line_no for line in decision.lines))


def _numbers(value: Any, known: list[int]) -> list[int]:
    if value in (None, "", []):
        return known
    items = value if isinstance(value, list) else str(value).replace(",", " ").split()
    try:
        numbers = sorted({int(n) for n in items})
    except (TypeError, ValueError):
        numbers = [-1]
    if any(n not in known for n in numbers):
        raise ValidationFailed("Unknown line.", fields={"line_nos": [
            f"Give line numbers of the entry: {', '.join(map(str, known))}."]})
    return numbers


def _flag(value: Any, field: str) -> bool:
    if isinstance(value, bool):
        return value
    text = str(value or "").strip().lower()
    if text in ("", "false", "0", "no", "n"):
        return False
    if text in ("true", "1", "yes", "y", "on"):
        return True
    raise ValidationFailed("Not a yes/no value.", fields={field: ["Use true or false."]})


def add_image(actor: Any, case: EnforcementCase, upload: FileStorage | None, *, caption: Any = "",
              redacted: Any = False, line_nos: Any = None, codes: Any = "") -> CaseImage:
    """A reviewer stores a detention image (JPEG/PNG, sniffed, size-capped) of some lines, redacted or not,
    with its thumbnail. The importer sees it at once (133.21(d))."""
    if getattr(actor, "role", None) != "reviewer":
        raise NotAllowed("Only a CBP reviewer can upload detention images.")
    caption = _text(caption, field="caption", max_len=CAPTION_MAX)
    codes = _text(codes, field="codes", max_len=CODES_MAX)
    redacted = _flag(redacted, "redacted")
    lines = parse_line_nos(line_nos, case)
    stored = store_upload(upload, field="image", owner=actor, allowed=IMAGE_TYPES)
    try:
        small = make_thumbnail(read_stored(stored), field="image")
    except ValidationFailed:
        delete_stored(stored)  # nothing half-written: the row goes with the rollback
        raise
    thumb = store_upload(FileStorage(stream=io.BytesIO(small), filename=f"thumb-{stored.original_name}"),
                         field="image", owner=actor, allowed=IMAGE_TYPES)
    image = CaseImage(case=case, file_id=stored.id, thumbnail_id=thumb.id, caption=caption, uploaded_by_id=actor.id,
                      redacted=redacted, line_nos=lines, codes=codes)
    db.session.add(image)
    db.session.flush()
    audit.record(actor, "case.image_add", "case", case.uei, after={"image_id": image.id, "sha256": stored.sha256,
                                                                    "caption": caption, "redacted": redacted,
                                                                    "line_nos": lines, "codes": bool(codes)})
    return image


def _event_date(value: Any, case: EnforcementCase, on: date) -> date:
    if value in (None, ""):
        return on
    if isinstance(value, datetime):
        value = value.date()
    if not isinstance(value, date):
        try:
            value = date.fromisoformat(str(value))
        except ValueError as exc:
            raise ValidationFailed("The date is not valid.", fields={"date": ["Use YYYY-MM-DD."]}) from exc
    if value < case.notice_date:
        raise ValidationFailed("The event cannot precede the detention notice.", fields={
            "date": [f"Must be on or after the notice date, {case.notice_date.isoformat()}."]})
    if value > on:
        raise ValidationFailed("The event cannot be in the future.", fields={"date": ["Must not be after today."]})
    return value


def _amount(value: Any) -> Decimal:
    try:
        amount = Decimal(str(value)).quantize(Decimal("0.01")) if value not in (None, "") else None
    except (InvalidOperation, ValueError):
        amount = None
    if amount is None or not amount.is_finite() or amount <= 0 or amount >= Decimal("1e12"):
        raise ValidationFailed("Give the amount.", fields={"amount": ["A positive amount in U.S. dollars, e.g. 12500.00."]})
    return amount


def _party(value: Any, field: str) -> tuple[str, str] | None:
    """``{name, address}`` of the manufacturer or exporter (recorded with a seizure), if given."""
    if value in (None, "", {}):
        return None
    if not isinstance(value, dict):
        raise ValidationFailed("Give a name and an address.", fields={field: ["An object {name, address}."]})
    name = _text(value.get("name"), field=field, max_len=200)
    address = _text(value.get("address"), field=field, max_len=500)
    if not name:
        raise ValidationFailed("Give the name.", fields={field: ["The name is required."]})
    return name, address


def _event_extras(case: EnforcementCase, event_type: str, when: date, extra: dict[str, Any]) -> dict[str, Any]:
    """The fields an event type needs (422 naming the field when missing or wrong)."""
    found: dict[str, Any] = {}
    if event_type in WITH_AMOUNT:
        found["amount"] = _amount(extra.get("amount"))
    if event_type == EventType.SAMPLE_RELEASED:
        bond = _text(extra.get("bond_reference"), field="bond_reference", max_len=60)
        if not bond:
            raise ValidationFailed("A sample goes to the owner only under a bond (19 CFR 133.21(c)).",
                                   fields={"bond_reference": ["Give the bond reference."]})
        found["bond_reference"] = bond
    if event_type == EventType.DETENTION_EXTENDED:
        until = _a_date(extra.get("until"), "until")
        if until is None or until <= case.detention_ends:
            raise ValidationFailed("The extension must end after the current period.", fields={"until": [
                f"A date after {case.detention_ends.isoformat()}."]})
        found["until"] = until
    if event_type == EventType.SEIZED:
        for field in ("manufacturer", "exporter"):
            party = _party(extra.get(field), field)
            if party is not None:
                found[field] = party
    return found


def _check_state(case: EnforcementCase, event_type: str, when: date) -> None:
    """409 for a move the case's state or the law does not allow now."""
    if TRANSITIONS.get((case.status, event_type)) is None:
        if case.status == "detained" and event_type in POST_SEIZURE:
            raise Conflict("Forfeiture and penalty steps follow a seizure only.", code="not_seized")
        label = STATUS_LABELS.get(case.status, case.status).lower()
        raise Conflict(f"This case is closed ({label}); it takes no more events of this kind.", code="case_closed")
    if event_type == EventType.UNREDACTED_DISCLOSED:
        allowed, reason = policy.unredacted_permitted(case, when)
        if not allowed:
            raise Conflict(reason, code="disclosure_not_permitted")
    if event_type == EventType.IMPORTER_RESPONSE_INSUFFICIENT and case.responded_on is None:
        raise Conflict("The importer has not responded yet.", code="no_importer_response")
    if event_type == EventType.IMAGES_SHARED_RIGHTS_HOLDER and not policy.mark_owners(case):
        raise Conflict("No recorded mark on the detained lines: there is no rights holder to share with.",
                       code="no_rights_holder")


def record_event(actor: Any, case: EnforcementCase, *, event_type: Any, event_date: Any = None, note: Any = "",
                 files: Iterable[FileStorage] | None = None, on: date | None = None, **extra: Any) -> CaseEvent:
    """Record one timeline event; an outcome closes the case. 422 bad input, 403 wrong party, 409 wrong state
    (``disclosure_not_permitted`` for unredacted images before the law allows them)."""
    on = on or today()
    if event_type not in EVENT_TYPES:
        raise ValidationFailed("Unknown event type.", fields={"type": [f"Must be one of: {', '.join(EVENT_TYPES)}."]})
    view = policy.view_for(actor, case)
    if view is None:
        raise NotAllowed("You cannot act on this case.")
    policy.check_may_record(view, event_type)
    when = _event_date(event_date, case, on)
    _check_state(case, event_type, when)
    found = _event_extras(case, event_type, when, extra)
    note = _text(note, field="note", max_len=NOTE_MAX)
    uploads = [f for f in (files or []) if f is not None and getattr(f, "filename", "")]
    if len(uploads) > FILES_MAX:
        raise ValidationFailed("Too many files.", fields={"files": [f"At most {FILES_MAX} files."]})
    before = {"status": case.status, "version": case.version, "detention_ends": case.detention_ends,
              "response_due": case.response_due}
    to_status = TRANSITIONS[(case.status, event_type)][0]
    late = event_type == EventType.IMPORTER_RESPONSE and when > case.response_due
    values: dict[str, Any] = {"version": EnforcementCase.version + 1}
    if event_type in OUTCOMES:
        values.update(status=str(to_status), closed_at=utcnow(), outcome_date=when)
    elif event_type == EventType.IMAGES_SHARED_IMPORTER and case.importer_shared_on is None:
        values["importer_shared_on"] = when
    elif event_type == EventType.IMAGES_SHARED_RIGHTS_HOLDER and case.rights_holder_shared_on is None:
        values["rights_holder_shared_on"] = when
    elif event_type == EventType.IMPORTER_RESPONSE and case.responded_on is None:
        values["responded_on"] = when
    elif event_type == EventType.IMPORTER_RESPONSE_INSUFFICIENT and case.insufficient_on is None:
        values["insufficient_on"] = when
    elif event_type == EventType.UNREDACTED_DISCLOSED and case.unredacted_disclosed_on is None:
        values["unredacted_disclosed_on"] = when
    elif event_type == EventType.DETENTION_EXTENDED:
        values["detention_ends"] = found["until"]
        if case.basis != SUSPECTED_COUNTERFEIT:  # 133.25(a): the importer's period is the detention period
            values["response_due"] = found["until"]
    for field in ("manufacturer", "exporter"):
        if field in found:
            values[f"{field}_name"], values[f"{field}_address"] = found[field]
    result = db.session.execute(
        update(EnforcementCase).where(EnforcementCase.id == case.id, EnforcementCase.status == case.status)
        .values(**values).execution_options(synchronize_session=False))
    if result.rowcount != 1:
        raise Conflict("Someone else closed this case at the same moment; reload it.", code="case_closed")
    db.session.refresh(case)
    event = _record(actor, case, event_type, when, note, late)
    event.amount, event.until, event.bond_reference = found.get("amount"), found.get("until"), found.get("bond_reference")
    db.session.flush()
    for upload in uploads:
        stored = store_upload(upload, field="files", owner=actor, allowed=DOCUMENT_TYPES)
        db.session.add(CaseEventFile(event_id=event.id, file_id=stored.id))
    db.session.flush()
    db.session.refresh(event)
    audit.record(actor, f"case.{event_type}", "case", case.uei, before=before, after={
        "status": case.status, "version": case.version, "event_id": event.id, "date": when, "late": late,
        "files": len(uploads), "detention_ends": case.detention_ends, "response_due": case.response_due,
        **{k: (v if not isinstance(v, tuple) else {"name": v[0], "address": v[1]}) for k, v in found.items()}})
    notices.notify_event(case, event)
    return event


def record_bulk(actor: Any, ueis: Iterable[Any], *, event_type: Any, note: Any = "", on: date | None = None
                ) -> list[dict[str, Any]]:
    """Small parcels together: the same outcome on many cases, each applied (and audited) or refused on its
    own, in order. One result per UEI: ``{uei, result: applied|refused, status?, code?, message?}``."""
    if event_type not in BULK_TYPES:
        raise ValidationFailed("Not a bulk event type.", fields={"type": [f"Must be one of: {', '.join(BULK_TYPES)}."]})
    note = _text(note, field="note", max_len=NOTE_MAX)
    results: list[dict[str, Any]] = []
    for given in ueis:
        text = str(given)
        try:
            with db.session.begin_nested():
                case = policy.load_case(text)
                if case is None:
                    raise NotFound("No such case.")
                record_event(actor, case, event_type=event_type, note=note, on=on)
        except (ValidationFailed, Conflict, NotAllowed, NotFound) as exc:
            results.append({"uei": text, "result": "refused", "code": exc.code, "message": exc.message})
        else:
            results.append({"uei": case.uei, "result": "applied", "status": case.status})
    return results
