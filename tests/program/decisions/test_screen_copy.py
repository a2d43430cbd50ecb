"""A partitioned run copies rows as text: the parent deals each row's own text into a partition, and merges the
partitions' output rows as they were written. Held here to the parsed path they replace, on the awkward files:
quoted line breaks, CRLF and CR line ends, a last line without one, blank lines, rows the parser refuses."""

from __future__ import annotations

import csv
import io
import random

import pytest

from core import csvio
from program.decisions.screen_parallel import Plan, _records, deal, merge_output
from program.decisions.screen_read import INPUT_COLUMNS, column_index, numbered_records, numbered_rows
from program.decisions.screen_summary import ScreenSummary
from tests.program.decisions.conftest import EXPEDITED_LINE, REFERRED_LINE, STANDARD_LINE
from tests.program.decisions.test_screen import _csv, _rows
from tests.program.decisions.test_screen_parallel import _forget_decisions, _number, _run, _without_uei

_AWKWARD = ("plain", 'say "hi"', "two\nlines", "cr\rinside", "crlf\r\ninside", "comma, inside", "", " spaced ",
            '"', "\n", "ends with a break\n", "=SUM(A1)")


def _random_file(seed: int, *, terminator: str = "\n", final_break: bool = True) -> str:
    rng = random.Random(seed)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator=terminator)
    writer.writerow(INPUT_COLUMNS)
    for serial in range(1, 40):
        for _ in range(rng.randint(1, 3)):
            if rng.random() < 0.1:
                out.write(terminator)  # a blank line
            writer.writerow([_number(serial if rng.random() < 0.9 else serial + 1000), "2704", "12-3456789AB",
                             *(rng.choice(_AWKWARD) for _ in INPUT_COLUMNS[3:])])
    text = out.getvalue()
    return text if final_break else text[:-len(terminator)]


@pytest.mark.parametrize(("terminator", "final_break"), [("\n", True), ("\r\n", True), ("\r", True), ("\n", False),
                                                         ("\r\n", False)])
@pytest.mark.parametrize("seed", range(4))
def test_records_are_the_rows_and_their_own_text(seed, terminator, final_break):
    text = _random_file(seed, terminator=terminator, final_break=final_break)
    parsed_summary, copied_summary = ScreenSummary(), ScreenSummary()
    header, rows = numbered_rows(io.StringIO(text, newline=""), parsed_summary, contiguous=True)
    copied_header, records = numbered_records(io.StringIO(text, newline=""), copied_summary)
    records = list(records)
    assert copied_header == header
    assert [(n, row) for n, row, _ in records] == [(n, row) for n, row in rows if row]  # blank lines skipped
    assert "".join(t for _, _, t in records).replace("\r", "\n").count("\n") >= len(records)
    for _, row, own in records:  # each text is the row, whole, ending with a line break
        assert list(csv.reader(io.StringIO(own, newline=""))) == [row]
        assert own.endswith(("\n", "\r"))


def test_a_row_the_parser_refuses_is_dropped_with_its_text():
    limit = csv.field_size_limit(200)
    try:
        rows = _rows(_number(1), EXPEDITED_LINE) + _rows(_number(2), dict(STANDARD_LINE, description="x" * 500)) \
            + _rows(_number(3), REFERRED_LINE)
        text = _csv(rows)
        summary = ScreenSummary()
        _, records = numbered_records(io.StringIO(text, newline=""), summary)
        records = list(records)
    finally:
        csv.field_size_limit(limit)
    assert [row[0] for _, row, _ in records] == [_number(1), _number(3)]
    assert summary.bad_rows == 1 and summary.errors[0]["row"] == 3
    assert records[1][2].startswith(_number(3))  # not prefixed with the refused row's text


@pytest.mark.parametrize("seed", range(4))
def test_copied_partitions_hold_what_written_ones_hold(tmp_path, seed):
    text = _random_file(seed, terminator="\r\n")
    header, rows = numbered_rows(io.StringIO(text, newline=""), ScreenSummary(), contiguous=True)
    written = [tmp_path / f"written-{i}.csv" for i in range(3)]
    copied = [tmp_path / f"copied-{i}.csv" for i in range(3)]
    plan, counts = deal(header, rows, column_index(header), written)
    _, records = numbered_records(io.StringIO(text, newline=""), ScreenSummary())
    copied_plan, copied_counts = deal(header, records, column_index(header), copied, copied=True)
    assert (copied_plan.partition, copied_plan.rows, copied_counts) == (plan.partition, plan.rows, counts)
    for one, other in zip(written, copied, strict=True):
        with open(one, newline="", encoding="utf-8") as a, open(other, newline="", encoding="utf-8") as b:
            assert list(csv.reader(b)) == list(csv.reader(a))


@pytest.mark.parametrize("seed", range(6))
def test_output_rows_are_split_where_the_writer_ended_them(seed):
    """Output rows as the screen writes them (core.csvio's writer, "\n" line ends)."""
    rng = random.Random(seed)
    rows = [[rng.choice(_AWKWARD) for _ in range(rng.randint(1, 5))] for _ in range(200)]
    texts = []
    for row in rows:
        one = io.StringIO()
        csvio.writer(one, lineterminator="\n").writerow(row)
        texts.append(one.getvalue())
    assert list(_records(io.StringIO("".join(texts), newline=""))) == texts


def test_merge_puts_each_entry_back_in_input_order(tmp_path):
    outputs = [tmp_path / "out-0.csv", tmp_path / "out-1.csv"]
    rows = [[f"entry {n}", f"line {i}", "two\nlines" if n % 3 == 0 else 'a "quote"', "=1+1"]
            for n in range(12) for i in range(n % 3 + 1)]
    plan = Plan()
    by_partition: list[list[list[str]]] = [[], []]
    for n in range(12):
        entry = [row for row in rows if row[0] == f"entry {n}"]
        plan.partition.append(n % 2)
        plan.rows.append(len(entry))
        by_partition[n % 2] += entry
    for path, part in zip(outputs, by_partition, strict=True):
        with open(path, "w", newline="", encoding="utf-8") as handle:
            csvio.writer(handle, lineterminator="\n").writerows(part)
    out = io.StringIO()
    merge_output(plan, outputs, out, list(INPUT_COLUMNS))
    merged = list(csv.reader(io.StringIO(out.getvalue(), newline="")))
    assert merged[1:] == [[csvio.safe_cell(cell) for cell in row] for row in rows]


def test_workers_copy_awkward_rows_and_give_one_process_output(app, world, tmp_path):
    """End to end: CRLF line ends, a description with a line break and quotes, a blank line, no final line break."""
    rows = []
    for serial in range(1, 31):
        lines = [dict((EXPEDITED_LINE, STANDARD_LINE, REFERRED_LINE)[(serial + n) % 3], line_no=n + 1)
                 for n in range(serial % 3 + 1)]
        if serial % 4 == 0:
            lines[0] = dict(lines[0], description='Cotton "tote" bags,\nprinted')
        rows += _rows(_number(serial), *lines)
    text = _csv(rows).replace("\n", "\r\n").replace('bags,\r\nprinted', 'bags,\nprinted')
    text = text.replace("\r\n", "\r\n\r\n", 1).rstrip("\r\n")
    source = tmp_path / "awkward.csv"
    source.write_bytes(text.encode())
    one_summary, one = _run(app, source, workers=1)
    _forget_decisions(app, world)
    two_summary, two = _run(app, source, workers=2)
    assert _without_uei(two) == _without_uei(one)
    assert len(two) == len(rows) and any("\n" in r["description"] for r in two)
    assert two_summary.rows == one_summary.rows == len(rows)
