"""The code columns of decision rows are checked by comparisons (core.schema.one_of, migration 0017): every code
is accepted, anything else refused, null passes where the column may be null — on both databases, and on a
database migrated from 0016 without losing a row."""

from __future__ import annotations

from pathlib import Path

import pytest
from flask_migrate import downgrade, upgrade
from sqlalchemy import insert, select, text
from sqlalchemy.exc import DataError, IntegrityError

from core.extensions import db
from core.schema import one_of
from program.decisions.engine import OUTCOMES
from program.decisions.models import CONDITIONS, DECISION_STATUSES, SOURCES, DecisionLine, ReleaseDecision
from tests.program.decisions.conftest import EXPEDITED_LINE, REFERRED_LINE

MIGRATIONS = str(Path(__file__).resolve().parents[3] / "migrations")


def test_one_of_writes_a_comparison_per_code():
    assert one_of("outcome", ("a", "b_2")) == "outcome = 'a' OR outcome = 'b_2'"


@pytest.mark.parametrize(("column", "codes"), [("outcome", ()), ("outcome", ("a'; DROP TABLE x; --",)),
                                               ("outcome", ("Live",)), ("out come", ("a",))],
                         ids=["no-codes", "quote", "upper-case", "bad-column"])
def test_one_of_takes_only_plain_codes(column, codes):
    with pytest.raises(ValueError, match="plain codes"):
        one_of(column, codes)


# (table, column, the codes it takes, whether null passes)
CODE_COLUMNS = [
    (ReleaseDecision.__table__, "outcome", OUTCOMES, False),
    (ReleaseDecision.__table__, "source", SOURCES, False),
    (ReleaseDecision.__table__, "status", DECISION_STATUSES, False),
    (ReleaseDecision.__table__, "line_outcome", OUTCOMES, True),
    (ReleaseDecision.__table__, "line_condition", CONDITIONS, True),
    (DecisionLine.__table__, "outcome", OUTCOMES, False),
    (DecisionLine.__table__, "condition", CONDITIONS, False),
]


def _stored_row(app, world, entry, table) -> dict:
    """A row of ``table`` as the API wrote it: a one-line decision's row, or a line row of a two-line one."""
    lines = (REFERRED_LINE,) if table is ReleaseDecision.__table__ else (EXPEDITED_LINE, REFERRED_LINE)
    body = world.reviewer.post("/api/v1/release-decisions", json=entry(*lines)).json
    with app.app_context():
        key = table.c.id if table is ReleaseDecision.__table__ else table.c.decision_id
        row = dict(db.session.execute(select(table).where(key == body["id"]).limit(1)).mappings().one())
        db.session.remove()
    return row


@pytest.mark.parametrize(("table", "column", "codes", "nullable"), CODE_COLUMNS,
                         ids=[f"{t.name}.{c}" for t, c, _, _ in CODE_COLUMNS])
def test_a_code_column_takes_its_codes_and_nothing_else(app, world, entry, table, column, codes, nullable):
    row = _stored_row(app, world, entry, table)
    accepted = {}
    with app.app_context():
        for n, value in enumerate([*codes, None, "waved_through", codes[0].upper(), f" {codes[0]}", ""]):
            changed = {k: v for k, v in row.items() if k != "id"} | {column: value}
            if table is ReleaseDecision.__table__:
                # Another UEI, and superseded so the live-entry index leaves it alone; a null line column is a
                # decision of several lines, whose line columns are all null.
                changed |= {"uei": f"{n:015d}", "status": changed["status"] if column == "status" else "superseded"}
                if column.startswith("line_") and value is None:
                    changed |= {name: None for name in changed if name.startswith("line_")} | {"line_count": 2}
                if column == "status" and value == "live":
                    changed["entry_number"] = "ZZZ-0000001-0"  # the API's row keeps its entry's live decision
            else:
                changed["line_no"] = 100 + n
            try:
                with db.session.begin_nested():
                    db.session.execute(insert(table).values(changed))
                accepted[value] = True
            except (IntegrityError, DataError):  # DataError: PostgreSQL, a text longer than the column
                accepted[value] = False
        db.session.rollback()
        db.session.remove()
    assert accepted == {**dict.fromkeys(codes, True), None: nullable, "waved_through": False,
                        codes[0].upper(): False, f" {codes[0]}": False, "": False}


def test_migration_0017_keeps_every_row_and_swaps_each_check(tmp_path, test_config):
    from app import create_app

    fresh = create_app({**test_config, "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'm.db'}"})
    with fresh.app_context():
        upgrade(directory=MIGRATIONS, revision="0016")
        session = db.session
        session.execute(text("INSERT INTO decision_reason_set (id, digest, codes, reasons) VALUES (5, 'd', 'x', '[]')"))
        session.execute(text(
            "INSERT INTO release_decision (id, uei, entry_number, port_code, ior_number, source, outcome, rules_version, "
            "facts_used, line_count, decided_at, status) VALUES (2, 'A0000000000002X', 'ABC-1234568-4', '2704', "
            "'12-3456789AB', 'screen', 'refer_for_examination', 't', '{}', 2, '2026-12-04 10:00:00.000000', 'live')"))
        for n in (1, 2):
            session.execute(text(
                "INSERT INTO release_decision_line (decision_id, line_no, description, hts_code, quantity, value_usd, "
                "sector, condition, lever_label, outcome, reason_set_id) VALUES (2, :n, 'Phones', '8517130000', 1, 10, "
                "'mobile_devices', 'used', 0, 'expedited_release', 5)"), {"n": n})
        session.commit()

        def checks() -> str:
            return " ".join(session.execute(text(
                "SELECT sql FROM sqlite_master WHERE name IN ('release_decision', 'release_decision_line')")).scalars())

        assert "source IN ('api', 'batch', 'web', 'screen')" in checks()
        upgrade(directory=MIGRATIONS, revision="0017")
        assert " IN (" not in checks()
        assert "source = 'api' OR source = 'batch' OR source = 'web' OR source = 'screen'" in checks()
        assert session.execute(text("SELECT count(*) FROM release_decision_line")).scalar() == 2
        assert session.execute(text("PRAGMA foreign_keys")).scalar() == 1
        assert session.execute(text("PRAGMA foreign_key_check")).all() == []
        indexes = dict(session.execute(text("SELECT name, sql FROM sqlite_master WHERE type = 'index' "
                                            "AND tbl_name = 'release_decision' AND sql IS NOT NULL")).all())
        assert len(indexes) == 9  # the rebuilt table keeps them, partial ones with their WHERE
        assert indexes["uq_release_decision_live_entry"].endswith("WHERE status = 'live'")

        downgrade(directory=MIGRATIONS, revision="0016")
        assert "source IN ('api', 'batch', 'web', 'screen')" in checks()
        assert session.execute(text("SELECT count(*) FROM release_decision_line")).scalar() == 2
        assert session.execute(text("PRAGMA foreign_keys")).scalar() == 1
        db.session.remove()
