"""A one-line entry is one row (migration 0016): its line in the decision's own row, read back by every reader as
a line like any other; an entry of several lines keeps its line rows; the database refuses a half-kept line."""

from __future__ import annotations

from decimal import Decimal

import pytest
from sqlalchemy import func, insert, select
from sqlalchemy.exc import IntegrityError

from core.extensions import db
from program.decisions.models import DecisionLine, DecisionReasonSet, ReleaseDecision, line_rows
from tests.program.decisions.conftest import EXPEDITED_LINE, REFERRED_LINE


def _stored(app, uei: str) -> tuple[ReleaseDecision, int]:
    with app.app_context():
        decision = db.session.scalar(select(ReleaseDecision).where(ReleaseDecision.uei == uei))
        rows = db.session.scalar(select(func.count()).select_from(DecisionLine)
                                 .where(DecisionLine.decision_id == decision.id))
        db.session.expunge(decision)
        db.session.remove()
    return decision, rows


def test_a_one_line_entry_is_one_row_and_reads_back_as_asked(app, world, entry):
    line = dict(REFERRED_LINE, line_no=7, country_of_origin="VN", blank_declaration_id=None)
    body = world.reviewer.post("/api/v1/release-decisions", json=entry(line)).json
    decision, line_rows_stored = _stored(app, body["uei"])
    assert line_rows_stored == 0
    assert (decision.line_no, decision.line_outcome, decision.line_hts_code, decision.line_quantity,
            decision.line_value_usd, decision.line_lever_label, decision.line_country_of_origin) == \
        (7, "refer_for_examination", "4202219000", Decimal("3.000"), Decimal("900.00"), False, "VN")
    [sent] = body["lines"]
    assert sent["line_no"] == 7 and "lever_label_missing" in [r["code"] for r in sent["reasons"]]
    # By id, in the list, and as the caller's own: the same line with the same reasons.
    again = world.reviewer.get(f"/api/v1/release-decisions/{body['id']}").json
    assert again["lines"] == body["lines"]
    listed = world.reviewer.get("/api/v1/release-decisions", query_string={"entry_number": body["entry_number"]})
    assert [d["lines"] for d in listed.json["items"]] == [body["lines"]]
    assert world.importer.get(f"/api/v1/release-decisions/{body['id']}").json["lines"] == body["lines"]


def test_an_entry_of_several_lines_keeps_its_line_rows(app, world, entry):
    body = world.importer.post("/api/v1/release-decisions", json=entry(EXPEDITED_LINE, REFERRED_LINE)).json
    decision, line_rows_stored = _stored(app, body["uei"])
    assert line_rows_stored == 2 and decision.line_outcome is None and decision.line_no is None
    assert [line["line_no"] for line in world.importer.get(f"/api/v1/release-decisions/{body['id']}")
            .json["lines"]] == [1, 3]


def test_line_rows_gives_the_lines_of_both_kinds(app, world, entry):
    one = world.reviewer.post("/api/v1/release-decisions", json=entry(REFERRED_LINE)).json
    two = world.reviewer.post("/api/v1/release-decisions", json=entry(EXPEDITED_LINE, REFERRED_LINE)).json
    with app.app_context():
        lines = line_rows("line_no", "outcome", "sector").subquery()
        got = db.session.execute(select(lines).where(lines.c.decision_id.in_([one["id"], two["id"]]))
                                 .order_by(lines.c.decision_id, lines.c.line_no)).all()
        db.session.remove()
    assert [tuple(row) for row in got] == [
        (one["id"], 3, "refer_for_examination", "handbags_accessories"),
        (two["id"], 1, "expedited_release", "mobile_devices"),
        (two["id"], 3, "refer_for_examination", "handbags_accessories")]


@pytest.mark.parametrize("change", [{}, {"line_count": 2}, {"line_description": None}, {"line_reason_set_id": None},
                                    {"line_condition": "mint"}, {"line_outcome": "waved_through"}],
                         ids=["whole-copy-accepted", "two-lines", "no-description", "no-reasons", "bad-condition", "bad-outcome"])
def test_the_database_refuses_a_half_kept_line(app, world, entry, change):
    body = world.reviewer.post("/api/v1/release-decisions", json=entry(REFERRED_LINE)).json
    with app.app_context():
        table = ReleaseDecision.__table__
        row = dict(db.session.execute(select(table).where(table.c.id == body["id"])).mappings().one())
        row |= {"id": None, "uei": "0" * 14 + "1", "status": "superseded", **change}
        assert db.session.scalar(select(func.count()).select_from(DecisionReasonSet)) >= 1
        statement = insert(table).values({k: v for k, v in row.items() if k != "id"})
        if not change:  # the control: the row as written, under another UEI, is a valid row
            db.session.execute(statement)
        else:
            with pytest.raises(IntegrityError):
                db.session.execute(statement)
        db.session.rollback()
        db.session.remove()


def test_lines_given_through_the_orm_are_kept_as_the_writers_keep_them(app):
    def line(n: int) -> DecisionLine:
        return DecisionLine(line_no=n, description=f"Line {n}", hts_code="8517130000", quantity=Decimal(1),
                            value_usd=Decimal(10), sector="mobile_devices", condition="used",
                            outcome="expedited_release", reasons=[])

    with app.app_context():
        decision = ReleaseDecision(uei="0" * 14 + "1", entry_number="ABC-1234567-6", port_code="2704",
                                   ior_number="12-3456789AB", source="api", outcome="expedited_release",
                                   rules_version="t", facts_used={}, line_count=1)
        decision.lines = [line(4)]
        assert (decision.line_no, decision.line_lever_label, decision.stored_lines) == (4, False, [])
        decision.lines = [line(1), line(2)]  # given again, as two: line rows, and nothing left in the row
        assert decision.line_no is None and decision.line_outcome is None and len(decision.stored_lines) == 2
        decision.lines = [line(3)]
        decision.line_count = 1
        db.session.add(decision)
        db.session.commit()
        db.session.expire_all()
        assert [(x.line_no, x.description, x.reasons) for x in decision.lines] == [(3, "Line 3", [])]
        assert db.session.scalar(select(func.count()).select_from(DecisionLine)) == 0
        db.session.remove()
