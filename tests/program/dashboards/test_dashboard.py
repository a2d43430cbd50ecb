"""The program dashboard on the demo data: each role sees its own panels, importers only their own rows."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from sqlalchemy import select

from core.extensions import db
from program.blanks.models import BlankDeclaration
from program.blanks.queries import utilisation
from program.seed import DEMO_PASSWORD


@pytest.fixture
def demo(app, runner):
    result = runner.invoke(args=["seed", "demo"])
    assert result.exit_code == 0, result.output


def _as(login, email):
    return login(SimpleNamespace(email=email, password=DEMO_PASSWORD))


def test_utilisation_adds_up(app, demo):
    with app.app_context():
        rows = utilisation()
        assert rows, "the demo has live declarations"
        assert all(0 <= r["drawn"] <= r["declared"] for r in rows)
        assert [r["share"] for r in rows] == sorted((r["share"] for r in rows), reverse=True)
        assert any(r["drawn"] > 0 for r in rows)
        live = set(db.session.scalars(select(BlankDeclaration.public_id).where(
            BlankDeclaration.status.in_(("filed", "queried")))))
        assert {r["public_id"] for r in rows} <= live


def test_reviewer_dashboard_panels(client, login, demo):
    page = _as(login, "reviewer@cbp.example.gov").get("/dashboard")
    assert page.status_code == 200
    text = page.text
    for title in ("Enrollments by status", "Release decisions by outcome per week",
                  "Blank-goods declarations: quantity drawn"):
        assert title in text
    assert "BGD-" in text


def test_importer_sees_only_its_own_declarations(app, client, login, demo):
    with app.app_context():
        from core.accounts.models import User

        northwind = db.session.scalar(select(User.organization_id).where(User.email == "importer@northwind.example"))
        others = set(db.session.scalars(select(BlankDeclaration.public_id).where(
            BlankDeclaration.organization_id != northwind)))
        own = {r["public_id"] for r in utilisation(northwind)}
        assert own and others
    text = _as(login, "importer@northwind.example").get("/dashboard").text
    assert "Blank-goods declarations: quantity drawn" in text
    assert all(public_id in text for public_id in own)
    assert not any(public_id in text for public_id in others)


def test_rights_holder_has_no_blank_panel(client, login, demo):
    text = _as(login, "rights@lumen.example").get("/dashboard").text
    assert "quantity drawn" not in text
