"""Known violative shippers (DHS strategy against counterfeits in de minimis parcels): the list reviewers keep,
its CSV load, and the rule ``known_violative_shipper`` that refers every parcel whose seller matches an entry.

Sellers are matched as the debarred list matches names (``engine.normalize_name`` and rapidfuzz's
``token_sort_ratio`` at ``engine.NAME_MATCH_THRESHOLD``); when both the list and the parcel give a
country, they must agree.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Select, or_, select

from core import audit, csvio
from core.errors import NotFound, ValidationFailed
from core.extensions import db
from program.decisions.engine import normalize_name
from program.decisions.inputs import FieldProblem, parse_country
from program.decisions.models import ViolativeShipper

CSV_COLUMNS = ("name", "country", "reason")
NAME_MAX = 200
REASON_MAX = 2000


def _clean(name: Any, country: Any, reason: Any) -> tuple[dict[str, Any], dict[str, list[str]]]:
    errors: dict[str, list[str]] = {}
    values: dict[str, Any] = {}
    for field, value, limit in (("name", name, NAME_MAX), ("reason", reason, REASON_MAX)):
        text = " ".join(value.split()) if isinstance(value, str) else ""
        if not text:
            errors[field] = ["Required."]
        elif len(text) > limit or "\x00" in text:
            errors[field] = [f"At most {limit} characters, no NUL character."]
        values[field] = text
    try:
        values["country"] = parse_country(country if isinstance(country, str) or country is None else str(country),
                                          what="country")
    except FieldProblem as problem:
        errors["country"] = [str(problem)]
    if not errors and not normalize_name(values["name"]):
        errors["name"] = ["The name needs letters or digits."]
    values["normalized_name"] = normalize_name(values["name"]) if not errors.get("name") else ""
    return values, errors


def _snapshot(shipper: ViolativeShipper) -> dict[str, Any]:
    return {"name": shipper.name, "country": shipper.country, "reason": shipper.reason}


def add_shipper(actor: Any, *, name: Any, country: Any = None, reason: Any) -> ViolativeShipper:
    """List a known violative shipper (422 naming each bad field)."""
    values, errors = _clean(name, country, reason)
    if errors:
        raise ValidationFailed("The shipper could not be listed.", fields=errors)
    shipper = ViolativeShipper(**values, created_by_id=getattr(actor, "id", None))
    db.session.add(shipper)
    db.session.flush()
    audit.record(actor, "violative_shipper.create", "violative_shipper", shipper.id, after=_snapshot(shipper))
    return shipper


def remove_shipper(actor: Any, shipper_id: int) -> None:
    """Take a shipper off the list (it stops matching at once)."""
    shipper = db.session.get(ViolativeShipper, shipper_id)
    if shipper is None:
        raise NotFound("No such violative shipper.")
    before = _snapshot(shipper)
    db.session.delete(shipper)
    db.session.flush()
    audit.record(actor, "violative_shipper.delete", "violative_shipper", shipper_id, before=before)


def shippers_query(q: str = "") -> Select:
    """The list, newest first, optionally searched by name or country."""
    query = select(ViolativeShipper).order_by(ViolativeShipper.created_at.desc(), ViolativeShipper.id.desc())
    q = (q or "").strip()
    if q:
        like = f"%{normalize_name(q) or q.lower()}%"
        query = query.where(or_(ViolativeShipper.normalized_name.like(like), ViolativeShipper.country == q.upper()))
    return query


def parse_shippers_csv(text: str) -> tuple[list[dict[str, Any]], list[tuple[int, str, str]]]:
    """Read and check every row (header ``name, country, reason``); the cleaned rows and ``(row, field,
    message)`` problems, rows numbered as a spreadsheet shows them (the header is row 1)."""
    return csvio.read_rows(
        text, columns=CSV_COLUMNS, required=("name", "reason"),
        check=lambda raw: _clean(raw.get("name"), raw.get("country") or None, raw.get("reason")),
        key=lambda values: (values["normalized_name"], values.get("country")), duplicate="shipper")


def import_shippers_csv(actor: Any, text: str) -> list[ViolativeShipper]:
    """Load a CSV of shippers: every row is saved, or none (``ImportFailed`` lists each bad row)."""
    return csvio.save_all(actor, parse_shippers_csv(text), ViolativeShipper, action="violative_shipper.import",
                          entity_type="violative_shipper", snapshot=_snapshot)
