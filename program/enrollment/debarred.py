"""The suspended/debarred list: adding and ending entries, bulk CSV loads, and the queries screening and
the release-decision engine snapshot.

An entry is in force from ``start_date`` up to, not including, ``end_date`` (open-ended when null), so
ending an entry today takes it off the list at once.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import ColumnElement, Select, func, or_, select

from core import audit, csvio
from core.errors import Conflict, ValidationFailed
from core.extensions import db
from core.timeutil import today
from program.decisions.engine import normalize_name
from program.enrollment.formats import NAME_MAX, TEXT_MAX, contains_pattern, ior_problem, normalize_ior
from program.enrollment.models import DebarredParty

CSV_COLUMNS = ("name", "ior_number", "reason", "start_date", "end_date")


@dataclass(frozen=True)
class DebarredSnapshot:
    """What is on the list on one day, in the shape the decision engine's ``Facts`` takes."""

    as_of: date
    iors: frozenset[str]
    names: frozenset[str]  # passed through program.decisions.engine.normalize_name


def in_force(as_of: date) -> ColumnElement[bool]:
    """SQL condition: the entry is in force on ``as_of``."""
    return (DebarredParty.start_date <= as_of) & (
        DebarredParty.end_date.is_(None) | (DebarredParty.end_date > as_of)
    )


def active_debarred(as_of: date | None = None) -> list[DebarredParty]:
    """Every entry in force on ``as_of`` (default today), by name."""
    as_of = as_of or today()
    return list(db.session.scalars(select(DebarredParty).where(in_force(as_of)).order_by(DebarredParty.name,
                                                                                         DebarredParty.id)))


def debarred_snapshot(as_of: date | None = None) -> DebarredSnapshot:
    """IOR numbers and normalised names in force on ``as_of`` (one query), for the decision engine."""
    as_of = as_of or today()
    rows = db.session.execute(
        select(DebarredParty.ior_number, DebarredParty.normalized_name).where(in_force(as_of))
    ).all()
    return DebarredSnapshot(as_of=as_of, iors=frozenset(ior for ior, _ in rows if ior),
                            names=frozenset(name for _, name in rows if name))


def debarred_query(q: str = "", *, active_only: bool = False, as_of: date | None = None) -> Select:
    """Entries matching ``q`` (name or IOR number), newest first; only those in force when ``active_only``."""
    query = select(DebarredParty).order_by(DebarredParty.start_date.desc(), DebarredParty.id.desc())
    if q := (q or "").strip():
        conditions = [func.lower(DebarredParty.name).like(contains_pattern(q.lower()), escape="\\"),
                      DebarredParty.ior_number == normalize_ior(q)]
        if norm := normalize_name(q):
            conditions.append(DebarredParty.normalized_name.like(contains_pattern(norm), escape="\\"))
        query = query.where(or_(*conditions))
    if active_only:
        query = query.where(in_force(as_of or today()))
    return query


def _clean(values: dict[str, Any]) -> tuple[dict[str, Any], dict[str, list[str]]]:
    """Check one entry's fields; returns the cleaned values and the problems per field."""
    errors: dict[str, list[str]] = {}
    name = " ".join(str(values.get("name") or "").split())
    reason = str(values.get("reason") or "").strip()
    ior = normalize_ior(values.get("ior_number")) or None
    start, end = values.get("start_date"), values.get("end_date")
    if not name:
        errors["name"] = ["Enter the party's name."]
    elif len(name) > NAME_MAX or not normalize_name(name):
        errors["name"] = [f"Use 1 to {NAME_MAX} characters, including letters or digits."]
    if not reason:
        errors["reason"] = ["Say why the party is on the list."]
    elif len(reason) > TEXT_MAX:
        errors["reason"] = [f"Use at most {TEXT_MAX} characters."]
    if ior and (problem := ior_problem(ior)):
        errors["ior_number"] = [problem]
    if not isinstance(start, date):
        errors["start_date"] = ["Enter the first day in force (YYYY-MM-DD)."]
    if end is not None and not isinstance(end, date):
        errors["end_date"] = ["Use a date (YYYY-MM-DD)."]
    elif isinstance(start, date) and isinstance(end, date) and end < start:
        errors["end_date"] = ["The end date cannot be before the start date."]
    cleaned = {"name": name, "normalized_name": normalize_name(name) if name else "", "ior_number": ior,
               "reason": reason, "start_date": start, "end_date": end}
    return cleaned, errors


def _snapshot(party: DebarredParty) -> dict[str, Any]:
    return {"name": party.name, "ior_number": party.ior_number, "reason": party.reason,
            "start_date": party.start_date, "end_date": party.end_date}


def add_debarred(actor: Any, *, name: str, reason: str, start_date: date, ior_number: str | None = None,
                 end_date: date | None = None) -> DebarredParty:
    """Put a party on the list (409 ``duplicate`` when the same name and IOR number are already in force)."""
    values, errors = _clean({"name": name, "reason": reason, "start_date": start_date, "ior_number": ior_number,
                             "end_date": end_date})
    if errors:
        raise ValidationFailed("The entry could not be added.", fields=errors)
    duplicate = db.session.scalar(
        select(DebarredParty.id).where(
            DebarredParty.normalized_name == values["normalized_name"],
            DebarredParty.ior_number.is_(None) if values["ior_number"] is None
            else DebarredParty.ior_number == values["ior_number"],
            DebarredParty.end_date.is_(None) | (DebarredParty.end_date > values["start_date"]),
        )
    )
    if duplicate:
        raise Conflict(f"{values['name']} is already on the list (entry {duplicate}).", code="duplicate")
    party = DebarredParty(**values, created_by_id=getattr(actor, "id", None))
    db.session.add(party)
    db.session.flush()
    audit.record(actor, "debarred.add", "debarred", party.id, after=_snapshot(party))
    return party


def end_debarred(actor: Any, party: DebarredParty, end_date: date | None = None) -> DebarredParty:
    """Take an entry off the list from ``end_date`` (default today); 409 when it has already ended."""
    end_date = end_date or today()
    if party.end_date is not None and party.end_date <= today():
        raise Conflict(f"This entry already ended on {party.end_date.isoformat()}.", code="already_ended")
    if end_date < party.start_date:
        raise ValidationFailed("The end date cannot be before the start date.",
                               fields={"end_date": ["The end date cannot be before the start date."]})
    before = _snapshot(party)
    party.end_date = end_date
    party.ended_by_id = getattr(actor, "id", None)
    db.session.flush()
    audit.record(actor, "debarred.end", "debarred", party.id, before=before, after=_snapshot(party))
    return party


def _parse_date(raw: str) -> date | str | None:
    raw = (raw or "").strip()
    if not raw:
        return None
    try:
        return date.fromisoformat(raw)
    except ValueError:
        return raw


def _check_row(raw: dict[str, str]) -> tuple[dict[str, Any], dict[str, list[str]]]:
    start, end = _parse_date(raw.get("start_date", "")), _parse_date(raw.get("end_date", ""))
    values, errors = _clean({"name": raw.get("name"), "reason": raw.get("reason"), "ior_number": raw.get("ior_number"),
                             "start_date": start if isinstance(start, date) else None,
                             "end_date": end if isinstance(end, date) else None})
    for field, given in (("start_date", start), ("end_date", end)):
        if isinstance(given, str):
            errors[field] = [f"{given!r} is not a date (use YYYY-MM-DD)."]
    return values, errors


def parse_debarred_csv(text: str) -> tuple[list[dict[str, Any]], list[tuple[int, str, str]]]:
    """Read and check every row; returns the cleaned rows and ``(row_number, field, message)`` problems.

    Row numbers are the file's line numbers as a spreadsheet shows them: the header is row 1.
    """
    return csvio.read_rows(text, columns=CSV_COLUMNS,
                           required=[c for c in CSV_COLUMNS if c not in ("ior_number", "end_date")], check=_check_row,
                           key=lambda values: (values["normalized_name"], values["ior_number"]), duplicate="party")


def import_debarred_csv(actor: Any, text: str) -> list[DebarredParty]:
    """Load a CSV of entries: every row is saved, or none (``ImportFailed`` lists each bad row)."""
    return csvio.save_all(actor, parse_debarred_csv(text), DebarredParty, action="debarred.import",
                          entity_type="debarred", snapshot=_snapshot)
