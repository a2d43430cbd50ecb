"""Bulk filing: the lines of a declaration from a CSV file, every problem reported with its row number.

Columns (header row required, any order): ``line_no`` (optional; defaults to the row's position),
``description``, ``hts_code``, ``quantity``, ``unit``, ``country_of_origin``, ``intended_marking``,
``authorization_ref``, ``recordation_number``. Row numbers are those a spreadsheet shows: the header
is row 1, the first line row 2. Nothing is filed unless every row is valid.
"""

from __future__ import annotations

import csv
import io
from typing import Any

from core import csvio
from core.errors import PayloadTooLarge, ValidationFailed

COLUMNS = ("line_no", "description", "hts_code", "quantity", "unit", "country_of_origin", "intended_marking",
           "authorization_ref", "recordation_number")
REQUIRED = frozenset({"description", "hts_code", "quantity", "country_of_origin"})
MAX_BYTES = 2 * 1024 * 1024
FIELD = "lines_csv"
TEMPLATE = ",".join(COLUMNS) + "\n1,Plain cotton tote bags,4202.92.3131,1000,pcs,CN,none,,\n"


def decode(data: bytes | str) -> str:
    """The CSV as text (UTF-8, with or without a byte-order mark); 422 for anything else."""
    if isinstance(data, str):
        if len(data) > MAX_BYTES:  # refused before it is parsed (the input layer already caps JSON strings)
            raise PayloadTooLarge("The CSV text is larger than 2 MB.", fields={FIELD: ["Use text under 2 MB."]})
        return data
    if len(data) > MAX_BYTES:
        raise PayloadTooLarge("The CSV file is too large.", fields={FIELD: ["Use a file under 2 MB."]})
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ValidationFailed("The CSV file is not UTF-8 text.",
                               fields={FIELD: ["Save the file as CSV (UTF-8) and upload it again."]}) from exc


def _fieldnames(reader: csv.DictReader) -> list[str] | None:
    try:
        return reader.fieldnames
    except csv.Error as exc:  # the header row itself is unreadable (e.g. a field over the size limit)
        raise ValidationFailed("Row 1: the header cannot be read.", fields={FIELD: [f"Row 1: {exc}."]}) from exc


def read_lines(text: str) -> tuple[list[dict[str, Any]], list[str]]:
    """Rows of the CSV as raw line dicts plus the field path of each (``lines_csv.row 2``); 422 when the
    header is unusable or there are no rows."""
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
    rows = csvio.guarded(reader, field=FIELD, line_num=lambda: reader.reader.line_num)
    header = [(name or "").strip().lower() for name in (_fieldnames(reader) or [])]
    missing = sorted(REQUIRED - set(header))
    if missing:
        raise ValidationFailed("The CSV file's header row is missing columns.",
                               fields={FIELD: [f"Row 1: the header needs the columns {', '.join(missing)} "
                                               f"(all columns: {', '.join(COLUMNS)})."]})
    reader.fieldnames = header
    lines: list[dict[str, Any]] = []
    paths: list[str] = []
    for row in rows:
        if not any((value or "").strip() for key, value in row.items() if key):
            continue  # blank rows in a spreadsheet export are not lines
        lines.append({key: (row.get(key) or "").strip() for key in COLUMNS})
        paths.append(f"{FIELD}.row {reader.line_num}")
    if not lines:
        raise ValidationFailed("The CSV file has no lines.", fields={FIELD: ["Add at least one line below the header."]})
    return lines, paths
