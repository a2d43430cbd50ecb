"""Seed, migrations and layering of the standards domain."""

from __future__ import annotations

from pathlib import Path

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import func, select

from core.audit import verify_chain
from core.extensions import db
from program.seed import seed_demo
from standards import queries
from standards.models import Endorsement, RecordedMark, StandardVersion

ROOT = Path(__file__).resolve().parents[2]


def test_demo_seed_has_standards_in_every_state_and_the_engine_facts(app, runner):
    result = runner.invoke(args=["seed", "demo"])
    assert result.exit_code == 0, result.output
    assert "4 recorded marks, 7 standards" in result.output
    with app.app_context():
        statuses = set(db.session.scalars(select(StandardVersion.status)))
        assert statuses == {"draft", "proposed", "published", "superseded", "withdrawn"}
        assert db.session.scalar(select(func.count()).select_from(RecordedMark)) == 4
        assert db.session.scalar(select(func.count()).where(Endorsement.decision == "decline")) == 1
        index = queries.endorsed_index()
        assert ("consumer_electronics", "refurbished", "TMK 21-00123") in index
        assert ("handbags_accessories", "new_parallel", "TMK 19-04567") in index
        assert queries.marks_index()["TMK 21-00123"].lever_rule is True
        assert verify_chain().ok
        db.session.remove()
    assert "nothing changed" in runner.invoke(args=["seed", "demo"]).output


def test_seed_demo_function_runs_the_standards_seeder(app):
    with app.app_context():
        summary = seed_demo()
        assert any("recorded marks" in line for line in summary)
        db.session.rollback()
        db.session.remove()


def test_one_migration_head_and_the_models_match_the_migrated_schema(app):
    with app.app_context():
        config = app.extensions["migrate"].migrate.get_config(str(ROOT / "migrations"))
        assert len(ScriptDirectory.from_config(config).get_heads()) == 1
        with db.engine.connect() as connection:
            context = MigrationContext.configure(connection, opts={"compare_type": True})
            diffs = compare_metadata(context, db.metadata)
        assert diffs == []


def test_openapi_documents_the_standards_routes(client):
    paths = client.get("/api/v1/openapi.json").json["paths"]
    for path in ("/api/v1/marks", "/api/v1/standards", "/api/v1/standards/{version_id}/publish",
                 "/api/v1/standards/{version_id}/endorsements/{endorsement_id}", "/api/v1/public/standards"):
        assert path in paths, path
    assert "delete" in paths["/api/v1/standards/{version_id}/endorsements/{endorsement_id}"]


def test_every_standards_column_has_a_comment(app):
    for table in db.metadata.sorted_tables:
        if table.name in {"recorded_mark", "mark_sector", "standard", "standard_version",
                          "standard_version_condition", "standard_requirement", "endorsement",
                          "endorsement_mark", "photo_guide"}:
            for column in table.columns:
                assert column.comment, f"{table.name}.{column.name}"
