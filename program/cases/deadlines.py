"""The detention clock (19 U.S.C. 1499(c), 19 CFR 151.16, 133.21, 133.25): business-day deadlines skip
weekends and U.S. federal holidays (as observed); the 30-day detention period counts calendar days.

Pure functions over dates: the service stores what they give, and :func:`case_clock` tells any page
or API client where a case stands on a given day and what is due next."""

from __future__ import annotations

import functools
from dataclasses import dataclass
from datetime import date, timedelta

import holidays

RESPONSE_BUSINESS_DAYS = 7  # 19 CFR 133.21(b): the importer has seven business days from the notice
NOTICE_BUSINESS_DAYS = 5  # 151.16(c), 133.21(b)(2), 133.25(a): notice within five business days of the decision
DETENTION_DAYS = 30  # 1499(c): at most 30 (calendar) days from presentation, then deemed excluded
SEIZURE_DISCLOSURE_BUSINESS_DAYS = 30  # 133.21(e): names and addresses to the owner after seizure

SUSPECTED_COUNTERFEIT, GRAY_MARKET, COPYING_SIMULATING = "suspected_counterfeit", "gray_market", "copying_simulating"
BASES: tuple[str, ...] = (SUSPECTED_COUNTERFEIT, GRAY_MARKET, COPYING_SIMULATING)
BASIS_LABELS: dict[str, str] = {
    SUSPECTED_COUNTERFEIT: "Suspected counterfeit (19 CFR 133.21)",
    GRAY_MARKET: "Gray-market goods, Lever rule (19 CFR 133.23)",
    COPYING_SIMULATING: "Copying or simulating a recorded mark (19 CFR 133.22)",
}


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


def notice_due(detained_on: date) -> date:
    """Last day for the detention notice: five business days after the decision to detain."""
    return add_business_days(detained_on, NOTICE_BUSINESS_DAYS)


def detention_ends(presented_on: date) -> date:
    """Last day of the detention period: 30 calendar days after presentation (before any extension)."""
    return presented_on + timedelta(days=DETENTION_DAYS)


def response_due_for(basis: str, notice_date: date, ends: date) -> date:
    """The importer's deadline: seven business days after the notice for a suspected counterfeit
    (133.21(b)); the whole detention period for gray-market and copying/simulating goods (133.25(a))."""
    if basis == SUSPECTED_COUNTERFEIT:
        return response_due(notice_date)
    return ends


def seizure_disclosure_due(seized_on: date) -> date:
    """When the owner must have the importer's, manufacturer's and exporter's names and addresses (133.21(e))."""
    return add_business_days(seized_on, SEIZURE_DISCLOSURE_BUSINESS_DAYS)


def overdue_by(due: date, on: date) -> int:
    """Business days ``on`` is past ``due`` (0 when not past): "overdue by N business days", never negative."""
    return max(0, business_days_between(due, on))


@dataclass(frozen=True)
class Milestone:
    """One date on a case's clock: what, when, and whether it is met, pending or missed."""

    key: str
    label: str
    date: date
    state: str  # done, late (done after its deadline), due (pending), missed (pending and past)
    overdue_by: int = 0
    days_left: int | None = None


def case_clock(*, basis: str, presented_on: date, detained_on: date, notice_date: date, ends: date, due: date,
               open_: bool, responded_on: date | None, on: date, closed: tuple[str, date] | None = None
               ) -> list[Milestone]:
    """The clock as a timeline (oldest first): presentation, decision to detain, notice (late or not),
    response deadline and end of detention, each marked done, late, due or missed on ``on``; then the outcome
    (``closed``: its label and date) once one closed the case."""
    n_due = notice_due(detained_on)
    response_by = "detention period ends" if basis != SUSPECTED_COUNTERFEIT else "seven business days"
    out = [
        Milestone("presented", "Goods presented for examination", presented_on, "done"),
        Milestone("detained", "Decision to detain", detained_on, "done"),
        Milestone("notice", f"Notice sent (due by {n_due.isoformat()})", notice_date,
                  "late" if notice_date > n_due else "done", overdue_by=overdue_by(n_due, notice_date)),
    ]
    if responded_on is not None:
        out.append(Milestone("response", "Importer responded", responded_on,
                             "late" if responded_on > due else "done", overdue_by=overdue_by(due, responded_on)))
    elif open_:
        out.append(Milestone("response", f"Importer's response due ({response_by})", due,
                             "missed" if on > due else "due", overdue_by=overdue_by(due, on),
                             days_left=None if on > due else business_days_between(on, due)))
    if open_:
        out.append(Milestone("detention_ends", "Detention period ends; afterwards the goods are deemed excluded",
                             ends, "missed" if on > ends else "due", overdue_by=overdue_by(ends, on),
                             days_left=None if on > ends else business_days_between(on, ends)))
    if closed is not None:
        out.append(Milestone("outcome", closed[0], closed[1], "done"))
    return sorted(out, key=lambda m: (m.date, m.key != "presented", m.key == "outcome"))


def next_due(milestones: list[Milestone]) -> Milestone | None:
    """The first deadline still pending or missed (what the reviewer should look at next)."""
    pending = [m for m in milestones if m.state in ("due", "missed") and m.key in ("response", "detention_ends")]
    return min(pending, key=lambda m: m.date) if pending else None
