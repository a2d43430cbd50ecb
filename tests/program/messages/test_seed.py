"""The demo seeder: conversations between CBP and demo organisations, some unread, audit chain intact."""

from __future__ import annotations

from sqlalchemy import func, select

from core.accounts.models import User
from core.audit import verify_chain
from core.extensions import db
from program.messages.models import Thread
from program.messages.queries import unread_count
from program.seed import SEEDERS, seed_demo


def test_seeder_is_registered_once():
    import program.messages.seed  # noqa: F401

    assert [label for label, _ in SEEDERS].count("messages") == 1


def test_demo_conversations(app):
    with app.app_context():
        lines = seed_demo()
        db.session.commit()
        assert any("message threads" in line for line in lines)
        assert db.session.scalar(select(func.count(Thread.id))) == 5
        assert db.session.scalar(select(func.count(Thread.id)).where(Thread.status == "closed")) == 1
        users = {u.email: u for u in db.session.scalars(select(User))}
        assert unread_count(users["importer@northwind.example"]) == 1
        assert unread_count(users["broker@northwind.example"]) == 2  # has read neither CBP message
        assert unread_count(users["reviewer@cbp.example.gov"]) > 0
        assert unread_count(users["importer@eastgate.example"]) == 0
        assert verify_chain().ok
        db.session.remove()


def test_demo_command_prints_the_summary(runner):
    result = runner.invoke(args=["seed", "demo"])
    assert result.exit_code == 0, result.output
    assert "message threads" in result.output
