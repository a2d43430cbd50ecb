"""The UEI follows the case after seizure (COAC): forfeiture, petitions, penalties and liquidated damages
as events with amounts, on the timeline and in the statistics; bulk events for small parcels."""

from __future__ import annotations

import pytest

from core.timeutil import today
from tests.program.cases.conftest import PNG_BYTES, upload


def _post(api, uei, **body):
    return api.post(f"/api/v1/cases/{uei}/events", json=body)


def test_post_seizure_steps_on_the_same_uei(reviewer_api, open_case, api_as, world):
    uei = open_case()["uei"]
    early = _post(reviewer_api, uei, type="penalty_assessed", amount="1000")
    assert early.status_code == 409 and early.json["code"] == "not_seized"
    assert _post(reviewer_api, uei, type="seized").status_code == 201
    for body in ({"type": "forfeiture_notice"}, {"type": "petition_filed", "note": "Petition for remission"},
                 {"type": "petition_decided", "note": "Denied"}, {"type": "penalty_assessed", "amount": "25000.50"},
                 {"type": "liquidated_damages_claimed", "amount": 1200}, {"type": "penalty_closed"}):
        response = _post(reviewer_api, uei, **body)
        assert response.status_code == 201, (body, response.json)
        assert response.json["uei"] == uei and response.json["status"] == "seized"
    events = {e["type"]: e for e in reviewer_api.get(f"/api/v1/cases/{uei}").json["events"]}
    assert events["penalty_assessed"]["amount"] == "25000.50"
    assert events["liquidated_damages_claimed"]["amount"] == "1200.00"
    # Another outcome on a seized case is still refused; the owner never sees the penalty steps.
    again = _post(reviewer_api, uei, type="released")
    assert again.status_code == 409 and again.json["code"] == "case_closed"
    owner_types = [e["type"] for e in api_as(world.owner_a).get(f"/api/v1/cases/{uei}").json["events"]]
    assert "penalty_assessed" not in owner_types and "seized" in owner_types
    assert api_as(world.importer).get(f"/api/v1/cases/{uei}").json["events"][-1]["type"] == "penalty_closed"


@pytest.mark.parametrize("amount", [None, "", "0", "-5", "abc", "1e20"])
def test_amounts_are_required_and_positive(reviewer_api, open_case, amount):
    uei = open_case()["uei"]
    _post(reviewer_api, uei, type="seized")
    response = _post(reviewer_api, uei, type="penalty_assessed", amount=amount)
    assert response.status_code == 422 and "amount" in response.json["errors"]["json"]


def test_post_seizure_steps_only_after_seizure_and_by_reviewers(reviewer_api, open_case, api_as, world):
    uei = open_case()["uei"]
    _post(reviewer_api, uei, type="abandoned")
    closed = _post(reviewer_api, uei, type="forfeiture_notice")
    assert closed.status_code == 409
    uei2 = open_case()["uei"]
    _post(reviewer_api, uei2, type="seized")
    assert _post(api_as(world.importer), uei2, type="petition_filed").status_code == 403


def test_penalties_in_statistics(reviewer_api, open_case):
    uei = open_case()["uei"]
    _post(reviewer_api, uei, type="seized")
    _post(reviewer_api, uei, type="penalty_assessed", amount="1000")
    _post(reviewer_api, uei, type="penalty_assessed", amount="250.25")
    stats = reviewer_api.get("/api/v1/stats/enforcement").json
    month = today().strftime("%Y-%m")
    assert stats["penalties_by_month"][month] == {"count": 2, "total_usd": "1250.25"}
    assert stats["by_port"]["2704"]["seized"] == 1
    assert stats["by_basis"]["suspected_counterfeit"]["seized"] == 1
    assert stats["by_value"]["10,000 and over"]["seized_cases"] == 1
    assert stats["by_value"]["10,000 and over"]["seized_value_usd"] == "77280.00"


def test_bulk_events_each_on_its_own(app, reviewer_api, open_case, api_as, world):
    first, second, closed = (open_case()["uei"] for _ in range(3))
    _post(reviewer_api, closed, type="released")
    bad_check = first[:-1] + ("0" if first[-1] != "0" else "1")
    response = reviewer_api.post("/api/v1/cases/bulk-events", json={
        "ueis": [first, closed, "NOTAUEI", second, bad_check], "type": "abandoned", "note": "Small parcels"})
    assert response.status_code == 200, response.json
    results = response.json["results"]
    assert [r["result"] for r in results] == ["applied", "refused", "refused", "applied", "refused"]
    assert results[1]["code"] == "case_closed" and results[2]["code"] == "invalid_uei"
    assert (response.json["applied"], response.json["refused"]) == (2, 3)
    for uei in (first, second):
        assert reviewer_api.get(f"/api/v1/cases/{uei}").json["status"] == "abandoned"
        audit = reviewer_api.get(f"/api/v1/audit?entity_type=case&entity_id={uei}").json
        items = audit["items"] if isinstance(audit, dict) else audit
        assert "case.abandoned" in [e["action"] for e in items]
    refused = reviewer_api.post("/api/v1/cases/bulk-events", json={"ueis": [first], "type": "exported"})
    assert refused.status_code == 422 and "type" in refused.json["errors"]["json"]
    assert api_as(world.importer).post("/api/v1/cases/bulk-events", json={
        "ueis": [second], "type": "released"}).status_code == 403


def test_image_upload_needs_a_file_and_known_lines(reviewer_api, open_case):
    uei = open_case()["uei"]
    missing = reviewer_api.post(f"/api/v1/cases/{uei}/images", data={"caption": "x"}, content_type="multipart/form-data")
    assert missing.status_code == 422 and "file" in missing.json["errors"]["json"]
    bad = reviewer_api.post(f"/api/v1/cases/{uei}/images", data={"file": upload(PNG_BYTES, "p.png"), "line_nos": "9"},
                            content_type="multipart/form-data")
    assert bad.status_code == 422 and "line_nos" in bad.json["errors"]["json"]
