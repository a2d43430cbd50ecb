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
from typing import Any

from flask import url_for
from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from werkzeug.datastructures import FileStorage

from core import audit
from core.accounts.models import User
from core.errors import Conflict, NotAllowed, ValidationFailed
from core.extensions import db
from core.notifications import queue_notification
from core.timeutil import today, utcnow
from core.uploads import DOCUMENT_TYPES, IMAGE_TYPES, delete_stored, read_stored, store_upload
from program.cases import policy
from program.cases.deadlines import add_business_days, response_due
from program.cases.models import CaseEvent, CaseEventFile, CaseImage, CaseReminder, EnforcementCase
from program.cases.states import DETAINED_EVENT, EVENT_LABELS, EVENT_TYPES, OUTCOMES, STATUS_LABELS, TRANSITIONS, EventType
from program.decisions.models import ReleaseDecision
from program.decisions.uei import format_uei
from standards.thumbnails import make_thumbnail

NOTE_MAX = 5000
CAPTION_MAX = 300
FILES_MAX = 10
CONTACT_PURPOSES = ("ipr", "enforcement")  # the importer's focused contacts for enforcement matters
FALLBACK_PURPOSE = "primary"

# Where contacts come from: set by program.wiring (enrollment's focused contacts); (org_id, purpose) -> emails.
ContactLookup = Any
_contact_lookup: list[ContactLookup] = []


def set_contact_lookup(lookup: ContactLookup) -> None:
    """Plug in ``lookup(organization_id, purpose) -> [e-mail] | None`` (program.wiring does)."""
    _contact_lookup[:] = [lookup]


def importer_recipients(organization_id: int | None) -> list[str]:
    """The importer's ipr and enforcement contacts; else its primary contacts; else its active users."""
    if organization_id is None:
        return []
    lookup = _contact_lookup[0] if _contact_lookup else (lambda _org, _purpose: None)
    found: list[str] = []
    for purpose in CONTACT_PURPOSES:
        found.extend(lookup(organization_id, purpose) or [])
    if not found:
        found = list(lookup(organization_id, FALLBACK_PURPOSE) or [])
    if not found:
        found = list(db.session.scalars(select(User.email).where(
            User.organization_id == organization_id, User.active.is_(True)).order_by(User.email)))
    return list(dict.fromkeys(found))


def _owner_recipients(case: EnforcementCase) -> list[str]:
    owners = list(policy.mark_owners(case))
    if not owners:
        return []
    return list(db.session.scalars(select(User.email).where(
        User.organization_id.in_(owners), User.active.is_(True)).order_by(User.email)))


def _case_link(case: EnforcementCase) -> str:
    try:
        return url_for("cases.show", uei=case.uei, _external=True)
    except RuntimeError:  # CLI without SERVER_NAME: a path is the best we can do
        return f"/cases/{case.uei}"


def _notify(recipients: Iterable[str], case: EnforcementCase, subject: str, lines: list[str], topic: str) -> None:
    # Subject, dates and a link only: mail leaves the system unencrypted and contact mailboxes are shared.
    body = "\n".join([*lines, "", f"Case {format_uei(case.uei)}: {_case_link(case)}",
                      "This is an automated message from the Greenlane trusted-importer program (CBP)."])
    queue_notification(recipients, f"Greenlane case {format_uei(case.uei)}: {subject}", body, topic=topic)


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


def open_case(actor: Any, decision: ReleaseDecision, *, notice_date: date, country_of_origin: Any = None,
              note: Any = "", on: date | None = None) -> EnforcementCase:
    """Detain the shipment of ``decision``: a case keyed by its UEI, notice date and response deadline."""
    if getattr(actor, "role", None) not in TRANSITIONS[("detained", "seized")][1]:
        raise NotAllowed("Only a CBP reviewer can detain a shipment.")
    on = on or today()
    errors: dict[str, list[str]] = {}
    if notice_date > on:
        errors["notice_date"] = ["The notice date cannot be in the future."]
    elif notice_date < decision.decided_at.date():
        errors["notice_date"] = ["The notice cannot precede the release decision."]
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
    case = EnforcementCase(uei=decision.uei, decision=decision, notice_date=notice_date,
                           response_due=response_due(notice_date), port_code=decision.port_code,
                           country_of_origin=country, created_by_id=actor.id)
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
        "status": case.status, "decision_id": decision.id, "notice_date": notice_date,
        "response_due": case.response_due, "port_code": case.port_code, "country_of_origin": country})
    _notify(importer_recipients(decision.organization_id), case, "shipment detained", [
        f"CBP has detained entry {decision.entry_number} at port {decision.port_code} "
        f"(notice dated {notice_date.isoformat()}).",
        f"You may respond until {case.response_due.isoformat()} (seven business days, 19 CFR 133.21(b)).",
        "Sign in to Greenlane to see the case and respond."], topic="case.detain")
    return case


def add_image(actor: Any, case: EnforcementCase, upload: FileStorage | None, *, caption: Any = "") -> CaseImage:
    """A reviewer stores a detention image (JPEG/PNG, sniffed, size-capped) and its thumbnail."""
    if getattr(actor, "role", None) != "reviewer":
        raise NotAllowed("Only a CBP reviewer can upload detention images.")
    caption = _text(caption, field="caption", max_len=CAPTION_MAX)
    stored = store_upload(upload, field="image", owner=actor, allowed=IMAGE_TYPES)
    try:
        small = make_thumbnail(read_stored(stored), field="image")
    except ValidationFailed:
        delete_stored(stored)  # nothing half-written: the row goes with the rollback
        raise
    thumb = store_upload(FileStorage(stream=io.BytesIO(small), filename=f"thumb-{stored.original_name}"),
                         field="image", owner=actor, allowed=IMAGE_TYPES)
    image = CaseImage(case=case, file_id=stored.id, thumbnail_id=thumb.id, caption=caption, uploaded_by_id=actor.id)
    db.session.add(image)
    db.session.flush()
    audit.record(actor, "case.image_add", "case", case.uei, after={"image_id": image.id, "sha256": stored.sha256,
                                                                    "caption": caption})
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


def record_event(actor: Any, case: EnforcementCase, *, event_type: Any, event_date: Any = None, note: Any = "",
                 files: Iterable[FileStorage] | None = None, on: date | None = None) -> CaseEvent:
    """Record one timeline event; an outcome closes the case. 422 bad input, 403 wrong party, 409 wrong state."""
    on = on or today()
    if event_type not in EVENT_TYPES:
        raise ValidationFailed("Unknown event type.", fields={"type": [f"Must be one of: {', '.join(EVENT_TYPES)}."]})
    view = policy.view_for(actor, case)
    if view is None:
        raise NotAllowed("You cannot act on this case.")
    policy.check_may_record(view, event_type)
    move = TRANSITIONS.get((case.status, event_type))
    if move is None:
        label = STATUS_LABELS.get(case.status, case.status).lower()
        raise Conflict(f"This case is closed ({label}); it takes no more events.", code="case_closed")
    when = _event_date(event_date, case, on)
    note = _text(note, field="note", max_len=NOTE_MAX)
    uploads = [f for f in (files or []) if f is not None and getattr(f, "filename", "")]
    if len(uploads) > FILES_MAX:
        raise ValidationFailed("Too many files.", fields={"files": [f"At most {FILES_MAX} files."]})
    before = {"status": case.status, "version": case.version}
    to_status = move[0]
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
    result = db.session.execute(
        update(EnforcementCase).where(EnforcementCase.id == case.id, EnforcementCase.status == case.status)
        .values(**values).execution_options(synchronize_session=False))
    if result.rowcount != 1:
        raise Conflict("Someone else closed this case at the same moment; reload it.", code="case_closed")
    db.session.refresh(case)
    event = _record(actor, case, event_type, when, note, late)
    db.session.flush()
    for upload in uploads:
        stored = store_upload(upload, field="files", owner=actor, allowed=DOCUMENT_TYPES)
        db.session.add(CaseEventFile(event_id=event.id, file_id=stored.id))
    db.session.flush()
    db.session.refresh(event)
    audit.record(actor, f"case.{event_type}", "case", case.uei, before=before, after={
        "status": case.status, "version": case.version, "event_id": event.id, "date": when, "late": late,
        "files": len(uploads)})
    _notify_event(case, event)
    return event


def _notify_event(case: EnforcementCase, event: CaseEvent) -> None:
    importer = case.decision.organization_id
    if event.type == EventType.IMAGES_SHARED_IMPORTER:
        _notify(importer_recipients(importer), case, "detention images shared", [
            "CBP has shared images of your detained goods with you.",
            f"Your response is due by {case.response_due.isoformat()}."], topic="case.images_shared_importer")
    elif event.type == EventType.IMAGES_SHARED_RIGHTS_HOLDER:
        _notify(_owner_recipients(case), case, "detention images shared", [
            "CBP has shared images of detained goods that bear your recorded mark.",
            "Sign in to Greenlane to see them and report whether the goods are authentic."],
            topic="case.images_shared_rights_holder")
    elif event.type in OUTCOMES:
        _notify(importer_recipients(importer), case, EVENT_LABELS[event.type].lower(), [
            f"CBP recorded the outcome of the detention: {EVENT_LABELS[event.type].lower()} "
            f"({event.date.isoformat()}). The case is closed."], topic=f"case.{event.type}")


def send_reminders(*, days_before: int = 2, on: date | None = None) -> list[EnforcementCase]:
    """Queue a reminder to the importer's ipr/enforcement contacts (else primary) of every open, unanswered
    case whose response is due within ``days_before`` business days; at most once per case per day."""
    on = on or today()
    horizon = add_business_days(on, days_before)
    due = db.session.scalars(
        select(EnforcementCase).where(
            EnforcementCase.status == "detained", EnforcementCase.responded_on.is_(None),
            EnforcementCase.response_due >= on, EnforcementCase.response_due <= horizon,
            ~select(CaseReminder.id).where(CaseReminder.case_id == EnforcementCase.id,
                                           CaseReminder.sent_on == on).exists())
        .order_by(EnforcementCase.response_due, EnforcementCase.id)
    ).all()
    reminded = []
    for case in due:
        recipients = importer_recipients(case.decision.organization_id)
        try:
            with db.session.begin_nested():
                db.session.add(CaseReminder(case_id=case.id, sent_on=on, recipients=len(recipients)))
                db.session.flush()
        except IntegrityError:  # another run reminded about it today
            continue
        _notify(recipients, case, f"response due {case.response_due.isoformat()}", [
            f"Your response to the detention of entry {case.decision.entry_number} is due by "
            f"{case.response_due.isoformat()}.",
            "Sign in to Greenlane to respond with your evidence that the goods are genuine."], topic="case.reminder")
        reminded.append(case)
    return reminded
