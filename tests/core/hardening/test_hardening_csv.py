"""One helper neutralises formula cells in every CSV the service writes (finding 6)."""

from __future__ import annotations

import csv
import io
import random

import pytest

from core import csvio
from program.cases.stats import Table


@pytest.mark.parametrize("value", ["=1+1", "+1", "-1", "@SUM(A1)", "\tx", "\rx", '=HYPERLINK("x")'])
def test_formula_starts_are_neutralised(value):
    assert csvio.safe_cell(value) == "'" + value


@pytest.mark.parametrize("value", ["plain", "", 12, -3, None, "a=b"])
def test_other_cells_are_left_alone(value):
    assert csvio.safe_cell(value) == value


@pytest.mark.parametrize("options", [{"lineterminator": "\n"}, {"lineterminator": "\r\n"},
                                     {"lineterminator": "\n", "quoting": csv.QUOTE_ALL}, {"delimiter": ";"}])
def test_many_rows_are_written_as_row_by_row_neutralised(options):
    """``writerows`` checks a row's cells at once and joins plain ones itself: it writes exactly what ``writerow``
    (the csv writer) does, row by row — in order, with every kind of cell around the plain rows."""
    rng = random.Random(18)
    pieces = ["", "a", "=", "+", "-", "@", "\t", "\r", "\0", "'", "x=y", ",", ";", '"', "\n", "9", " b ", "é"]
    plain = ["", "a", "9", " b ", "é", "x=y", "'"]
    rows = [[rng.choice(pieces) + rng.choice(pieces) for _ in range(rng.randint(1, 6))] for _ in range(3000)]
    rows += [[rng.choice(plain) for _ in range(rng.randint(1, 24))] for _ in range(3000)]  # mostly plain rows
    rng.shuffle(rows)
    rows += [[1, None, "=a"], [-2.5, "ok"], [], [""], ["", ""], ("tuple", "row")]
    many, one = io.StringIO(), io.StringIO()
    csvio.writer(many, **options).writerows(rows)
    single = csvio.writer(one, **options)
    for row in rows:
        single.writerow(row)
    assert many.getvalue() == one.getvalue()
    assert any(cell.startswith("'=") for row in csv.reader(io.StringIO(many.getvalue(), newline="")) for cell in row)


def test_export_tables_write_safe_cells():
    table = Table("t", "caption", ["name", "n"], [["=cmd|' /C calc'!A0", 1], ["@x", -2]])
    rows = list(csv.reader(io.StringIO(table.csv())))
    assert rows[1:] == [["'=cmd|' /C calc'!A0", "1"], ["'@x", "-2"]]


def test_a_reader_error_becomes_a_422_naming_the_field_and_row():
    text = "a,b\n1,2\n3,\"" + "x" * 140_000 + "\n"
    reader = csv.reader(io.StringIO(text))
    with pytest.raises(csvio.ValidationFailed) as caught:
        list(csvio.guarded(reader, field="file", line_num=lambda: reader.line_num))
    assert "Row 3" in caught.value.fields["file"][0]


def _check(raw):
    name = raw.get("name", "").strip()
    return {"name": name, "reason": raw.get("reason", "").strip()}, ({} if name else {"name": ["Required."]})


def _read(text):
    return csvio.read_rows(text, columns=("name", "reason"), required=("name",), check=_check,
                           key=lambda values: values["name"].lower(), duplicate="entry")


def test_bulk_loads_number_rows_as_a_spreadsheet_does_and_go_on_after_an_unreadable_row():
    text = "\ufeffname,reason\nAcme,x\n\n,missing\nACME,again\n\"" + "y" * 140_000 + "\nZed,z\n"
    rows, problems = _read(text)
    assert (4, "name", "Required.") in problems  # the blank line 3 is skipped, not renumbered
    assert (5, "name", "Same entry as row 2.") in problems
    assert any(number == 6 and "cannot be read" in message for number, _f, message in problems)
    assert [row["name"] for row in rows][:1] == ["Acme"]


def test_bulk_loads_name_missing_columns_and_empty_files():
    assert _read("reason\nx\n") == ([], [(1, "name", "Missing column(s): name; expected name, reason.")])
    assert _read("name,reason\n") == ([], [(2, "", "The file has no rows.")])
    with pytest.raises(csvio.ImportFailed) as failed:
        csvio.save_all(None, _read("name,reason\n,x\n"), dict, action="x.import", entity_type="x", snapshot=dict)
    assert failed.value.errors == [(2, "name", "Required.")]


@pytest.mark.parametrize("terminator", ["\n", "\r\n"])
@pytest.mark.parametrize("cell", ["cr\rinside", "\r", "ends\r", "crlf\r\ninside", "=1+1\r"])
def test_a_cell_with_a_carriage_return_reads_back_as_written(terminator, cell):
    """With a "\n" line end Python's writer wrote a lone carriage return bare, and readers ended the row there."""
    rows = [["before", cell, None, 3], ["after", "plain", "", 4]]
    for write in ("writerow", "writerows"):
        out = io.StringIO()
        writer = csvio.writer(out, lineterminator=terminator)
        if write == "writerow":
            for row in rows:
                writer.writerow(row)
        else:
            writer.writerows([[str(v) if v is not None else "" for v in row] for row in rows])
        read = list(csv.reader(io.StringIO(out.getvalue(), newline="")))
        assert read == [["before", csvio.safe_cell(cell), "", "3"], ["after", "plain", "", "4"]]
