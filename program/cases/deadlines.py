"""Business-day deadlines of 19 CFR 133.21: weekends and U.S. federal holidays do not count."""

from __future__ import annotations

import functools
from datetime import date, timedelta

import holidays

RESPONSE_BUSINESS_DAYS = 7  # 19 CFR 133.21(b): the importer has seven business days from the notice


@functools.lru_cache(maxsize=64)
def _federal_holidays(year: int) -> holidays.HolidayBase:
    # The U.S. federal calendar (observed dates: a Saturday holiday is observed on Friday, a Sunday on Monday).
    return holidays.country_holidays("US", years=year)


def is_business_day(day: date) -> bool:
    """True on a weekday that is not a U.S. federal holiday (observed)."""
    return day.weekday() < 5 and day not in _federal_holidays(day.year)


def add_business_days(start: date, days: int) -> date:
    """The date ``days`` business days after ``start`` (``start`` itself never counts)."""
    if days < 0:
        raise ValueError("days must not be negative")
    current = start
    remaining = days
    while remaining:
        current += timedelta(days=1)
        if is_business_day(current):
            remaining -= 1
    return current


def response_due(notice_date: date) -> date:
    """The importer's response deadline: seven business days after the detention notice."""
    return add_business_days(notice_date, RESPONSE_BUSINESS_DAYS)


def business_days_between(start: date, end: date) -> int:
    """Business days after ``start`` up to and including ``end`` (negative when ``end`` is earlier)."""
    if end < start:
        return -business_days_between(end, start)
    return sum(1 for n in range(1, (end - start).days + 1) if is_business_day(start + timedelta(days=n)))
