"""Enforcement statistics on a known fixture: counts, median, shares; CSV of every table; SVG charts."""

from __future__ import annotations

import csv
import io
from datetime import timedelta

import pytest

from core.timeutil import today
from program.cases.states import OUTCOMES


@pytest.fixture
def known(reviewer_api, open_case, make_decision):
    """Closed cases: abandoned after 2 and 10 days, seized after 4, exported after 6; one open case;
    one expedited decision detained out of three expedited decisions."""
    notice = today() - timedelta(days=20)
    for outcome, days, kwargs in (("abandoned", 2, {}), ("abandoned", 10, {}), ("seized", 4, {}),
                                  ("exported", 6, {"outcome": "expedited_release"})):
        case = open_case(notice_date=notice, **kwargs)
        reviewer_api.post(f"/api/v1/cases/{case['uei']}/events", json={
            "type": outcome, "date": (notice + timedelta(days=days)).isoformat()})
    open_case()
    make_decision(outcome="expedited_release")
    make_decision(outcome="expedited_release")
    return notice


def test_stats_numbers(reviewer_api, known):
    body = reviewer_api.get("/api/v1/stats/enforcement").json
    assert body["by_outcome"] == {"released": 0, "seized": 1, "abandoned": 2, "manipulated": 0, "exported": 1,
                                  "destroyed": 0}
    assert set(body["by_outcome"]) == set(OUTCOMES)
    assert body["closed"] == 4
    assert body["alternatives_to_seizure"] == {"count": 3, "share": 0.75}
    assert body["median_days_to_resolution"] == 5.0
    assert body["expedited_later_detained"] == {"expedited": 3, "detained": 1, "share": 0.3333}
    # Each case counts once per sector of its lines (both fixture lines: two sectors).
    assert body["by_sector"]["mobile_devices"]["abandoned"] == 2
    assert body["by_sector"]["handbags_accessories"]["seized"] == 1
    months = body["by_month"]
    assert sum(sum(m.values()) for m in months.values()) == 4
    assert all(len(key) == 7 and key[4] == "-" for key in months)


def test_stats_only_for_cbp(api_as, world):
    for who, status in (("reviewer", 200), ("admin", 200), ("importer", 403), ("owner_a", 403), ("group", 403)):
        assert api_as(getattr(world, who)).get("/api/v1/stats/enforcement").status_code == status, who


def test_empty_stats(reviewer_api, world):
    body = reviewer_api.get("/api/v1/stats/enforcement").json
    assert body["closed"] == 0 and body["median_days_to_resolution"] is None
    assert body["expedited_later_detained"]["share"] is None


def test_dashboard_tables_csv_and_charts(client, login, world, known):
    login(world.reviewer)
    page = client.get("/stats/enforcement")
    assert page.status_code == 200
    assert "Alternatives to seizure" in page.text and 'class="gl-alt-row"' in page.text
    for name in ("outcomes", "sectors", "months", "ports", "bases", "values", "summary"):
        response = client.get(f"/stats/enforcement/{name}.csv")
        assert response.status_code == 200 and response.mimetype == "text/csv"
        assert f'href="/stats/enforcement/{name}.csv"' in page.text
        rows = list(csv.reader(io.StringIO(response.text)))
        assert len(rows) > 1
    outcomes = {row[0]: row for row in csv.reader(io.StringIO(client.get("/stats/enforcement/outcomes.csv").text))}
    assert outcomes["Outcome code"] == ["Outcome code", "Outcome", "Alternative to seizure", "Cases",
                                        "Share of closed cases"]  # words; the code column stays for scripts
    assert outcomes["abandoned"][2:4] == ["yes", "2"] and outcomes["seized"][2:4] == ["no", "1"]
    summary = {row[0]: row[-1] for row in csv.reader(io.StringIO(client.get("/stats/enforcement/summary.csv").text))}
    assert summary["Measure code"] == "Value"
    assert summary["median_days_to_resolution"] == "5.0"
    assert "Median days from the detention notice to the outcome" in page.text
    sectors = list(csv.reader(io.StringIO(client.get("/stats/enforcement/sectors.csv").text)))
    assert sectors[0][:2] == ["Sector code", "Sector"]
    assert ["mobile_devices", "Mobile phones and tablets"] in [row[:2] for row in sectors[1:]]
    ports = {row[0]: row for row in csv.reader(io.StringIO(client.get("/stats/enforcement/ports.csv").text))}
    assert ports["Port"][-1] == "Total" and sum(int(r[-1]) for k, r in ports.items() if k != "Port") == 4
    values = list(csv.reader(io.StringIO(client.get("/stats/enforcement/values.csv").text)))
    assert values[0] == ["Declared value (USD)", "Seized: cases", "Seized: value (USD)", "Alternatives to seizure: cases",
                         "Alternatives to seizure: value (USD)", "Released: cases", "Released: value (USD)"]
    assert [row[0] for row in values[1:]] == ["under 800", "800 to 2,500", "2,500 to 10,000", "10,000 and over"]
    assert client.get("/stats/enforcement/penalties.csv").text.startswith("Month,Penalties assessed,Total (USD)")
    for name in ("outcomes", "sectors", "months", "ports", "bases", "values", "penalties"):
        assert f'src="/stats/enforcement/charts/{name}.svg"' in page.text
        svg = client.get(f"/stats/enforcement/charts/{name}.svg")
        assert svg.status_code == 200 and svg.mimetype == "image/svg+xml"
        assert "<script" not in svg.text and svg.text.startswith("<svg")
        assert "viewBox=" in svg.text and "…" not in svg.text  # scales with the page; labels never truncated
        assert "default-src 'none'" in svg.headers["Content-Security-Policy"]
    assert client.get("/stats/enforcement/bogus.csv").status_code == 404
    assert client.get("/stats/enforcement/charts/bogus.svg").status_code == 404
