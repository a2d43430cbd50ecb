"""The demo seed on any day: it runs on every weekday and across month, year and holiday boundaries,
dates nothing in the future, and fills the dashboard's current eight weeks."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from core.accounts.models import User
from core.extensions import db
from core.timeutil import today, utcnow
from program.cases.deadlines import is_business_day
from program.cases.models import EnforcementCase
from program.dashboards.panels import panels_for
from program.decisions.models import ReleaseDecision
from program.enrollment.models import Enrollment
from tests.clocks import ALL_DAYS, day_id


@pytest.mark.parametrize("clock", ALL_DAYS, indirect=True, ids=day_id)
def test_demo_seed_on_any_day(app, runner, clock):
    result = runner.invoke(args=["seed", "demo"])
    assert result.exit_code == 0, result.output
    with app.app_context():
        now, on = utcnow(), today()
        assert db.session.scalar(select(func.max(ReleaseDecision.decided_at))) <= now
        assert db.session.scalar(select(func.max(Enrollment.submitted_at))) <= now
        notices = db.session.scalars(select(EnforcementCase.notice_date)).all()
        assert notices and max(notices) <= on
        assert all(is_business_day(n) for n in notices)
        approved = db.session.scalars(select(Enrollment.valid_until).where(Enrollment.status == "approved")).all()
        assert approved and min(approved) >= on
        reviewer = db.session.scalar(select(User).where(User.email == "reviewer@cbp.example.gov"))
        with app.test_request_context():
            weekly = next(p for p in panels_for(reviewer) if p.key == "decisions-weekly")
        assert len(weekly.rows) == 8 and sum(row[-1] for row in weekly.rows) > 0
