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
