"""CSV in and out, safely: every CSV the service writes goes through :func:`writer` (cells a spreadsheet would
run as a formula are neutralised), and every CSV it reads goes through :func:`guarded` (the parser's own
errors, such as a field over ``csv.field_size_limit()``, become a 422 naming the field and row, not a 500).

Bulk loads (lists reviewers keep: debarred parties, violative shippers) read with :func:`read_rows` and save
with :func:`save_all`: every row is checked and numbered as a spreadsheet shows it, and every row is saved or
none (:class:`ImportFailed` lists each bad row).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Hashable, Iterable, Iterator, Sequence
from typing import Any, TextIO

from core import audit
from core.errors import ValidationFailed
from core.extensions import db

Problem = tuple[int, str, str]  # (row number, the header being row 1; field or ""; message)


class ImportFailed(Exception):
    """A CSV load with bad rows; ``errors`` are ``(row_number, field, message)`` and nothing was saved."""

    def __init__(self, errors: list[Problem]) -> None:
        super().__init__(f"{len(errors)} problem(s) in the file")
        self.errors = errors

# A cell starting with one of these is read as a formula (or a DDE call) by Excel, LibreOffice and Sheets.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
# A NUL then each of FORMULA_STARTS: found in NUL + the row's cells joined with NUL when a cell starts like a formula
# (a NUL inside a cell can only add matches, which then go cell by cell).
_AFTER_NUL = tuple("\0" + start for start in FORMULA_STARTS)


def safe_cell(value: Any) -> Any:
    """``value`` as a spreadsheet shows it without running it: text starting like a formula gets a leading
    apostrophe (OWASP's advice); numbers and empty cells are left alone."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


class SafeWriter:
    """A ``csv.writer`` whose rows pass through :func:`safe_cell`, and whose every row reads back as written.

    Python's writer (3.11) quotes a cell holding a line break only when the break is one of its
    ``lineterminator``'s characters: with ``"\n"`` it wrote a cell holding a lone carriage return bare, and every
    CSV reader (Python's, spreadsheets) ends the row there. Such a row is written with every cell quoted.
    """

    def __init__(self, out: TextIO, **kwargs: Any) -> None:
        self._out = out
        self._writer = csv.writer(out, **kwargs)
        dialect = self._writer.dialect
        self._cr_bare = "\r" not in dialect.lineterminator
        self._quoted = csv.writer(out, **{**kwargs, "quoting": csv.QUOTE_ALL}) if self._cr_bare else self._writer
        # Rows of plain text cells are written by joining them (writerows) when the dialect quotes as Excel's does.
        self._plain = (dialect.delimiter == "," and dialect.quotechar == '"' and dialect.quoting == csv.QUOTE_MINIMAL
                       and dialect.escapechar is None)

    def writerow(self, row: Iterable[Any]) -> Any:
        """Write one row, neutralised."""
        cells = [safe_cell(value) for value in row]
        if self._cr_bare and any(isinstance(value, str) and "\r" in value for value in cells):
            return self._quoted.writerow(cells)
        return self._writer.writerow(cells)

    def writerows(self, rows: Iterable[Iterable[Any]]) -> None:
        """Write many rows, neutralised. A row of text cells none of which starts like a formula or holds a carriage
        return (nearly every row) is checked with one search over its cells joined, not cell by cell; if no cell
        needs quoting either (no comma, quote, line break or NUL; two cells at least, as a lone empty cell is
        written ``""``), the joined cells are the row as the csv writer writes it, and such rows go out together."""
        write, careful = self._writer.writerow, self.writerow
        a, b, c, d, e, f = _AFTER_NUL
        plain = self._plain
        pending: list[str] = []  # plain rows' cells joined with NUL, not yet written
        end = self._writer.dialect.lineterminator

        def flush() -> None:
            if pending:
                self._out.write(end.join(pending).replace("\0", ",") + end)
                pending.clear()

        for row in rows:
            try:
                joined = "\0" + "\0".join(row)
            except TypeError:  # numbers, None: cell by cell
                flush()
                careful(row)
                continue
            if a in joined or b in joined or c in joined or d in joined or e in joined or f in joined or "\r" in joined:
                flush()
                careful(row)
            elif (plain and "," not in joined and '"' not in joined and "\n" not in joined and len(row) > 1
                  and joined.count("\0") == len(row)):
                pending.append(joined[1:])
            else:
                flush()
                write(row)
        flush()


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
            yield from iterator  # delegated row by row without a Python-level call per row
            return
        except csv.Error as exc:
            on_error(exc)


def read_rows(text: str, *, columns: Sequence[str], required: Sequence[str],
              check: Callable[[dict[str, str]], tuple[dict[str, Any], dict[str, list[str]]]],
              key: Callable[[dict[str, Any]], Hashable], duplicate: str) -> tuple[list[dict[str, Any]], list[Problem]]:
    """Read and check every row of a bulk load: the cleaned rows and the ``(row, field, message)`` problems,
    rows numbered as a spreadsheet shows them (the header is row 1; a leading byte-order mark is dropped).

    ``check(raw)`` gives a row's ``(values, {field: [message]})``; two rows with the same ``key(values)`` make
    the later one a problem on ``name`` ("Same <duplicate> as row N."); blank lines are skipped; a row the parser
    cannot read is a problem and the rows after it are still checked."""
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
    try:
        header = [(h or "").strip() for h in (reader.fieldnames or [])]
    except csv.Error as exc:
        return [], [(1, "header", f"The header cannot be read: {exc}.")]
    missing = [c for c in required if c not in header]
    if missing:
        return [], [(1, ",".join(missing), f"Missing column(s): {', '.join(missing)}; expected {', '.join(columns)}.")]
    rows: list[dict[str, Any]] = []
    problems: list[Problem] = []
    seen: dict[Hashable, int] = {}
    unreadable: list[int] = []
    for raw in tolerant(reader, on_error=lambda _exc: unreadable.append(reader.reader.line_num)):
        number = reader.line_num  # the file's line (a value running over lines: its last); blank lines count
        raw = {(k or "").strip(): (v or "") for k, v in raw.items() if k is not None and not isinstance(v, list)}
        if not any(value.strip() for value in raw.values()):
            continue  # blank line
        values, errors = check(raw)
        found = key(values)
        if not errors and found in seen:
            errors["name"] = [f"Same {duplicate} as row {seen[found]}."]
        seen.setdefault(found, number)
        problems.extend((number, field, message) for field, messages in errors.items() for message in messages)
        rows.append(values)
    problems.extend((number, "", f"A field is longer than {csv.field_size_limit()} characters, or the row cannot be "
                                 "read.") for number in unreadable)
    if not rows and not problems:
        problems.append((2, "", "The file has no rows."))
    return rows, problems


def save_all(actor: Any, parsed: tuple[list[dict[str, Any]], list[Problem]], make: Callable[..., Any], *,
             action: str, entity_type: str, snapshot: Callable[[Any], dict[str, Any]]) -> list[Any]:
    """Save every row :func:`read_rows` gave, or none: ``ImportFailed`` when it found problems; else one
    ``make(**values, created_by_id=…)`` per row, added in the caller's transaction, each audited as ``action``."""
    rows, problems = parsed
    if problems:
        raise ImportFailed(problems)
    made = [make(**values, created_by_id=getattr(actor, "id", None)) for values in rows]
    db.session.add_all(made)
    db.session.flush()
    for item in made:
        audit.record(actor, action, entity_type, item.id, after=snapshot(item))
    return made
