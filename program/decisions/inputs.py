"""Field parsers for decision requests, shared by the API schemas, the web form and the bulk CSV reader.

Each parser takes raw input and returns the canonical value or raises :class:`FieldProblem` with a
message that says what the field should look like. Plain functions, so the bulk screen can parse a
million rows without a schema library's per-field overhead, and every entry point agrees on formats.
"""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation
from typing import Any

from program.decisions.engine import EntryInput, LineInput
from program.decisions.entry_number import InvalidEntryNumber, parse_entry_number
from program.enrollment.formats import ior_problem, normalize_ior
from standards.models import RECORDATION_PATTERN

CONDITIONS = ("new_parallel", "used", "refurbished", "recycled", "blank")
MAX_LINES = 999
_HTS = re.compile(r"\d{4}\.?\d{2}\.?\d{4}")
_PORT = re.compile(r"\d{4}")
_BGD = re.compile(r"BGD-\d{4}-\d{6}")
_TRUE = frozenset({"true", "1", "yes", "y", "t"})
_FALSE = frozenset({"false", "0", "no", "n", "f", ""})


class FieldProblem(ValueError):
    """A field's value is malformed; ``str(problem)`` says what is expected."""


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
            )
            for line in data["lines"]
        ),
    )
