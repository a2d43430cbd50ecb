"""Every CSV people download has its header row in plain words (core.labels.csv_header), never a machine
name such as ``median_days_to_resolution`` — except the bulk screening output, whose columns API.md fixes."""

from __future__ import annotations

import csv
import io

from program.cases.stats import tables
from tests.program.tiers.conftest import admin_api as admin_api  # noqa: F401
from tests.program.tiers.conftest import tiers as tiers  # noqa: F401 (the analytics export needs a paid tier)

# API.md ("flask --app app decisions screen"): the input columns plus line_outcome, entry_outcome, reasons, uei.
API_FIXED = {"decisions_screen.result", "decisions_api.get_screening_result"}
HUMAN_HEADERS = {"cases_stats.table_csv", "tiers.detentions_export"}


def _csv_endpoints(app) -> set[str]:
    return {rule.endpoint for rule in app.url_map.iter_rules() if rule.rule.endswith(".csv")}


def test_every_csv_download_is_known_here(app):
    """A new CSV download must be added to one of the two sets (and so to the header check below)."""
    assert _csv_endpoints(app) == HUMAN_HEADERS | API_FIXED


def _header(response) -> list[str]:
    assert response.status_code == 200 and response.mimetype == "text/csv"
    return next(csv.reader(io.StringIO(response.text)))


def test_no_exported_header_is_a_machine_name(app, client, login, make_user, admin_api, tiers):
    reviewer, owner = make_user("reviewer"), make_user("rights_holder")
    admin_api.post(f"/api/v1/organizations/{owner.organization_id}/tier", json={"tier": "standard"})
    headers: dict[str, list[str]] = {}
    login(reviewer)
    with app.app_context():
        names = list(tables())
    for name in names:
        headers[f"/stats/enforcement/{name}.csv"] = _header(client.get(f"/stats/enforcement/{name}.csv"))
    client.post("/logout")
    login(owner)
    headers["/account/analytics/detentions.csv"] = _header(client.get("/account/analytics/detentions.csv"))
    assert len(headers) == len(names) + 1 >= 9
    machine = {url: [h for h in row if "_" in h or not h[:1].isupper()] for url, row in headers.items()}
    assert {url: found for url, found in machine.items() if found} == {}
