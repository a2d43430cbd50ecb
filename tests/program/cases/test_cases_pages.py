"""The case pages of each role: the reviewer's clock with what is due next and its actions, the importer's
home page with every open detention, the owner's limited view, the detain form by legal basis, and the
bulk page for small parcels."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from core.audit import AuditEntry
from core.extensions import db
from core.timeutil import today


def _post(api, uei, **body):
    return api.post(f"/api/v1/cases/{uei}/events", json=body)


def test_reviewer_page_shows_the_clock_and_next_due(client, login, world, open_case):
    uei = open_case(notice_date=today() - timedelta(days=20))["uei"]
    login(world.reviewer)
    page = client.get(f"/cases/{uei}").text
    assert "The detention clock" in page and 'data-testid="next-due"' in page
    assert re.search(r"overdue by \d+ business day", page)
    assert "-1 business" not in page and "overdue by -" not in page
    for milestone in ("presented", "detained", "notice", "response", "detention_ends"):
        assert f'data-milestone="{milestone}"' in page
    assert "Share images with the rights holder" in page and "Extend the detention period" in page
    assert 'data-testid="unredacted-not-yet"' not in page  # window passed without a response: allowed
    assert "Disclose unredacted images to the rights holder" in page


def test_share_with_rights_holder_only_offered_when_the_case_has_marks(client, login, world, make_decision,
                                                                          reviewer_api):
    decision_id, _ = make_decision(lines=[("Plain cotton T-shirts", "6109100000", 100, "500.00", "apparel_footwear",
                                           None)])
    uei = reviewer_api.post("/api/v1/cases", json={"decision_id": decision_id, "action": "detain",
                                                   "notice_date": today().isoformat()}).json["uei"]
    login(world.reviewer)
    page = client.get(f"/cases/{uei}").text
    assert "Share images with the rights holder" not in page
    refused = _post(reviewer_api, uei, type="images_shared_rights_holder")
    assert refused.status_code == 409 and refused.json["code"] == "no_rights_holder"


def test_importer_home_lists_every_open_detention_with_its_deadline(client, login, world, open_case, api_as):
    cases = [open_case(notice_date=today() - timedelta(days=d))["uei"] for d in (1, 2, 3, 4, 25)]
    _post(api_as(world.reviewer), cases[0], type="released")
    login(world.importer)
    home = client.get("/home").text
    assert "Open detentions" in home
    for uei in cases[1:]:
        assert f'data-uei="{uei}"' in home
    assert f'data-uei="{cases[0]}"' not in home  # closed
    assert re.search(r"overdue by \d+ business days?", home)
    client.post("/logout")
    login(world.other_importer)
    other = client.get("/home").text
    assert "No open detentions" in other and cases[1] not in other


def test_owner_page_shows_the_five_facts_and_the_notice(client, login, world, open_case):
    uei = open_case()["uei"]
    login(world.owner_a)
    page = client.get(f"/cases/{uei}").text
    assert 'data-testid="disclosure-notice"' in page and "Trade Secrets Act" in page
    for shown in ("Date of importation", "2704", "Smartphones X2", "240", "CN"):
        assert shown in page
    for hidden in ("Leather tote", "12-3456789AB", "Entry Imports LLC", "Disclose unredacted"):
        assert hidden not in page


def test_importer_page_hides_authentication_notes(client, login, world, open_case, api_as):
    uei = open_case()["uei"]
    _post(api_as(world.owner_a), uei, type="rights_holder_authentication", note="Hologram wrong; J. Smith")
    login(world.importer)
    page = client.get(f"/cases/{uei}").text
    assert "Rights holder&#39;s authentication" in page or "Rights holder's authentication" in page
    assert "Hologram" not in page and world.owner_a.email not in page


def test_detain_form_by_basis_and_lines(app, client, login, world, make_decision):
    decision_id, uei = make_decision()
    login(world.reviewer)
    form = client.get(f"/cases/new?decision_id={decision_id}").text
    assert "Gray-market goods" in form and "Detained lines" in form
    presented = today() - timedelta(days=3)
    response = client.post(f"/cases/new?decision_id={decision_id}", data={
        "basis": "gray_market", "presented_on": presented.isoformat(), "detained_on": presented.isoformat(),
        "notice_date": today().isoformat(), "line_nos": ["2"], "country_of_origin": "JP", "note": "Lever rule"})
    assert response.status_code == 302, response.text
    page = client.get(response.headers["Location"]).text
    assert "Gray-market goods, Lever rule" in page
    assert (presented + timedelta(days=30)).isoformat() in page
    bad = client.post(f"/cases/new?decision_id={make_decision()[0]}", data={
        "basis": "gray_market", "presented_on": today().isoformat(), "detained_on": (today() - timedelta(days=1)).isoformat(),
        "notice_date": today().isoformat()})
    assert bad.status_code == 422 and "cannot precede presentation" in bad.text


def test_extend_sample_and_post_seizure_from_the_page(app, client, login, world, open_case):
    uei = open_case(notice_date=today() - timedelta(days=2))["uei"]
    login(world.reviewer)
    until = (today() + timedelta(days=40)).isoformat()
    assert client.post(f"/cases/{uei}/events", data={"type": "detention_extended", "until": until,
                                                     "note": "Lab test pending"}).status_code == 302
    no_bond = client.post(f"/cases/{uei}/events", data={"type": "sample_released", "note": "1 unit"})
    assert no_bond.status_code == 422 and "Give the bond reference." in no_bond.text
    assert client.post(f"/cases/{uei}/events", data={"type": "outcome", "outcome": "seized",
                                                     "manufacturer_name": "Lumen Works",
                                                     "manufacturer_address": "Shenzhen"}).status_code == 302
    page = client.get(f"/cases/{uei}").text
    assert "After seizure: forfeiture, petitions and penalties" in page
    assert client.post(f"/cases/{uei}/events", data={"type": "post_seizure", "step": "penalty_assessed",
                                                     "amount": "15000"}).status_code == 302
    page = client.get(f"/cases/{uei}").text
    assert 'data-amount="15000.00"' in page and "Lumen Works" in page
    no_amount = client.post(f"/cases/{uei}/events", data={"type": "post_seizure", "step": "penalty_assessed"})
    assert no_amount.status_code == 422
    client.post("/logout")
    login(world.owner_a)
    owner = client.get(f"/cases/{uei}").text
    assert "After seizure: the parties" in owner and "Lumen Works" in owner and "15000" not in owner


def test_bulk_page_filters_and_records_each_case(app, client, login, world, open_case, make_decision):
    here = [open_case(port="2704")["uei"] for _ in range(2)]
    there = open_case(port="1001")["uei"]
    login(world.reviewer)
    page = client.get("/cases/bulk?port=2704").text
    assert all(f'data-uei="{u}"' in page for u in here) and f'data-uei="{there}"' not in page
    none_chosen = client.post("/cases/bulk?port=2704", data={"type": "destroyed"})
    assert none_chosen.status_code == 422 and "Select at least one case." in none_chosen.text
    done = client.post("/cases/bulk?port=2704", data={"type": "destroyed", "note": "Parcels", "uei": here})
    assert done.status_code == 200 and done.text.count('data-result="applied"') == 2
    with app.app_context():
        actions = db.session.scalars(select(AuditEntry.entity_id).where(AuditEntry.action == "case.destroyed")).all()
    assert sorted(actions) == sorted(here)
    client.post("/logout")
    login(world.importer)
    assert client.get("/cases/bulk").status_code == 403


def test_reviewer_digest_command(app, runner, world, make_decision, open_case, clock):
    ending = open_case(notice_date=today() - timedelta(days=25),
                       decided_at=datetime.combine(today() - timedelta(days=29), datetime.min.time(), tzinfo=UTC))
    make_decision(decided_at=datetime.combine(today() - timedelta(days=12), datetime.min.time(), tzinfo=UTC))
    result = runner.invoke(args=["cases", "digest"])
    assert result.exit_code == 0, result.output
    assert "notice due" in result.output and f"{ending['uei']}" in result.output.replace("-", "")
    assert "1 notice due, 1 detention ending." in result.output
