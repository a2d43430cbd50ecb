"""Bulk screening: decide every entry of a CSV of entry lines, in constant memory, at border scale.

The input (API.md, "Release decisions") has one row per entry line; rows with the same
``entry_number`` form one entry, wherever they are in the file. Rows are streamed: only the current
chunk of entries (``chunk_entries``, default 5,000) is in memory, whatever the size of the file. An
entry is decided once all its rows have been read, so a file (any seekable input) is first read once to
check that each entry's rows are contiguous (:mod:`program.decisions.grouping`); if not, its rows are
sorted by entry number on disk and screened in that order (the output then lists each entry's rows
together, entries by number; row numbers in reports are still the file's). Input that cannot be read
twice (an iterable of lines) must have contiguous entries: an entry number that reappears after other
entries, within a look-back of the last :data:`LOOKBACK` entries, is reported as a bad row rather than
decided twice.

Bad rows are reported with their row number (the file's line number, the header being line 1) and the
first field at fault, and do not stop the run. **An entry with a bad row is rejected whole**: deciding
the rest would give an entry outcome for goods other than those presented (a missing line could hide a
referral) and draw blank quantities for part of a shipment. Its rows come out with ``entry_outcome``
``rejected``, the bad rows with reason ``invalid:<field>`` and the others with ``entry_rejected``.

Program facts are loaded once (:func:`program.decisions.facts.load_snapshot`) and every entry is decided
by the same pure engine as the API. Blank-goods quantities are tracked in memory as the run draws them,
so later entries see what earlier ones took; each chunk then draws its total per declared line with the
conditional ``UPDATE … WHERE remaining >= :q`` in the chunk's transaction. If a draw fails (an API
decision took the quantity meanwhile), the transaction is rolled back, the cited lines are re-read and
the chunk re-decided on what is really left (the same UEIs), as :func:`services.request_decision` does
for one entry. Entries are decided through :class:`~program.decisions.memo.DecisionMemo`, which runs the
engine's rules once per recurring combination of importer and line facts and gives what ``decide`` gives.

Decisions, lines and ledger rows are written in bulk (``INSERT``s of many rows each on SQLite, ``COPY``
on PostgreSQL) with one audit entry per chunk; no ORM object is made per decision or line. The chunk's
progress row, blank draws, ledger rows and audit entry are written first, on the main thread; its
decisions and lines are then inserted and the transaction committed on a background thread while the
main thread reads the next chunk (the database works without the GIL). The next chunk's transaction
starts only after that commit, and a chunk's output rows are written only once it has committed, so the
output never shows a decision that was not stored.
"""

from __future__ import annotations

import csv
import gc
import json
import sqlite3
import sys
import time
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field, replace
from datetime import date
from decimal import Decimal, InvalidOperation
from functools import lru_cache, partial
from itertools import chain
from typing import Any, TextIO

from flask import current_app
from sqlalchemy import select, update

from core import audit, csvio
from core.extensions import db
from core.timeutil import today, utcnow
from program.blanks.models import BlankConsumption, BlankLine
from program.blanks.services import draw_blank_quantity, record_blank_consumptions
from program.decisions import facts as program_facts
from program.decisions import grouping, inputs
from program.decisions.engine import OUTCOMES, RULES_VERSION, EntryDecision, EntryInput, LineInput
from program.decisions.memo import DecisionMemo
from program.decisions.models import DecisionLine, ReleaseDecision, ScreenJob
from program.decisions.uei import new_ueis

INPUT_COLUMNS = ("entry_number", "port_code", "ior_number", "line_no", "description", "hts_code", "quantity",
                 "value_usd", "sector", "condition", "recordation_number", "lever_label", "blank_declaration_id",
                 "blank_line_no")
RESULT_COLUMNS = ("line_outcome", "entry_outcome", "reasons", "uei")
OUTPUT_COLUMNS = INPUT_COLUMNS + RESULT_COLUMNS
REJECTED = "rejected"
CHUNK_ENTRIES = 5000
LOOKBACK = 100_000
MAX_ERRORS_KEPT = 100
MAX_ATTEMPTS = 5
MAX_GOODS_REMEMBERED = 20_000  # distinct goods columns kept (each holds eight input strings)
SWITCH_INTERVAL = 0.0005  # seconds; see _run_settings
MAX_VARIABLES = 8192  # bound values per SQLite INSERT: bigger statements gained nothing and cost memory

_WIDTH = len(INPUT_COLUMNS)
_DECISIONS = ReleaseDecision.__table__
_LINES = DecisionLine.__table__
_JOBS = ScreenJob.__table__
_LEDGER = BlankConsumption.__table__
_LEDGER_COLUMNS = ("line_id", "quantity", "decision_id", "reference", "created_at")
_DECISION_COLUMNS = ("id", "uei", "entry_number", "port_code", "ior_number", "organization_id", "enrollment_id",
                     "requested_by_id", "source", "screen_job_id", "outcome", "rules_version", "facts_used",
                     "line_count", "decided_at")
_LINE_COLUMNS = ("decision_id", "line_no", "description", "hts_code", "quantity", "value_usd", "sector", "condition",
                 "recordation_number", "lever_label", "blank_declaration_id", "blank_line_no", "outcome", "reasons")


class ScreenInputError(ValueError):
    """The file cannot be screened at all (no header, missing columns)."""


# Field parsers of inputs.py behind small caches: most values repeat (IOR numbers, HTS codes, sectors,
# marks), so a million rows cost a dictionary look-up per field, not a regular expression.
_entry_number = lru_cache(maxsize=8192)(inputs.parse_entry)
_port = lru_cache(maxsize=1024)(inputs.parse_port)
_ior = lru_cache(maxsize=8192)(inputs.parse_ior)
_hts = lru_cache(maxsize=16384)(inputs.parse_hts)
_recordation = lru_cache(maxsize=4096)(inputs.parse_recordation)
_lever = lru_cache(maxsize=64)(inputs.parse_bool)
_declaration = lru_cache(maxsize=8192)(inputs.parse_declaration_id)
_line_no = lru_cache(maxsize=10000)(inputs.parse_line_no)
_blank_line_no = lru_cache(maxsize=10000)(lambda v: inputs.parse_line_no(v, what="blank line number"))
_quantity = lru_cache(maxsize=16384)(lambda v: inputs.parse_decimal(v, positive=True, what="quantity"))
_TOO_LARGE = Decimal("1e15")


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
_compact_json = json.JSONEncoder(separators=(",", ":")).encode  # what json.dumps(…, separators=…) makes
_line_input = partial(tuple.__new__, LineInput)  # every field given: skips the named tuple's Python __new__


@dataclass
class ScreenSummary:
    """What a run did: counts by outcome, bad rows (the first few kept), time taken."""

    job_id: int | None = None
    rows: int = 0
    entries: Counter = field(default_factory=Counter)  # decided entries by outcome
    lines: Counter = field(default_factory=Counter)  # decided lines by outcome
    rejected_entries: int = 0
    rejected_lines: int = 0
    bad_rows: int = 0
    errors: list[dict[str, Any]] = field(default_factory=list)
    elapsed: float = 0.0
    regrouped: bool = False  # entries were not contiguous: rows were sorted by entry number first
    rows_total: int | None = None  # known once the rows have been sorted (progress of a regrouped run)

    @property
    def decided_lines(self) -> int:
        """Lines decided (rows of rejected entries excluded)."""
        return sum(self.lines.values())

    @property
    def lines_per_second(self) -> float:
        """Rows screened per second of wall time."""
        return self.rows / self.elapsed if self.elapsed else 0.0

    def to_dict(self) -> dict[str, Any]:
        """The JSON stored on the job and shown by the progress page."""
        return {
            "rows": self.rows,
            "entries": {o: self.entries.get(o, 0) for o in OUTCOMES},
            "lines": {o: self.lines.get(o, 0) for o in OUTCOMES},
            "rejected_entries": self.rejected_entries, "rejected_lines": self.rejected_lines,
            "bad_rows": self.bad_rows, "elapsed_seconds": round(self.elapsed, 3),
            "lines_per_second": round(self.lines_per_second), "regrouped": self.regrouped,
        }

    def table(self) -> str:
        """A plain-text summary table for the terminal."""
        rows = [(o, self.entries.get(o, 0), self.lines.get(o, 0)) for o in OUTCOMES]
        rows.append((REJECTED, self.rejected_entries, self.rejected_lines))
        rows.append(("total", sum(self.entries.values()) + self.rejected_entries, self.rows))
        width = max(len(r[0]) for r in rows)
        out = [f"{'outcome':<{width}}  {'entries':>10}  {'lines':>10}", "-" * (width + 24)]
        out += [f"{name:<{width}}  {entries:>10,}  {lines:>10,}" for name, entries, lines in rows]
        out.append("")
        out.append(f"bad rows: {self.bad_rows:,}   elapsed: {self.elapsed:.1f} s   "
                   f"rate: {self.lines_per_second:,.0f} lines/s")
        if self.regrouped:
            out.append("The rows of some entries were not together: the file was sorted by entry number first, so "
                       "the output lists each entry's rows together.")
        return "\n".join(out)


class _Group:
    """The rows of one entry as read: parsed lines, or the problems that reject it."""

    __slots__ = ("key", "first_row", "entry_number", "port", "ior", "raw_port", "raw_ior", "rows", "lines", "line_nos",
                 "bad")

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


class Screener:
    """One screening run: read, decide and write chunk by chunk (see the module docstring)."""

    def __init__(self, *, job_id: int | None, actor: Any = None, snap: program_facts.Snapshot | None = None,
                 as_of: date | None = None, chunk_entries: int = CHUNK_ENTRIES, sample_rate: float | None = None,
                 on_progress: Callable[[ScreenSummary], None] | None = None,
                 on_bad_row: Callable[[dict[str, Any]], None] | None = None) -> None:
        self.job_id = job_id
        self.actor = actor
        self.snap = snap or program_facts.load_snapshot(as_of or today())
        # The run's own view of declared lines: remaining quantities fall as the run draws them.
        self.blank_lines = dict(self.snap.facts.blank_lines)
        self.facts = replace(self.snap.facts, blank_lines=self.blank_lines)
        self.memo = DecisionMemo(self.facts)  # facts cannot change during the run (blank quantities aside)
        self.key_of_line = {fact.line_id: key for key, fact in self.blank_lines.items()}
        self.sectors = self.snap.sectors
        self.enrollments = self.snap.facts.enrollments
        self.chunk_entries = chunk_entries
        self.sample_rate = float(current_app.config.get("VERIFICATION_SAMPLE_RATE", 0.02)) \
            if sample_rate is None else sample_rate
        self.on_progress = on_progress
        self.on_bad_row = on_bad_row
        self.summary = ScreenSummary(job_id=job_id)
        self.recent: dict[str, int] = {}  # entry keys already closed -> their first row (bounded)
        self._reasons_cache: dict[tuple, tuple[str, str]] = {}
        self._facts_cache: dict[tuple, str] = {}
        self._goods: dict[tuple[str, ...], tuple] = {}  # goods columns as given -> parsed, once all were valid
        self._pending: tuple[Future, list[list[str]]] | None = None  # the chunk being stored, its output rows
        dialect = db.engine.dialect
        self.postgres = dialect.name == "postgresql"
        if dialect.name == "sqlite":  # a bigger page cache keeps the growing indexes in memory (per connection)
            db.session.connection().exec_driver_sql("PRAGMA cache_size=-32768")
        self._when = _bind_processor(_DECISIONS.c.decided_at, dialect)
        self._ledger_processors = (_bind_processor(_LEDGER.c.quantity, dialect),
                                   _bind_processor(_LEDGER.c.created_at, dialect))

    # ------------------------------------------------------------------ reading

    def run(self, lines: Iterable[str], out: TextIO) -> ScreenSummary:
        """Screen the CSV text ``lines`` (an open file or any iterable of lines) into ``out``."""
        with _run_settings(), ThreadPoolExecutor(max_workers=1, thread_name_prefix="screen-store") as background:
            self._background = background
            try:
                return self._run(lines, out)
            except BaseException:
                # As when chunks were stored in turn: one that committed still gets its output rows.
                with suppress(Exception):
                    self._settle()
                raise

    def _run(self, lines: Iterable[str], out: TextIO) -> ScreenSummary:
        started = time.perf_counter()
        reader = csv.reader(lines)
        try:
            header = next(reader, None)
        except csv.Error as exc:
            raise ScreenInputError(f"The header row cannot be read: {exc}.") from exc
        if header is None:
            raise ScreenInputError("The file is empty; the first row must name the columns.")
        names = [name.strip().lower().lstrip("\ufeff") for name in header]
        missing = [c for c in INPUT_COLUMNS if c not in names]
        if missing:
            raise ScreenInputError(f"The header lacks the column(s) {', '.join(missing)}; "
                                   f"the columns are {', '.join(INPUT_COLUMNS)}.")
        index = [names.index(c) for c in INPUT_COLUMNS]
        self._index = index
        self._in_order = index == list(range(len(INPUT_COLUMNS)))
        writer = self._out = csvio.writer(out, lineterminator="\n")
        writer.writerow(OUTPUT_COLUMNS)
        self._started = started
        chunk: list[_Group] = []
        group: _Group | None = None
        width = max(index) + 1
        first = index[0]
        raw: str | None = None
        for row_no, row in self._numbered_rows(lines, reader, first):
            if not row:
                continue
            if len(row) <= first:
                raw, key = None, ""
            elif row[first] != raw:  # an entry's rows usually spell its number alike: normalise it once
                raw = row[first]
                key = raw.strip().upper().replace("-", "")
            if group is None or key != group.key:
                if group is not None:
                    chunk.append(self._close(group))
                    if len(chunk) >= self.chunk_entries:
                        self._flush(chunk)
                        chunk = []
                group = _Group(key, row_no)
            self._add_row(group, row, row_no, width)
        if group is not None:
            chunk.append(self._close(group))
        if chunk:
            self._flush(chunk)
        self._settle()
        self.summary.elapsed = time.perf_counter() - started
        return self.summary

    def _numbered_rows(self, lines: Iterable[str], reader: Any, key_column: int) -> Iterator[tuple[int, list[str]]]:
        """``(row number, row)`` of every row after the header, each entry's rows together (module docstring)."""
        if not (callable(getattr(lines, "seekable", None)) and lines.seekable()):
            rows = self._readable(reader)
            return ((reader.line_num, row) for row in rows)
        lines.seek(0)
        check = csvio.tolerant(csv.reader(lines), on_error=lambda _exc: None)
        next(check, None)
        contiguous = grouping.entries_are_contiguous(check, key_column)
        lines.seek(0)
        raw_reader = csv.reader(lines)
        next(raw_reader, None)
        rows = self._readable(raw_reader)
        if contiguous:
            return ((raw_reader.line_num, row) for row in rows)
        self.summary.regrouped = True

        def sorted_rows(total: int) -> None:
            self.summary.rows_total = total

        return grouping.sorted_by_entry(rows, key_column, line_number=lambda: raw_reader.line_num,
                                        on_sorted=sorted_rows)

    def _readable(self, reader: Any) -> Iterator[list[str]]:
        """The reader's rows; a row the parser refuses (a field over the size limit) is reported as bad and
        skipped, and the run goes on."""

        def unreadable(exc: csv.Error) -> None:
            summary = self.summary
            summary.bad_rows += 1
            problem = {"row": reader.line_num, "field": "", "message": f"The row cannot be read: {exc}."}
            if len(summary.errors) < MAX_ERRORS_KEPT:
                summary.errors.append(problem)
            if self.on_bad_row is not None:
                self.on_bad_row(problem)

        return csvio.tolerant(reader, on_error=unreadable)

    def _close(self, group: _Group) -> _Group:
        """Remember the closed entry for the contiguity check (bounded look-back)."""
        recent = self.recent
        if group.key in recent and group.bad is None:
            message = (f"Entry {group.key} already appeared from row {recent[group.key]}; the rows of an entry "
                       "must be contiguous (sort the file by entry_number).")
            for i in range(len(group.rows)):
                self._bad(group, i, group.first_row + i, "entry_number", message)
        recent[group.key] = group.first_row
        if len(recent) > LOOKBACK:
            del recent[next(iter(recent))]
        return group

    def _bad(self, group: _Group, i: int, row_no: int, field_name: str, message: str) -> None:
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

    def _add_row(self, group: _Group, row: list[str], row_no: int, width: int) -> None:
        """Parse one row into ``group`` (the hot path: cached parsers, no schema library)."""
        index = self._index
        if len(row) < width:
            row = row + [""] * (width - len(row))
        # The output row starts as the input columns as given; the reader's list is ours to keep and extend.
        prefix = (row if len(row) == _WIDTH else row[:_WIDTH]) if self._in_order else [row[i] for i in index]
        group.rows.append(prefix)
        i = len(group.rows) - 1
        (entry_number, port, ior, line_no, description, hts, quantity, value, sector, condition, recordation,
         lever, declaration, blank_line_no) = prefix
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
        except inputs.FieldProblem as problem:
            self._bad(group, i, row_no, name, str(problem))
            return
        group.line_nos.add(number)
        group.lines.append(_line_input((number, description, hts, quantity, value, sector, condition, recordation,
                                        lever, declaration, blank_line_no)))

    # ------------------------------------------------------------------ deciding and writing

    def _decide(self, groups: list[_Group], ueis: list[str]) -> list[EntryDecision]:
        """Decide each entry in turn on the run's facts, drawing blank quantities in memory."""
        decide, blank_lines, key_of_line = self.memo.decide, self.blank_lines, self.key_of_line
        rate = self.sample_rate
        decisions = []
        for group, uei in zip(groups, ueis, strict=True):
            entry = EntryInput(group.entry_number, group.port, group.ior, tuple(group.lines))
            decision = decide(entry, uei=uei, sample_rate=rate)
            for line_id, quantity in decision.consumptions:
                key = key_of_line[line_id]
                fact = blank_lines[key]
                blank_lines[key] = replace(fact, remaining=fact.remaining - quantity)
            decisions.append(decision)
        return decisions

    def _refresh(self, groups: list[_Group]) -> None:
        """Re-read (and on PostgreSQL lock) the remaining quantity of every declared line the chunk cites."""
        ids = {self.blank_lines[key].line_id for group in groups for line in group.lines
               if (key := (line.blank_declaration_id, line.blank_line_no)) in self.blank_lines}
        if not ids:
            return
        table = BlankLine.__table__
        rows = db.session.execute(select(table.c.id, table.c.remaining_quantity)
                                  .where(table.c.id.in_(sorted(ids))).with_for_update())
        for line_id, remaining in rows:
            key = self.key_of_line[line_id]
            self.blank_lines[key] = replace(self.blank_lines[key], remaining=Decimal(remaining))

    def _flush(self, chunk: list[_Group]) -> None:
        """Decide the chunk's valid entries and write them in one transaction, whose bulk inserts and commit run
        on the background thread while the next chunk is read; the output rows follow the commit (:meth:`_settle`)."""
        self._settle()
        groups = [g for g in chunk if g.bad is None and g.lines]
        ueis = new_ueis(len(groups))
        attempts = 0
        while True:
            attempts += 1
            decisions = self._decide(groups, ueis)
            self._progress_row(chunk)  # first write: takes SQLite's write lock for the whole chunk
            drawn: dict[int, Decimal] = {}
            for decision in decisions:
                for line_id, quantity in decision.consumptions:
                    drawn[line_id] = drawn.get(line_id, 0) + quantity
            if all(draw_blank_quantity(line_id, quantity) for line_id, quantity in drawn.items()):
                break
            db.session.rollback()  # lost a race for a declared line: decide again on what is left
            if attempts >= MAX_ATTEMPTS:
                raise RuntimeError("The blank-goods quantities cited kept changing; run the file again.")
            self._refresh(groups)
        store = self._write(groups, ueis, decisions, attempts)
        session = db.session()

        def store_and_commit() -> None:
            store()
            session.commit()

        self._pending = (self._background.submit(store_and_commit), self._output_rows(chunk, ueis, decisions))

    def _settle(self) -> None:
        """Wait for the chunk being stored to commit (its error is raised here), then write its output rows."""
        if self._pending is None:
            return
        stored, rows_out = self._pending
        self._pending = None
        stored.result()
        self._out.writerows(rows_out)
        summary = self.summary
        summary.elapsed = time.perf_counter() - self._started
        if self.on_progress is not None:
            self.on_progress(summary)

    def _output_rows(self, chunk: list[_Group], ueis: list[str], decisions: list[EntryDecision]) -> list[list[str]]:
        """The chunk's output rows (input columns, outcomes, reason codes, UEI), counted in the summary."""
        summary = self.summary
        results = self._reasons_cache
        rows_out: list[list[str]] = []
        append = rows_out.append
        line_counts = summary.lines
        decided = iter(zip(ueis, decisions, strict=True))
        for group in chunk:
            summary.rows += len(group.rows)
            if group.bad is not None or not group.lines:
                summary.rejected_entries += 1
                summary.rejected_lines += len(group.rows)
                bad = group.bad or {}
                for i, prefix in enumerate(group.rows):
                    field_name = bad.get(i)
                    reason = f"invalid:{field_name}" if field_name else "entry_rejected"
                    rows_out.append(prefix + ["", REJECTED, reason, ""])
                continue
            uei, decision = next(decided)
            outcome = decision.outcome
            summary.entries[outcome] += 1
            for prefix, (_, line_outcome, reasons) in zip(group.rows, decision.lines, strict=True):
                line_counts[line_outcome] += 1
                cached = results.get(reasons)
                if cached is None:
                    cached = _reason_texts(reasons, results)
                prefix += (line_outcome, outcome, cached[1], uei)  # the prefix is ours: extend it in place
                append(prefix)
        return rows_out

    def _progress_row(self, chunk: list[_Group]) -> None:
        if self.job_id is None:
            return
        summary = self.summary
        rows = summary.rows + sum(len(g.rows) for g in chunk)
        db.session.execute(update(_JOBS).where(_JOBS.c.id == self.job_id).values(
            rows_done=rows, entries_decided=sum(summary.entries.values()), bad_rows=summary.bad_rows))

    def _write(self, groups: list[_Group], ueis: list[str], decisions: list[EntryDecision], attempts: int
               ) -> Callable[[], None]:
        """Insert the chunk's ledger rows and its audit entry; return what inserts its decisions and lines in bulk
        (in the same transaction, on the background thread)."""
        if not groups:
            return lambda: None
        conn = db.session.connection()
        ids = self._reserve_ids(conn, len(groups))
        now = utcnow()
        when = self._when(now)
        postgres = self.postgres
        enrollments = self.enrollments
        requested_by = getattr(self.actor, "id", None)
        job_id = self.job_id
        cache = self._reasons_cache
        decision_rows = []
        line_rows: list[tuple] = []
        add_line = line_rows.append
        ledger = []
        counts: Counter = Counter()
        for decision_id, group, uei, decision in zip(ids, groups, ueis, decisions, strict=True):
            enrollment = enrollments.get(group.ior)
            decision_rows.append((
                decision_id, uei, group.entry_number, group.port, group.ior,
                enrollment.organization_id if enrollment is not None else None,
                decision.facts_used["enrollment_id"], requested_by, "screen", job_id, decision.outcome,
                decision.rules_version, self._facts_json(decision.facts_used),
                len(decision.lines), when))
            counts[decision.outcome] += 1
            for line, (_, line_outcome, reasons) in zip(group.lines, decision.lines, strict=True):
                texts = cache.get(reasons)
                if texts is None:
                    texts = _reason_texts(reasons, cache)
                (line_no, description, hts_code, quantity, value, sector, condition, recordation, lever, declaration,
                 declared_line) = line
                add_line((decision_id, line_no, description, hts_code,
                          quantity if postgres else str(quantity), value if postgres else str(value),
                          sector, condition, recordation, lever, declaration, declared_line, line_outcome, texts[0]))
            for line_id, quantity in decision.consumptions:
                ledger.append((line_id, quantity, decision_id, uei, now))
        if postgres:
            record_blank_consumptions([dict(zip(_LEDGER_COLUMNS, row, strict=True)) for row in ledger])
        else:
            qty, at = self._ledger_processors
            _insert_rows(conn, _LEDGER.name, _LEDGER_COLUMNS,
                         [(line_id, qty(q), decision_id, uei, at(now)) for line_id, q, decision_id, uei, now in ledger])
        audit.record(self.actor, "screen", "release_decision", f"{ids[0]}-{ids[-1]}", after={
            "screen_job_id": job_id, "first_id": ids[0], "last_id": ids[-1], "entries": len(groups),
            "lines": len(line_rows), "by_outcome": dict(sorted(counts.items())), "blank_draws": len(ledger),
            "rules_version": RULES_VERSION, "attempts": attempts})
        insert = _copy if postgres else _insert_rows

        def store() -> None:
            insert(conn, _DECISIONS.name, _DECISION_COLUMNS, decision_rows)
            insert(conn, _LINES.name, _LINE_COLUMNS, line_rows)

        return store

    def _facts_json(self, facts_used: dict[str, Any]) -> str:
        """``facts_used`` as stored JSON, serialised once per distinct value (entries repeat a few hundred)."""
        key = (facts_used["as_of"], facts_used["enrollment_id"], *facts_used["mark_ids"], None,
               *facts_used["standard_version_ids"], None, *facts_used["blank_line_ids"])
        text = self._facts_cache.get(key)
        if text is None:
            if len(self._facts_cache) > 20_000:
                self._facts_cache.clear()
            text = self._facts_cache[key] = _compact_json(facts_used)
        return text

    def _reserve_ids(self, conn: Any, n: int) -> list[int]:
        """``n`` decision ids: from the sequence on PostgreSQL; past ``MAX(id)`` under SQLite's write lock."""
        if self.postgres:
            return list(conn.exec_driver_sql(
                "SELECT nextval(pg_get_serial_sequence('release_decision', 'id')) FROM generate_series(1, %s)",
                (n,)).scalars())
        start = conn.exec_driver_sql("SELECT COALESCE(MAX(id), 0) FROM release_decision").scalar_one() + 1
        return list(range(start, start + n))


def _bind_processor(column: Any, dialect: Any) -> Callable[[Any], Any]:
    """What SQLAlchemy does to a value of ``column`` before handing it to the driver (rows bypass it here)."""
    return column.type.bind_processor(dialect) or (lambda value: value)


@contextmanager
def _run_settings() -> Iterator[None]:
    """Interpreter settings for a run, restored afterwards.

    The garbage collector walks its older generations rarely: a chunk keeps a few hundred thousand
    objects alive until it is written, so with the default thresholds the collector kept walking them
    (a third of the run's time); reference cycles are rare here and are still collected, a hundred
    thousand allocations later. The switch interval is short so that the background thread, which
    releases the GIL while the database works, gets it back soon after (with the default 5 ms it
    would wait that long after every statement).
    """
    thresholds, interval = gc.get_threshold(), sys.getswitchinterval()
    gc.set_threshold(1000, 100, 1000)
    sys.setswitchinterval(SWITCH_INTERVAL)
    try:
        yield
    finally:
        gc.set_threshold(*thresholds)
        sys.setswitchinterval(interval)


def _reason_texts(reasons: tuple, cache: dict[tuple, tuple[str, str]]) -> tuple[str, str]:
    """The reasons as stored JSON and as ``;``-joined codes, serialised once per distinct tuple."""
    if len(cache) > 10_000:
        cache.clear()
    texts = (json.dumps([{"code": r.code, "message": r.message} for r in reasons]),
             ";".join(r.code for r in reasons))
    cache[reasons] = texts
    return texts


@lru_cache(maxsize=256)
def _insert_sql(table: str, columns: tuple[str, ...], rows: int) -> str:
    values = "(" + ", ".join(["?"] * len(columns)) + ")"
    return f"INSERT INTO {table} ({', '.join(columns)}) VALUES {', '.join([values] * rows)}"  # noqa: S608  # nosec B608


def _insert_rows(conn: Any, table: str, columns: tuple[str, ...], rows: list[tuple]) -> None:
    """SQLite: insert ``rows`` many to a statement, as many as the bound-variable limit allows.

    A third less time than one row per ``executemany`` step, and few statements: the background thread
    waits for the GIL after each one. The rest goes in statements of half the size, then a quarter…,
    so only a dozen statement texts are ever prepared.
    """
    width = len(columns)
    flat = list(chain.from_iterable(rows))
    size = max(1, _sqlite_variable_limit(conn) // width)
    done = 0
    while done < len(rows):
        count = (len(rows) - done) // size
        if count:
            step = size * width
            start = done * width
            conn.exec_driver_sql(_insert_sql(table, columns, size),
                                 [tuple(flat[start + i * step:start + (i + 1) * step]) for i in range(count)])
            done += count * size
        size //= 2


def _sqlite_variable_limit(conn: Any) -> int:
    """Bound values one SQLite statement may take (999 before 3.32, 32,766 since), at most 8,192."""
    raw = conn.connection.dbapi_connection
    limit = raw.getlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER) if hasattr(raw, "getlimit") else 999
    return min(limit, MAX_VARIABLES)


def _copy(conn: Any, table: str, columns: tuple[str, ...], rows: list[tuple]) -> None:
    """PostgreSQL ``COPY … FROM STDIN`` on the session's own connection (same transaction)."""
    if not rows:
        return
    cursor = conn.connection.dbapi_connection.cursor()
    try:
        with cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)
    finally:
        cursor.close()


# --------------------------------------------------------------------------- jobs


def start_job(filename: str, *, created_by_id: int | None = None, input_file_id: int | None = None,
              rows_total: int | None = None, status: str = "running") -> ScreenJob:
    """Record a screening job (committed by the caller)."""
    job = ScreenJob(status=status, filename=filename[:255], created_by_id=created_by_id, input_file_id=input_file_id,
                    rows_total=rows_total)
    db.session.add(job)
    db.session.flush()
    return job


def finish_job(job_id: int, summary: ScreenSummary | None, *, failure: str | None = None,
               output_file_id: int | None = None) -> None:
    """Mark the job finished (with its summary) or failed, and commit."""
    values: dict[str, Any] = {"finished_at": utcnow()}
    if failure is not None:
        values.update(status="failed", failure=failure[:2000])
    else:
        values.update(status="finished")
    if summary is not None:
        values.update(summary=summary.to_dict(), errors=summary.errors, rows_done=summary.rows,
                      entries_decided=sum(summary.entries.values()), bad_rows=summary.bad_rows)
    if output_file_id is not None:
        values["output_file_id"] = output_file_id
    db.session.execute(update(_JOBS).where(_JOBS.c.id == job_id).values(**values))
    db.session.commit()


def screen_file(lines: Iterable[str], out: TextIO, *, job_id: int | None, actor: Any = None, finish: bool = True,
                **options: Any) -> ScreenSummary:
    """Screen ``lines`` into ``out``; the job is marked failed (with the reason) on error, and finished
    with its summary unless ``finish`` is false (the web job attaches its result file first)."""
    try:
        summary = Screener(job_id=job_id, actor=actor, **options).run(lines, out)
    except Exception as error:
        db.session.rollback()
        if job_id is not None:
            finish_job(job_id, None, failure=str(error) or type(error).__name__)
        raise
    if job_id is not None and finish:
        finish_job(job_id, summary)
    return summary
