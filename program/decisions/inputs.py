"""Field parsers for decision requests, shared by the API schemas, the web form and the bulk CSV reader.

Each parser takes raw input and returns the canonical value or raises :class:`FieldProblem` with a
message that says what the field should look like. Plain functions, so the bulk screen can parse a
million rows without a schema library's per-field overhead, and every entry point agrees on formats.
"""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation
from typing import Any

from program.decisions.engine import EntryInput, LineInput, ShipmentInput
from program.decisions.entry_number import InvalidEntryNumber, parse_entry_number
from program.enrollment.countries import COUNTRIES
from program.enrollment.formats import ior_problem, normalize_ior
from standards.models import RECORDATION_PATTERN

CONDITIONS = ("new_parallel", "used", "refurbished", "recycled", "blank")
SHIPMENT_TYPES = ("formal", "section_321")
# The optional columns of the bulk screen (API.md), after the fixed ones: a line's country of origin, then the
# shipment of its entry (the entry's first row speaks for it).
OPTIONAL_SCREEN_COLUMNS = ("country_of_origin", "shipment_type", "house_bill", "seller_name", "seller_country",
                           "marketplace")
SHIPMENT_TEXT_MAX = 200
MAX_LINES = 999
_HTS = re.compile(r"\d{4}\.?\d{2}\.?\d{4}")
_PORT = re.compile(r"\d{4}")
_BGD = re.compile(r"BGD-\d{4}-\d{6}")
_TRUE = frozenset({"true", "1", "yes", "y", "t"})
_FALSE = frozenset({"false", "0", "no", "n", "f", ""})


class FieldProblem(ValueError):
    """A field's value is malformed; ``str(problem)`` says what is expected (``field`` names it where a parser
    reads several)."""

    field: str | None = None


def parse_entry(value: Any) -> str:
    """Canonical ``FFF-NNNNNNN-C`` entry number (format and check digit)."""
    try:
        return parse_entry_number(value)
    except InvalidEntryNumber as problem:
        raise FieldProblem(str(problem)) from None


def parse_port(value: Any) -> str:
    """A 4-digit Schedule D port code."""
    text = str(value).strip() if value is not None else ""
    if not _PORT.fullmatch(text):
        raise FieldProblem(f"A port code is 4 digits (Schedule D), e.g. 2704; got {text!r}.")
    return text


def parse_ior(value: Any) -> str:
    """An Importer of Record number in either accepted format, upper-cased."""
    ior = normalize_ior(value if isinstance(value, str) else None)
    if not ior:
        raise FieldProblem("An Importer of Record number is required.")
    if problem := ior_problem(ior):
        raise FieldProblem(problem)
    return ior


def parse_hts(value: Any) -> str:
    """A 10-digit HTS code, dots allowed (``6202.93.5011``), stored as digits only."""
    text = str(value).strip() if value is not None else ""
    if not _HTS.fullmatch(text):
        raise FieldProblem(f"An HTS code has 10 digits, dots allowed (e.g. 6202.93.5011); got {text!r}.")
    return text.replace(".", "")


def parse_decimal(value: Any, *, positive: bool, what: str) -> Decimal:
    """A finite decimal number, greater than zero when ``positive`` else at least zero."""
    if isinstance(value, bool):
        raise FieldProblem(f"The {what} must be a number.")
    try:
        number = Decimal(str(value).strip()) if value is not None else None
    except InvalidOperation:
        number = None
    if number is None or not number.is_finite():
        raise FieldProblem(f"The {what} must be a number; got {value!r}.")
    if positive and number <= 0:
        raise FieldProblem(f"The {what} must be greater than 0.")
    if number < 0:
        raise FieldProblem(f"The {what} may not be negative.")
    if abs(number) >= Decimal("1e15"):
        raise FieldProblem(f"The {what} is too large.")
    return number


def parse_condition(value: Any) -> str:
    """One of the goods conditions."""
    if value not in CONDITIONS:
        raise FieldProblem(f"The condition is one of {', '.join(CONDITIONS)}; got {value!r}.")
    return value


def parse_recordation(value: Any) -> str | None:
    """``TMK YY-NNNNN`` or None when absent."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    number = " ".join(str(value).strip().upper().split())
    if not RECORDATION_PATTERN.match(number):
        raise FieldProblem(f"A recordation number looks like TMK 21-00123; got {value!r}.")
    return number


def parse_bool(value: Any) -> bool:
    """A boolean from JSON or CSV text (true/false, 1/0, yes/no; empty is false)."""
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower() if value is not None else ""
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    raise FieldProblem(f"Use true or false; got {value!r}.")


def parse_declaration_id(value: Any) -> str | None:
    """A blank-goods declaration id ``BGD-YYYY-NNNNNN`` or None when absent."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    text = str(value).strip().upper()
    if not _BGD.fullmatch(text):
        raise FieldProblem(f"A blank-goods declaration id looks like BGD-2026-000123; got {value!r}.")
    return text


def parse_line_no(value: Any, *, what: str = "line number") -> int:
    """A whole number from 1 to 9999."""
    if isinstance(value, bool):
        raise FieldProblem(f"The {what} must be a whole number.")
    try:
        number = int(str(value).strip()) if not isinstance(value, int) else value
    except ValueError:
        raise FieldProblem(f"The {what} must be a whole number; got {value!r}.") from None
    if not 1 <= number <= 9999:
        raise FieldProblem(f"The {what} is between 1 and 9999.")
    return number


def parse_country(value: Any, *, what: str = "country of origin") -> str | None:
    """An ISO 3166-1 alpha-2 country code, upper-cased, or None when absent."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    code = str(value).strip().upper()
    if code not in COUNTRIES:
        raise FieldProblem(f"The {what} is an ISO 3166-1 two-letter country code such as CN; got {value!r}.")
    return code


def parse_shipment_type(value: Any) -> str:
    """``formal`` (default when absent) or ``section_321`` (a de minimis parcel)."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return "formal"
    text = str(value).strip().lower()
    if text not in SHIPMENT_TYPES:
        raise FieldProblem(f"The shipment type is formal or section_321; got {value!r}.")
    return text


def parse_shipment_text(value: Any, *, what: str, required: bool = False) -> str | None:
    """A short free-text shipment field (house bill, seller name, marketplace), or None when absent (a
    :class:`FieldProblem` when ``required``)."""
    if value is None or (required and isinstance(value, str) and not value.strip()):
        if required:
            raise FieldProblem(f"Give the {what}.")
        return None
    if not isinstance(value, str):
        raise FieldProblem(f"The {what} must be text.")
    text = " ".join(value.split())
    if "\x00" in text:
        raise FieldProblem(f"The {what} may not contain a NUL character.")
    if len(text) > SHIPMENT_TEXT_MAX:
        raise FieldProblem(f"The {what} is at most {SHIPMENT_TEXT_MAX} characters.")
    return text or None


def shipment_from_columns(type_: str, house_bill: str, seller_name: str, seller_country: str, marketplace: str
                          ) -> dict[str, Any] | None:
    """The shipment of the screen's optional text columns as a request body carries it (None when every column
    is empty); a :class:`FieldProblem` names the column at fault in ``field``."""
    if not (type_.strip() or house_bill.strip() or seller_name.strip() or seller_country.strip() or marketplace.strip()):
        return None
    name = "shipment_type"
    try:
        shipment: dict[str, Any] = {"type": parse_shipment_type(type_)}
        name = "house_bill"
        shipment["house_bill"] = parse_shipment_text(house_bill, what="house bill")
        name = "seller_name"
        seller = parse_shipment_text(seller_name, what="seller's name")
        name = "seller_country"
        country = parse_country(seller_country, what="seller's country")
        if country and not seller:
            raise FieldProblem("A seller's country needs the seller's name.")
        shipment["seller"] = {"name": seller, "country": country} if seller else None
        name = "marketplace"
        shipment["marketplace"] = parse_shipment_text(marketplace, what="marketplace")
    except FieldProblem as problem:
        problem.field = name
        raise
    return shipment


def shipment_input(shipment: dict[str, Any] | None) -> ShipmentInput | None:
    """The engine's view of a parsed ``shipment`` (None when the request has none)."""
    if not shipment:
        return None
    seller = shipment.get("seller") or {}
    return ShipmentInput(shipment.get("type") or "formal", shipment.get("house_bill"), seller.get("name"),
                         seller.get("country"), shipment.get("marketplace"))


def entry_input(data: dict[str, Any]) -> EntryInput:
    """The engine's input from a parsed request (``lines`` already in canonical form)."""
    return EntryInput(
        entry_number=data["entry_number"],
        port_code=data["port_code"],
        ior_number=data["ior_number"],
        lines=tuple(
            LineInput(
                line_no=line["line_no"],
                description=line["description"],
                hts_code=line["hts_code"],
                quantity=line["quantity"],
                value_usd=line["value_usd"],
                sector=line["sector"],
                condition=line["condition"],
                recordation_number=line.get("recordation_number"),
                lever_label=bool(line.get("lever_label")),
                blank_declaration_id=line.get("blank_declaration_id"),
                blank_line_no=line.get("blank_line_no"),
                country_of_origin=line.get("country_of_origin"),
            )
            for line in data["lines"]
        ),
        shipment=shipment_input(data.get("shipment")),
    )
