"""CSV in and out, safely: every CSV the service writes goes through :func:`writer` (cells a spreadsheet would
run as a formula are neutralised), and every CSV it reads goes through :func:`guarded` (the parser's own
errors, such as a field over ``csv.field_size_limit()``, become a 422 naming the field and row, not a 500).
"""

from __future__ import annotations

import csv
from collections.abc import Iterable, Iterator
from typing import Any, TextIO

from core.errors import ValidationFailed

# A cell starting with one of these is read as a formula (or a DDE call) by Excel, LibreOffice and Sheets.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: Any) -> Any:
    """``value`` as a spreadsheet shows it without running it: text starting like a formula gets a leading
    apostrophe (OWASP's advice); numbers and empty cells are left alone."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


class SafeWriter:
    """A ``csv.writer`` whose rows pass through :func:`safe_cell`."""

    def __init__(self, out: TextIO, **kwargs: Any) -> None:
        self._writer = csv.writer(out, **kwargs)

    def writerow(self, row: Iterable[Any]) -> Any:
        """Write one row, neutralised."""
        return self._writer.writerow([safe_cell(value) for value in row])

    def writerows(self, rows: Iterable[Iterable[Any]]) -> None:
        """Write many rows, neutralised."""
        for row in rows:
            self.writerow(row)


def writer(out: TextIO, **kwargs: Any) -> SafeWriter:
    """The one CSV writer of exports and screening output (``csv.writer`` arguments)."""
    return SafeWriter(out, **kwargs)


def guarded(rows: Iterable[Any], *, field: str, line_num: Any = None) -> Iterator[Any]:
    """The rows of a csv reader; a parser error (a field over the size limit, a NUL) → 422 naming ``field``
    and the row (``line_num()`` gives the reader's current line)."""
    iterator = iter(rows)
    while True:
        try:
            row = next(iterator)
        except StopIteration:
            return
        except csv.Error as exc:
            where = f"Row {line_num()}: " if line_num is not None else ""
            limit = csv.field_size_limit()
            reason = (f"a field is longer than {limit} characters" if "field larger" in str(exc)
                      else f"the CSV cannot be read ({exc})")
            raise ValidationFailed(f"{where}{reason}.", fields={field: [f"{where}{reason}."]}) from exc
        yield row


def tolerant(rows: Iterable[list[str]], *, on_error: Any) -> Iterator[list[str]]:
    """The rows of a csv reader, skipping a row the parser refuses (``on_error(exc)`` is told) and going on
    with the next: for bulk runs whose bad rows must not stop the run."""
    iterator = iter(rows)
    while True:
        try:
            row = next(iterator)
        except StopIteration:
            return
        except csv.Error as exc:
            on_error(exc)
            continue
        yield row
