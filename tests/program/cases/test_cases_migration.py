"""Migration 0008 matches the models, and existing cases get the clock they had: suspected counterfeits
presented and detained on their decision's date, every line of the entry detained."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade
from sqlalchemy import text

from core.extensions import db

MIGRATIONS = str(Path(__file__).resolve().parents[3] / "migrations")
CASE_TABLES = ("enforcement_case", "case_event", "case_image", "case_line", "case_reminder")


def test_case_tables_match_the_models(app):
    with app.app_context(), db.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        diff = compare_metadata(context, db.metadata)
    assert [d for d in diff if any(f"'{name}'" in repr(d) or f"{name}." in repr(d) for name in CASE_TABLES)] == []


def test_existing_cases_are_migrated(tmp_path, test_config):
    from app import create_app
    from program.decisions.models import DecisionLine, ReleaseDecision
    from program.decisions.uei import new_uei

    fresh = create_app({**test_config, "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'm.db'}"})
    with fresh.app_context():
        upgrade(directory=MIGRATIONS, revision="0007")
        decision = ReleaseDecision(uei=new_uei(), entry_number="ABC-1234567-6", port_code="2704", ior_number="12-3456789",
                                   source="api", outcome="refer_for_examination", rules_version="t", facts_used={},
                                   line_count=2, decided_at=datetime(2026, 11, 6, 20, 0, tzinfo=UTC))
        for n in (1, 2):
            decision.lines.append(DecisionLine(line_no=n, description=f"Line {n}", hts_code="8517130000",
                                               quantity=Decimal(1), value_usd=Decimal(10), sector="mobile_devices",
                                               condition="new_parallel", outcome="refer_for_examination", reasons=[]))
        db.session.add(decision)
        db.session.commit()
        db.session.execute(text(
            "INSERT INTO enforcement_case (uei, decision_id, status, notice_date, response_due, port_code, created_at, "
            "version) VALUES (:uei, :d, 'detained', '2026-11-10', '2026-11-19', '2704', '2026-11-10 10:00:00', 1)"),
            {"uei": decision.uei, "d": decision.id})
        db.session.execute(text(
            "INSERT INTO case_event (case_id, type, date, note, late, actor, actor_role, created_at) "
            "SELECT id, 'detained', '2026-11-10', 'Suspected counterfeit', 0, 'system', 'system', '2026-11-10 10:00:00' "
            "FROM enforcement_case"))
        db.session.commit()
        upgrade(directory=MIGRATIONS, revision="0008")
        # Rebuilding the case tables on SQLite kept every child row, and foreign keys are enforced again.
        assert db.session.execute(text("SELECT count(*) FROM case_event")).scalar() == 1
        assert db.session.execute(text("PRAGMA foreign_keys")).scalar() == 1
        row = db.session.execute(text(
            "SELECT basis, presented_on, detained_on, notice_due, detention_ends, response_due FROM enforcement_case"
        )).one()
        assert row[0] == "suspected_counterfeit"
        assert [str(v)[:10] for v in row[1:]] == ["2026-11-06", "2026-11-06", "2026-11-16", "2026-12-06", "2026-11-19"]
        assert [r[0] for r in db.session.execute(text("SELECT line_no FROM case_line ORDER BY line_no"))] == [1, 2]
        downgrade(directory=MIGRATIONS, revision="0007")
        # Back to the only deadline 0007 knew: seven business days after the notice (Veterans Day skipped).
        assert db.session.execute(text("SELECT response_due FROM enforcement_case")).scalar() in (
            "2026-11-20", date(2026, 11, 20))
        assert db.session.execute(text("SELECT count(*) FROM case_event")).scalar() == 1
        upgrade(directory=MIGRATIONS, revision="0008")
        db.session.remove()
        db.engine.dispose()
