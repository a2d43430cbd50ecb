"""Eight release decisions drawing on one declared line at once never overdraw it, on SQLite and
PostgreSQL: the conditional ``UPDATE ... WHERE remaining_quantity >= :q`` decides each draw."""

from __future__ import annotations

import threading
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from core.extensions import db
from program.blanks import services
from program.blanks.models import BlankConsumption, BlankDeclaration, BlankLine

THREADS = 8


def _race(app, line_id: int, quantity: Decimal, rounds: int = 1) -> list[bool]:
    """Each thread, in its own app context and session, draws ``quantity`` ``rounds`` times, committing each."""
    barrier = threading.Barrier(THREADS)
    results: list[bool] = []
    errors: list[BaseException] = []
    lock = threading.Lock()

    def run(n: int) -> None:
        with app.app_context():
            try:
                barrier.wait(timeout=10)
                for r in range(rounds):
                    ok = services.consume_blank_quantity(line_id, quantity, decision_id=n * 100 + r,
                                                         reference=f"thread {n} round {r}")
                    db.session.commit()
                    with lock:
                        results.append(ok)
            except BaseException as exc:  # noqa: BLE001 - reported to the main thread
                db.session.rollback()
                errors.append(exc)
            finally:
                db.session.remove()

    threads = [threading.Thread(target=run, args=(n,)) for n in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not errors, errors
    return results


@pytest.mark.parametrize(("declared", "draw", "rounds", "expected_ok"), [
    (1000, Decimal(300), 1, 3),  # oversubscribed: 8 × 300 asked, 1000 declared → 3 fit
    (1000, Decimal(125), 1, 8),  # exactly enough for everyone
    (1000, Decimal(7), 20, 142),  # many small draws: 142 × 7 = 994, 6 left
])
def test_concurrent_draws_never_overdraw(app, importer_api, declaration_body, file_as, declared, draw, rounds,
                                         expected_ok):
    body = declaration_body()
    lines = [dict(body["lines"][0], quantity=declared)]
    public_id = file_as(importer_api.user, lines=lines)
    with app.app_context():
        line_id = db.session.scalar(select(BlankLine.id).join(BlankLine.declaration)
                                    .where(BlankDeclaration.public_id == public_id))
        db.session.remove()
    results = _race(app, line_id, draw, rounds)
    assert len(results) == THREADS * rounds
    assert results.count(True) == expected_ok
    with app.app_context():
        line = db.session.get(BlankLine, line_id)
        consumed = db.session.scalar(select(func.sum(BlankConsumption.quantity))
                                     .where(BlankConsumption.line_id == line_id))
        assert consumed == draw * expected_ok <= Decimal(declared)
        assert line.remaining_quantity == Decimal(declared) - consumed
        assert line.remaining_quantity >= 0
