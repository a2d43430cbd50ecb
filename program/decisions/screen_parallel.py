"""``decisions screen --workers N``: one file screened by N processes, partitioned by entry.

The parent reads the file once and deals whole entries into N partition files (:func:`deal_file`), each row
copied as its own text after its row number in the input, checking as it goes that each entry's rows are
together; a file whose entries are not is read again sorted, as one process would
(:func:`~program.decisions.screen_read.numbered_rows`), and dealt again. Partitions on SQLite store each chunk
on their main thread (they queue for the database's one writer, and the other partitions give the overlap a
background thread would). Every entry that cites a blank-goods declaration goes to partition 0, in file order:
blank quantities are then drawn by one process in the order one process would draw them, so the draws (and the
outcomes that depend on what is left) are those of a single run. Other entries go to the partition with the
fewest rows so far. Each partition is screened by its own forked process
(:class:`~program.decisions.screen.Screener`, own database connection, same job), and the parent merges the
partitions' output back into file order from the plan it kept (one byte and one count per entry), copying each
output row's text, so the output is the one a single process writes.

Killing the parent's process group at any point leaves committed chunks only; a new run skips their
entries (``already_decided``), so every entry still ends with exactly one decision.
"""

from __future__ import annotations

import csv
import multiprocessing
import os
import tempfile
import time
from array import array
from collections.abc import Callable, Iterable, Iterator
from itertools import islice
from pathlib import Path
from typing import Any, TextIO

from flask import current_app

from core import csvio
from core.extensions import db
from program.decisions.grouping import ContiguityCheck, EntryKeys, suspects_reappear
from program.decisions.screen import Screener
from program.decisions.screen_read import (
    INPUT_COLUMNS,
    column_index,
    data_rows,
    numbered_records,
    numbered_rows,
    output_columns,
)
from program.decisions.screen_summary import ScreenSummary

MIN_ENTRIES_PER_WORKER = 2000  # the default worker count never gives a process less than this


def default_workers() -> int:
    """The default number of screening processes: the cores this process may use."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not Linux
        return max(1, os.cpu_count() or 1)


def screen_partitioned(lines: TextIO, out: TextIO, *, workers: int | None, job_id: int, actor: Any = None,
                       chunk_entries: int, on_progress: Callable[[int, int], None] | None = None,
                       on_bad_row: Callable[[dict[str, Any]], None] | None = None) -> ScreenSummary:
    """Screen ``lines`` (a seekable text file) into ``out`` with ``workers`` processes (None: one per core,
    fewer for a small file, in this process if one is enough); ``on_progress`` gets the rows screened so far and the rows in all,
    ``on_bad_row`` the bad rows (at the end, in row order, unless the run is in this process)."""
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="greenlane-screen-") as folder:
        parts = [Path(folder) / f"part-{i}.csv" for i in range(max(1, workers or default_workers()))]
        header, plan, counts, summary = deal_file(lines, parts, ScreenSummary(job_id=job_id))
        if workers is None:  # a small file is not worth a process per core
            used = sum(1 for c in counts if c)
            wanted = max(1, min(len(parts), len(plan) // MIN_ENTRIES_PER_WORKER))
            if wanted == 1:
                def progress(screened: ScreenSummary) -> None:
                    if on_progress is not None:
                        on_progress(screened.rows, sum(counts))

                return Screener(job_id=job_id, actor=actor, chunk_entries=chunk_entries, on_progress=progress,
                                on_bad_row=on_bad_row).run(_rewound(lines), out)
            if wanted < used:
                parts = parts[:wanted]
                _, plan, counts, _ = deal_file(lines, parts, ScreenSummary())
        outputs = [p.with_suffix(".out.csv") for p in parts]
        results = _run_workers(header, parts, outputs, job_id=job_id, actor_id=getattr(actor, "id", None),
                               chunk_entries=chunk_entries,
                               on_progress=(lambda rows: on_progress(rows, sum(counts))) if on_progress else None)
        for result in results:
            summary.add(result)
        if on_bad_row is not None:
            for problem in summary.errors:
                on_bad_row(problem)
        merge_output(plan, outputs, out, header)
    summary.elapsed = time.perf_counter() - started
    return summary


def _rewound(lines: TextIO) -> TextIO:
    lines.seek(0)
    return lines


def deal_file(lines: TextIO, parts: list[Path], summary: ScreenSummary
              ) -> tuple[list[str], Plan, list[int], ScreenSummary]:
    """Deal the entries of ``lines`` (a seekable text file, read from its start) into ``parts``: the header, the plan,
    the rows per partition and the summary of the reading (its unreadable rows).

    One pass reads and deals the rows, each copied as its text, checking as it goes that each entry's rows are
    together (the entries the check suspects of coming back are checked exactly afterwards, by a pass over the keys:
    grouping.ContiguityCheck); only a file whose entries are not together is read again, sorted (numbered_rows), and
    dealt again — into a new summary, as the rows that could not be read are counted again."""
    header, records = numbered_records(lines, summary)
    index = column_index(header)
    check = ContiguityCheck()
    try:
        plan, counts = deal(header, records, index, parts, check=check, copied=True)
        if not (check.suspects and suspects_reappear(data_rows(lines), index[0], check.suspects)):
            return header, plan, counts, summary
    except _EntryReappeared:
        pass
    summary = ScreenSummary(job_id=summary.job_id)
    header, rows = numbered_rows(_rewound(lines), summary, contiguous=False)
    return header, *deal(header, rows, index, parts), summary


class _EntryReappeared(Exception):
    """An entry's rows are not together in the file (see :func:`deal`)."""


def deal(header: list[str], rows: Any, index: list[int], parts: list[Path], *, check: ContiguityCheck | None = None,
         copied: bool = False) -> tuple[Plan, list[int]]:
    """Write each entry's rows to a partition file; return the partition of each entry in order, and the
    rows per partition. Entries citing a blank-goods declaration all go to partition 0.

    ``rows`` are ``(row number, row)``, written as CSV; with ``copied``, ``(row number, row, text)``
    (:func:`~program.decisions.screen_read.numbered_records`), each row's text copied as it is after its row
    number (the same cells, parsed again: a third of the time of writing them).
    ``check``: follows the entries, gathering in ``check.suspects`` those that may have come back after another
    entry's (the caller checks them exactly); raises :class:`_EntryReappeared` once there are too many to be anything
    but a file out of order (the rows must then be sorted first)."""
    first, declared = index[0], index[INPUT_COLUMNS.index("blank_declaration_id")]
    plan = Plan()
    counts = [0] * len(parts)
    files = [open(p, "w", newline="", encoding="utf-8") for p in parts]  # noqa: SIM115 (closed below)
    try:
        # "\r\n": Python's writer (3.11) quotes a cell holding a line break only if the break is in its line end, and
        # a cell may hold a lone carriage return.
        writers = [csv.writer(f, lineterminator="\r\n") for f in files]
        for w in writers:
            w.writerow(header)
        write = [f.write for f in files] if copied else [w.writerows for w in writers]
        entry: list[Any] = []  # the entry's rows: texts, or cells to write
        key: str | None = None
        blank = False

        add_partition, add_rows = plan.partition.append, plan.rows.append

        def close() -> None:
            target = 0 if blank else counts.index(min(counts))  # the first of the partitions with the fewest rows
            size = len(entry)
            write[target](("".join(entry) if size > 1 else entry[0]) if copied else entry)
            counts[target] += size
            add_partition(target)
            add_rows(size)

        text = ""
        key_of = EntryKeys(first)
        for item in rows:
            if copied:
                row_no, row, text = item
            else:
                row_no, row = item
            if not row:
                continue
            row_key = key_of(row)
            if row_key != key:
                if check is not None and not check.next_entry(row_key) and check.overflowed:
                    raise _EntryReappeared(row_key)
                if entry:
                    close()
                    entry, blank = [], False
            key = row_key
            entry.append(f"{row_no},{text}" if copied else [str(row_no), *row])
            if len(row) > declared and row[declared].strip():
                blank = True
        if entry:
            close()
    finally:
        for f in files:
            f.close()
    return plan, counts


class Plan:
    """Which partition screened each entry, and how many rows it has, in the order of the output."""

    def __init__(self) -> None:
        self.partition = array("H")
        self.rows = array("I")

    def __len__(self) -> int:
        return len(self.partition)


def _run_workers(header: list[str], parts: list[Path], outputs: list[Path], *, job_id: int, actor_id: int | None,
                 chunk_entries: int, on_progress: Callable[[int], None] | None) -> list[ScreenSummary]:
    """Screen each partition in a forked process; wait for all; raise if any failed."""
    context = multiprocessing.get_context("fork")
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    done = context.Value("q", 0)
    results = context.SimpleQueue()
    db.session.remove()
    db.engine.dispose()  # no connection is shared with the children
    processes = [context.Process(target=_work, name=f"screen-{i}", daemon=False,
                                 args=(app, header, str(part), str(output), job_id, actor_id, chunk_entries, done,
                                       results))
                 for i, (part, output) in enumerate(zip(parts, outputs, strict=True))]
    for process in processes:
        process.start()
    summaries: list[ScreenSummary] = []
    failures: list[str] = []

    def drain() -> None:  # read results as they come: a child blocks on a full pipe until they are read
        while not results.empty():
            kind, value = results.get()
            (summaries.append if kind == "ok" else failures.append)(value)

    try:
        while any(p.is_alive() for p in processes):
            for process in processes:
                process.join(timeout=0.2)
                drain()
                if on_progress is not None:
                    on_progress(done.value)
    except BaseException:
        for process in processes:
            process.terminate()
        raise
    drain()
    if not failures:
        failures = [f"screening process {p.name} ended with exit code {p.exitcode}" for p in processes if p.exitcode]
    if failures or len(summaries) != len(processes):
        raise RuntimeError("; ".join(failures) or "a screening process ended without a result")
    return summaries


def _work(app: Any, header: list[str], part: str, output: str, job_id: int, actor_id: int | None, chunk_entries: int,
          done: Any, results: Any) -> None:
    """A worker process: screen one partition file into its output file (no header), report the summary."""
    from core.accounts.models import User

    with app.app_context():
        db.engine.dispose(close=False)  # the parent's pooled connections are not ours
        try:
            actor = db.session.get(User, actor_id) if actor_id else None
            last = 0

            def progress(summary: ScreenSummary) -> None:
                nonlocal last
                with done.get_lock():
                    done.value += summary.rows - last
                last = summary.rows

            with open(part, newline="", encoding="utf-8") as source, \
                    open(output, "w", newline="", encoding="utf-8") as target:
                reader = csv.reader(source)
                next(reader)
                rows = ((int(row[0]), row[1:]) for row in reader)
                summary = Screener(job_id=job_id, actor=actor, chunk_entries=chunk_entries, on_progress=progress,
                                   store_in_background=db.engine.dialect.name != "sqlite",
                                   ).run_rows(header, rows, target, write_header=False, together=True)
            results.put(("ok", summary))
        except BaseException as error:  # reported to the parent, which fails the job
            results.put(("error", f"{type(error).__name__}: {error}"))
            raise
        finally:
            db.session.remove()
            db.engine.dispose()


def merge_output(plan: Plan, outputs: list[Path], out: TextIO, header: list[str]) -> None:
    """Write the partitions' output rows (of input read under ``header``) to ``out`` in the order of the input
    (one process's order), each copied as the partition wrote it (its cells were neutralised then)."""
    files = [open(p, newline="", encoding="utf-8") for p in outputs]  # noqa: SIM115 (closed below)
    try:
        sources = [_records(f) for f in files]
        csvio.writer(out, lineterminator="\n").writerow(output_columns(header))
        write = out.write
        for partition, count in zip(plan.partition, plan.rows, strict=True):
            source = sources[partition]
            write(next(source) if count == 1 else "".join(islice(source, count)))
    finally:
        for f in files:
            f.close()


def _records(lines: Iterable[str]) -> Iterator[str]:
    """The text of each row of a CSV file that ``csv.writer`` wrote (opened with ``newline=""``): a row ends at
    the first line break outside quotes. The writer quotes a cell holding a line break or a quote and doubles the
    quotes inside, so a row's text holds an even number of quotes, and a line break inside a cell follows an odd
    number."""
    pending: list[str] = []
    odd = False
    for line in lines:
        if line.count('"') & 1:
            odd = not odd
        if odd:
            pending.append(line)
            continue
        if pending:
            pending.append(line)
            line = "".join(pending)
            pending.clear()
        yield line
    if pending:  # a file cut short: its last row as it is
        yield "".join(pending)
