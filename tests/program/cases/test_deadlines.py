"""Seven business days, skipping weekends and U.S. federal holidays (19 CFR 133.21(b))."""

from __future__ import annotations

from datetime import date

import pytest

from program.cases.deadlines import add_business_days, business_days_between, is_business_day, response_due


@pytest.mark.parametrize(("notice", "due", "why"), [
    (date(2026, 11, 2), date(2026, 11, 12), "Veterans Day (Wed 11 Nov) skipped"),
    (date(2026, 11, 23), date(2026, 12, 3), "Thanksgiving (Thu 26 Nov) and the weekend skipped"),
    (date(2026, 11, 25), date(2026, 12, 7), "notice the day before Thanksgiving"),
    (date(2026, 12, 28), date(2027, 1, 7), "New Year's Day (Fri 1 Jan 2027) and the weekend skipped"),
    (date(2027, 12, 27), date(2028, 1, 6), "New Year 2028 falls on Saturday, observed Friday 31 Dec 2027"),
    (date(2026, 12, 21), date(2026, 12, 31), "Christmas (Fri 25 Dec) skipped"),
    (date(2026, 11, 7), date(2026, 11, 18), "a Saturday notice counts from Monday; Veterans Day skipped"),
])
def test_response_due(notice, due, why):
    assert response_due(notice) == due, why


def test_holidays_and_weekends_are_not_business_days():
    assert not is_business_day(date(2026, 11, 26))  # Thanksgiving
    assert not is_business_day(date(2027, 1, 1))  # New Year's Day
    assert not is_business_day(date(2026, 11, 28))  # Saturday
    assert is_business_day(date(2026, 11, 27))  # the Friday after Thanksgiving is a working day


def test_zero_days_is_the_same_day_and_negative_is_refused():
    assert add_business_days(date(2026, 11, 23), 0) == date(2026, 11, 23)
    with pytest.raises(ValueError, match="negative"):
        add_business_days(date(2026, 11, 23), -1)


def test_business_days_between_is_the_inverse():
    notice = date(2026, 11, 23)
    assert business_days_between(notice, response_due(notice)) == 7
    assert business_days_between(response_due(notice), notice) == -7


def test_case_clock_milestones_and_next_due():
    from program.cases.deadlines import case_clock, next_due

    common = {"basis": "gray_market", "presented_on": date(2026, 11, 2), "detained_on": date(2026, 11, 2),
              "notice_date": date(2026, 11, 13), "ends": date(2026, 12, 2), "due": date(2026, 12, 2)}
    steps = case_clock(**common, open_=True, responded_on=None, on=date(2026, 11, 18))
    assert [m.key for m in steps] == ["presented", "detained", "notice", "response", "detention_ends"]
    notice = steps[2]
    assert (notice.state, notice.overdue_by) == ("late", 3)  # due Mon 9 Nov; 10, 12, 13 Nov (Veterans Day skipped)
    assert next_due(steps).key == "response" and next_due(steps).days_left > 0
    closed = case_clock(**common, open_=False, responded_on=None, on=date(2026, 12, 20),
                        closed=("Outcome: released", date(2026, 11, 30)))
    assert [m.key for m in closed] == ["presented", "detained", "notice", "outcome"] and next_due(closed) is None
