"""Cases on one-line entries (parcels), whose line is kept in the decision's own row since migration 0016 — and on
one-line decisions stored before it, whose line is a line row: the same for every reader (the rights holder's
view and list, the case's lines and goods, the statistics by sector and by value)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from core.extensions import db
from core.timeutil import today
from program.decisions.models import DecisionLine, ReleaseDecision
from tests.program.cases.conftest import MARK_A

LINE = ("Smartphones X2", "8517130000", 240, "71880.00", "mobile_devices", MARK_A)


@pytest.mark.parametrize("one_row", [True, False], ids=["one-row", "line-row"])
def test_a_case_on_a_one_line_entry_reads_alike_either_way(app, api_as, world, reviewer_api, open_case, one_row):
    notice = today() - timedelta(days=10)
    case = open_case(notice_date=notice, lines=[LINE], one_row=one_row)
    with app.app_context():
        decision = db.session.scalar(select(ReleaseDecision).where(ReleaseDecision.uei == case["uei"]))
        stored = db.session.scalar(select(func.count()).select_from(DecisionLine)
                                   .where(DecisionLine.decision_id == decision.id))
        assert (decision.line_outcome is not None, stored) == ((True, 0) if one_row else (False, 1))
        db.session.remove()

    # The owner of the mark on the line sees the case, lists it and is told which line bears the mark.
    owner = api_as(world.owner_a)
    seen = owner.get(f"/api/v1/cases/{case['uei']}")
    assert seen.status_code == 200, seen.json
    assert [g["recordation_number"] for g in seen.json["goods"]] == [MARK_A]
    assert [line["line_no"] for line in seen.json["lines"]] == [1]
    assert owner.get("/api/v1/cases").json["total"] == 1
    assert api_as(world.owner_b).get(f"/api/v1/cases/{case['uei']}").status_code == 404

    full = reviewer_api.get(f"/api/v1/cases/{case['uei']}").json["entry"]
    assert full["total_value_usd"] == "71880.00"
    assert [(line["line_no"], line["sector"], line["mark_owner"]) for line in full["lines"]] == \
        [(1, "mobile_devices", "Mark A Brands")]

    # Closed, it counts under its line's sector and its entry's value.
    reviewer_api.post(f"/api/v1/cases/{case['uei']}/events",
                      json={"type": "abandoned", "date": (notice + timedelta(days=2)).isoformat()})
    stats = reviewer_api.get("/api/v1/stats/enforcement").json
    assert stats["by_sector"] == {"mobile_devices": {**dict.fromkeys(stats["by_outcome"], 0), "abandoned": 1}}
    assert sum(row["alternatives_cases"] for row in stats["by_value"].values()) == 1
