"""The contract other domains rely on: ``blank_line_facts`` and the atomic ``consume_blank_quantity``."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from sqlalchemy import func, select, update

from core.extensions import db
from core.timeutil import today
from program.blanks import services
from program.blanks.models import BlankConsumption, BlankDeclaration, BlankLine
from program.blanks.queries import blank_line_facts
from program.decisions.engine import BlankLineFact


def _line_id(public_id: str, line_no: int) -> int:
    return db.session.scalar(select(BlankLine.id).join(BlankLine.declaration).where(
        BlankDeclaration.public_id == public_id, BlankLine.line_no == line_no))


def test_facts_cover_every_line_keyed_by_public_id_and_line_no(app, importer_api, file_as):
    public_id = file_as(importer_api.user)
    with app.app_context():
        facts = blank_line_facts()
        assert set(facts) == {(public_id, 1), (public_id, 2)}
        fact = facts[(public_id, 1)]
        assert isinstance(fact, BlankLineFact)
        assert fact.declaration_id == public_id and public_id.startswith(f"BGD-{today().year}-")
        assert fact.line_id == _line_id(public_id, 1)
        assert fact.organization_id == importer_api.user.organization_id
        assert fact.status == "filed"
        assert fact.hts_code == "4202923131"
        assert fact.remaining == Decimal("1000") and isinstance(fact.remaining, Decimal)
        assert facts[(public_id, 2)].remaining == Decimal("250.5")
        assert fact.valid_from == today() and fact.valid_until == today() + timedelta(days=180)


def test_facts_show_lapsed_declarations_as_expired_and_keep_closed_ones(app, importer_api, file_as):
    public_id = file_as(importer_api.user)
    with app.app_context():
        later = today() + timedelta(days=181)
        assert blank_line_facts(later)[(public_id, 1)].status == "expired"
        db.session.execute(update(BlankDeclaration).values(status="revoked", revoked_reason="misuse"))
        assert blank_line_facts()[(public_id, 1)].status == "revoked"
        db.session.rollback()


def test_consumption_draws_and_writes_the_ledger(app, importer_api, file_as):
    public_id = file_as(importer_api.user)
    with app.app_context():
        line_id = _line_id(public_id, 2)
        assert services.consume_blank_quantity(line_id, Decimal("100.25"), decision_id=7, reference="UEI-1")
        assert services.consume_blank_quantity(line_id, Decimal("150.25"), decision_id=8, reference="UEI-2")
        assert not services.consume_blank_quantity(line_id, Decimal("0.001"), decision_id=9, reference="UEI-3")
        db.session.commit()
        line = db.session.get(BlankLine, line_id)
        assert line.remaining_quantity == Decimal("0")
        ledger = db.session.scalars(select(BlankConsumption).order_by(BlankConsumption.id)).all()
        assert [(c.quantity, c.decision_id, c.reference) for c in ledger] == [
            (Decimal("100.25"), 7, "UEI-1"), (Decimal("150.25"), 8, "UEI-2")]


def test_a_refused_consumption_changes_nothing(app, importer_api, file_as):
    public_id = file_as(importer_api.user)
    with app.app_context():
        line_id = _line_id(public_id, 1)
        assert not services.consume_blank_quantity(line_id, Decimal("1000.001"), decision_id=None, reference="x")
        assert db.session.get(BlankLine, line_id).remaining_quantity == Decimal("1000")
        assert db.session.scalar(select(func.count()).select_from(BlankConsumption)) == 0


def test_consume_many_stops_at_the_first_line_that_does_not_fit(app, importer_api, file_as):
    public_id = file_as(importer_api.user)
    with app.app_context():
        one, two = _line_id(public_id, 1), _line_id(public_id, 2)
        assert services.consume_many([(one, Decimal(10)), (two, Decimal(5))], decision_id=1, reference="a")
        assert not services.consume_many([(one, Decimal(10)), (two, Decimal(500))], decision_id=2, reference="b")
        db.session.rollback()  # the caller's all-or-nothing
        assert db.session.get(BlankLine, one).remaining_quantity == Decimal(1000)


def test_consumption_never_commits(app, importer_api, file_as):
    public_id = file_as(importer_api.user)
    with app.app_context():
        assert services.consume_blank_quantity(_line_id(public_id, 1), Decimal(1), decision_id=None, reference="r")
        db.session.rollback()
        assert db.session.get(BlankLine, _line_id(public_id, 1)).remaining_quantity == Decimal(1000)


def test_the_database_refuses_an_overdrawn_line(app, importer_api, file_as):
    from sqlalchemy.exc import IntegrityError

    public_id = file_as(importer_api.user)
    with app.app_context():
        with pytest.raises(IntegrityError):
            db.session.execute(update(BlankLine).where(BlankLine.id == _line_id(public_id, 1))
                               .values(remaining_quantity=-1))
        db.session.rollback()


def test_quantity_must_be_positive(app):
    with app.app_context(), pytest.raises(ValueError):
        services.consume_blank_quantity(1, Decimal(0), decision_id=None, reference="")


def test_changes_of_facts_call_the_hooks(app, importer_api, file_as, monkeypatch):
    calls: list[int] = []
    monkeypatch.setattr(services, "on_facts_changed", [lambda: calls.append(1)])
    file_as(importer_api.user)
    assert calls == [1]
