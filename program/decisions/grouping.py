"""Bring the rows of each entry together, in constant memory, for the bulk screen.

API.md: in a screening file, "rows with the same ``entry_number`` form one entry" — wherever they are in
the file. The screen decides an entry when its last row has been read, so it needs each entry's rows
next to each other. Most files already come that way (exports list an entry's lines together), and
re-sorting them would only cost time, so :func:`entries_are_contiguous` first reads the file once to
check, remembering the entries it has closed in a fixed-size Bloom filter (no false negatives; a rare
false positive only costs an unneeded sort). When an entry does reappear, :func:`sorted_by_entry` sorts
the rows by entry number on disk (sorted runs of :data:`RUN_ROWS` rows in temporary files, then a
k-way merge), keeping each row's number in the input file for error reports.

Both take the csv reader positioned after the header and the index of the ``entry_number`` column, and
use the screen's own normalisation of the entry number (:func:`entry_key`).
"""

from __future__ import annotations

import csv
import heapq
import tempfile
from collections.abc import Callable, Iterable, Iterator
from operator import itemgetter
from pathlib import Path

RUN_ROWS = 50_000  # rows sorted in memory at a time (tens of MB at most)
BLOOM_BITS = 1 << 27  # 16 MB: a false positive about once in 100,000 checks at a million entries
_MASK = BLOOM_BITS - 1
_ROW_NO_WIDTH = 12  # zero-padded, so the text sorts as the number does


def entry_key(value: str) -> str:
    """An entry number as the screen groups rows by it: trimmed, upper case, dashes dropped."""
    return value.strip().upper().replace("-", "")


class ClosedEntries:
    """The entries already closed, as a fixed-size Bloom filter of their keys (three probes from two 64-bit
    hashes): ``key in closed`` may (very rarely) say yes wrongly, never no."""

    __slots__ = ("bits",)

    def __init__(self) -> None:
        self.bits = bytearray(BLOOM_BITS >> 3)

    def add(self, key: str) -> None:
        bits = self.bits
        h1 = hash(key)
        h2 = hash((key, 0x9E3779B9)) | 1
        for probe in (h1 & _MASK, (h1 + h2) & _MASK, (h1 + 2 * h2) & _MASK):
            bits[probe >> 3] |= 1 << (probe & 7)

    def __contains__(self, key: str) -> bool:
        bits = self.bits
        h1 = hash(key)
        probe = h1 & _MASK
        if not bits[probe >> 3] & (1 << (probe & 7)):
            return False  # the usual answer for a new entry: one probe
        h2 = hash((key, 0x9E3779B9)) | 1
        probe = (h1 + h2) & _MASK
        if not bits[probe >> 3] & (1 << (probe & 7)):
            return False
        probe = (h1 + 2 * h2) & _MASK
        return bool(bits[probe >> 3] & (1 << (probe & 7)))


def entries_are_contiguous(rows: Iterable[list[str]], key_column: int) -> bool:
    """Whether no entry's rows are interrupted by another entry's (blank rows ignored).

    False may (very rarely) be wrong, never True: callers sort when told False.
    """
    closed = ClosedEntries()
    current_raw: str | None = None
    current: str | None = None
    for row in rows:
        if not row:
            continue
        raw = row[key_column] if len(row) > key_column else ""
        if raw == current_raw:  # the common case: the next line of the same entry, spelt the same way
            continue
        key = entry_key(raw)
        current_raw = raw
        if key == current:
            continue
        if key in closed:
            return False
        if current is not None:
            closed.add(current)
        current = key
    return True


def sorted_by_entry(reader: Iterable[list[str]], key_column: int, *, line_number: Callable[[], int],
                    workdir: str | Path | None = None, on_sorted: Callable[[int], None] | None = None
                    ) -> Iterator[tuple[int, list[str]]]:
    """The rows of ``reader`` as ``(row number, row)``, grouped by entry (entries in key order, each
    entry's rows in file order), sorted on disk in runs of :data:`RUN_ROWS`.

    ``line_number()`` gives the reader's current line number (``csv.reader.line_num``), recorded for each
    row as it is read. Temporary files live in ``workdir`` (default: the system's) and are removed when
    the iterator is exhausted or closed. ``on_sorted(rows)`` is told how many rows there are once the runs
    are written (before the first row is yielded), e.g. to show progress.
    """
    with tempfile.TemporaryDirectory(prefix="greenlane-screen-", dir=workdir) as folder:
        runs: list[Path] = []
        buffer: list[list[str]] = []
        total = 0
        for row in reader:
            if not row:
                continue
            total += 1
            raw = row[key_column] if len(row) > key_column else ""
            buffer.append([entry_key(raw), str(line_number()).zfill(_ROW_NO_WIDTH), *row])
            if len(buffer) >= RUN_ROWS:
                runs.append(_write_run(folder, len(runs), buffer))
                buffer = []
        if buffer:
            runs.append(_write_run(folder, len(runs), buffer))
            buffer = []
        if on_sorted is not None:
            on_sorted(total)
        handles = [open(path, newline="", encoding="utf-8") for path in runs]  # noqa: SIM115 (closed below)
        try:
            merged = heapq.merge(*(csv.reader(handle) for handle in handles), key=itemgetter(0, 1))
            for record in merged:
                yield int(record[1]), record[2:]
        finally:
            for handle in handles:
                handle.close()


def _write_run(folder: str, number: int, buffer: list[list[str]]) -> Path:
    buffer.sort(key=itemgetter(0, 1))
    path = Path(folder) / f"run-{number:05d}.csv"
    with open(path, "w", newline="", encoding="utf-8") as handle:
        csv.writer(handle).writerows(buffer)
    return path
