"""Concurrent decisions drawing on one declared blank line never overdraw it (SQLite and PostgreSQL).

Eight threads, each with its own app context and session, decide an entry that draws 30 from the same
declared line of 100. All of them read "100 left" before any writes (a barrier), so all but the first
few lose the race at the conditional ``UPDATE … WHERE remaining >= :q``, roll back and are decided
again on what is really left, as ``services.request_decision`` promises.
"""

from __future__ import annotations

import threading
from decimal import Decimal

from sqlalchemy import func, select

from core.accounts.models import User
from core.audit import verify_chain
from core.extensions import db
from program.blanks.models import BlankConsumption, BlankLine
from program.decisions import facts as program_facts
from program.decisions import services
from program.decisions.models import ReleaseDecision
from program.decisions.schemas import DecisionRequestSchema

THREADS = 8
EACH = 30
DECLARED = 100


def test_concurrent_draws_never_overdraw(app, world, entry, blank_line, monkeypatch):
    bodies = [DecisionRequestSchema().load(entry(blank_line(quantity=EACH), entry_number=number))
              for number in ("ABC-1234567-6", "999-9999999-0", "123-1234567-6", "ABC-0000001-0",
                             "ABC-0000002-8", "ABC-0000003-6", "ABC-0000004-4", "ABC-0000005-1")]
    barrier = threading.Barrier(THREADS)
    reads = {"count": 0}
    lock = threading.Lock()
    fresh = program_facts.with_fresh_blank_lines
    seen_first_read: set[int] = set()

    def read_then_wait(facts, keys):
        result = fresh(facts, keys)
        me = threading.get_ident()
        with lock:
            reads["count"] += 1
            first = me not in seen_first_read
            seen_first_read.add(me)
        if first:
            barrier.wait(timeout=20)  # everybody has read "100 left" before anybody draws
        return result

    monkeypatch.setattr(program_facts, "with_fresh_blank_lines", read_then_wait)
    results: list[tuple[str, str]] = []
    errors: list[BaseException] = []

    def run(body) -> None:
        with app.app_context():
            try:
                reviewer = db.session.get(User, world.reviewer.user.id)
                outcome = services.request_decision(reviewer, body)
                with lock:
                    results.append((outcome.payload["outcome"], outcome.payload["uei"]))
            except BaseException as error:  # noqa: BLE001 - reported below
                errors.append(error)
            finally:
                db.session.remove()

    threads = [threading.Thread(target=run, args=(body,)) for body in bodies]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not errors, errors
    assert len(results) == THREADS

    fits = DECLARED // EACH
    assert sorted(o for o, _ in results).count("expedited_release") == fits
    assert reads["count"] > THREADS  # the losers re-read and were decided again
    with app.app_context():
        line = db.session.get(BlankLine, world.declaration_line_id)
        drawn = db.session.scalar(select(func.coalesce(func.sum(BlankConsumption.quantity), 0))
                                  .where(BlankConsumption.line_id == line.id))
        assert drawn == Decimal(min(DECLARED, fits * EACH)) == line.quantity - line.remaining_quantity
        assert line.remaining_quantity >= 0
        drawers = set(db.session.scalars(select(BlankConsumption.reference)))
        expedited = {uei for outcome, uei in results if outcome == "expedited_release"}
        assert drawers == expedited
        assert db.session.scalar(select(func.count()).select_from(ReleaseDecision)) == THREADS
        assert verify_chain().ok


def _in_threads(app, count: int, work) -> tuple[list, list[BaseException]]:
    """Run ``work(i)`` in ``count`` threads at once (each with its own app context and session)."""
    barrier = threading.Barrier(count)
    lock = threading.Lock()
    results: list = []
    errors: list[BaseException] = []

    def run(i: int) -> None:
        with app.app_context():
            try:
                barrier.wait(timeout=20)
                result = work(i)
                with lock:
                    results.append(result)
            except BaseException as error:  # noqa: BLE001 - reported by the caller
                with lock:
                    errors.append(error)
            finally:
                db.session.remove()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return results, errors


def test_concurrent_supersedes_of_one_decision_one_wins_and_draws_return_once(app, world, entry, blank_line):
    from core.errors import Conflict

    first = world.importer.post("/api/v1/release-decisions", json=entry(blank_line(EACH), entry_number="ABC-1234567-6"))
    assert first.status_code == 201
    body = DecisionRequestSchema().load(dict(entry(blank_line(EACH + 5), entry_number="ABC-1234567-6"),
                                             supersedes=first.json["id"]))

    def supersede(_i: int):
        try:
            reviewer = db.session.get(User, world.reviewer.user.id)
            return services.request_decision(reviewer, body).payload["id"]
        except Conflict as conflict:
            return conflict.code

    results, errors = _in_threads(app, 4, supersede)
    assert not errors, errors
    winners = [r for r in results if isinstance(r, int)]
    assert len(winners) == 1 and sorted(r for r in results if not isinstance(r, int)) == ["already_superseded"] * 3
    with app.app_context():
        line = db.session.get(BlankLine, world.declaration_line_id)
        assert line.remaining_quantity == DECLARED - (EACH + 5)  # 30 given back once, 35 drawn once
        drawn = db.session.scalar(select(func.sum(BlankConsumption.quantity)).where(BlankConsumption.line_id == line.id))
        assert drawn == EACH + 5
        live = db.session.scalars(select(ReleaseDecision.id).where(ReleaseDecision.entry_number == "ABC-1234567-6",
                                                                   ReleaseDecision.status == "live")).all()
        assert live == winners
        assert verify_chain().ok


def test_concurrent_first_decisions_for_one_entry_one_wins(app, world, entry, blank_line):
    from core.errors import Conflict

    body = DecisionRequestSchema().load(entry(blank_line(EACH), entry_number="999-9999999-0"))

    def decide(_i: int):
        try:
            return services.request_decision(db.session.get(User, world.reviewer.user.id), body).payload["id"]
        except Conflict as conflict:
            return conflict.code

    results, errors = _in_threads(app, 4, decide)
    assert not errors, errors
    assert sum(isinstance(r, int) for r in results) == 1
    assert sorted(r for r in results if not isinstance(r, int)) == ["entry_already_decided"] * 3
    with app.app_context():
        assert db.session.get(BlankLine, world.declaration_line_id).remaining_quantity == DECLARED - EACH


def test_concurrent_replays_of_a_batch_draw_once(app, world, entry, blank_line):
    items = [entry(blank_line(10)), entry(blank_line(15))]
    schema = DecisionRequestSchema()

    def send(_i: int):
        importer = db.session.get(User, world.importer.user.id)
        return [item.get("uei") or item.get("code") for item in
                services.decide_batch(importer, items, schema.load, idempotency_key="nightly-batch-17")]

    results, errors = _in_threads(app, 4, send)
    assert not errors, errors
    assert all(result == results[0] for result in results), results  # the same two decisions for every sender
    assert all(uei and len(uei) == 15 for uei in results[0])
    with app.app_context():
        assert db.session.get(BlankLine, world.declaration_line_id).remaining_quantity == DECLARED - 25
        assert db.session.scalar(select(func.count()).select_from(ReleaseDecision)) == 2
        assert verify_chain().ok
