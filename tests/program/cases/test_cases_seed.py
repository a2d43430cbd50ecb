"""Demo data: cases in every state (on decisions the cases seeder makes itself when none exist)."""

from __future__ import annotations

from sqlalchemy import select

from core.audit import verify_chain
from core.extensions import db
from program.cases.models import CaseEvent, EnforcementCase


def test_seed_demo_has_cases_in_every_state(app, runner):
    result = runner.invoke(args=["seed", "demo"])
    assert result.exit_code == 0, result.output
    assert "enforcement cases" in result.output
    with app.app_context():
        statuses = sorted(db.session.scalars(select(EnforcementCase.status)))
        assert set(statuses) == {"detained", "released", "seized", "abandoned", "manipulated", "exported", "destroyed"}
        assert statuses.count("detained") == 2
        late = db.session.scalars(select(CaseEvent).where(CaseEvent.late.is_(True))).all()
        assert len(late) == 1
        bases = set(db.session.scalars(select(EnforcementCase.basis)))
        assert bases == {"gray_market", "suspected_counterfeit"}
        types = set(db.session.scalars(select(CaseEvent.type)))
        assert {"detention_extended", "unredacted_disclosed", "forfeiture_notice", "penalty_assessed"} <= types
        assert verify_chain().ok
