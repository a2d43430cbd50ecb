"""Recorded marks: reviewers register them, with their owner, Lever-rule protection and sectors."""

from __future__ import annotations

import csv
import io
from datetime import date
from typing import Any

from sqlalchemy import select

from core import audit
from core.accounts.models import Organization
from core.accounts.roles import OrgKind
from core.csvio import ImportFailed
from core.errors import Conflict, NotFound, ValidationFailed
from core.extensions import db
from core.timeutil import utcnow
from standards.models import RECORDATION_PATTERN, RecordedMark
from standards.services.sectors import clean_hts_prefixes, sectors_by_code

IMPORT_COLUMNS = ("recordation_number", "mark", "owner", "expires_on", "lever_rule", "lever_scope")


def _expires_on(value: Any) -> date | None:
    """A recordation's last day (a past date is accepted for a lapsed recordation); None when absent."""
    if value is None or value == "":
        return None
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value).strip())
    except ValueError:
        raise ValidationFailed("The expiry date is not a date.",
                               fields={"expires_on": [f"{value!r} is not a date (use YYYY-MM-DD)."]}) from None


def normalize_recordation_number(value: Any, *, field: str = "recordation_number") -> str:
    """``TMK YY-NNNNN`` (case and surrounding or repeated spaces forgiven); 422 naming ``field`` otherwise."""
    if not isinstance(value, str):
        raise ValidationFailed("A recordation number is required.",
                               fields={field: ["Required, as TMK YY-NNNNN."]})
    number = " ".join(value.strip().upper().split())
    if not RECORDATION_PATTERN.match(number):
        raise ValidationFailed(
            "A trademark recordation number looks like TMK 21-00123.",
            fields={field: [f"{value.strip()!r} is not a recordation number of the form TMK YY-NNNNN."]},
        )
    return number


def get_mark(mark_id: int) -> RecordedMark:
    """The mark with this id, or 404."""
    mark = db.session.get(RecordedMark, mark_id)
    if mark is None:
        raise NotFound("No such recorded mark.")
    return mark


def mark_by_number(recordation_number: str) -> RecordedMark | None:
    """The mark with this recordation number, if registered."""
    return db.session.scalar(
        select(RecordedMark).where(RecordedMark.recordation_number == recordation_number))


def _mark_text(value: Any) -> str:
    text = value.strip() if isinstance(value, str) else ""
    if not text:
        raise ValidationFailed("The mark is required.", fields={"mark": ["Required."]})
    if len(text) > 200:
        raise ValidationFailed("The mark is too long.", fields={"mark": ["At most 200 characters."]})
    return text


def _rights_holder(organization_id: Any) -> Organization:
    org = db.session.get(Organization, organization_id) if isinstance(organization_id, int) else None
    if org is None:
        raise ValidationFailed("No such organisation.",
                               fields={"owner_organization_id": ["Unknown organisation."]})
    if org.kind != OrgKind.RIGHTS_HOLDER:
        raise ValidationFailed(
            f"{org.name} is not a rights-holder organisation; marks belong to rights holders.",
            fields={"owner_organization_id": ["Must be a rights-holder organisation."]},
        )
    return org


def register_mark(actor: Any, *, recordation_number: Any, mark: Any, owner_organization_id: Any,
                  lever_rule: bool = False, sectors: Any = None, lever_scope: Any = None,
                  expires_on: Any = None) -> RecordedMark:
    """Register a recorded mark for its rights-holder owner; a number already registered is 409."""
    errors: dict[str, list[str]] = {}
    values: dict[str, Any] = {}
    for name, check in (
        ("recordation_number", lambda: normalize_recordation_number(recordation_number)),
        ("mark", lambda: _mark_text(mark)),
        ("owner", lambda: _rights_holder(owner_organization_id)),
        ("sectors", lambda: sectors_by_code(sectors)),
        ("lever_scope", lambda: clean_hts_prefixes(lever_scope, field="lever_scope")),
        ("expires_on", lambda: _expires_on(expires_on)),
    ):
        try:
            values[name] = check()
        except ValidationFailed as exc:
            errors.update(exc.fields)
    if errors:
        raise ValidationFailed("The mark could not be registered.", fields=errors)
    if mark_by_number(values["recordation_number"]) is not None:
        raise Conflict(f"{values['recordation_number']} is already registered.", code="duplicate")
    record = RecordedMark(recordation_number=values["recordation_number"], mark=values["mark"],
                          owner=values["owner"], lever_rule=bool(lever_rule), sectors=values["sectors"],
                          lever_scope=values["lever_scope"], expires_on=values["expires_on"],
                          registered_by_id=getattr(actor, "id", None))
    db.session.add(record)
    db.session.flush()
    audit.record(actor, "mark.create", "mark", record.id, after=record.snapshot())
    return record


_UNCHANGED: Any = object()


def update_mark(actor: Any, record: RecordedMark, *, mark: Any = None, lever_rule: bool | None = None,
                sectors: Any = None, lever_scope: Any = None, expires_on: Any = _UNCHANGED) -> RecordedMark:
    """Change a mark's text, Lever-rule protection (and its scope), sectors or recordation expiry (its number
    and owner stay); ``expires_on`` None makes the recordation open-ended."""
    before = record.snapshot()
    if lever_scope is not None:
        record.lever_scope = clean_hts_prefixes(lever_scope, field="lever_scope")
    if expires_on is not _UNCHANGED:
        record.expires_on = _expires_on(expires_on)
    if mark is not None:
        record.mark = _mark_text(mark)
    if lever_rule is not None:
        record.lever_rule = bool(lever_rule)
    if sectors is not None:
        record.sectors = sectors_by_code(sectors)
    after = record.snapshot()
    if after != before:
        record.updated_at = utcnow()
        db.session.flush()
        audit.record(actor, "mark.update", "mark", record.id, before=before, after=after)
    return record


def rights_holder_organizations() -> list[Organization]:
    """Every rights-holder organisation, by name (owners a reviewer can choose from)."""
    return list(db.session.scalars(
        select(Organization).where(Organization.kind == OrgKind.RIGHTS_HOLDER).order_by(Organization.name)
    ))


def _lever_scope(value: Any) -> list[str]:
    return clean_hts_prefixes(value, field="lever_scope")


def _owner_by_name(name: str) -> Organization | None:
    from sqlalchemy import func

    return db.session.scalar(select(Organization).where(func.lower(Organization.name) == name.strip().lower(),
                                                        Organization.kind == OrgKind.RIGHTS_HOLDER))


def import_marks_csv(actor: Any, text: str) -> list[RecordedMark]:
    """Load recordations from CSV (``recordation_number, mark, owner, expires_on, lever_rule, lever_scope``;
    owner by organisation name, lever_scope prefixes separated by spaces or ``;``): every row is registered,
    or none (``ImportFailed`` names each bad row, the header being row 1)."""
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
    header = [(h or "").strip() for h in (reader.fieldnames or [])]
    missing = [c for c in ("recordation_number", "mark", "owner") if c not in header]
    if missing:
        raise ImportFailed([(1, ",".join(missing), f"Missing column(s): {', '.join(missing)}; expected "
                                                   f"{', '.join(IMPORT_COLUMNS)}.")])
    problems: list[tuple[int, str, str]] = []
    rows: list[dict[str, Any]] = []
    seen: dict[str, int] = {}
    for number, raw in enumerate(reader, start=2):
        row = {(k or "").strip(): (v or "").strip() for k, v in raw.items() if k is not None and not isinstance(v, list)}
        if not any(row.values()):
            continue
        owner = _owner_by_name(row.get("owner", "")) if row.get("owner") else None
        if owner is None:
            problems.append((number, "owner", f"No rights-holder organisation named {row.get('owner', '')!r}."))
            continue
        lever = row.get("lever_rule", "").lower()
        if lever not in {"", "true", "false", "1", "0", "yes", "no", "y", "n"}:
            problems.append((number, "lever_rule", f"Use true or false; got {row.get('lever_rule')!r}."))
            continue
        values = {"recordation_number": row.get("recordation_number"), "mark": row.get("mark"),
                  "owner_organization_id": owner.id, "lever_rule": lever in {"true", "1", "yes", "y"},
                  "lever_scope": row.get("lever_scope", "").replace(";", " "), "expires_on": row.get("expires_on") or None}
        # Every check register_mark makes, without writing: a file with a bad row leaves nothing behind.
        errors: dict[str, list[str]] = {}
        for check, value in ((normalize_recordation_number, values["recordation_number"]),
                             (_mark_text, values["mark"]), (_lever_scope, values["lever_scope"]),
                             (_expires_on, values["expires_on"])):
            try:
                check(value)
            except ValidationFailed as exc:
                errors.update(exc.fields)
        problems.extend((number, field, message) for field, messages in errors.items() for message in messages)
        if errors:
            continue
        recordation = normalize_recordation_number(values["recordation_number"])
        if recordation in seen:
            problems.append((number, "recordation_number", f"Same recordation as row {seen[recordation]}."))
            continue
        seen[recordation] = number
        if mark_by_number(recordation) is not None:
            problems.append((number, "recordation_number", f"{recordation} is already registered."))
            continue
        rows.append(values)
    if problems:
        raise ImportFailed(problems)
    made = [register_mark(actor, **values) for values in rows]
    if not made:
        raise ImportFailed([(2, "", "The file has no rows.")])
    return made
