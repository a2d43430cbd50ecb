"""``flask --app app marks import FILE.csv``: recordations in bulk, all rows or none, row-numbered errors."""

from __future__ import annotations

from datetime import date

from sqlalchemy import func, select

from core.extensions import db
from standards.models import RecordedMark

HEADER = "recordation_number,mark,owner,expires_on,lever_rule,lever_scope\n"


def _count(app) -> int:
    with app.app_context():
        count = db.session.scalar(select(func.count()).select_from(RecordedMark))
        db.session.remove()
    return count


def test_import_loads_every_row(app, runner, make_user, tmp_path):
    make_user("rights_holder", org="Lumen Electronics Inc.")
    source = tmp_path / "marks.csv"
    source.write_text(HEADER + "TMK 21-00123,LUMEN,Lumen Electronics Inc.,2031-05-01,true,8518;851713\n"
                               "tmk 19-04567,LUMENCARE,lumen electronics inc.,,false,\n"
                               "TMK 15-00001,OLDLUMEN,Lumen Electronics Inc.,2020-01-31,true,\n")
    result = runner.invoke(args=["marks", "import", str(source)])
    assert result.exit_code == 0, result.output
    assert "imported 3 recordation(s)" in result.output
    with app.app_context():
        marks = {m.recordation_number: m for m in db.session.scalars(select(RecordedMark))}
        assert marks["TMK 21-00123"].lever_scope == ["851713", "8518"] and marks["TMK 21-00123"].lever_rule
        assert marks["TMK 21-00123"].expires_on == date(2031, 5, 1)
        assert marks["TMK 19-04567"].expires_on is None and not marks["TMK 19-04567"].lever_rule
        assert marks["TMK 15-00001"].expires_on == date(2020, 1, 31)  # a lapsed recordation is accepted
        db.session.remove()


def test_import_with_a_bad_row_loads_nothing_and_names_each_row(app, runner, make_user, tmp_path):
    make_user("rights_holder", org="Lumen Electronics Inc.")
    make_user("importer", org="Not A Rights Holder")
    source = tmp_path / "marks.csv"
    source.write_text(HEADER + "TMK 21-00123,LUMEN,Lumen Electronics Inc.,,true,\n"
                               "TMK 21-0012,BAD,Lumen Electronics Inc.,,,\n"
                               "TMK 21-00124,X,Not A Rights Holder,,,\n"
                               "TMK 21-00125,Y,Lumen Electronics Inc.,31/12/2030,maybe,\n"
                               "TMK 21-00126,Z,Lumen Electronics Inc.,,true,85x\n"
                               "TMK 21-00123,AGAIN,Lumen Electronics Inc.,,,\n")
    result = runner.invoke(args=["marks", "import", str(source)])
    assert result.exit_code == 1
    assert "row 3: recordation_number:" in result.output
    assert "row 4: owner: No rights-holder organisation named 'Not A Rights Holder'" in result.output
    assert "row 5: lever_rule:" in result.output
    assert "row 6: lever_scope: Not 2 to 10 digits: 85x" in result.output
    assert "row 7: recordation_number: Same recordation as row 2" in result.output
    assert "nothing imported: 5 problem(s)" in result.output
    assert _count(app) == 0


def test_import_refuses_a_file_without_the_columns(app, runner, tmp_path):
    source = tmp_path / "marks.csv"
    source.write_text("number,name\nTMK 21-00123,LUMEN\n")
    result = runner.invoke(args=["marks", "import", str(source)])
    assert result.exit_code == 1 and "row 1:" in result.output and "Missing column(s)" in result.output
