"""Fixed instants for the test clock: every test runs at :data:`DEFAULT_NOW` unless it asks for another.

Date logic is tested against each of these instead of the real clock, so the suite gives the same
answer on any day it runs. Pass a list to ``pytest.mark.parametrize("clock", ..., indirect=True)``.
"""

from __future__ import annotations

from datetime import UTC, datetime

#: The instant every test starts at (a Wednesday afternoon, UTC, no holiday near); the clock ticks on.
DEFAULT_NOW = datetime(2026, 11, 18, 15, 0, tzinfo=UTC)

#: One of each weekday (Monday 2026-11-09 to Sunday 2026-11-15; Veterans Day, Wed 11-11, is a holiday).
WEEKDAYS = [datetime(2026, 11, day, 15, 0, tzinfo=UTC) for day in range(9, 16)]

#: Month, year and federal-holiday boundaries: the last day of November, New Year's Eve (ISO week 53 of
#: 2026), New Year's Day 2027, the Friday before Independence Day 2027 (observed Monday 5 July), and the
#: Wednesday before Thanksgiving 2026.
BOUNDARIES = [
    datetime(2026, 11, 30, 23, 30, tzinfo=UTC),
    datetime(2026, 12, 31, 23, 30, tzinfo=UTC),
    datetime(2027, 1, 1, 0, 30, tzinfo=UTC),
    datetime(2027, 7, 2, 12, 0, tzinfo=UTC),
    datetime(2026, 11, 25, 12, 0, tzinfo=UTC),
]

#: What a date-dependent test is parametrised over.
ALL_DAYS = WEEKDAYS + BOUNDARIES


def day_id(instant: datetime) -> str:
    """A readable test id: ``2026-11-09-Mon``."""
    return instant.strftime("%Y-%m-%d-%a")
