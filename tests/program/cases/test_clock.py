"""API.md "Enforcement cases" / REGULATIONS.md "The detention clock": the clock of each legal basis, over
the test clock's days (weekends, month and year ends, federal holidays)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from core.timeutil import today
from program.cases.deadlines import add_business_days, business_days_between, is_business_day, overdue_by
from tests.clocks import ALL_DAYS, day_id


def _detain(reviewer_api, decision_id: int, **body):
    body = {"decision_id": decision_id, "action": "detain", **{k: v.isoformat() if isinstance(v, date) else v
                                                               for k, v in body.items()}}
    return reviewer_api.post("/api/v1/cases", json=body)


def test_gray_market_presented_on_the_friday_before_independence_day(clock, reviewer_api, make_decision, api_as, world):
    """Presented Fri 2 July 2027; Monday 5 July is the observed holiday. Notice due five business days after the
    decision to detain (Tue-Fri, then Mon 12 July); the 30-day period (calendar days) is the importer's period."""
    clock.move_to(datetime(2027, 7, 9, 14, 0, tzinfo=UTC))
    decision_id, _uei = make_decision(decided_at=datetime(2027, 7, 2, 9, 0, tzinfo=UTC))
    response = _detain(reviewer_api, decision_id, basis="gray_market", notice_date=date(2027, 7, 9))
    assert response.status_code == 201, response.json
    case = response.json
    assert (case["basis"], case["presented_on"], case["detained_on"]) == ("gray_market", "2027-07-02", "2027-07-02")
    assert case["notice_due"] == "2027-07-12" and case["notice_late"] is False
    assert case["detention_ends"] == "2027-08-01" and case["response_due"] == "2027-08-01"
    assert case["deemed_excluded"] is False and case["overdue"] is False
    assert case["business_days_left"] == business_days_between(date(2027, 7, 9), date(2027, 8, 1))
    assert case["next_due"]["key"] == "response"  # the response period and the detention end on the same day
    # Extended for good cause (133.25(a)): the period and the importer's deadline move together.
    ext = reviewer_api.post(f"/api/v1/cases/{case['uei']}/events", json={
        "type": "detention_extended", "until": "2027-08-31", "note": "Importer asked for time to get the label."})
    assert ext.status_code == 201, ext.json
    assert ext.json["detention_ends"] == "2027-08-31" and ext.json["response_due"] == "2027-08-31"
    assert ext.json["event"]["until"] == "2027-08-31"
    for bad in ("2027-07-30", "not a date", None):
        refused = reviewer_api.post(f"/api/v1/cases/{case['uei']}/events", json={"type": "detention_extended",
                                                                                 "until": bad})
        assert refused.status_code == 422 and "until" in refused.json["errors"]["json"], bad
    clock.move_to(datetime(2027, 9, 1, 14, 0, tzinfo=UTC))
    later = api_as(world.importer).get(f"/api/v1/cases/{case['uei']}").json
    assert later["deemed_excluded"] is True and later["overdue"] is True
    assert later["overdue_by"] == 1  # Wednesday 1 September is one business day after Tuesday 31 August


def test_a_late_notice_is_marked(reviewer_api, make_decision):
    detained = today() - timedelta(days=20)
    decision_id, _ = make_decision(decided_at=datetime.combine(detained, datetime.min.time(), tzinfo=UTC))
    notice = add_business_days(detained, 7)
    case = _detain(reviewer_api, decision_id, detained_on=detained, notice_date=notice).json
    assert case["notice_due"] == add_business_days(detained, 5).isoformat()
    assert case["notice_late"] is True
    notice_step = next(m for m in case["clock"] if m["key"] == "notice")
    assert notice_step["state"] == "late" and notice_step["overdue_by"] == 2
    assert case["response_due"] == add_business_days(notice, 7).isoformat()  # counterfeit: 7 business days


@pytest.mark.parametrize("clock", ALL_DAYS, indirect=True, ids=day_id)
@pytest.mark.parametrize("age", [29, 30, 31, 45])
def test_deemed_excluded_from_the_day_after_the_thirtieth(clock, reviewer_api, make_decision, age):
    presented = today() - timedelta(days=age)
    decision_id, _ = make_decision(decided_at=datetime.combine(presented, datetime.min.time(), tzinfo=UTC))
    case = _detain(reviewer_api, decision_id, notice_date=presented + timedelta(days=1)).json
    assert case["detention_ends"] == (presented + timedelta(days=30)).isoformat()
    assert case["deemed_excluded"] is (age > 30)
    ends = next(m for m in case["clock"] if m["key"] == "detention_ends")
    assert ends["state"] == ("missed" if age > 30 else "due")
    assert ends["overdue_by"] == overdue_by(presented + timedelta(days=30), today()) >= 0
    # Once an outcome closes the case, it is no longer deemed excluded.
    closed = reviewer_api.post(f"/api/v1/cases/{case['uei']}/events", json={"type": "released"}).json
    assert closed["deemed_excluded"] is False


@pytest.mark.parametrize("clock", ALL_DAYS, indirect=True, ids=day_id)
def test_counterfeit_clock_and_overdue_never_negative(clock, reviewer_api, make_decision, api_as, world):
    detained = today() - timedelta(days=14)
    decision_id, _ = make_decision(decided_at=datetime.combine(detained, datetime.min.time(), tzinfo=UTC))
    notice = detained + timedelta(days=1)
    case = _detain(reviewer_api, decision_id, notice_date=notice).json
    due = add_business_days(notice, 7)
    assert case["response_due"] == due.isoformat()
    assert case["notice_due"] == add_business_days(detained, 5).isoformat() and case["notice_late"] is False
    body = api_as(world.importer).get(f"/api/v1/cases/{case['uei']}").json
    if today() > due:
        assert body["overdue"] and body["overdue_by"] == business_days_between(due, today()) and body["overdue_by"] >= 0
        assert body["business_days_left"] is None
    else:
        assert not body["overdue"] and body["overdue_by"] == 0
        assert body["business_days_left"] == business_days_between(today(), due) >= 0
    assert is_business_day(date.fromisoformat(case["notice_due"]))


@pytest.mark.parametrize(("body", "field"), [
    ({"basis": "lever"}, "basis"),
    ({"presented_on": "tomorrow"}, "presented_on"),
    ({"presented_on": "+1"}, "presented_on"),
    ({"detained_on": "-40"}, "detained_on"),
    ({"detained_on": "-1", "notice_date": "-3"}, "notice_date"),
    ({"line_nos": [7]}, "line_nos"),
])
def test_bad_clock_dates_are_422_naming_the_field(reviewer_api, make_decision, body, field):
    decision_id, _ = make_decision()  # decided 30 days ago: presented then by default
    resolved = {k: ((today() + timedelta(days=int(v))).isoformat() if isinstance(v, str) and v[:1] in "+-" else v)
                for k, v in body.items()}
    resolved.setdefault("notice_date", today().isoformat())
    response = reviewer_api.post("/api/v1/cases", json={"decision_id": decision_id, "action": "detain", **resolved})
    assert response.status_code == 422, response.json
    assert field in response.json["errors"]["json"], response.json
    assert reviewer_api.get("/api/v1/cases").json["total"] == 0  # nothing half-written
