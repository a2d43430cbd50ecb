"""Known violative shippers (DHS strategy against counterfeits in de minimis parcels): the list reviewers keep,
its CSV load, and the rule ``known_violative_shipper`` that refers every parcel whose seller matches an entry.

Sellers are matched as the debarred list matches names (``engine.normalize_name`` and rapidfuzz's
``token_sort_ratio`` at ``engine.NAME_MATCH_THRESHOLD``); when both the list and the parcel give a
country, they must agree.
"""

from __future__ import annotations

import csv
import io
from typing import Any

from sqlalchemy import Select, or_, select

from core import audit
from core.errors import NotFound, ValidationFailed
from core.extensions import db
from program.decisions.engine import normalize_name
from program.decisions.inputs import FieldProblem, parse_country
from program.decisions.models import ViolativeShipper

CSV_COLUMNS = ("name", "country", "reason")
NAME_MAX = 200
REASON_MAX = 2000


class ImportFailed(Exception):
    """A CSV load with bad rows; ``errors`` are ``(row_number, field, message)`` and nothing was saved."""

    def __init__(self, errors: list[tuple[int, str, str]]) -> None:
        super().__init__(f"{len(errors)} problem(s) in the file")
        self.errors = errors


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
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
    header = [(h or "").strip() for h in (reader.fieldnames or [])]
    missing = [c for c in ("name", "reason") if c not in header]
    if missing:
        return [], [(1, ",".join(missing), f"Missing column(s): {', '.join(missing)}; expected "
                                           f"{', '.join(CSV_COLUMNS)}.")]
    rows: list[dict[str, Any]] = []
    problems: list[tuple[int, str, str]] = []
    seen: dict[tuple[str, str | None], int] = {}
    for number, raw in enumerate(reader, start=2):
        raw = {(k or "").strip(): (v or "") for k, v in raw.items() if k is not None and not isinstance(v, list)}
        if not any(value.strip() for value in raw.values()):
            continue
        values, errors = _clean(raw.get("name"), raw.get("country") or None, raw.get("reason"))
        key = (values["normalized_name"], values.get("country"))
        if not errors and key in seen:
            errors["name"] = [f"Same shipper as row {seen[key]}."]
        seen.setdefault(key, number)
        problems.extend((number, field, message) for field, messages in errors.items() for message in messages)
        rows.append(values)
    if not rows and not problems:
        problems.append((2, "", "The file has no rows."))
    return rows, problems


def import_shippers_csv(actor: Any, text: str) -> list[ViolativeShipper]:
    """Load a CSV of shippers: every row is saved, or none (``ImportFailed`` lists each bad row)."""
    rows, problems = parse_shippers_csv(text)
    if problems:
        raise ImportFailed(problems)
    shippers = [ViolativeShipper(**values, created_by_id=getattr(actor, "id", None)) for values in rows]
    db.session.add_all(shippers)
    db.session.flush()
    for shipper in shippers:
        audit.record(actor, "violative_shipper.import", "violative_shipper", shipper.id, after=_snapshot(shipper))
    return shippers
