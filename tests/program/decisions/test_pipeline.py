"""core.pipeline: writes whose results nobody reads share one round trip on PostgreSQL; on both databases they
take effect as plain statements would, and a failing one is raised as SQLAlchemy's error with nothing written."""

from __future__ import annotations

import pytest
from sqlalchemy import event, func, insert, select
from sqlalchemy.exc import IntegrityError

from core.extensions import db
from core.pipeline import pipelined
from program.decisions.models import DecisionReasonSet
from tests.program.decisions.conftest import EXPEDITED_LINE, STANDARD_LINE

_SETS = DecisionReasonSet.__table__


def _reason_set(digest: str) -> dict:
    return {"digest": digest, "codes": "test_code", "reasons": []}


def _count(prefix: str) -> int:
    return db.session.scalar(select(func.count()).select_from(_SETS).where(_SETS.c.digest.startswith(prefix)))


def test_writes_inside_take_effect(ctx):
    connection = db.session.connection()
    with pipelined(connection):
        connection.execute(insert(_SETS).inline(), _reason_set("pipe-a" + "0" * 58))
        connection.execute(insert(_SETS).inline(), [_reason_set("pipe-b" + "0" * 58), _reason_set("pipe-c" + "0" * 58)])
    db.session.commit()
    assert _count("pipe-") == 3


def test_a_failing_write_is_sqlalchemys_error_and_the_transaction_keeps_nothing(ctx):
    connection = db.session.connection()
    connection.execute(insert(_SETS), _reason_set("dup-1" + "0" * 59))
    db.session.commit()
    connection = db.session.connection()
    # On PostgreSQL raised as the block ends, on SQLite by the statement itself.
    with pytest.raises(IntegrityError), pipelined(connection):
        connection.execute(insert(_SETS).inline(), _reason_set("dup-2" + "0" * 59))
        connection.execute(insert(_SETS).inline(), _reason_set("dup-1" + "0" * 59))  # unique digest
    db.session.rollback()
    assert _count("dup-") == 1  # the first row of the failed transaction went with it
    connection = db.session.connection()
    with pipelined(connection):  # the connection is usable again
        connection.execute(insert(_SETS).inline(), _reason_set("dup-3" + "0" * 59))
    db.session.commit()
    assert _count("dup-") == 2


@pytest.mark.postgres
def test_a_decision_sends_its_lines_and_audit_entry_in_one_pipeline(app, world, entry):
    """The decision's INSERT is answered at once (its id is needed); its lines and its audit entry go out
    together, read once at the end — one round trip instead of two."""
    sent: list[tuple[str, bool]] = []

    def note(conn, _cursor, statement, *_args) -> None:
        pgconn = conn.connection.driver_connection.pgconn
        sent.append((statement.split("(")[0].strip(), bool(pgconn.pipeline_status)))

    with app.app_context():
        engine = db.engine
    event.listen(engine, "before_cursor_execute", note)
    try:
        response = world.importer.post("/api/v1/release-decisions", json=entry(EXPEDITED_LINE, STANDARD_LINE))
    finally:
        event.remove(engine, "before_cursor_execute", note)
    assert response.status_code == 201, response.json
    # The stored attempt (a first one made on a cached snapshot that turned out stale is rolled back and made
    # again); a new list of reasons, answered at once with its id, may come between the decision and its lines.
    writes = [(statement, piped) for statement, piped in sent
              if statement.startswith("INSERT") and "decision_reason_set" not in statement]
    last = max(i for i, (statement, _) in enumerate(writes) if statement == "INSERT INTO release_decision")
    assert writes[last:] == [("INSERT INTO release_decision", False), ("INSERT INTO release_decision_line", True),
                             ("INSERT INTO audit_entry", True)], writes
