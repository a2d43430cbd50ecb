"""Migration 0003 creates exactly what the models describe, and the history has one head."""

from __future__ import annotations

from pathlib import Path

from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory

from core.extensions import db

MIGRATIONS = Path(__file__).resolve().parents[3] / "migrations"


def test_one_head():
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    heads = ScriptDirectory.from_config(config).get_heads()
    assert len(heads) == 1


def test_enrollment_tables_match_the_models(app):
    with app.app_context(), db.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        diff = compare_metadata(context, db.metadata)
    ours = [d for d in diff if any(name in repr(d) for name in ("enrollment", "debarred"))]
    assert ours == []


def test_program_id_exists_exactly_when_approved(app, enroll):
    import pytest
    from sqlalchemy import update
    from sqlalchemy.exc import IntegrityError

    from program.enrollment.models import Enrollment

    approved = enroll("approved")
    with app.app_context():
        with pytest.raises(IntegrityError):
            db.session.execute(update(Enrollment).where(Enrollment.id == approved["id"]).values(program_id=None))
        db.session.rollback()
        with pytest.raises(IntegrityError):
            db.session.execute(update(Enrollment).where(Enrollment.id == approved["id"]).values(status="denied"))
        db.session.rollback()


def test_the_database_allows_one_open_enrollment_per_organisation(app, enroll, importer_api):
    import pytest
    from sqlalchemy.exc import IntegrityError

    from program.enrollment.models import Enrollment

    enroll("submitted")
    with app.app_context():
        db.session.add(Enrollment(organization_id=importer_api.user.organization_id, status="draft",
                                  conditions=[], screening=[]))
        with pytest.raises(IntegrityError):
            db.session.flush()
        db.session.rollback()
        db.session.add(Enrollment(organization_id=importer_api.user.organization_id, status="withdrawn",
                                  conditions=[], screening=[]))
        db.session.flush()  # closed ones may pile up
        db.session.rollback()
