"""Grouping a screening file's rows by entry: the contiguity check and the on-disk sort."""

from __future__ import annotations

import csv
import io
import random
from pathlib import Path

import pytest

from program.decisions import grouping


def _rows(keys):
    return [[key, f"line {i}"] for i, key in enumerate(keys)]


@pytest.mark.parametrize(("keys", "contiguous"), [
    ([], True),
    (["A", "A", "B", "B", "C"], True),
    (["ABC-1234567-6", "abc1234567-6", " ABC12345676 ", "B"], True),  # one entry, spelt three ways
    (["A", "B", "A"], False),
    (["A", "A", "B", "C", "D", "a"], False),
    (["A", "", "A"], False),  # an empty entry number is an entry key too (its row is reported bad later)
])
def test_contiguity(keys, contiguous):
    assert grouping.entries_are_contiguous(_rows(keys), 0) is contiguous


def test_blank_rows_do_not_split_an_entry():
    assert grouping.entries_are_contiguous([["A", "1"], [], ["A", "2"], ["B", "1"]], 0)


def test_many_distinct_entries_are_not_mistaken_for_repeats():
    # 20,000 keys and no second pass: the chance of any false positive (five probes in 2**27 bits) is about
    # (5n/m)**5 * n / 6, 1e-12 here (with three probes and 200,000 keys it was 0.5%, and Python's string hashes change
    # with every process, so the test failed now and then).
    keys = [f"E{n:09d}" for n in range(20_000)]
    assert grouping.entries_are_contiguous(([k, "x"] for k in keys), 0)
    keys.append("E000000007")
    assert not grouping.entries_are_contiguous(([k, "x"] for k in keys), 0)


@pytest.fixture
def erring_filter(monkeypatch):
    """A Bloom filter that says every entry may have been closed before: each one is a suspect."""
    monkeypatch.setattr(grouping.ClosedEntries, "__contains__", lambda _self, _key: True)


@pytest.mark.parametrize(("keys", "contiguous"), [
    (["A", "A", "B", "B", "C"], True),
    (["ABC-1234567-6", "abc1234567-6", " ABC12345676 ", "B"], True),
    (["A", "B", "A"], False),
    (["A", "A", "B", "C", "D", "a"], False),
    (["A", "", "A"], False),
])
def test_suspects_of_an_erring_filter_are_checked_exactly(keys, contiguous, erring_filter):
    """A false positive of the filter (now and then in a file of millions of entries) no longer reads as an entry
    that came back: the suspects are checked exactly by a second pass over the rows."""
    rows = _rows(keys)
    assert grouping.entries_are_contiguous(rows, 0, again=lambda: iter(rows)) is contiguous
    # Without a second pass, a suspect is taken for a repeat (the caller then sorts: never wrong, only slower).
    assert grouping.entries_are_contiguous(rows, 0) is False


def test_the_exact_check_reads_only_the_suspects(erring_filter):
    rows = _rows(["A", "B", "A", "C"])
    assert grouping.suspects_reappear(iter(rows), 0, {"A"})
    assert not grouping.suspects_reappear(iter(rows), 0, {"B", "C"})  # A came back, but A is not suspected


def test_too_many_suspects_mean_a_file_out_of_order(monkeypatch, erring_filter):
    """Past MAX_SUSPECTS the file is taken to be out of order, without a second pass (it almost surely is)."""
    monkeypatch.setattr(grouping, "MAX_SUSPECTS", 3)
    rows = _rows(["A", "B", "C", "D", "E", "F"])
    again = []
    assert grouping.entries_are_contiguous(rows, 0, again=lambda: again.append(1) or iter(rows)) is False
    assert again == []


def test_a_million_entries_in_order_are_contiguous_whatever_the_filter_says():
    """At a million entries a filter of three probes erred about three times (it did on the benchmark's file, which
    the screen then sorted on disk for nothing); with the exact check the answer is right whatever the filter says.
    A repeat is still found."""
    keys = [f"E{n:09d}" for n in range(1_000_000)]
    calls = []

    def again():
        calls.append(1)
        return ([k, "x"] for k in keys)

    assert grouping.entries_are_contiguous(([k, "x"] for k in keys), 0, again=again)
    assert len(calls) <= 1
    keys.append("E000000007")
    assert not grouping.entries_are_contiguous(([k, "x"] for k in keys), 0, again=again)


def _sorted(text: str, run_rows: int, monkeypatch, tmp_path: Path):
    monkeypatch.setattr(grouping, "RUN_ROWS", run_rows)
    reader = csv.reader(io.StringIO(text))
    next(reader)
    return list(grouping.sorted_by_entry(reader, 0, line_number=lambda: reader.line_num, workdir=tmp_path))


@pytest.mark.parametrize("run_rows", [1, 2, 3, 1000])
def test_sort_groups_entries_keeps_file_order_within_each_and_the_row_numbers(run_rows, monkeypatch, tmp_path):
    text = "entry,what\nB,b1\nA-1,a1\nB,b2\n\nC,c1\na1,a2\nB,\"b3\nspans two lines\"\nC,c2\n"
    out = _sorted(text, run_rows, monkeypatch, tmp_path)
    assert [(n, row[1]) for n, row in out] == [
        (3, "a1"), (7, "a2"), (2, "b1"), (4, "b2"), (9, "b3\nspans two lines"), (6, "c1"), (10, "c2")]
    assert [row[0] for _n, row in out][:2] == ["A-1", "a1"]  # rows come back exactly as written
    assert list(tmp_path.iterdir()) == []  # the runs are removed once the rows have been read


def test_sort_of_a_shuffled_file_matches_an_in_memory_sort(monkeypatch, tmp_path):
    rng = random.Random(7)
    rows = [(f"E{rng.randrange(300):04d}", str(i)) for i in range(5000)]
    text = "entry,n\n" + "".join(f"{k},{n}\n" for k, n in rows)
    out = _sorted(text, 700, monkeypatch, tmp_path)
    expected = sorted(((k, int(n)) for k, n in rows))
    assert [(row[0], int(row[1])) for _n, row in out] == expected
    assert [n for n, _row in out] == [int(row[1]) + 2 for _n, row in out]  # line 1 is the header


def test_closing_the_stream_early_removes_the_runs(monkeypatch, tmp_path):
    monkeypatch.setattr(grouping, "RUN_ROWS", 2)
    reader = csv.reader(io.StringIO("e\nB\nA\nB\nA\nC\n"))
    next(reader)
    stream = grouping.sorted_by_entry(reader, 0, line_number=lambda: reader.line_num, workdir=tmp_path)
    assert next(stream)[1] == ["A"]
    assert list(tmp_path.iterdir())
    stream.close()
    assert list(tmp_path.iterdir()) == []


def test_entry_keys_normalise_each_row_as_entry_key_does():
    key_of = grouping.EntryKeys(1)
    rows = [["x", " abc-1234567-8 "], ["y", " abc-1234567-8 "], ["z", "ABC1234567-8"], ["short"], ["w", "def-7"],
            ["v", " abc-1234567-8 "]]
    assert [key_of(row) for row in rows] == ["ABC12345678", "ABC12345678", "ABC12345678", "", "DEF7", "ABC12345678"]
