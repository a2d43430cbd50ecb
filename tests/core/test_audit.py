"""The hash-chained audit log: recording, verification, tampering, API and serialised writers."""

from __future__ import annotations

import threading
from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import inspect, select, text, update

from core import audit
from core.audit import AuditEntry, verify_chain
from core.extensions import db


def _record(n: int, actor=None) -> None:
    for i in range(n):
        audit.record(actor, "user.update", "user", i, before={"n": i}, after={"n": i + 1, "when": "2026-11-23"})
    db.session.commit()


def test_chain_links_and_verifies(ctx):
    _record(5)
    entries = db.session.scalars(select(AuditEntry).order_by(AuditEntry.seq)).all()
    assert [e.seq for e in entries] == [1, 2, 3, 4, 5]
    assert entries[0].prev_hash == "0" * 64
    assert all(b.prev_hash == a.hash for a, b in zip(entries, entries[1:], strict=False))
    assert verify_chain().ok


def test_record_returns_the_entry_as_stored_not_added_to_the_session(ctx):
    returned = audit.record(None, "user.update", "user", 7, before={"n": 1}, after={"n": 2})
    assert inspect(returned).transient and returned not in db.session
    db.session.commit()
    stored = db.session.scalar(select(AuditEntry).where(AuditEntry.seq == returned.seq))
    assert returned.to_dict() == stored.to_dict()
    assert (returned.actor_id, returned.id) == (stored.actor_id, None)


@pytest.mark.parametrize("column", ["after", "action", "actor"])
def test_tampered_row_is_detected_and_named(ctx, runner, column):
    _record(4)
    value = {"after": {"n": 999}, "action": "user.delete", "actor": "someone-else"}[column]
    db.session.execute(update(AuditEntry).where(AuditEntry.seq == 3).values({column: value}))
    db.session.commit()
    result = verify_chain()
    assert not result.ok and result.broken_seq == 3
    cli = runner.invoke(args=["audit", "verify"])
    assert cli.exit_code == 1
    assert "entry 3" in cli.output


def test_deleted_row_is_detected(ctx):
    _record(4)
    db.session.execute(text("DELETE FROM audit_entry WHERE seq = 2"))
    db.session.commit()
    result = verify_chain()
    assert not result.ok and result.broken_seq == 2


def test_verify_cli_ok(ctx, runner):
    _record(3)
    result = runner.invoke(args=["audit", "verify"])
    assert result.exit_code == 0
    assert "intact: 3 entries" in result.output


def test_unknown_entity_type_is_refused(ctx):
    with pytest.raises(ValueError, match="unknown audit entity type"):
        audit.record(None, "x.y", "spaceship", 1)


def test_audit_api_filters(api_as, app):
    reviewer = api_as("reviewer")
    with app.app_context():
        audit.record(None, "enrollment.submit", "enrollment", 42, after={"status": "submitted"})
        audit.record(None, "enrollment.approve", "enrollment", 43, after={"status": "approved"})
        db.session.commit()
    body = reviewer.get("/api/v1/audit?entity_type=enrollment&entity_id=42").json
    assert body["total"] == 1
    item = body["items"][0]
    assert set(item) >= {"at", "actor", "action", "entity_type", "entity_id", "before", "after", "hash", "prev_hash"}
    assert item["after"] == {"status": "submitted"} and item["actor"] == "system"
    assert reviewer.get("/api/v1/audit?entity_type=nonsense").status_code == 422


def test_concurrent_writers_never_fork_the_chain(app):
    """Eight threads append at once; the chain stays linear and verifies."""
    errors: list[BaseException] = []

    def worker(k: int) -> None:
        try:
            with app.app_context():
                for i in range(5):
                    audit.record(None, "user.update", "user", f"{k}-{i}", after={"k": k, "i": i})
                    db.session.commit()
                db.session.remove()
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    threads = [threading.Thread(target=worker, args=(k,)) for k in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    with app.app_context():
        assert db.session.query(AuditEntry).count() == 40
        assert verify_chain().ok


def test_an_entry_costs_two_statements_on_postgresql_three_on_sqlite(ctx):
    """PostgreSQL locks the head with SELECT … FOR UPDATE and inserts + moves it in one statement."""
    from sqlalchemy import event

    seen: list[str] = []
    engine = db.engine

    def listen(_conn, _cursor, statement, *_args):
        seen.append(statement)

    event.listen(engine, "before_cursor_execute", listen)
    try:
        audit.record(None, "user.update", "user", 1, before={"n": Decimal("1.50")}, after={"at": date(2026, 1, 2)})
        db.session.commit()
    finally:
        event.remove(engine, "before_cursor_execute", listen)
    if engine.dialect.name == "postgresql":
        assert len(seen) == 2 and "FOR UPDATE" in seen[0] and seen[1].lstrip().startswith("WITH")
    else:
        assert len(seen) == 3
    entry = db.session.scalars(select(AuditEntry).order_by(AuditEntry.seq.desc())).first()
    assert (entry.before, entry.after) == ({"n": "1.50"}, {"at": "2026-01-02"})
    head = db.session.execute(text("SELECT seq, last_hash FROM audit_head WHERE id = 1")).one()
    assert tuple(head) == (entry.seq, entry.hash)
    assert verify_chain().ok
