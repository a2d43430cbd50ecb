"""Bring the rows of each entry together, in constant memory, for the bulk screen.

API.md: in a screening file, "rows with the same ``entry_number`` form one entry" — wherever they are in
the file. The screen decides an entry when its last row has been read, so it needs each entry's rows
next to each other. Most files already come that way (exports list an entry's lines together), and
re-sorting them would only cost time, so :func:`entries_are_contiguous` first reads the file once to
check, remembering the entries it has closed in a fixed-size Bloom filter (no false negatives). The filter's
false positives are rare per entry but not per file (about one file of a million entries in a hundred, some thirty
in a day's four million), so an entry it says may have come back is only a suspect: the few suspects are checked
exactly by a second pass over the keys (:func:`suspects_reappear`, a second a million rows) before anything is
sorted. When an entry does reappear, :func:`sorted_by_entry` sorts the rows by entry number on disk (sorted runs
of :data:`RUN_ROWS` rows in temporary files, then a k-way merge), keeping each row's number in the input file for
error reports.

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
_BLOOM_BITS_LOG2 = 27
BLOOM_BITS = 1 << _BLOOM_BITS_LOG2  # 16 MB: 134 bits an entry at a million entries, 34 at four million
_MASK = BLOOM_BITS - 1
_ROW_NO_WIDTH = 12  # zero-padded, so the text sorts as the number does


def entry_key(value: str) -> str:
    """An entry number as the screen groups rows by it: trimmed, upper case, dashes dropped."""
    return value.strip().upper().replace("-", "")


class EntryKeys:
    """``key_of(row)``: the :func:`entry_key` of the row's entry number (``""`` for a row too short to have one),
    normalised once per run of rows that spell it alike, as an entry's rows usually do."""

    __slots__ = ("_column", "_key", "_raw")

    def __init__(self, column: int) -> None:
        self._column = column
        self._raw: str | None = None
        self._key = ""

    def __call__(self, row: list[str]) -> str:
        if len(row) <= self._column:
            return ""
        raw = row[self._column]
        if raw != self._raw:
            self._raw, self._key = raw, entry_key(raw)
        return self._key


class ClosedEntries:
    """The entries already closed, as a fixed-size Bloom filter of their keys (five probes, double hashing with the
    two parts of one 64-bit hash): ``key in closed`` may (rarely) say yes wrongly, never no.

    A key that is not in the filter usually fails its first probe, so the probes beyond the third cost only the
    entries added; they make the filter err about once in a hundred files of a million entries (three bits:
    almost every such file, each error costing an exact pass over the file's keys) and some thirty times in a day's
    four million entries rather than seven hundred."""

    __slots__ = ("bits",)

    def __init__(self) -> None:
        self.bits = bytearray(BLOOM_BITS >> 3)

    def add(self, key: str) -> None:
        bits = self.bits
        h1 = hash(key)  # a string caches its hash: the look-up before the add paid for it
        h2 = (h1 >> _BLOOM_BITS_LOG2) | 1  # the hash's other bits, odd: every step reaches all of the filter
        for probe in (h1 & _MASK, (h1 + h2) & _MASK, (h1 + 2 * h2) & _MASK, (h1 + 3 * h2) & _MASK,
                      (h1 + 4 * h2) & _MASK):
            bits[probe >> 3] |= 1 << (probe & 7)

    def __contains__(self, key: str) -> bool:
        bits = self.bits
        h1 = hash(key)
        probe = h1 & _MASK
        if not bits[probe >> 3] & (1 << (probe & 7)):
            return False  # the usual answer for a new entry: one probe
        h2 = (h1 >> _BLOOM_BITS_LOG2) | 1
        return all(bits[probe >> 3] & (1 << (probe & 7)) for probe in (
            (h1 + h2) & _MASK, (h1 + 2 * h2) & _MASK, (h1 + 3 * h2) & _MASK, (h1 + 4 * h2) & _MASK))


def entries_are_contiguous(rows: Iterable[list[str]], key_column: int, *,
                           again: Callable[[], Iterable[list[str]]] | None = None) -> bool:
    """Whether no entry's rows are interrupted by another entry's (blank rows ignored).

    ``again()`` gives the same rows anew, for the exact check of the entries the Bloom filter suspects
    (:class:`ContiguityCheck`). Without it, False may (very rarely) be wrong, never True: callers sort when told False.
    """
    check = ContiguityCheck()
    for key in _entry_keys(rows, key_column):
        if not check.next_entry(key) and (again is None or check.overflowed):
            return False
    if not check.suspects:
        return True
    return again is not None and not suspects_reappear(again(), key_column, check.suspects)


MAX_SUSPECTS = 100_000  # entries suspected of coming back, checked exactly afterwards (a few megabytes at most)


class ContiguityCheck:
    """Follows the entries of a file in order (:meth:`next_entry` at each new one), remembering those closed in a
    :class:`ClosedEntries` filter. An entry the filter says was closed before is a *suspect*: it came back, or the
    filter erred (ClosedEntries says how often). The suspects, kept exactly, are checked by
    :func:`suspects_reappear` once the file has been read; past :data:`MAX_SUSPECTS` the file is taken to be out of
    order (``overflowed``), as it almost surely is."""

    __slots__ = ("closed", "current", "overflowed", "suspects")

    def __init__(self) -> None:
        self.closed = ClosedEntries()
        self.suspects: set[str] = set()
        self.current: str | None = None
        self.overflowed = False

    def next_entry(self, key: str) -> bool:
        """The next entry of the file, ``key`` (not the current one's): False when it is a suspect."""
        suspect = key in self.closed
        if suspect:
            if len(self.suspects) >= MAX_SUSPECTS:
                self.overflowed = True
            else:
                self.suspects.add(key)
        if self.current is not None:
            self.closed.add(self.current)
        self.current = key
        return not suspect


def suspects_reappear(rows: Iterable[list[str]], key_column: int, suspects: set[str]) -> bool:
    """Exactly: whether the rows of any entry of ``suspects`` come back after another entry's, in ``rows`` (read
    from the first row after the header; blank rows ignored)."""
    closed: set[str] = set()
    current: str | None = None
    for key in _entry_keys(rows, key_column):
        if key in closed:
            return True
        if current in suspects:
            closed.add(current)
        current = key
    return False


def _entry_keys(rows: Iterable[list[str]], key_column: int) -> Iterator[str]:
    """The key of each entry of ``rows`` in turn, once per run of its rows (blank rows ignored): an entry whose
    rows come back after another's is given again."""
    key_of = EntryKeys(key_column)
    current: str | None = None
    for row in rows:
        if not row:
            continue
        key = key_of(row)
        if key != current:
            current = key
            yield key


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
