"""Business-day arithmetic from every weekday and across month, year and federal-holiday boundaries:
counting from the test clock's today, never the real one."""

from __future__ import annotations

from datetime import timedelta

import pytest

from core.timeutil import today
from program.cases.deadlines import add_business_days, business_days_between, is_business_day, response_due
from tests.clocks import ALL_DAYS, day_id

pytestmark = pytest.mark.parametrize("clock", ALL_DAYS, indirect=True, ids=day_id)


@pytest.mark.parametrize("days", [1, 5, 7, 30])
def test_n_business_days_after_today(clock, days):
    start = today()
    due = add_business_days(start, days)
    assert due > start and is_business_day(due)
    between = [start + timedelta(days=n) for n in range(1, (due - start).days)]
    assert sum(1 for d in between if is_business_day(d)) == days - 1  # the start never counts
    assert business_days_between(start, due) == days
    assert business_days_between(due, start) == -days


def test_response_due_is_seven_business_days_and_never_a_weekend_or_holiday(clock):
    due = response_due(today())
    assert due.weekday() < 5 and is_business_day(due)
    assert 9 <= (due - today()).days <= 14  # seven business days span 9 to 14 calendar days here
