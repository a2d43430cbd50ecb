"""The dashboard's weekly decisions panel on every weekday and across month and year ends: exactly the
eight ISO weeks ending with the current one, table and chart alike (2026-12-03 showed nine)."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

import pytest

from core.extensions import db
from core.timeutil import today, utcnow
from program.dashboards import panels
from program.decisions.models import ReleaseDecision
from tests.clocks import ALL_DAYS, day_id

pytestmark = pytest.mark.parametrize("clock", ALL_DAYS, indirect=True, ids=day_id)


def _monday(day):
    return day - timedelta(days=day.weekday())


def test_eight_iso_weeks_ending_with_this_one(ctx, clock):
    mondays = panels.last_weeks()
    assert len(mondays) == 8
    assert all(m.weekday() == 0 for m in mondays)
    assert mondays[-1] == _monday(today()) and mondays[0] == _monday(today()) - timedelta(weeks=7)
    assert all(b - a == timedelta(weeks=1) for a, b in zip(mondays, mondays[1:], strict=False))
    labels = [panels.week_label(m) for m in mondays]
    assert len(set(labels)) == 8 and labels[-1] == panels.week_label(today())


def test_counts_the_weeks_edges_and_nothing_outside(ctx, clock, decision_at):
    first_monday = panels.last_weeks()[0]
    start = datetime.combine(first_monday, time.min, tzinfo=UTC)
    decision_at(start - timedelta(seconds=1))  # the Sunday before: outside
    decision_at(start)  # the first second of the oldest week
    decision_at(utcnow())  # now, in the current week
    weeks = panels.decisions_by_week()
    assert list(weeks) == [panels.week_label(m) for m in panels.last_weeks()]
    totals = [sum(c.values()) for c in weeks.values()]
    assert totals[0] == 1 and totals[-1] == 1 and sum(totals) == 2


def test_the_panel_table_and_chart_agree(ctx, clock, decision_at, make_user):
    from core.accounts.models import User

    reviewer = db.session.get(User, make_user("reviewer").id)
    decision_at(utcnow())
    weekly = next(p for p in panels.panels_for(reviewer) if p.key == "decisions-weekly")
    assert [row[0] for row in weekly.rows] == list(panels.decisions_by_week())
    assert len(weekly.rows) == 8 and weekly.rows[-1][-1] == 1
    assert "ending with this week" in weekly.description
    svg = panels.decisions_chart()
    for row in weekly.rows:
        assert row[0] in svg


@pytest.fixture
def decision_at(app, make_user):
    """Factory: store a release decision decided at ``when`` (the panel counts rows, not rules)."""
    from program.decisions.uei import new_uei

    importer = make_user("importer")
    counter = {"n": 0}

    def factory(when: datetime) -> None:
        counter["n"] += 1
        db.session.add(ReleaseDecision(
            uei=new_uei(), entry_number=f"ABC-{counter['n']:07d}-0", port_code="2704", ior_number="12-3456789",
            organization_id=importer.organization_id, source="api", outcome="expedited_release",
            rules_version="test", facts_used={}, line_count=1, decided_at=when))
        db.session.flush()

    return factory
