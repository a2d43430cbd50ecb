"""One helper neutralises formula cells in every CSV the service writes (finding 6)."""

from __future__ import annotations

import csv
import io

import pytest

from core import csvio
from program.cases.stats import Table


@pytest.mark.parametrize("value", ["=1+1", "+1", "-1", "@SUM(A1)", "\tx", "\rx", '=HYPERLINK("x")'])
def test_formula_starts_are_neutralised(value):
    assert csvio.safe_cell(value) == "'" + value


@pytest.mark.parametrize("value", ["plain", "", 12, -3, None, "a=b"])
def test_other_cells_are_left_alone(value):
    assert csvio.safe_cell(value) == value


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
