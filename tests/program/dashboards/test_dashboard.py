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


def _panels(app, email):
    """The dashboard panels of the demo user ``email``, by key."""
    from core.accounts.models import User
    from program.dashboards.panels import panels_for

    with app.test_request_context():
        user = db.session.scalar(select(User).where(User.email == email))
        return user, {panel.key: panel for panel in panels_for(user)}


def test_reviewer_panels_count_what_the_database_holds(app, demo):
    from sqlalchemy import func

    from program.decisions.models import ReleaseDecision
    from program.enrollment.models import Enrollment
    from program.enrollment.states import AWAITING_STATUSES

    _user, panels = _panels(app, "reviewer@cbp.example.gov")
    assert list(panels) == ["cases", "enrollments-status", "enrollments-age", "decisions-weekly",
                            "blanks-utilisation"]  # in their order on the page
    with app.app_context():
        enrollments = db.session.scalar(select(func.count()).select_from(Enrollment))
        awaiting = db.session.scalar(select(func.count()).select_from(Enrollment).where(
            Enrollment.status.in_(AWAITING_STATUSES), Enrollment.submitted_at.is_not(None)))
        decisions = db.session.scalar(select(func.count()).select_from(ReleaseDecision))
    assert sum(row[1] for row in panels["enrollments-status"].rows) == enrollments
    assert sum(row[1] for row in panels["enrollments-age"].rows) == awaiting > 0
    weekly = panels["decisions-weekly"].rows
    assert len(weekly) == 8 and all(row[-1] == sum(row[1:-1]) for row in weekly)
    assert 0 < sum(row[-1] for row in weekly) <= decisions  # the demo spreads decisions over three months
    assert panels["decisions-weekly"].chart == "decisions"


def test_importer_panels_hold_its_own_decisions_and_cases_only(app, demo):
    from sqlalchemy import func

    from program.cases.models import EnforcementCase
    from program.decisions.models import ReleaseDecision

    user, panels = _panels(app, "importer@northwind.example")
    assert set(panels) == {"cases", "decisions-mine", "blanks-utilisation"}
    with app.app_context():
        mine = dict(db.session.execute(select(ReleaseDecision.outcome, func.count())
                                       .where(ReleaseDecision.organization_id == user.organization_id)
                                       .group_by(ReleaseDecision.outcome)).all())
        own_open = set(db.session.scalars(
            select(EnforcementCase.uei).join(ReleaseDecision, ReleaseDecision.id == EnforcementCase.decision_id)
            .where(ReleaseDecision.organization_id == user.organization_id, EnforcementCase.status == "detained")))
    labels = {"Expedited release": "expedited_release", "Standard processing": "standard_processing",
              "Referred for examination": "refer_for_examination"}
    assert {labels[label]: n for label, n in panels["decisions-mine"].rows if n} == mine
    linked = {url.rsplit("/", 1)[1] for _text, url in panels["cases"].links}
    assert linked == own_open and own_open  # the demo detains some of Northwind's entries


def test_rights_holder_panels_show_its_marks_and_their_detentions(app, demo):
    from standards.lookups import marks_of

    user, panels = _panels(app, "rights@lumen.example")
    assert set(panels) == {"cases", "marks", "rh-detentions", "rh-coverage", "rh-licences-pending"}
    with app.app_context():
        numbers = {mark.recordation_number for mark in marks_of(user.organization_id)}
    assert {row[0] for row in panels["marks"].rows} == numbers
    assert all(row[2].startswith(("Endorsed", "No endorsement")) for row in panels["marks"].rows)
    assert any(row[2].startswith("Endorsed in") for row in panels["marks"].rows)  # LUMEN's published standard
    assert panels["cases"].title == "Detentions of goods bearing your marks" and panels["cases"].rows
    for row in panels["cases"].rows:  # 19 CFR 133.21: no importer, entry number or IOR number in the row
        assert not any("northwind" in str(cell).lower() or "ABC-" in str(cell) for cell in row)
