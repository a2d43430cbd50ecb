"""Reading a screening file: the header, each row parsed into the engine's input, rows grouped into entries.

The input (API.md, "Release decisions") has one row per entry line; rows with the same
``entry_number`` form one entry, wherever they are in the file. An entry is closed once all its rows
have been read, so a file (any seekable input) is first read once to check that each entry's rows are
contiguous (:mod:`program.decisions.grouping`); if not, its rows are sorted by entry number on disk and
read in that order (the output then lists each entry's rows together, entries by number; row numbers in
reports are still the file's). Input that cannot be read twice (an iterable of lines) must have
contiguous entries: an entry number that reappears after other entries, within a look-back of the last
:data:`LOOKBACK` entries, is reported as a bad row rather than decided twice.

Bad rows are reported with their row number (the file's line number, the header being line 1) and the
first field at fault, and do not stop the run. **An entry with a bad row is rejected whole**: deciding
the rest would give an entry outcome for goods other than those presented (a missing line could hide a
referral) and draw blank quantities for part of a shipment.
"""

from __future__ import annotations

import csv
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from decimal import Decimal, InvalidOperation
from functools import lru_cache, partial
from operator import itemgetter
from typing import Any

from core import csvio
from program.decisions import grouping, inputs
from program.decisions.engine import EntryInput, LineInput, ShipmentInput
from program.decisions.screen_summary import MAX_ERRORS_KEPT, ScreenSummary

INPUT_COLUMNS = ("entry_number", "port_code", "ior_number", "line_no", "description", "hts_code", "quantity",
                 "value_usd", "sector", "condition", "recordation_number", "lever_label", "blank_declaration_id",
                 "blank_line_no")
LOOKBACK = 100_000
# The optional columns (API.md): a line's country of origin, then its entry's shipment. Those the header has are
# read and written back in the output after the fixed columns, in this order.
OPTIONAL_COLUMNS = inputs.OPTIONAL_SCREEN_COLUMNS
RESULT_COLUMNS = ("line_outcome", "entry_outcome", "reasons", "uei")
MAX_GOODS_REMEMBERED = 20_000  # distinct goods columns kept (each holds eight input strings)
MAX_TEXTS_SHARED = 20_000  # distinct optional-column texts shared between rows (countries, sellers, marketplaces)
_WIDTH = len(INPUT_COLUMNS)
_SHIPMENT_COLUMNS = OPTIONAL_COLUMNS[1:]


class ScreenInputError(ValueError):
    """The file cannot be screened at all (no header, missing columns)."""


# Field parsers of inputs.py behind small caches: most values repeat (IOR numbers, HTS codes, sectors,
# marks), so a million rows cost a dictionary look-up per field, not a regular expression.
# Not the entry number: an entry's first row alone parses it, so each is seen once (the parser checks a canonical
# number in a few table look-ups, program.decisions.entry_number).
_entry_number = inputs.parse_entry
_port = lru_cache(maxsize=1024)(inputs.parse_port)
_ior = lru_cache(maxsize=8192)(inputs.parse_ior)
_hts = lru_cache(maxsize=16384)(inputs.parse_hts)
_recordation = lru_cache(maxsize=4096)(inputs.parse_recordation)
_lever = lru_cache(maxsize=64)(inputs.parse_bool)
_declaration = lru_cache(maxsize=8192)(inputs.parse_declaration_id)
_line_no = lru_cache(maxsize=10000)(inputs.parse_line_no)
_blank_line_no = lru_cache(maxsize=10000)(lambda v: inputs.parse_line_no(v, what="blank line number"))
_quantity = lru_cache(maxsize=16384)(lambda v: inputs.parse_decimal(v, positive=True, what="quantity"))
_country = lru_cache(maxsize=1024)(inputs.parse_country)
_TOO_LARGE = Decimal("1e15")


@lru_cache(maxsize=8192)
def _shipment(columns: tuple[str, ...]) -> tuple[dict[str, Any] | None, ShipmentInput | None]:
    """The shipment of the optional shipment columns as stored and as the engine sees it (None: no shipment)."""
    shipment = inputs.shipment_from_columns(*columns)
    return shipment, inputs.shipment_input(shipment)


def _parcel_shipment(columns: tuple[str, ...]) -> tuple[dict[str, Any] | None, ShipmentInput | None]:
    """``_shipment(columns)`` for a shipment whose house bill is one of a kind (a parcel's): the other columns
    are parsed once through the cache and the house bill added; anything unusual goes the cached way whole."""
    bill = columns[1]
    if not bill:
        return _shipment(columns)
    try:
        base, base_input = _shipment((columns[0], "", *columns[2:]))
    except inputs.FieldProblem:
        return _shipment(columns)  # raises the problem of the first column at fault
    text = " ".join(bill.split())
    if base is None or base_input is None or not text or "\x00" in text or len(text) > inputs.SHIPMENT_TEXT_MAX:
        return _shipment(columns)
    return ({**base, "house_bill": text},
            ShipmentInput(base_input.type, text, base_input.seller_name, base_input.seller_country,
                          base_input.marketplace))


def _value(text: str) -> Decimal:
    """``inputs.parse_decimal`` for a value in USD: values hardly repeat, so a fast path instead of a cache."""
    try:
        number = Decimal(text)  # strips surrounding white space itself, as parse_decimal does first
    except InvalidOperation:
        number = None
    if number is not None and number.is_finite() and 0 <= number < _TOO_LARGE:
        return number
    return inputs.parse_decimal(text, positive=False, what="value in USD")  # says what is wrong


_CONDITIONS = frozenset(inputs.CONDITIONS)
_line_input = partial(tuple.__new__, LineInput)  # every field given: skips the named tuple's Python __new__


class EntryRows:
    """The rows of one entry as read: parsed lines, or the problems that reject it."""

    __slots__ = ("key", "first_row", "entry_number", "port", "ior", "raw_port", "raw_ior", "rows", "lines", "line_nos",
                 "bad", "shipment", "shipment_input", "raw_shipment")

    def __init__(self, key: str, first_row: int) -> None:
        self.key = key
        self.first_row = first_row
        self.entry_number: str | None = None
        self.port: str | None = None
        self.ior: str | None = None
        self.raw_port = self.raw_ior = ""
        self.rows: list[list[str]] = []  # output prefixes (the API columns as given)
        self.lines: list[LineInput] = []  # the engine's input, one per good row
        self.line_nos: set[int] = set()
        self.bad: dict[int, str] | None = None  # index in rows -> field at fault
        self.shipment: dict[str, Any] | None = None  # as stored (API.md's ``shipment``), from the first row
        self.shipment_input: ShipmentInput | None = None  # as the engine sees it
        self.raw_shipment: tuple[str, ...] | None = None  # the first row's shipment columns as given

    def entry_input(self) -> EntryInput:
        """The engine's input for the entry (its rows all good)."""
        return EntryInput(self.entry_number, self.port, self.ior, tuple(self.lines), self.shipment_input)


def column_index(header: list[str] | None) -> list[int]:
    """The position of each of :data:`INPUT_COLUMNS` in ``header`` (names trimmed, any case, BOM dropped)."""
    if header is None:
        raise ScreenInputError("The file is empty; the first row must name the columns.")
    names = [name.strip().lower().lstrip("\ufeff") for name in header]
    missing = [c for c in INPUT_COLUMNS if c not in names]
    if missing:
        raise ScreenInputError(f"The header lacks the column(s) {', '.join(missing)}; "
                               f"the columns are {', '.join(INPUT_COLUMNS)}.")
    return [names.index(c) for c in INPUT_COLUMNS]


def optional_columns(header: list[str]) -> tuple[str, ...]:
    """Which of :data:`OPTIONAL_COLUMNS` ``header`` has, in that order."""
    names = {name.strip().lower().lstrip("\ufeff") for name in header}
    return tuple(c for c in OPTIONAL_COLUMNS if c in names)


def output_columns(header: list[str]) -> tuple[str, ...]:
    """The output's columns for input read under ``header``: the fixed input columns, the optional ones it has,
    the results (API.md)."""
    return INPUT_COLUMNS + optional_columns(header) + RESULT_COLUMNS


def numbered_rows(lines: Iterable[str], summary: ScreenSummary, *, contiguous: bool | None = None
                  ) -> tuple[list[str], Iterator[tuple[int, list[str]]]]:
    """The header and ``(row number, row)`` of every row after it, each entry's rows together when ``lines``
    can be read twice (the module docstring); ``summary.regrouped`` says whether they had to be sorted.

    ``contiguous=True``: the rows as they are, unchecked — for a caller that checks them as it reads
    (:class:`grouping.ContiguityCheck`) and asks again, unsaid, if an entry comes back; ``contiguous=False``: sorted,
    unchecked — for a caller that has found an entry that comes back."""
    reader = csv.reader(lines)
    header = next(reader, None)
    key_column = column_index(header)[0]
    if not readable_twice(lines):
        rows = _readable(reader, summary)
        return header, ((reader.line_num, row) for row in rows)
    if contiguous is None:
        contiguous = grouping.entries_are_contiguous(data_rows(lines), key_column, again=lambda: data_rows(lines))
    lines.seek(0)
    raw_reader = csv.reader(lines)
    next(raw_reader, None)
    reader = _LineCounted(raw_reader, _readable(raw_reader, summary))
    if contiguous:
        return header, ((raw_reader.line_num, row) for row in reader)
    summary.regrouped = True

    def sorted_rows(total: int) -> None:
        summary.rows_total = total

    return header, grouping.sorted_by_entry(reader, key_column, line_number=lambda: reader.line_num,
                                            on_sorted=sorted_rows)


def readable_twice(lines: Any) -> bool:
    """Whether ``lines`` can be read again from its start: :func:`numbered_rows` then brings each entry's rows
    together (checked, or sorted); other input is read once, as it is."""
    return callable(getattr(lines, "seekable", None)) and lines.seekable()


def data_rows(lines: Any) -> Iterator[list[str]]:
    """The rows after the header of the seekable ``lines``, read from its start again (rows the parser refuses are
    skipped)."""
    lines.seek(0)
    rows = csvio.tolerant(csv.reader(lines), on_error=lambda _exc: None)
    next(rows, None)
    return rows


class _TakenLines:
    """The lines of a text that a csv reader takes, kept in ``taken`` until the caller clears them: after each row
    read, the row's own text (one line, or several when a quoted cell holds a line break)."""

    __slots__ = ("_next", "taken")

    def __init__(self, lines: Iterable[str]) -> None:
        self._next = iter(lines).__next__
        self.taken: list[str] = []

    def __iter__(self) -> _TakenLines:
        return self

    def __next__(self) -> str:
        line = self._next()
        self.taken.append(line)
        return line


def numbered_records(lines: Iterable[str], summary: ScreenSummary
                     ) -> tuple[list[str], Iterator[tuple[int, list[str], str]]]:
    """The header and ``(row number, row, text)`` of every row after it, as they are (unchecked, like
    ``numbered_rows(…, contiguous=True)``), ``text`` being the row's own text in the file, ending with a line break:
    what a partitioned run copies into a partition without writing the row again (a file is read from its start)."""
    if callable(getattr(lines, "seekable", None)) and lines.seekable():
        lines.seek(0)
    source = _TakenLines(lines)
    reader = csv.reader(source)
    header = next(reader, None)
    column_index(header)  # a bad header is refused here, as numbered_rows refuses it
    taken = source.taken

    def records() -> Iterator[tuple[int, list[str], str]]:
        taken.clear()  # the header's lines
        for row in _readable(reader, summary, also=taken.clear):  # an unreadable row's lines are dropped with it
            text = taken[0] if len(taken) == 1 else "".join(taken)
            taken.clear()
            if not row:
                continue
            if not text.endswith(("\n", "\r")):  # the file's last line
                text += "\n"
            yield reader.line_num, row, text

    return header, records()


class EntryReader:
    """Parse numbered rows into :class:`EntryRows`, one per entry, reporting bad rows into ``summary``."""

    def __init__(self, header: list[str], *, sectors: Any, summary: ScreenSummary,
                 on_bad_row: Callable[[dict[str, Any]], None] | None = None, together: bool = False) -> None:
        names = [name.strip().lower().lstrip("\ufeff") for name in header]
        # ``together``: each entry's rows are known to be together (checked or sorted before, or dealt so), and the
        # look-back of closed entries, which reports an entry that comes back, is not kept.
        self.together = together
        self.optional = optional_columns(header)
        self._index = column_index(header) + [names.index(c) for c in self.optional]
        self._in_order = self._index == list(range(len(self._index)))
        # Where each optional column is in the output prefix (None: absent, read as empty).
        at = {c: _WIDTH + i for i, c in enumerate(self.optional)}
        self._country_at = at.get("country_of_origin")
        shipment_at = tuple(at.get(c) for c in _SHIPMENT_COLUMNS)
        self._has_shipment = any(i is not None for i in shipment_at)
        # The shipment columns of a row as a tuple (absent ones empty): one C call when all are there.
        self._shipment_columns: Callable[[list[str]], tuple[str, ...]] = (
            itemgetter(*shipment_at) if None not in shipment_at
            else lambda prefix: tuple("" if i is None else prefix[i] for i in shipment_at))
        self.sectors = sectors
        self.summary = summary
        self.on_bad_row = on_bad_row
        self.recent: dict[str, int] = {}  # entry keys already closed -> their first row (bounded)
        self._order: deque[str] = deque()  # those keys, oldest first (an OrderedDict cost 13 MB more at 100,000)
        self._goods: dict[tuple[str, ...], tuple] = {}  # goods columns as given -> parsed, once all were valid
        # The optional columns that repeat (all but the house bill) keep one string per distinct text: the rows of
        # two chunks are held at once, and a fresh copy of each seller's name per row cost tens of megabytes.
        self._shared_at = [at[c] for c in self.optional if c != "house_bill"]
        self._texts: dict[str, str] = {}

    def entries(self, rows: Iterable[tuple[int, list[str]]]) -> Iterator[EntryRows]:
        """Every entry of ``rows`` (numbered rows), in order, once its last row has been read."""
        group: EntryRows | None = None
        index = self._index
        width = max(index) + 1
        key_of = grouping.EntryKeys(index[0])
        for row_no, row in rows:
            if not row:
                continue
            key = key_of(row)
            if group is None or key != group.key:
                if group is not None:
                    yield self._close(group)
                group = EntryRows(key, row_no)
            self._add_row(group, row, row_no, width)
        if group is not None:
            yield self._close(group)

    def _close(self, group: EntryRows) -> EntryRows:
        """Remember the closed entry for the contiguity check (bounded look-back), unless the rows are together."""
        if self.together:
            return group
        recent = self.recent
        if group.key in recent and group.bad is None:
            message = (f"Entry {group.key} already appeared from row {recent[group.key]}; the rows of an entry "
                       "must be contiguous (sort the file by entry_number).")
            for i in range(len(group.rows)):
                self._bad(group, i, group.first_row + i, "entry_number", message)
        if group.key not in recent:
            self._order.append(group.key)
        recent[group.key] = group.first_row
        if len(recent) > LOOKBACK:
            # By key, in O(1): deleting a dict's first key through next(iter(…)) rescans its deleted slots.
            del recent[self._order.popleft()]
        return group

    def _bad(self, group: EntryRows, i: int, row_no: int, field_name: str, message: str) -> None:
        if group.bad is None:
            group.bad = {}
        group.bad[i] = field_name
        summary = self.summary
        summary.bad_rows += 1
        problem = {"row": row_no, "field": field_name, "message": message}
        if len(summary.errors) < MAX_ERRORS_KEPT:
            summary.errors.append(problem)
        if self.on_bad_row is not None:
            self.on_bad_row(problem)

    def _add_row(self, group: EntryRows, row: list[str], row_no: int, width: int) -> None:
        """Parse one row into ``group`` (the hot path: cached parsers, no schema library)."""
        index = self._index
        if len(row) < width:
            row = row + [""] * (width - len(row))
        # The output row starts as the input columns as given; the reader's list is ours to keep and extend.
        size = len(index)
        prefix = (row if len(row) == size else row[:size]) if self._in_order else [row[i] for i in index]
        group.rows.append(prefix)
        i = len(group.rows) - 1
        (entry_number, port, ior, line_no, description, hts, quantity, value, sector, condition, recordation,
         lever, declaration, blank_line_no) = prefix if size == _WIDTH else prefix[:_WIDTH]
        if self._shared_at:
            texts = self._texts
            if len(texts) >= MAX_TEXTS_SHARED:
                texts.clear()
            for at in self._shared_at:
                text = prefix[at]
                prefix[at] = texts.setdefault(text, text)
        country = None
        name = "entry_number"
        try:
            if group.entry_number is None:  # the first row speaks for the entry; the others must agree
                entry = _entry_number(entry_number)
                name = "port_code"
                parsed_port = _port(port)
                name = "ior_number"
                group.ior, group.raw_ior = _ior(ior), ior
                group.port, group.raw_port, group.entry_number = parsed_port, port, entry
            else:
                if port != group.raw_port:
                    name = "port_code"
                    if _port(port) != group.port:
                        raise inputs.FieldProblem(f"The port code differs from the entry's first row ({group.port}).")
                if ior != group.raw_ior:
                    name = "ior_number"
                    if _ior(ior) != group.ior:
                        raise inputs.FieldProblem(f"The IOR number differs from the entry's first row ({group.ior}).")
            name = "line_no"
            number = _line_no(line_no)
            if number in group.line_nos:
                raise inputs.FieldProblem(f"Line number {number} appears twice in entry {group.entry_number}.")
            if len(group.line_nos) >= inputs.MAX_LINES:
                raise inputs.FieldProblem(f"An entry has at most {inputs.MAX_LINES} lines.")
            name = "description"
            description = description.strip()
            if not 1 <= len(description) <= 500:
                raise inputs.FieldProblem("A description of 1 to 500 characters is required.")
            # The goods columns repeat far more than each value alone: once they have all parsed, the same
            # texts again cost one look-up (only the value in USD, between them in column order, is left).
            raw_goods = (hts, quantity, sector, condition, recordation, lever, declaration, blank_line_no)
            goods = self._goods.get(raw_goods)
            if goods is not None:
                name = "value_usd"
                value = _value(value)
                hts, quantity, sector, condition, recordation, lever, declaration, blank_line_no = goods
            else:
                name = "hts_code"
                hts = _hts(hts)
                name = "quantity"
                quantity = _quantity(quantity)
                name = "value_usd"
                value = _value(value)
                name = "sector"
                sector = sector.strip()
                if sector not in self.sectors:
                    raise inputs.FieldProblem(f"Unknown sector {sector!r}; use a sector code such as mobile_devices.")
                name = "condition"
                condition = condition.strip()
                if condition not in _CONDITIONS:
                    inputs.parse_condition(condition)
                name = "recordation_number"
                recordation = _recordation(recordation)
                name = "lever_label"
                lever = _lever(lever)
                name = "blank_declaration_id"
                declaration = _declaration(declaration)
                name = "blank_line_no"
                blank_line_no = _blank_line_no(blank_line_no) if blank_line_no.strip() else None
                if len(self._goods) >= MAX_GOODS_REMEMBERED:
                    self._goods.clear()
                self._goods[raw_goods] = (hts, quantity, sector, condition, recordation, lever, declaration,
                                          blank_line_no)
            if self._country_at is not None:
                name = "country_of_origin"
                country = _country(prefix[self._country_at])
            if self._has_shipment:
                self._read_shipment(group, prefix)
        except inputs.FieldProblem as problem:
            self._bad(group, i, row_no, problem.field or name, str(problem))
            return
        group.line_nos.add(number)
        group.lines.append(_line_input((number, description, hts, quantity, value, sector, condition, recordation,
                                        lever, declaration, blank_line_no, country)))

    def _read_shipment(self, group: EntryRows, prefix: list[str]) -> None:
        """The entry's shipment from its first row's shipment columns; a later row leaves them empty or gives
        the same shipment (else a :class:`inputs.FieldProblem` naming the first column that differs)."""
        raw = self._shipment_columns(prefix)
        if raw == group.raw_shipment:
            return
        if group.raw_shipment is None:
            group.shipment, group.shipment_input = _parcel_shipment(raw)
            group.raw_shipment = raw
            return
        shipment, _ = _shipment(raw)  # a bad value is reported as such before any comparison
        if shipment is None or shipment == group.shipment:
            return
        given, first = _shipment_fields(shipment), _shipment_fields(group.shipment)
        if given == first:  # the same shipment: a first row without one is a formal entry, as a later one may say
            return
        problem = inputs.FieldProblem("The shipment differs from the entry's first row; an entry is one shipment.")
        problem.field = next(c for c, a, b in zip(_SHIPMENT_COLUMNS, given, first, strict=True) if a != b)
        raise problem


def _shipment_fields(shipment: dict[str, Any] | None) -> tuple[Any, ...]:
    """A stored shipment as the values of the shipment columns, in their order."""
    if shipment is None:
        return ("formal", None, None, None, None)
    seller = shipment["seller"] or {}
    return (shipment["type"], shipment["house_bill"], seller.get("name"), seller.get("country"),
            shipment["marketplace"])


class _LineCounted:
    """Rows of a tolerant reader that still tell the underlying reader's ``line_num``."""

    def __init__(self, raw: Any, rows: Iterator[list[str]]) -> None:
        self._raw, self._rows = raw, rows

    @property
    def line_num(self) -> int:
        """The underlying reader's current line number."""
        return self._raw.line_num

    def __iter__(self) -> Iterator[list[str]]:
        return self._rows

    def __next__(self) -> list[str]:
        return next(self._rows)


def _readable(reader: Any, summary: ScreenSummary, *, also: Callable[[], Any] | None = None) -> Iterator[list[str]]:
    """The reader's rows; a row the parser refuses (a field over the size limit) is a reported bad row, skipped
    (and ``also()`` called)."""

    def unreadable(exc: csv.Error) -> None:
        if also is not None:
            also()
        summary.bad_rows += 1
        problem = {"row": reader.line_num, "field": "", "message": f"The row cannot be read: {exc}."}
        if len(summary.errors) < MAX_ERRORS_KEPT:
            summary.errors.append(problem)

    return csvio.tolerant(reader, on_error=unreadable)
