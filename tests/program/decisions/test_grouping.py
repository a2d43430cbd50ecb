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
    # 20,000 keys: the chance of any false positive (three probes in 2**27 bits) is about (3n/m)**3 * n / 4, 5e-7 here;
    # at 200,000 it was 0.5%, and Python's string hashes change with every process, so the test failed now and then.
    keys = [f"E{n:09d}" for n in range(20_000)]
    assert grouping.entries_are_contiguous(([k, "x"] for k in keys), 0)
    keys.append("E000000007")
    assert not grouping.entries_are_contiguous(([k, "x"] for k in keys), 0)


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
