"""Every change to an allegation: receive it (anonymous or not, with evidence) and triage it.

Each function checks its input and the state it moves from, changes the rows, writes the audit entry and
queues the e-mails in the caller's transaction (flush only; the caller commits once). The reporter's name
and e-mail never go into the audit log, e-mails to anyone but the reporter, or any view of the accused.
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Sequence
from typing import Any

from flask import current_app
from sqlalchemy import select
from werkzeug.datastructures import FileStorage

from core import audit
from core.accounts.models import Organization
from core.accounts.roles import OrgKind
from core.errors import Conflict, NotFound, ValidationFailed
from core.extensions import db
from core.notifications import queue_notification
from core.timeutil import utcnow
from core.uploads import DOCUMENT_TYPES, store_upload
from program.allegations.models import Allegation, AllegationEvidence, AllegationStatusChange
from program.allegations.states import (
    DETAILS_MAX,
    EVIDENCE_FILE_MAX,
    EVIDENCE_FILES_MAX,
    NAME_MAX,
    NOTE_MAX,
    PORTS_MAX,
    SUMMARY_MAX,
    TRANSITIONS,
    TRIAGE_TARGETS,
    WEBSITE_MAX,
    AllegationStatus,
)
from program.cases.policy import load_case
from program.enrollment.formats import ior_problem, normalize_email, normalize_ior

PORT_CODE = re.compile(r"\d{4}")


def _text(raw: Any, field: str, max_len: int, errors: dict[str, list[str]], *, required: bool = False,
          label: str = "This") -> str:
    """A trimmed string field; records an error naming ``field`` for a wrong type, NUL, length or absence."""
    if raw is None:
        raw = ""
    if not isinstance(raw, str):
        errors[field] = ["Must be text."]
        return ""
    value = raw.strip()
    if "\x00" in value:
        errors[field] = ["Contains a NUL character."]
    elif required and not value:
        errors[field] = [f"{label} is required."]
    elif len(value) > max_len:
        errors[field] = [f"At most {max_len:,} characters."]
    return value


def _mapping(raw: Any, field: str, errors: dict[str, list[str]]) -> dict[str, Any]:
    if raw is None:
        return {}
    if not isinstance(raw, dict):
        errors[field] = ["Must be an object."]
        return {}
    return raw


def _ports(raw: Any, errors: dict[str, list[str]]) -> list[str]:
    if raw in (None, ""):
        return []
    if isinstance(raw, str):
        raw = [p for p in re.split(r"[\s,;]+", raw) if p]
    if not isinstance(raw, list) or not all(isinstance(p, str) for p in raw):
        errors["ports"] = ["A list of four-digit port codes, e.g. 2704."]
        return []
    ports = [p.strip() for p in raw]
    bad = [p for p in ports if not PORT_CODE.fullmatch(p)]
    if bad:
        errors["ports"] = [f"Not a four-digit port code: {', '.join(b[:10] for b in bad[:5])}."]
    elif len(ports) > PORTS_MAX:
        errors["ports"] = [f"At most {PORTS_MAX} ports."]
    return list(dict.fromkeys(ports))


def _new_receipt(year: int) -> str:
    """A random, unused receipt number ``AL-YYYY-NNNNNN`` (random, so receipts reveal nothing about volume)."""
    while True:
        receipt = f"AL-{year}-{secrets.randbelow(1_000_000):06d}"
        if db.session.scalar(select(Allegation.id).where(Allegation.receipt == receipt)) is None:
            return receipt


def check_report(data: dict[str, Any], files: Sequence[FileStorage] | None = None) -> dict[str, Any]:
    """The report's cleaned fields; 422 naming every bad one (``suspect.website``, ``reporter.email``, …)."""
    errors: dict[str, list[str]] = {}
    clean: dict[str, Any] = {
        "summary": _text(data.get("summary"), "summary", SUMMARY_MAX, errors, required=True, label="A summary"),
        "details": _text(data.get("details"), "details", DETAILS_MAX, errors, required=True, label="What you saw"),
        "ports": _ports(data.get("ports"), errors),
    }
    suspect = _mapping(data.get("suspect"), "suspect", errors)
    for key, max_len in (("name", NAME_MAX), ("website", WEBSITE_MAX), ("marketplace", NAME_MAX), ("country", 100)):
        clean[f"suspect_{key}"] = _text(suspect.get(key), f"suspect.{key}", max_len, errors)
    reporter = _mapping(data.get("reporter"), "reporter", errors)
    clean["reporter_name"] = _text(reporter.get("name"), "reporter.name", NAME_MAX, errors)
    email = _text(reporter.get("email"), "reporter.email", 254, errors)
    if email and "reporter.email" not in errors:
        try:
            email = normalize_email(email)
        except ValueError as exc:
            errors["reporter.email"] = [str(exc)]
    clean["reporter_email"] = email
    chosen = [f for f in (files or []) if f is not None and f.filename]
    if len(chosen) > EVIDENCE_FILES_MAX:
        errors["evidence"] = [f"Attach at most {EVIDENCE_FILES_MAX} files."]
    if errors:
        raise ValidationFailed("The report could not be received; please correct the fields named.", fields=errors)
    clean["files"] = chosen
    return clean


def receive_allegation(data: dict[str, Any], *, channel: str = "web",
                       files: Sequence[FileStorage] | None = None) -> Allegation:
    """Record a report from anyone (no account), with its evidence; the reporter gets the receipt by e-mail
    when they left an address. 422 naming every bad field, nothing half-written."""
    clean = check_report(data, files)
    now = utcnow()
    allegation = Allegation(receipt=_new_receipt(now.year), status=AllegationStatus.NEW.value, channel=channel,
                            received_at=now, summary=clean["summary"], details=clean["details"], ports=clean["ports"],
                            suspect_name=clean["suspect_name"], suspect_website=clean["suspect_website"],
                            suspect_marketplace=clean["suspect_marketplace"], suspect_country=clean["suspect_country"],
                            reporter_name=clean["reporter_name"], reporter_email=clean["reporter_email"])
    db.session.add(allegation)
    db.session.flush()
    for upload in clean["files"]:
        stored = store_upload(upload, field="evidence", owner=None, allowed=DOCUMENT_TYPES,
                              max_bytes=current_app.config.get("ALLEGATION_EVIDENCE_MAX_BYTES", EVIDENCE_FILE_MAX))
        db.session.add(AllegationEvidence(allegation_id=allegation.id, stored_file_id=stored.id))
    db.session.flush()
    db.session.expire(allegation, ["evidence"])
    audit.record(None, "allegation.receive", "allegation", allegation.id, after=allegation.snapshot())
    if allegation.reporter_email:
        queue_notification(
            [allegation.reporter_email], f"Your report to CBP: receipt {allegation.receipt}",
            f"CBP received your report of suspected IP theft on {now:%Y-%m-%d}.\n\n"
            f"Receipt number: {allegation.receipt}\n\nQuote it if you write to CBP about this report. CBP does not "
            "share who made a report with the party it concerns.\n", topic="allegation.receive")
    return allegation


def get_allegation(allegation_id: int) -> Allegation:
    """The allegation, or 404."""
    allegation = db.session.get(Allegation, allegation_id) if 0 < allegation_id < 2**31 else None
    if allegation is None:
        raise NotFound("No such allegation.")
    return allegation


def _importer(organization_id: Any, errors: dict[str, list[str]]) -> Organization | None:
    if organization_id in (None, ""):
        return None
    try:
        organization_id = int(organization_id)
    except (TypeError, ValueError):
        errors["organization_id"] = ["Must be an organisation id."]
        return None
    organization = db.session.get(Organization, organization_id) if 0 < organization_id < 2**31 else None
    if organization is None or organization.kind != OrgKind.IMPORTER:
        errors["organization_id"] = ["No such importer organisation."]
        return None
    return organization


def triage_allegation(actor: Any, allegation: Allegation, *, status: Any, note: Any,
                      organization_id: Any = None, ior_number: Any = None, case_uei: Any = None) -> Allegation:
    """A reviewer moves the allegation on (new → triaged → referred | closed) and links it to an importer, an
    IOR number or a case. 422 naming bad fields; 409 for a move its status does not allow."""
    errors: dict[str, list[str]] = {}
    if status not in TRIAGE_TARGETS:
        errors["status"] = [f"One of {', '.join(TRIAGE_TARGETS)}."]
    text = _text(note, "note", NOTE_MAX, errors, required=True, label="A note")
    organization = _importer(organization_id, errors)
    ior = _text(ior_number, "ior_number", 20, errors)
    if ior and "ior_number" not in errors:
        problem = ior_problem(ior)
        if problem:
            errors["ior_number"] = [problem]
        ior = normalize_ior(ior)
    uei = _text(case_uei, "case_uei", 40, errors)
    case = None
    if uei and "case_uei" not in errors:
        try:
            case = load_case(uei)
        except ValidationFailed as exc:
            errors["case_uei"] = exc.fields.get("uei", [exc.message])
        else:
            if case is None:
                errors["case_uei"] = ["No case has this UEI."]
    if status == AllegationStatus.REFERRED and not errors and not (organization or ior or allegation.organization_id
                                                                  or allegation.ior_number):
        errors["organization_id"] = ["Name the importer (organisation or IOR number) the referral concerns."]
    if errors:
        raise ValidationFailed("The allegation could not be triaged.", fields=errors)
    current, target = AllegationStatus(allegation.status), AllegationStatus(status)
    if (current, target) not in TRANSITIONS:
        raise Conflict(f"A {current.value} allegation cannot be marked {target.value}.", code=f"allegation_{current.value}")
    before = allegation.snapshot()
    now = utcnow()
    allegation.status = target.value
    allegation.triage_note, allegation.triaged_at, allegation.triaged_by_id = text, now, actor.id
    if organization is not None:
        allegation.organization_id = organization.id
    if ior:
        allegation.ior_number = ior
    if case is not None:
        allegation.case_uei = case.uei
    if target == AllegationStatus.REFERRED:
        allegation.referred_at = now
    if target == AllegationStatus.CLOSED:
        allegation.closed_at = now
    db.session.add(AllegationStatusChange(allegation_id=allegation.id, from_status=current.value, to_status=target.value,
                                          note=text, actor_id=actor.id, at=now))
    db.session.flush()
    db.session.expire(allegation, ["history", "organization"])
    audit.record(actor, f"allegation.{target.value}", "allegation", allegation.id, before=before,
                 after={**allegation.snapshot(), "note": text})
    return allegation
