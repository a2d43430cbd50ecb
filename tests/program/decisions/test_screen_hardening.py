"""Screening output never hands a spreadsheet a formula, and a row the CSV parser refuses is a bad row."""

from __future__ import annotations

from tests.program.decisions.conftest import EXPEDITED_LINE
from tests.program.decisions.test_screen import ENTRY_A, ENTRY_B, _csv, _rows, _screen


def test_formula_cells_from_the_input_are_neutralised_in_the_output(app, world):
    line = dict(EXPEDITED_LINE, description='=HYPERLINK("http://evil.example","x")')
    _summary, rows = _screen(app, _csv(_rows(ENTRY_A, line)))
    assert rows[0]["description"].startswith("'=HYPERLINK")


def test_a_field_over_the_parser_limit_is_a_bad_row_and_the_run_goes_on(app, world):
    text = _csv(_rows(ENTRY_A, EXPEDITED_LINE))
    text += f"{ENTRY_B},2704,12-3456789AB,1,\"{'x' * 140_000}\",8517.13.0000,1,100.00,mobile_devices,used\n"
    text += _csv(_rows(ENTRY_B, EXPEDITED_LINE)).split("\n", 1)[1]
    summary, rows = _screen(app, text)
    assert summary.bad_rows == 1
    assert summary.errors[0]["row"] == 3
    assert {row["entry_number"] for row in rows} == {ENTRY_A, ENTRY_B}
