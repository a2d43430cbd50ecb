"""Writing the application: starting a draft (or a renewal), editing it, attaching documents, and
checking it is complete. Format is checked field by field on every write; completeness only at submit.

Field names in errors are the API's: ``ior_number``, ``address.country``, ``contacts.0.email``,
``sectors``. Every function works inside the caller's transaction (flushes, never commits).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from werkzeug.datastructures import FileStorage

from core import audit
from core.errors import Conflict, NotFound, ValidationFailed
from core.extensions import db
from core.timeutil import utcnow
from core.uploads import DOCUMENT_TYPES, store_upload
from program.decisions.engine import normalize_name
from program.enrollment import formats
from program.enrollment.formats import COMPANY_TYPES, CONDITIONS, CONTACT_PURPOSES, DOCUMENT_KINDS, NAME_MAX, TEXT_MAX
from program.enrollment.models import (
    Enrollment,
    EnrollmentContact,
    EnrollmentDocument,
    EnrollmentSector,
    EnrollmentStatusChange,
)
from program.enrollment.states import ACTIVE_STATUSES, EDITABLE_STATUSES, PENDING_STATUSES, Action, Status
from standards.models import Sector

MAX_DOCUMENTS = 20
RENEWAL_WINDOW_DAYS = 90  # a renewal may start this many days before the approval's last valid day
BAR_YEARS = 3  # after a revocation, no new application for three years (unless an admin lifts the bar)
AMENDABLE_FIELDS = ("contacts", "publish_consent")  # what the owner may change while approved
OTHER_PROGRAMS = ("ctpat", "aeo", "other")
MAX_OTHER_PROGRAMS = 10
ADDRESS_FIELDS = ("street", "city", "state", "postal_code", "country")
_TEXT_LIMITS = {"legal_name": NAME_MAX, "dba_name": NAME_MAX, "sourcing_description": TEXT_MAX,
                "enforcement_history": TEXT_MAX}
_ADDRESS_LIMITS = {"street": 200, "city": 100, "state": 100}

# Where each part of the application is filled in (wizard step), for "what is missing" links.
STEP_OF_FIELD: dict[str, str] = {
    "legal_name": "identity", "company_type": "identity", "ior_number": "identity", "address.street": "identity",
    "address.city": "identity", "address.state": "identity", "address.postal_code": "identity",
    "address.country": "identity", "contacts": "contacts", "sectors": "sectors", "conditions": "sectors",
    "sourcing_description": "sectors", "attestation": "review",
}


def _text(value: Any) -> str:
    return "" if value is None else str(value).strip()


def clean_application(data: Mapping[str, Any]) -> dict[str, Any]:
    """Check the format of every field present in ``data`` and return the values to store.

    Raises ``ValidationFailed`` naming each bad field; fields absent from ``data`` are left alone.
    """
    errors: dict[str, list[str]] = {}
    out: dict[str, Any] = {}
    for name, limit in _TEXT_LIMITS.items():
        if name in data:
            value = _text(data[name])
            if len(value) > limit:
                errors[name] = [f"Use at most {limit} characters."]
            out[name] = value
    if "legal_name" in out:
        out["legal_name"] = " ".join(out["legal_name"].split())
    if "company_type" in data:
        value = _text(data["company_type"]) or None
        if value is not None and value not in COMPANY_TYPES:
            errors["company_type"] = [f"Must be one of: {', '.join(COMPANY_TYPES)}."]
        out["company_type"] = value
    if "ior_number" in data:
        value = formats.normalize_ior(data["ior_number"]) or None
        if value is not None and (problem := formats.ior_problem(value)):
            errors["ior_number"] = [problem]
        out["ior_number"] = value
    if "address" in data:
        out["address"] = _clean_address(data["address"], errors)
    if "contacts" in data:
        out["contacts"] = _clean_contacts(data["contacts"], errors)
    if "sectors" in data:
        out["sectors"] = _clean_sectors(data["sectors"], errors)
    if "conditions" in data:
        out["conditions"] = _clean_conditions(data["conditions"], errors)
    for flag in ("publish_consent", "attestation"):
        if flag in data:
            out[flag] = bool(data[flag])
    if "other_programs" in data:
        out["other_programs"] = _clean_other_programs(data["other_programs"], errors)
    if errors:
        raise ValidationFailed("Some fields are not valid.", fields=errors)
    return out


def _clean_other_programs(raw: Any, errors: dict[str, list[str]]) -> list[dict[str, Any]]:
    if not isinstance(raw, list | tuple) or len(raw) > MAX_OTHER_PROGRAMS:
        errors["other_programs"] = [f"Give at most {MAX_OTHER_PROGRAMS} programs as a list of "
                                    "{program, tier?, account_number, mutual_recognition_country?}."]
        return []
    programs = []
    for i, item in enumerate(raw):
        item = item if isinstance(item, Mapping) else {}
        program, account = _text(item.get("program")), _text(item.get("account_number"))
        tier, country = _text(item.get("tier")) or None, (_text(item.get("mutual_recognition_country")).upper() or None)
        if program not in OTHER_PROGRAMS:
            errors[f"other_programs.{i}.program"] = [f"Must be one of: {', '.join(OTHER_PROGRAMS)}."]
        if not account or len(account) > 50:
            errors[f"other_programs.{i}.account_number"] = ["Enter the account or certificate number (at most 50)."]
        if tier is not None and len(tier) > 20:
            errors[f"other_programs.{i}.tier"] = ["Use at most 20 characters."]
        if country is not None and (problem := formats.country_problem(country)):
            errors[f"other_programs.{i}.mutual_recognition_country"] = [problem]
        programs.append({"program": program, "tier": tier, "account_number": account,
                         "mutual_recognition_country": country, "verified": None})
    return programs


def _clean_conditions(raw: Any, errors: dict[str, list[str]]) -> list[str]:
    values = raw if isinstance(raw, list | tuple) else None
    if values is None or not all(isinstance(v, str) for v in values):
        errors["conditions"] = [f"Give the conditions as a list of: {', '.join(CONDITIONS)}."]
        return []
    if unknown := [v for v in values if v not in CONDITIONS]:
        errors["conditions"] = [f"Unknown condition(s): {', '.join(unknown)}; use {', '.join(CONDITIONS)}."]
    return [c for c in CONDITIONS if c in set(values)]


def _clean_address(raw: Any, errors: dict[str, list[str]]) -> dict[str, Any]:
    if not isinstance(raw, Mapping):
        errors["address"] = ["Give the address as an object with street, city, state, postal_code, country."]
        return {}
    address = {key: _text(raw[key]) for key in ADDRESS_FIELDS if key in raw}
    for key, limit in _ADDRESS_LIMITS.items():
        if len(address.get(key, "")) > limit:
            errors[f"address.{key}"] = [f"Use at most {limit} characters."]
    if "country" in address:
        address["country"] = address["country"].upper() or None
        if address["country"] and (problem := formats.country_problem(address["country"])):
            errors["address.country"] = [problem]
    if address.get("postal_code") and (
        problem := formats.postal_code_problem(address["postal_code"], address.get("country"))
    ):
        errors["address.postal_code"] = [problem]
    return address


def _clean_contacts(raw: Any, errors: dict[str, list[str]]) -> list[dict[str, str]]:
    if not isinstance(raw, list | tuple):
        errors["contacts"] = ["Give the contacts as a list of {purpose, name, email}."]
        return []
    contacts = []
    for i, item in enumerate(raw):
        item = item if isinstance(item, Mapping) else {}
        purpose, name, email = _text(item.get("purpose")), _text(item.get("name")), _text(item.get("email"))
        if purpose not in CONTACT_PURPOSES:
            errors[f"contacts.{i}.purpose"] = [f"Must be one of: {', '.join(CONTACT_PURPOSES)}."]
        if not name or len(name) > NAME_MAX:
            errors[f"contacts.{i}.name"] = [f"Enter the contact's name (at most {NAME_MAX} characters)."]
        try:
            email = formats.normalize_email(email)
        except ValueError as exc:
            errors[f"contacts.{i}.email"] = [str(exc)]
        contacts.append({"purpose": purpose, "name": name, "email": email})
    return contacts


def _clean_sectors(raw: Any, errors: dict[str, list[str]]) -> list[str]:
    if not isinstance(raw, list | tuple) or not all(isinstance(code, str) for code in raw):
        errors["sectors"] = ["Give the sectors as a list of sector codes."]
        return []
    codes = list(dict.fromkeys(code.strip() for code in raw if code.strip()))
    known = set(db.session.scalars(select(Sector.code).where(Sector.code.in_(codes)))) if codes else set()
    if unknown := [code for code in codes if code not in known]:
        errors["sectors"] = [f"Unknown sector code(s): {', '.join(unknown)}."]
    return sorted(codes)


def application_snapshot(enrollment: Enrollment) -> dict[str, Any]:
    """The application's content as the audit log records it."""
    return {
        "legal_name": enrollment.legal_name, "dba_name": enrollment.dba_name,
        "company_type": enrollment.company_type, "ior_number": enrollment.ior_number,
        "address": address_of(enrollment),
        "contacts": [{"purpose": c.purpose, "name": c.name, "email": c.email} for c in enrollment.contacts],
        "sectors": enrollment.requested_sectors, "conditions": list(enrollment.conditions or []),
        "sourcing_description": enrollment.sourcing_description,
        "enforcement_history": enrollment.enforcement_history,
        "publish_consent": enrollment.publish_consent, "attestation": enrollment.attestation,
        "other_programs": [{k: p.get(k) for k in ("program", "tier", "account_number", "mutual_recognition_country")}
                           for p in enrollment.other_programs or []],
    }


def address_of(enrollment: Enrollment) -> dict[str, Any]:
    """The address as an object (API shape)."""
    return {key: getattr(enrollment, f"address_{key}") for key in ADDRESS_FIELDS}


def _apply(enrollment: Enrollment, values: dict[str, Any]) -> None:
    for name in ("legal_name", "dba_name", "company_type", "ior_number", "sourcing_description",
                 "enforcement_history", "publish_consent", "attestation", "conditions", "other_programs"):
        if name in values:
            setattr(enrollment, name, values[name])
    if "legal_name" in values:
        enrollment.legal_name_normalized = normalize_name(values["legal_name"])[:200]
    for key, value in values.get("address", {}).items():
        setattr(enrollment, f"address_{key}", value if key == "country" else (value or ""))
    if "contacts" in values:
        enrollment.contacts = [EnrollmentContact(position=i, **c) for i, c in enumerate(values["contacts"])]
    if "sectors" in values:
        keep = {s.sector_code: s for s in enrollment.sectors}
        enrollment.sectors = [keep.get(code) or EnrollmentSector(sector_code=code, approved=False)
                              for code in values["sectors"]]


def lock_editable(enrollment: Enrollment, statuses: frozenset[Status] = EDITABLE_STATUSES) -> None:
    """Bump the version only while the application is in ``statuses`` (editable by default; 409 otherwise),
    taking the row's write lock."""
    result = db.session.execute(
        update(Enrollment)
        .where(Enrollment.id == enrollment.id, Enrollment.status.in_(statuses))
        .values(version=Enrollment.version + 1)
        .execution_options(synchronize_session="evaluate")
    )
    if result.rowcount != 1:
        db.session.refresh(enrollment, ["status"])
        raise Conflict(f"The application cannot be changed while it is {enrollment.status.replace('_', ' ')}.",
                       code="not_editable")


def open_enrollment_of(organization_id: int, statuses: frozenset[Status] | None = None) -> Enrollment | None:
    """The organisation's enrollment that is not closed (on its way or in the program), if any; with
    ``statuses``, only one in those."""
    wanted = statuses or (PENDING_STATUSES | ACTIVE_STATUSES)
    return db.session.scalar(select(Enrollment).where(Enrollment.organization_id == organization_id,
                                                      Enrollment.status.in_(wanted))
                             .order_by(Enrollment.id.desc()).limit(1))


def years_before(day: date, years: int) -> date:
    """The same day ``years`` earlier (28 February for 29 February)."""
    try:
        return day.replace(year=day.year - years)
    except ValueError:
        return day.replace(year=day.year - years, day=28)


def barring_revocation(organization_id: int, now: datetime) -> tuple[Enrollment, datetime] | None:
    """The organisation's revoked enrollment (and when it was revoked) that bars a new application now: revoked
    less than BAR_YEARS ago and the bar not lifted by an admin."""
    since = datetime.combine(years_before(now.date(), BAR_YEARS), now.timetz())
    row = db.session.execute(
        select(Enrollment, EnrollmentStatusChange.at)
        .join(EnrollmentStatusChange, EnrollmentStatusChange.enrollment_id == Enrollment.id)
        .where(Enrollment.organization_id == organization_id, Enrollment.status == Status.REVOKED,
               Enrollment.bar_lifted_at.is_(None), EnrollmentStatusChange.action == Action.REVOKE,
               EnrollmentStatusChange.at > since)
        .order_by(EnrollmentStatusChange.at.desc()).limit(1)
    ).first()
    return (row[0], row[1]) if row else None


def check_reapplication_bar(organization_id: int, now: datetime) -> None:
    """409 ``reapplication_barred`` while a revocation bars the organisation from applying."""
    if barred := barring_revocation(organization_id, now):
        enrollment, at = barred
        until = (at.date().replace(year=at.year + BAR_YEARS) if not (at.month == 2 and at.day == 29)
                 else date(at.year + BAR_YEARS, 2, 28))
        raise Conflict(f"Enrollment {enrollment.id} was revoked on {at.date().isoformat()}; the organisation may "
                       f"not apply again before {until.isoformat()} unless CBP lifts the bar.",
                       code="reapplication_barred")


def record_status_change(enrollment: Enrollment, actor: Any, *, action: str, to: str, at: datetime,
                         frm: str | None = None, reason: str = "", sectors: list[str] | None = None) -> None:
    """Append a row to the enrollment's history (who, when, from, to, why; the sectors of a sector-level step)."""
    db.session.add(EnrollmentStatusChange(
        enrollment=enrollment, at=at, action=action, from_status=frm, to_status=to,
        actor_id=getattr(actor, "id", None), actor=getattr(actor, "email", None) or "system",
        actor_role=getattr(actor, "role", None) or "system", reason=reason, sectors=sectors))


def create_enrollment(actor: Any, data: Mapping[str, Any] | None = None, *, previous: Enrollment | None = None,
                      now: datetime | None = None) -> Enrollment:
    """Start a draft for the actor's organisation (409 ``open_enrollment`` while another is open)."""
    now = now or utcnow()
    values = clean_application(data or {})
    renewing = previous is not None and previous.status in ACTIVE_STATUSES
    # A renewal is on its way beside the enrollment it renews; any other application only once none is open.
    if existing := open_enrollment_of(actor.organization_id, PENDING_STATUSES if renewing else None):
        raise Conflict(f"Your organisation already has an enrollment that is {existing.status.replace('_', ' ')} "
                       f"(enrollment {existing.id}); a new application is possible once it has ended.",
                       code="open_enrollment")
    check_reapplication_bar(actor.organization_id, now)
    enrollment = Enrollment(organization_id=actor.organization_id, status=Status.DRAFT.value, version=1,
                            created_by_id=actor.id, created_at=now, updated_at=now, conditions=[], screening=[],
                            previous_id=previous.id if previous else None)
    _apply(enrollment, values)
    try:
        with db.session.begin_nested():
            db.session.add(enrollment)
            db.session.flush()
    except IntegrityError as exc:  # another draft won the race for this organisation
        raise Conflict("Your organisation already has an enrollment in progress.", code="open_enrollment") from exc
    record_status_change(enrollment, actor, action=Action.CREATE, to=Status.DRAFT, at=now,
                 reason=f"Renewal of enrollment {previous.id}" if previous else "")
    audit.record(actor, "enrollment.create", "enrollment", enrollment.id,
                 after={"status": enrollment.status, **application_snapshot(enrollment),
                        "previous_id": enrollment.previous_id})
    return enrollment


def renewal_opens_on(enrollment: Enrollment) -> date | None:
    """The first day a renewal of ``enrollment`` may start (RENEWAL_WINDOW_DAYS before its last valid day)."""
    if enrollment.valid_until is None:
        return None
    return enrollment.valid_until - timedelta(days=RENEWAL_WINDOW_DAYS)


def renew_enrollment(actor: Any, *, now: datetime | None = None) -> Enrollment:
    """A new draft pre-filled from the organisation's current enrollment (in the program: from 90 days before
    its ``valid_until``, else 409 ``renewal_not_open``) or, when none is live, from its last application."""
    now = now or utcnow()
    active = open_enrollment_of(actor.organization_id, ACTIVE_STATUSES)
    if active is not None:
        opens = renewal_opens_on(active)
        if active.status != Status.APPROVED:
            raise Conflict("A suspended enrollment cannot be renewed; it must be reinstated first.",
                           code="renewal_not_open")
        if opens is not None and now.date() < opens:
            raise Conflict(f"Renewal opens on {opens.isoformat()}, {RENEWAL_WINDOW_DAYS} days before the approval "
                           f"ends on {active.valid_until.isoformat()}.", code="renewal_not_open")
        last = active
    else:
        last = db.session.scalar(select(Enrollment).where(Enrollment.organization_id == actor.organization_id)
                                 .order_by(Enrollment.id.desc()).limit(1))
    if last is None:
        return create_enrollment(actor, now=now)
    data = application_snapshot(last)
    for dropped in ("attestation", "publish_consent"):  # consent and attestation are given afresh
        data.pop(dropped)
    return create_enrollment(actor, data, previous=last, now=now)


def update_application(actor: Any, enrollment: Enrollment, data: Mapping[str, Any], *,
                       now: datetime | None = None) -> Enrollment:
    """Change the fields present in ``data`` (draft or information requested; while approved only the
    contacts and the publication consent, see :func:`amend_enrollment`; else 409)."""
    if enrollment.status == Status.APPROVED:
        return amend_enrollment(actor, enrollment, data, now=now)
    lock_editable(enrollment)
    values = clean_application(data)
    before = application_snapshot(enrollment)
    _apply(enrollment, values)
    enrollment.updated_at = now or utcnow()
    db.session.flush()
    after = application_snapshot(enrollment)
    changed = [key for key in after if after[key] != before[key]]
    if changed:
        audit.record(actor, "enrollment.update", "enrollment", enrollment.id,
                     before={k: before[k] for k in changed}, after={k: after[k] for k in changed})
    return enrollment


def amend_enrollment(actor: Any, enrollment: Enrollment, data: Mapping[str, Any], *,
                     now: datetime | None = None) -> Enrollment:
    """Keep an approved enrollment current: new contacts or publication consent (audited, in the history,
    and the deciding reviewer told). Any other field → 409 ``amendment_required``."""
    if other := sorted(key for key in data if key not in AMENDABLE_FIELDS):
        raise Conflict(f"While approved only the contacts and the publication consent can change ({', '.join(other)} "
                       "cannot). Scope or identity changes go through a renewal: start one with "
                       "POST /api/v1/enrollments/renew (open 90 days before the approval ends), or write to CBP.",
                       code="amendment_required")
    now = now or utcnow()
    values = clean_application(data)
    if "contacts" in values and not any(c["purpose"] == "primary" for c in values["contacts"]):
        raise ValidationFailed("An approved enrollment keeps a primary contact.",
                               fields={"contacts": ["Keep at least one primary contact."]})
    lock_editable(enrollment, frozenset({Status.APPROVED}))
    before = application_snapshot(enrollment)
    _apply(enrollment, values)
    enrollment.updated_at = now
    db.session.flush()
    after = application_snapshot(enrollment)
    changed = [key for key in AMENDABLE_FIELDS if after[key] != before[key]]
    if not changed:
        return enrollment
    summary = describe_amendment(before, after)
    record_status_change(enrollment, actor, action=Action.AMEND, frm=Status.APPROVED, to=Status.APPROVED, at=now,
                         reason=summary)
    audit.record(actor, "enrollment.amend", "enrollment", enrollment.id,
                 before={k: before[k] for k in changed}, after={k: after[k] for k in changed})
    _tell_reviewer(enrollment, summary)
    return enrollment


def describe_amendment(before: dict[str, Any], after: dict[str, Any]) -> str:
    """What changed in an amendment, in words a reviewer reads in the history."""
    parts = []
    if before["contacts"] != after["contacts"]:
        old = {(c["purpose"], c["email"]) for c in before["contacts"]}
        new = {(c["purpose"], c["email"]) for c in after["contacts"]}
        added = ", ".join(f"{p} {e}" for p, e in sorted(new - old))
        removed = ", ".join(f"{p} {e}" for p, e in sorted(old - new))
        text = "Contacts changed"
        if added:
            text += f"; added: {added}"
        if removed:
            text += f"; removed: {removed}"
        if not added and not removed:
            text += " (names or order)"
        parts.append(text)
    if before["publish_consent"] != after["publish_consent"]:
        parts.append("Consent to be listed publicly " + ("given" if after["publish_consent"] else "withdrawn"))
    return ". ".join(parts) + "."


def _tell_reviewer(enrollment: Enrollment, summary: str) -> None:
    from core.accounts.models import User
    from core.notifications import queue_notification

    reviewer = db.session.get(User, enrollment.decided_by_id) if enrollment.decided_by_id else None
    emails = [reviewer.email] if reviewer is not None and reviewer.active else []
    if not emails:  # the deciding reviewer has left: every active reviewer
        emails = list(db.session.scalars(select(User.email).where(User.role == "reviewer", User.active.is_(True))))
    queue_notification(emails, f"Greenlane enrollment {enrollment.program_id}: updated by the importer",
                       f"{enrollment.legal_name} ({enrollment.program_id}) updated its approved enrollment.\n\n"
                       f"{summary}\n\nThe enrollment's history in Greenlane shows every change and when it was made.",
                       topic="enrollment.amend")


def missing_items(enrollment: Enrollment) -> dict[str, list[str]]:
    """What a complete application still lacks, by field (empty when it can be submitted)."""
    missing: dict[str, list[str]] = {}

    def need(name: str, ok: Any, message: str) -> None:
        """Record ``message`` for ``name`` unless ``ok``."""
        if not ok:
            missing[name] = [message]

    need("legal_name", enrollment.legal_name, "Enter the company's legal name.")
    # company_type is asked by the wizard but is not part of API.md's application: never required to submit.
    need("ior_number", enrollment.ior_number, "Enter the Importer of Record number.")
    need("address.street", enrollment.address_street, "Enter the street address.")
    need("address.city", enrollment.address_city, "Enter the city.")
    if enrollment.address_country == "US":
        need("address.state", enrollment.address_state, "Enter the state.")
    need("address.postal_code", enrollment.address_postal_code, "Enter the postal code.")
    if problem := formats.postal_code_problem(enrollment.address_postal_code, enrollment.address_country):
        missing["address.postal_code"] = [problem]
    need("address.country", enrollment.address_country, "Choose the country.")
    need("contacts", any(c.purpose == "primary" for c in enrollment.contacts), "Add a primary contact.")
    need("sectors", enrollment.sectors, "Choose at least one sector.")
    need("conditions", enrollment.conditions, "Choose at least one goods condition.")
    need("sourcing_description", enrollment.sourcing_description, "Describe how you source the goods.")
    need("attestation", enrollment.attestation, "Attest that the application is true and complete.")
    return missing


def attach_document(actor: Any, enrollment: Enrollment, upload: FileStorage | None, *, kind: str,
                    description: str = "") -> EnrollmentDocument:
    """Store an uploaded PDF/JPEG/PNG and attach it to the application (editable states, and while approved)."""
    errors: dict[str, list[str]] = {}
    if kind not in DOCUMENT_KINDS:
        errors["kind"] = [f"Must be one of: {', '.join(DOCUMENT_KINDS)}."]
    description = _text(description)
    if len(description) > 300:
        errors["description"] = ["Use at most 300 characters."]
    if errors:
        raise ValidationFailed("The document could not be attached.", fields=errors)
    lock_editable(enrollment, EDITABLE_STATUSES | {Status.APPROVED})  # supporting papers may follow approval
    if len(enrollment.documents) >= MAX_DOCUMENTS:
        raise ValidationFailed(f"At most {MAX_DOCUMENTS} documents can be attached.",
                               fields={"file": [f"At most {MAX_DOCUMENTS} documents."]})
    stored = store_upload(upload, field="file", owner=actor, allowed=DOCUMENT_TYPES)
    stored.organization_id = enrollment.organization_id
    document = EnrollmentDocument(enrollment=enrollment, stored_file=stored, kind=kind, description=description,
                                  uploaded_by_id=getattr(actor, "id", None))
    db.session.add(document)
    db.session.flush()
    audit.record(actor, "enrollment.document_add", "enrollment", enrollment.id,
                 after={"document_id": document.id, "name": stored.original_name, "kind": kind,
                        "sha256": stored.sha256})
    return document


def remove_document(actor: Any, enrollment: Enrollment, document_id: int) -> None:
    """Detach a document from the application (editable states only); the stored file is kept for the record."""
    document = next((d for d in enrollment.documents if d.id == document_id), None)
    if document is None:
        raise NotFound("No such document on this application.")
    lock_editable(enrollment)
    enrollment.documents.remove(document)
    db.session.flush()
    audit.record(actor, "enrollment.document_remove", "enrollment", enrollment.id,
                 before={"document_id": document_id, "name": document.stored_file.original_name})
