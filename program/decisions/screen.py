"""Bulk screening: decide every entry of a CSV of entry lines, in constant memory, at border scale.

The screen is four modules along its seams: :mod:`~program.decisions.screen_read` reads the file and
groups its rows into entries (bad rows reject their entry whole), this module decides them chunk by
chunk, :mod:`~program.decisions.screen_store` writes a chunk, and :mod:`~program.decisions.screen_job`
runs a job (in one process, or partitioned over several with :mod:`~program.decisions.screen_parallel`).

Rows are streamed: only the current chunk of entries (``chunk_entries``, default 5,000, and at most
:data:`CHUNK_LINES` lines) is in memory,
whatever the size of the file. Program facts are loaded once (:func:`program.decisions.facts.load_snapshot`)
and every entry is decided by the same pure engine as the API, through
:class:`~program.decisions.memo.DecisionMemo`, which runs the engine's rules once per recurring
combination of importer and line facts and gives what ``decide`` gives. Blank-goods quantities are
tracked in memory as the run draws them, so later entries see what earlier ones took; each chunk then
draws its total per declared line with the conditional ``UPDATE … WHERE remaining >= :q`` in the
chunk's transaction. If a draw fails (an API decision took the quantity meanwhile), the transaction is
rolled back, the cited lines are re-read and the chunk re-decided on what is really left (the same
UEIs), as :func:`services.request_decision` does for one entry.

**Resumable**: in the chunk's transaction, after its first write (which on SQLite takes the write
lock), the entries that already have a live decision are looked up; they are not decided again (no
second blank draw) and their existing decision is written to the output with reason
``already_decided``. A run killed at any point and started again therefore gives every entry exactly
one decision, and its output lists every entry.

A chunk's progress row, blank draws, ledger rows and audit entry are written first, on the main
thread; its decisions and lines are then inserted and the transaction committed on a background
thread while the main thread reads the next chunk, decides it and builds its rows (the database works
without the GIL). The next chunk's transaction starts only after that commit, and a chunk's output rows
are written only once it has committed, so the output never shows a decision that was not stored.

**Brokers** screen for one principal (``acting_for``): only entries whose IOR number is on an enrollment of
that importer are decided, and only while the broker's ``decisions`` delegation is in force — it is read in
each chunk's transaction (``FOR SHARE`` on PostgreSQL, as for a single decision), so a revocation takes effect
from the next chunk. Other entries are rejected with reason ``no_delegation`` (a bad row naming
``ior_number``); the chunks' audit entries name the principal.
"""

from __future__ import annotations

import gc
import sys
import time
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager, suppress
from dataclasses import replace
from datetime import date
from decimal import Decimal
from typing import Any, TextIO

from flask import current_app
from sqlalchemy import select

from core import csvio
from core.accounts import delegations
from core.extensions import db
from core.metrics import count_screened
from core.timeutil import today
from program.blanks.models import BlankLine
from program.blanks.services import draw_blank_quantity
from program.decisions import facts as program_facts
from program.decisions.engine import EntryDecision
from program.decisions.memo import DecisionMemo
from program.decisions.screen_read import (
    INPUT_COLUMNS,
    RESULT_COLUMNS,
    EntryReader,
    EntryRows,
    ScreenInputError,
    numbered_rows,
    output_columns,
    readable_twice,
)
from program.decisions.screen_store import ChunkStore
from program.decisions.screen_summary import MAX_ERRORS_KEPT, REJECTED, ScreenSummary
from program.decisions.uei import new_ueis

__all__ = ["ALREADY_DECIDED", "CHUNK_ENTRIES", "CHUNK_LINES", "INPUT_COLUMNS", "NO_DELEGATION", "OUTPUT_COLUMNS",
           "REJECTED", "ScreenInputError", "ScreenSummary", "Screener"]

OUTPUT_COLUMNS = INPUT_COLUMNS + RESULT_COLUMNS  # without optional columns (see screen_read.output_columns)
ALREADY_DECIDED = "already_decided"
NO_DELEGATION = "no_delegation"
# Entries per transaction, and lines: two chunks are in memory at once. Each commit on SQLite writes every index
# page the chunk changed, and a random UEI changes a page per parcel: 5,000 parcels a transaction rather than
# 2,500 stored a million 11% faster; the line cap keeps a chunk of long entries within the memory target
# (docs/performance.md, tenth pass).
CHUNK_ENTRIES = 5000
CHUNK_LINES = 10_000
MAX_ATTEMPTS = 5
SWITCH_INTERVAL = 0.0005  # seconds; see _run_settings


class Screener:
    """One screening run: read, decide and write chunk by chunk (see the module docstring)."""

    def __init__(self, *, job_id: int | None, actor: Any = None, snap: program_facts.Snapshot | None = None,
                 as_of: date | None = None, chunk_entries: int = CHUNK_ENTRIES, sample_rate: float | None = None,
                 on_progress: Callable[[ScreenSummary], None] | None = None,
                 on_bad_row: Callable[[dict[str, Any]], None] | None = None, acting_for: int | None = None,
                 store_in_background: bool = True) -> None:
        self.job_id = job_id
        self.snap = snap or program_facts.load_snapshot(as_of or today())
        # The run's own view of declared lines: remaining quantities fall as the run draws them.
        self.blank_lines = dict(self.snap.facts.blank_lines)
        self.facts = replace(self.snap.facts, blank_lines=self.blank_lines)
        self.memo = DecisionMemo(self.facts)  # facts cannot change during the run (blank quantities aside)
        self.key_of_line = {fact.line_id: key for key, fact in self.blank_lines.items()}
        self._drawn_from: dict = {}  # declared lines the chunk being decided drew on -> their fact before it
        self.chunk_entries = chunk_entries
        self.sample_rate = float(current_app.config.get("VERIFICATION_SAMPLE_RATE", 0.02)) \
            if sample_rate is None else sample_rate
        self.on_progress = on_progress
        # Store and commit each chunk on a background thread while the next is read and decided (see the module
        # docstring), unless another process gives that overlap: on SQLite the partitions of a run queue for its
        # one writer, and a chunk that shares its process's GIL with the next chunk's work holds the database's
        # write lock longer (measured in docs/performance.md).
        self.store_in_background = store_in_background
        self.on_bad_row = on_bad_row
        self.summary = ScreenSummary(job_id=job_id)
        self.store = ChunkStore(job_id=job_id, actor=actor, enrollments=self.snap.facts.enrollments,
                                acting_for=acting_for)
        # A broker's run: the broker organisation and the IOR numbers of the principal it screens for.
        self.broker = actor.organization_id if delegations.is_broker(actor) else None
        self.acting_for = acting_for
        self.principal_iors = self.snap.iors_of(acting_for) if self.broker is not None else frozenset()
        # The chunk being stored: its commit, output rows and decided entries by outcome.
        self._pending: tuple[Future, list[list[str]], Counter] | None = None

    def run(self, lines: Iterable[str], out: TextIO) -> ScreenSummary:
        """Screen the CSV text ``lines`` (an open file or any iterable of lines) into ``out``."""
        header, rows = numbered_rows(lines, self.summary)
        return self.run_rows(header, rows, out, together=readable_twice(lines))

    def run_rows(self, header: list[str], rows: Iterable[tuple[int, list[str]]], out: TextIO, *,
                 write_header: bool = True, together: bool = False) -> ScreenSummary:
        """Screen ``(row number, row)`` pairs read under ``header`` into ``out`` (a partition's rows, say);
        ``together``: each entry's rows are known to be together (else an entry that comes back is reported)."""
        with _run_settings(), ThreadPoolExecutor(max_workers=1, thread_name_prefix="screen-store") as background:
            self._background = background
            try:
                return self._run(header, rows, out, write_header, together)
            except BaseException:
                # As when chunks were stored in turn: one that committed still gets its output rows.
                with suppress(Exception):
                    self._settle()
                raise

    def _run(self, header: list[str], rows: Iterable[tuple[int, list[str]]], out: TextIO,
             write_header: bool, together: bool) -> ScreenSummary:
        started = self._started = time.perf_counter()
        reader = EntryReader(header, sectors=self.snap.sectors, summary=self.summary, on_bad_row=self.on_bad_row,
                             together=together)
        self._out = csvio.writer(out, lineterminator="\n")
        if write_header:
            self._out.writerow(output_columns(header))
        chunk: list[EntryRows] = []
        lines = 0
        for group in reader.entries(rows):
            chunk.append(group)
            lines += len(group.rows)
            if len(chunk) >= self.chunk_entries or lines >= CHUNK_LINES:
                self._flush(chunk)
                chunk, lines = [], 0
        if chunk:
            self._flush(chunk)
        self._settle()
        self.summary.elapsed = time.perf_counter() - started
        return self.summary

    # ------------------------------------------------------------------ deciding

    def _decide(self, groups: list[EntryRows], ueis: list[str]) -> list[EntryDecision]:
        """Decide each entry in turn on the run's facts, drawing blank quantities in memory."""
        decide, blank_lines, key_of_line, drawn_from = self.memo.decide_parts, self.blank_lines, self.key_of_line, \
            self._drawn_from
        rate = self.sample_rate
        decisions = []
        for group, uei in zip(groups, ueis, strict=True):
            decision = decide(group.ior, group.lines, group.shipment_input, uei=uei, sample_rate=rate)
            for line_id, quantity in decision.consumptions:
                key = key_of_line[line_id]
                fact = blank_lines[key]
                drawn_from.setdefault(key, fact)
                blank_lines[key] = replace(fact, remaining=fact.remaining - quantity)
            decisions.append(decision)
        return decisions

    def _refresh(self, groups: list[EntryRows]) -> None:
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

    def _flush(self, chunk: list[EntryRows]) -> None:
        """Decide the chunk's valid entries and write those without a live decision in one transaction, whose
        bulk inserts and commit run on the background thread while the next chunk is read; the output rows
        follow the commit (:meth:`_settle`).

        The entries are decided *before* the transaction takes any lock, so that the processes of a
        partitioned run decide side by side and queue only to write: on SQLite the chunk's first write takes
        the database's write lock, and on PostgreSQL the job's progress row (which every partition updates)
        is only written just before the commit. Should the transaction then find entries already decided (a
        run started again) or outside a broker's delegation, the run's blank quantities are put back as they
        were and the rest decided again; should a conditional draw fail (another request took the quantity),
        the transaction is rolled back and the entries decided again on what is really left.
        """
        rows = sum(len(g.rows) for g in chunk)
        self._drawn_from.clear()
        valid = [g for g in chunk if g.bad is None and g.lines]
        uei_of = dict(zip(map(id, valid), new_ueis(len(valid)), strict=True))
        groups, ueis = valid, [uei_of[id(g)] for g in valid]
        # Decided, and the rows to store built, in memory while the previous chunk is still being stored: its draws
        # are already in the run's quantities, and nothing here reads the database. Its commit is awaited only
        # before this chunk's transaction begins.
        decisions = self._decide(groups, ueis)
        prepared = self.store.prepare(groups, ueis, decisions)
        self._settle()
        attempts = 0
        while True:
            attempts += 1
            self.store.tune_connection()
            valid = [g for g in chunk if g.bad is None and g.lines]
            progress = (rows, len(valid), sum(len(g.bad) for g in chunk if g.bad is not None))
            if not self.store.postgres:
                self.store.progress_row(*progress)  # first write: takes SQLite's write lock for the chunk
            if self.broker is not None and (refused := self._refuse_outside_delegation(valid)):
                valid = [g for g in valid if g.bad is None]
                change = (0, -refused[0], refused[1])
                progress = tuple(total + delta for total, delta in zip(progress, change, strict=True))
                if not self.store.postgres:
                    self.store.progress_row(*change)
            live = self.store.live_decisions(g.entry_number for g in valid)
            wanted = [g for g in valid if g.entry_number not in live] if live else valid
            if wanted is not groups and wanted != groups:  # others to decide: again, from the same quantities
                self._restore_blank_lines()
                groups, ueis = wanted, [uei_of[id(g)] for g in wanted]
                decisions = self._decide(groups, ueis)
            drawn: dict[int, Decimal] = {}
            for decision in decisions:
                for line_id, quantity in decision.consumptions:
                    drawn[line_id] = drawn.get(line_id, 0) + quantity
            if all(draw_blank_quantity(line_id, quantity) for line_id, quantity in drawn.items()):
                break
            db.session.rollback()  # lost a race for a declared line: decide again on what is left
            if attempts >= MAX_ATTEMPTS:
                raise RuntimeError("The blank-goods quantities cited kept changing; run the file again.")
            self._restore_blank_lines()
            self._refresh(groups)
            decisions = self._decide(groups, ueis)
        if prepared.decisions is not decisions:  # decided again in the transaction
            prepared = self.store.prepare(groups, ueis, decisions)
        store = self.store.write(prepared, attempts)
        session = db.session()
        job_progress = progress if self.store.postgres else None
        connection = session.connection()

        def store_and_commit() -> None:
            store()
            if job_progress is not None:  # last: the job's row stays locked only until the commit just after
                self.store.progress_row(*job_progress, connection=connection)
            session.commit()

        if self.store_in_background:
            stored = self._background.submit(store_and_commit)
        else:
            store_and_commit()
            stored = Future()
            stored.set_result(None)
        self._pending = (stored, self._output_rows(chunk, ueis, decisions, live),
                         Counter(decision.outcome for decision in decisions))

    def _restore_blank_lines(self) -> None:
        """Put the run's blank quantities back as they were before this chunk's draws (in place: the memo's facts
        hold this dict)."""
        self.blank_lines.update(self._drawn_from)
        self._drawn_from.clear()

    def _refuse_outside_delegation(self, valid: list[EntryRows]) -> tuple[int, int] | None:
        """A broker's chunk: reject the valid entries it may not ask about — every one once its delegation is no
        longer in force (read, and on PostgreSQL held, in the chunk's transaction), else those of another
        importer. Returns the entries and rows rejected, if any."""
        live = self.acting_for is not None and delegations.live_delegation(
            self.broker, self.acting_for, "decisions", lock=True) is not None
        allowed = self.principal_iors if live else frozenset()
        summary = self.summary
        entries = rows = 0
        for group in valid:
            if group.ior in allowed:
                continue
            group.bad = dict.fromkeys(range(len(group.rows)), NO_DELEGATION)
            entries, rows = entries + 1, rows + len(group.rows)
            summary.bad_rows += len(group.rows)
            message = (f"Importer of record {group.ior} is not on an enrollment of the importer you screen for."
                       if live else "Your organisation no longer holds a decisions delegation from this importer.")
            problem = {"row": group.first_row, "field": "ior_number", "message": message}
            if len(summary.errors) < MAX_ERRORS_KEPT:
                summary.errors.append(problem)
            if self.on_bad_row is not None:
                self.on_bad_row(problem)
        return (entries, rows) if entries else None

    def _settle(self) -> None:
        """Wait for the chunk being stored to commit (its error is raised here), then write its output rows."""
        if self._pending is None:
            return
        stored, rows_out, outcomes = self._pending
        self._pending = None
        stored.result()
        count_screened(len(rows_out), outcomes)
        self._out.writerows(rows_out)
        summary = self.summary
        summary.elapsed = time.perf_counter() - self._started
        if self.on_progress is not None:
            self.on_progress(summary)

    def _output_rows(self, chunk: list[EntryRows], ueis: list[str], decisions: list[EntryDecision],
                     live: dict[str, tuple[str, str, dict[int, str]]]) -> list[list[str]]:
        """The chunk's output rows (input columns, outcomes, reason codes, UEI), counted in the summary."""
        summary = self.summary
        texts_of = self.store.reason_texts
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
                    reason = (NO_DELEGATION if field_name == NO_DELEGATION
                              else f"invalid:{field_name}" if field_name else "entry_rejected")
                    rows_out.append(prefix + ["", REJECTED, reason, ""])
                continue
            existing = live.get(group.entry_number) if live else None
            if existing is not None:
                uei, outcome, line_outcomes = existing
                summary.already_decided += 1
                for prefix, line in zip(group.rows, group.lines, strict=True):
                    prefix += (line_outcomes.get(line.line_no, ""), outcome, ALREADY_DECIDED, uei)
                    append(prefix)
                continue
            uei, decision = next(decided)
            outcome = decision.outcome
            summary.entries[outcome] += 1
            for prefix, (_, line_outcome, reasons) in zip(group.rows, decision.lines, strict=True):
                line_counts[line_outcome] += 1
                prefix += (line_outcome, outcome, texts_of(reasons)[1], uei)  # the prefix is ours: extend it in place
                append(prefix)
        return rows_out


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
