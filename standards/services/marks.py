"""Recorded marks: reviewers register them, with their owner, Lever-rule protection and sectors."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from core import audit
from core.accounts.models import Organization
from core.accounts.roles import OrgKind
from core.errors import Conflict, NotFound, ValidationFailed
from core.extensions import db
from core.timeutil import utcnow
from standards.models import RECORDATION_PATTERN, RecordedMark
from standards.services.sectors import sectors_by_code


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
                  lever_rule: bool = False, sectors: Any = None) -> RecordedMark:
    """Register a recorded mark for its rights-holder owner; a number already registered is 409."""
    errors: dict[str, list[str]] = {}
    values: dict[str, Any] = {}
    for name, check in (
        ("recordation_number", lambda: normalize_recordation_number(recordation_number)),
        ("mark", lambda: _mark_text(mark)),
        ("owner", lambda: _rights_holder(owner_organization_id)),
        ("sectors", lambda: sectors_by_code(sectors)),
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
                          registered_by_id=getattr(actor, "id", None))
    db.session.add(record)
    db.session.flush()
    audit.record(actor, "mark.create", "mark", record.id, after=record.snapshot())
    return record


def update_mark(actor: Any, record: RecordedMark, *, mark: Any = None, lever_rule: bool | None = None,
                sectors: Any = None) -> RecordedMark:
    """Change a mark's text, Lever-rule protection or sectors (its number and owner stay)."""
    before = record.snapshot()
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
