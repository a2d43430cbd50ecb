"""Field rules of a blank-goods declaration, shared by the API, the web form and the CSV import.

Each ``clean_*`` function takes raw values (strings from a form or CSV, JSON values from the API) and
returns the cleaned values plus ``{field path: [messages]}`` for what is wrong; paths look like
``lines.0.hts_code`` so every failing field is named.
"""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from program.blanks.states import Marking, PartyRole
from program.enrollment.countries import COUNTRIES

HTS_PATTERN = re.compile(r"^\d{4}\.?\d{2}\.?\d{4}$")
MAX_LINES = 500
MAX_PARTIES = 20
Errors = dict[str, list[str]]


def normalize_hts(value: Any) -> str | None:
    """The 10-digit HTS code (``6202.93.5011`` → ``6202935011``), or None when it is not one."""
    text = str(value or "").strip()
    if not HTS_PATTERN.match(text):
        return None
    return text.replace(".", "")


def _text(value: Any) -> str:
    return str(value).strip() if value is not None else ""


def _country(value: Any, path: str, errors: Errors, *, label: str = "country") -> str:
    code = _text(value).upper()
    if not code:
        errors.setdefault(path, []).append(f"Give the {label} (ISO two-letter code).")
    elif code not in COUNTRIES:
        errors.setdefault(path, []).append(f"{code!r} is not an ISO 3166-1 two-letter country code.")
    return code


def clean_party(raw: dict[str, Any], prefix: str, errors: Errors) -> dict[str, Any]:
    """One party: role, name, ISO country and free-text address."""
    role = _text(raw.get("role")).lower()
    if role not in {r.value for r in PartyRole}:
        errors.setdefault(f"{prefix}.role", []).append(
            "Choose one of: " + ", ".join(r.value for r in PartyRole) + ".")
    name = _text(raw.get("name"))
    if not name:
        errors.setdefault(f"{prefix}.name", []).append("Give the party's name.")
    elif len(name) > 200:
        errors.setdefault(f"{prefix}.name", []).append("Use at most 200 characters.")
    country = _country(raw.get("country"), f"{prefix}.country", errors)
    return {"role": role, "name": name, "country": country, "address": _text(raw.get("address"))[:2000]}


def clean_line(raw: dict[str, Any], prefix: str, errors: Errors, *, default_line_no: int | None = None
               ) -> dict[str, Any]:
    """One line: number, description, HTS code, quantity > 0, unit, origin, marking and authorisation."""
    line_no: int | None = None
    raw_no = raw.get("line_no")
    if raw_no in (None, "") and default_line_no is not None:
        line_no = default_line_no
    else:
        try:
            line_no = int(str(raw_no).strip())
            if line_no < 1:
                raise ValueError
        except (TypeError, ValueError):
            errors.setdefault(f"{prefix}.line_no", []).append("Give a whole line number from 1.")
    description = _text(raw.get("description"))
    if not description:
        errors.setdefault(f"{prefix}.description", []).append("Describe the goods.")
    elif len(description) > 500:
        errors.setdefault(f"{prefix}.description", []).append("Use at most 500 characters.")
    hts = normalize_hts(raw.get("hts_code"))
    if hts is None:
        errors.setdefault(f"{prefix}.hts_code", []).append(
            "Give a 10-digit HTS code, with or without dots (6202.93.5011).")
    quantity: Decimal | None = None
    try:
        quantity = Decimal(str(raw.get("quantity")).strip())
        if not quantity.is_finite() or quantity <= 0:
            raise InvalidOperation
        if quantity != quantity.quantize(Decimal("0.001")) or quantity >= Decimal("1e15"):
            errors.setdefault(f"{prefix}.quantity", []).append("Use at most three decimals and 15 digits.")
    except (InvalidOperation, ValueError):
        errors.setdefault(f"{prefix}.quantity", []).append("Give a quantity greater than 0.")
        quantity = None
    unit = _text(raw.get("unit")) or "pcs"
    if len(unit) > 20:
        errors.setdefault(f"{prefix}.unit", []).append("Use at most 20 characters.")
    origin = _country(raw.get("country_of_origin"), f"{prefix}.country_of_origin", errors,
                      label="country of origin")
    marking = _text(raw.get("intended_marking")).lower() or Marking.NONE.value
    if marking not in {m.value for m in Marking}:
        errors.setdefault(f"{prefix}.intended_marking", []).append("Choose none or licensed.")
    authorization_ref = _text(raw.get("authorization_ref")) or None
    recordation = _text(raw.get("recordation_number")).upper() or None
    if marking == Marking.LICENSED:
        if not authorization_ref:
            errors.setdefault(f"{prefix}.authorization_ref", []).append(
                "Licensed marking needs the mark owner's authorisation reference.")
        elif len(authorization_ref) > 100:
            errors.setdefault(f"{prefix}.authorization_ref", []).append("Use at most 100 characters.")
        if not recordation:
            errors.setdefault(f"{prefix}.recordation_number", []).append(
                "Licensed marking needs the recordation number of the mark (TMK YY-NNNNN).")
    return {"line_no": line_no, "description": description, "hts_code": hts, "quantity": quantity, "unit": unit,
            "country_of_origin": origin, "intended_marking": marking, "authorization_ref": authorization_ref,
            "recordation_number": recordation if marking == Marking.LICENSED else None}


def _date(value: Any, path: str, errors: Errors) -> date | None:
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(_text(value))
    except ValueError:
        errors.setdefault(path, []).append("Give a date as YYYY-MM-DD.")
        return None


def clean_declaration(data: dict[str, Any], line_paths: list[str] | None = None) -> tuple[dict[str, Any], Errors]:
    """The whole declaration: validity, parties (a manufacturer required), lines (unique numbers), attestation.

    ``line_paths`` names where each line came from (``lines_csv.row 2`` for a CSV upload); default
    ``lines.<index>``.
    """
    errors: Errors = {}
    valid_from = _date(data.get("valid_from"), "valid_from", errors)
    valid_until = _date(data.get("valid_until"), "valid_until", errors)
    if valid_from and valid_until and valid_until < valid_from:
        errors.setdefault("valid_until", []).append("Must be on or after the first day (valid_from).")
    parties_raw = data.get("parties") or []
    lines_raw = data.get("lines") or []
    parties = [clean_party(p or {}, f"parties.{i}", errors) for i, p in enumerate(parties_raw[:MAX_PARTIES])]
    if len(parties_raw) > MAX_PARTIES:
        errors.setdefault("parties", []).append(f"Name at most {MAX_PARTIES} parties.")
    if not any(p["role"] == PartyRole.MANUFACTURER for p in parties):
        errors.setdefault("parties", []).append("Name the manufacturer (a party with role manufacturer).")
    paths = line_paths or [f"lines.{i}" for i in range(len(lines_raw))]
    lines = [clean_line(raw or {}, paths[i], errors, default_line_no=i + 1)
             for i, raw in enumerate(lines_raw[:MAX_LINES])]
    if len(lines_raw) > MAX_LINES:
        errors.setdefault("lines", []).append(f"Declare at most {MAX_LINES} lines; file several declarations.")
    if not lines:
        errors.setdefault("lines", []).append("Declare at least one line.")
    seen: set[int] = set()
    for i, line in enumerate(lines):
        if line["line_no"] is not None and line["line_no"] in seen:
            errors.setdefault(f"{paths[i]}.line_no", []).append(f"Line number {line['line_no']} is used twice.")
        seen.add(line["line_no"])
    if data.get("attestation") is not True:
        errors.setdefault("attestation", []).append("Attest that the goods bear no marks and the declaration is true.")
    return {"valid_from": valid_from, "valid_until": valid_until, "parties": parties, "lines": lines}, errors
