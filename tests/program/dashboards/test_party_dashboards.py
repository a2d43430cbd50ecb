"""Dashboards with charts for rights holders (detentions of their marks by month and outcome, endorsement
coverage by sector) and industry groups (their standards' endorsement coverage), on the demo data."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from sqlalchemy import func, select

from core.extensions import db
from program.cases.models import EnforcementCase
from program.cases.policy import visible_cases
from program.seed import DEMO_PASSWORD
from tests.program.dashboards.test_dashboard import _panels


@pytest.fixture
def demo(app, runner):
    result = runner.invoke(args=["seed", "demo"])
    assert result.exit_code == 0, result.output


def _as(login, email):
    return login(SimpleNamespace(email=email, password=DEMO_PASSWORD))


def test_rights_holder_detentions_by_month_count_its_cases(app, demo):
    user, panels = _panels(app, "rights@lumen.example")
    detentions = panels["rh-detentions"]
    assert len(detentions.rows) == 12 and detentions.chart == "rh-detentions"
    with app.test_request_context():
        visible = db.session.scalar(select(func.count()).select_from(visible_cases(user).subquery()))
        everything = db.session.scalar(select(func.count(EnforcementCase.id)))
    assert 0 < sum(row[-1] for row in detentions.rows) <= visible < everything


def test_rights_holder_coverage_by_sector(app, demo):
    _user, panels = _panels(app, "rights@lumen.example")
    rows = {row[0]: row for row in panels["rh-coverage"].rows}
    assert rows["Consumer electronics"][1:3] == [1, 1]  # LUMEN, endorsed in the published electronics standard
    assert rows["Mobile phones and tablets"][2] == 0  # the phones standard is only proposed


def test_industry_group_dashboard_shows_its_standards_coverage(app, client, login, demo):
    _user, panels = _panels(app, "group@electronics-alliance.example")
    standards = panels["ig-standards"]
    titles = [row[0] for row in standards.rows]
    assert "Refurbished mobile phones and tablets" in titles
    assert all(row[2] in ("Proposed", "Published") for row in standards.rows)
    page = _as(login, "group@electronics-alliance.example").get("/dashboard")
    assert page.status_code == 200 and "Your standards and their endorsement coverage" in page.text
    chart = client.get("/dashboard/charts/ig-coverage.svg")
    assert chart.status_code == 200 and chart.mimetype == "image/svg+xml" and b"<script" not in chart.data


@pytest.mark.parametrize("name", ["rh-detentions", "rh-coverage"])
def test_rights_holder_charts(client, login, demo, name):
    _as(login, "rights@acme-brands.example")
    chart = client.get(f"/dashboard/charts/{name}.svg")
    assert chart.status_code == 200 and chart.data.startswith(b"<svg")


@pytest.mark.parametrize(("email", "name"), [
    ("importer@northwind.example", "rh-detentions"), ("reviewer@cbp.example.gov", "rh-coverage"),
    ("rights@lumen.example", "ig-coverage"), ("group@electronics-alliance.example", "decisions"),
])
def test_charts_are_only_for_their_party(client, login, demo, email, name):
    _as(login, email)
    assert client.get(f"/dashboard/charts/{name}.svg").status_code == 404
