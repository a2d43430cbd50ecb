"""The hash-chained audit log: recording, verification, tampering, API and serialised writers."""

from __future__ import annotations

import os
import threading
import time
from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import func, inspect, select, text, update

from core import audit, audit_chain
from core.audit import AuditEntry, verify_chain
from core.extensions import db
from core.timeutil import utcnow

LINK_TIMEOUT = 30.0


def _record(n: int, actor=None, link: bool = True) -> None:
    for i in range(n):
        audit.record(actor, "user.update", "user", i, before={"n": i}, after={"n": i + 1, "when": "2026-11-23"})
    db.session.commit()
    # PostgreSQL: the entries join the chain once committed, at the chainer's next round.
    if link:
        audit_chain.link_all(timeout=LINK_TIMEOUT)


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
    stored = db.session.scalar(select(AuditEntry))
    assert (returned.actor_id, returned.id) == (stored.actor_id, None)
    if db.engine.dialect.name == "postgresql":  # linked later: no place in the chain yet
        assert (returned.seq, returned.hash, stored.seq, stored.hash) == (None, None, None, None)
    assert returned.to_dict() == stored.to_dict()


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


def test_an_entry_costs_one_statement_on_postgresql_three_on_sqlite(ctx):
    """PostgreSQL inserts the entry with its transaction id and no lock; SQLite links it inline."""
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
        assert len(seen) == 1 and "pg_current_xact_id()" in seen[0] and "audit_head" not in seen[0]
        assert db.session.execute(text("SELECT seq FROM audit_head")).scalar() == 0
        assert audit_chain.link_all(timeout=LINK_TIMEOUT) == 1
    else:
        assert len(seen) == 3
    entry = db.session.scalars(select(AuditEntry).order_by(AuditEntry.seq.desc())).first()
    assert entry.seq == 1
    assert (entry.before, entry.after) == ({"n": "1.50"}, {"at": "2026-01-02"})
    head = db.session.execute(text("SELECT seq, last_hash FROM audit_head WHERE id = 1")).one()
    assert tuple(head) == (entry.seq, entry.hash)
    assert verify_chain().ok


def _postgresql_only() -> None:
    if db.engine.dialect.name != "postgresql":
        pytest.skip("the chainer links entries on PostgreSQL; SQLite links them inline")


def test_many_concurrent_writers_then_chained_in_commit_order(app):
    """Twelve threads, 20 transactions each (1-3 entries per transaction) while a chainer thread links: no
    entry lost, no gap, and a transaction that committed before another began comes first in the chain."""
    with app.app_context():
        _postgresql_only()
    ticks = iter(range(10**9))
    tick_lock = threading.Lock()
    spans: dict[str, tuple[int, int]] = {}  # transaction -> (tick before it began, tick after it committed)
    errors: list[BaseException] = []

    def tick() -> int:
        with tick_lock:
            return next(ticks)

    def worker(k: int) -> None:
        try:
            with app.app_context():
                for i in range(20):
                    began = tick()
                    for j in range(1 + (k + i) % 3):
                        audit.record(None, "user.update", "user", f"{k}-{i}-{j}", after={"k": k, "i": i, "j": j})
                    db.session.commit()
                    spans[f"{k}-{i}"] = (began, tick())
                db.session.remove()
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    chainer = audit_chain.Chainer(app, 0.01).start()
    try:
        threads = [threading.Thread(target=worker, args=(k,)) for k in range(12)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    finally:
        chainer.stop()
    assert errors == []
    with app.app_context():
        audit_chain.link_all(timeout=LINK_TIMEOUT)
        result = verify_chain()
        rows = db.session.execute(select(AuditEntry.seq, AuditEntry.entity_id)).all()
    expected = sum(1 + (k + i) % 3 for k in range(12) for i in range(20))
    assert result.ok and result.checked == expected and result.pending == 0
    assert sorted(seq for seq, _ in rows) == list(range(1, expected + 1))
    place: dict[str, list[int]] = {}
    for seq, entity_id in sorted(rows):
        place.setdefault(entity_id.rsplit("-", 1)[0], []).append(seq)
    for name, seqs in place.items():  # a transaction's own entries are consecutive, in the order written
        assert seqs == list(range(min(seqs), min(seqs) + len(seqs))), name
    latest_start = -1
    for name in sorted(spans, key=lambda name: min(place[name])):  # chain order
        began, committed = spans[name]
        assert committed > latest_start, name  # never after a transaction that began once it had committed
        latest_start = max(latest_start, began)


def test_rolled_back_entries_never_join_the_chain(ctx):
    _postgresql_only()
    _record(2)
    audit.record(None, "user.update", "user", "gone", after={"n": 1})
    db.session.rollback()
    _record(1)
    assert db.session.scalar(select(AuditEntry.entity_id).where(AuditEntry.entity_id == "gone")) is None
    result = verify_chain()
    assert result.ok and result.checked == 3
    assert db.session.execute(text("SELECT seq FROM audit_head")).scalar() == 3


def test_an_open_older_transaction_holds_nothing_back(ctx):
    """An entry committed while an older transaction is open is linked at once; the older transaction's own
    entry follows it in the chain when that one commits (never a gap, never a wait on a long transaction)."""
    _postgresql_only()
    older = db.engine.connect()
    transaction = older.begin()
    try:
        older.execute(select(func.pg_current_xact_id()))  # the older transaction has its id from now on
        older.execute(audit._INSERT_PENDING, {  # what record() writes, on the older transaction's connection
            "at": utcnow(), "actor_id": None, "actor": "system", "organization_id": None,
            "acting_for_organization_id": None, "hash_version": audit.HASH_VERSION, "action": "user.update",
            "entity_type": "user", "entity_id": "older", "before": None, "after": {"n": 0}})
        audit.record(None, "user.update", "user", "newer", after={"n": 1})
        db.session.commit()
        assert audit_chain.link_pending() == 1
        assert db.session.scalar(select(AuditEntry.seq).where(AuditEntry.entity_id == "newer")) == 1
        transaction.commit()
    finally:
        older.close()
    assert audit_chain.link_all(timeout=LINK_TIMEOUT) == 1
    db.session.rollback()
    assert db.session.scalar(select(AuditEntry.seq).where(AuditEntry.entity_id == "older")) == 2
    assert verify_chain().ok


def test_a_round_takes_the_lock_before_its_snapshot(ctx):
    """Two chainers in a row never number an entry twice: the second waits for the first's commit."""
    _postgresql_only()
    _record(3, link=False)
    results = []
    engine = db.engine
    threads = [threading.Thread(target=lambda: results.append(audit_chain.link_all(LINK_TIMEOUT, engine)))
               for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sum(results) == 3
    assert verify_chain().ok and db.session.execute(text("SELECT seq FROM audit_head")).scalar() == 3


def test_the_background_chainer_links_within_a_second(app):
    with app.app_context():
        _postgresql_only()
        chainer = audit_chain.Chainer(app, 0.05).start()
        try:
            audit.record(None, "user.update", "user", 1, after={"n": 1})
            db.session.commit()
            deadline = time.monotonic() + LINK_TIMEOUT
            while db.session.scalar(select(AuditEntry.seq)) is None and time.monotonic() < deadline:
                db.session.rollback()
                time.sleep(0.05)
            assert db.session.scalar(select(AuditEntry.seq)) == 1
        finally:
            chainer.stop()
        assert verify_chain().ok


def test_chain_cli_links_what_waits(ctx, runner):
    audit.record(None, "user.update", "user", 1, after={"n": 1})
    db.session.commit()
    result = runner.invoke(args=["audit", "chain", "--once"])
    linked = 1 if db.engine.dialect.name == "postgresql" else 0
    assert result.exit_code == 0 and f"linked {linked} entries" in result.output
    assert db.session.scalar(select(AuditEntry.seq)) == 1


def test_a_process_stops_its_own_chainer(app, monkeypatch):
    monkeypatch.setattr(audit_chain, "_started", {})
    audit_chain.stop_in_this_process()  # none started: nothing to do
    app.config["AUDIT_CHAIN_SECONDS"] = 0.05
    audit_chain._start_in_this_process(app)
    thread = audit_chain._started[os.getpid()].thread
    assert thread.is_alive()
    audit_chain.stop_in_this_process()
    assert not thread.is_alive() and audit_chain._started == {}
