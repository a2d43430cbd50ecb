"""The rules of rules version 2026.12-1 through the API: HTS-derived sectors, enforcement history, Lever-rule
scope and lapsed recordations, known violative shippers, owner-confirmed licences, shipments and countries."""

from __future__ import annotations

import copy
from datetime import timedelta

import pytest
from sqlalchemy import select

from core.accounts.models import User
from core.extensions import db
from core.timeutil import today
from program.decisions import facts
from tests.clocks import DEFAULT_NOW
from tests.program.decisions.conftest import DECLARATION, EXPEDITED_LINE, LICENSED_LINE, REFERRED_LINE

INSULIN = {"line_no": 1, "description": "Insulin pens", "hts_code": "3004.31.0000", "quantity": 20,
           "value_usd": "800.00", "sector": "handbags_accessories", "condition": "used",
           "recordation_number": "TMK 21-00123"}
SHIPPER = "Shenzhen Fast Goods Trading Co., Ltd."


def codes(line: dict) -> list[str]:
    return [r["code"] for r in line["reasons"]]


def decide(client, body, status=201) -> dict:
    response = client.post("/api/v1/release-decisions", json=body)
    assert response.status_code == status, response.json
    return response.json


def test_rules_version_moves(world, entry):
    assert decide(world.importer, entry())["rules_version"] == "2026.12-1"


def test_hts_code_decides_heightened_protection_and_mismatch(world, entry):
    body = decide(world.importer, entry(INSULIN))
    (line,) = body["lines"]
    assert codes(line) == ["heightened_protection", "sector_hts_mismatch", "no_endorsed_standard"]
    assert body["outcome"] == line["outcome"] == "refer_for_examination"
    messages = " ".join(r["message"] for r in line["reasons"])
    assert "belongs to Pharmaceuticals" in messages and "sector Handbags and accessories" in messages
    assert "pharmaceuticals" not in messages and "handbags_accessories" not in messages
    honest = decide(world.importer, entry(dict(INSULIN, sector="pharmaceuticals")))
    assert codes(honest["lines"][0]) == ["heightened_protection", "no_endorsed_standard"]


def _seize(world, decision_id: int) -> None:
    case = world.reviewer.post("/api/v1/cases", json={"decision_id": decision_id, "action": "detain",
                                                      "notice_date": today().isoformat()})
    assert case.status_code == 201, case.json
    seized = world.reviewer.post(f"/api/v1/cases/{case.json['uei']}/events", json={"type": "seized"})
    assert seized.status_code in (200, 201), seized.json


def test_prior_violation_after_a_seizure_within_the_look_back(app, world, entry, clock):
    first = decide(world.importer, entry(REFERRED_LINE))
    _seize(world, first["id"])
    later = decide(world.importer, entry(EXPEDITED_LINE))
    assert codes(later["lines"][0]) == ["prior_violation"]
    assert later["outcome"] == "standard_processing"
    assert f"were seized in an enforcement case closed within the last 365 days (most recently on " \
           f"{today().isoformat()})" in later["lines"][0]["reasons"][0]["message"]
    app.config["PRIOR_VIOLATION_DAYS"] = 30
    try:
        clock.move_to(DEFAULT_NOW + timedelta(days=31))
        aged = decide(world.importer, entry(EXPEDITED_LINE))
        assert codes(aged["lines"][0]) == []
        app.config["PRIOR_VIOLATION_DAYS"] = 365
        facts.clear_cache()
        assert codes(decide(world.importer, entry(EXPEDITED_LINE))["lines"][0]) == ["prior_violation"]
    finally:
        app.config["PRIOR_VIOLATION_DAYS"] = 365


def test_lever_rule_covers_used_goods_within_its_scope_and_lapsed_marks_count_as_unrecorded(app, world, entry):
    from standards.models import RecordedMark
    from standards.services import marks

    used_bags = dict(REFERRED_LINE, condition="used")
    assert codes(decide(world.importer, entry(used_bags))["lines"][0]) == ["no_endorsed_standard",
                                                                           "lever_label_missing"]
    labelled = decide(world.importer, entry(dict(used_bags, lever_label=True)))
    assert codes(labelled["lines"][0]) == ["no_endorsed_standard"]
    with app.app_context():
        officer = db.session.get(User, world.reviewer.user.id)
        acme = db.session.scalar(select(RecordedMark).where(RecordedMark.recordation_number == "TMK 19-04567"))
        marks.update_mark(officer, acme, lever_scope=["6404"])
        lumen = db.session.scalar(select(RecordedMark).where(RecordedMark.recordation_number == "TMK 21-00123"))
        marks.update_mark(officer, lumen, expires_on=today() - timedelta(days=1))
        db.session.commit()
    assert codes(decide(world.importer, entry(used_bags))["lines"][0]) == ["no_endorsed_standard"]
    lapsed = decide(world.importer, entry(EXPEDITED_LINE))["lines"][0]
    assert codes(lapsed) == ["mark_not_recorded", "no_endorsed_standard"]
    assert "lapsed after" in lapsed["reasons"][0]["message"]
    listed = {m["recordation_number"]: m for m in world.importer.get("/api/v1/marks").json["items"]}
    assert listed["TMK 19-04567"]["lever_scope"] == ["6404"]
    assert listed["TMK 21-00123"]["expires_on"] == (today() - timedelta(days=1)).isoformat()


def test_marks_api_takes_scope_and_expiry(world):
    body = {"recordation_number": "TMK 24-00001", "mark": "NOVA", "owner_organization_id": world.rights.user.organization_id,
            "lever_rule": True, "lever_scope": ["8518", "8517.13"], "expires_on": "2025-01-31"}
    made = world.reviewer.post("/api/v1/marks", json=body)
    assert made.status_code == 201, made.json
    assert made.json["lever_scope"] == ["851713", "8518"] and made.json["expires_on"] == "2025-01-31"
    bad = world.reviewer.post("/api/v1/marks", json=dict(body, recordation_number="TMK 24-00002", lever_scope=["85x"]))
    assert bad.status_code == 422 and "lever_scope" in str(bad.json)


def test_known_violative_shipper_refers_the_parcel(world, entry, blank_line):
    listed = world.reviewer.post("/api/v1/violative-shippers", json={"name": SHIPPER, "country": "CN",
                                                                     "reason": "Three seizures of fake earbuds."})
    assert listed.status_code == 201, listed.json
    assert world.importer.post("/api/v1/violative-shippers", json={"name": "X", "reason": "y"}).status_code == 403
    assert world.reviewer.post("/api/v1/violative-shippers", json={"name": "", "country": "XX"}).status_code == 422
    parcel = {"type": "section_321", "house_bill": "HAWB778899", "marketplace": "bigmarket.example",
              "seller": {"name": "SHENZHEN FAST-GOODS TRADING COMPANY LIMITED", "country": "cn"}}
    body = decide(world.importer, entry(EXPEDITED_LINE, dict(blank_line(5), line_no=2), shipment=parcel))
    assert [codes(line) for line in body["lines"]] == [["known_violative_shipper"]] * 2
    assert body["outcome"] == "refer_for_examination"
    assert body["shipment"] == {"type": "section_321", "house_bill": "HAWB778899",
                                "seller": {"name": "SHENZHEN FAST-GOODS TRADING COMPANY LIMITED", "country": "CN"},
                                "marketplace": "bigmarket.example"}
    assert world.importer.get(f"/api/v1/release-decisions/{body['id']}").json["shipment"] == body["shipment"]
    other_country = dict(parcel, seller={"name": SHIPPER, "country": "VN"})
    assert codes(decide(world.importer, entry(EXPEDITED_LINE, shipment=other_country))["lines"][0]) == []
    page = world.reviewer.get("/api/v1/violative-shippers").json
    assert [s["name"] for s in page["items"]] == [SHIPPER]
    assert world.reviewer.delete(f"/api/v1/violative-shippers/{listed.json['id']}").status_code == 204
    assert codes(decide(world.importer, entry(EXPEDITED_LINE, shipment=parcel))["lines"][0]) == []


def test_shipment_and_country_of_origin_are_checked_field_by_field(world, entry):
    bad = world.importer.post("/api/v1/release-decisions", json=entry(
        dict(EXPEDITED_LINE, country_of_origin="ZZ"), shipment={"type": "parcel", "seller": {"name": "A", "country": "Q"}}))
    assert bad.status_code == 422
    text = str(bad.json)
    assert "country_of_origin" in text and "type" in text and "country" in text
    good = decide(world.importer, entry(dict(EXPEDITED_LINE, country_of_origin="vn")))
    assert good["lines"][0]["country_of_origin"] == "VN" and good["shipment"] is None


@pytest.fixture
def web_as(app):
    """Factory: a fresh test client signed in (through the login form) as ``user``."""

    def factory(user):
        client = app.test_client()
        response = client.post("/login", data={"email": user.email, "password": user.password})
        assert response.status_code == 302
        return client

    return factory


def _licensed_declaration(app, world) -> str:
    from program.blanks.services import file_declaration

    body = copy.deepcopy(DECLARATION)
    body["lines"].append(dict(LICENSED_LINE))
    with app.app_context():
        declaration = file_declaration(db.session.get(User, world.importer.user.id), body)
        public_id = declaration.public_id
        assert declaration.lines[1].licence_status == "pending"
        db.session.commit()
    return public_id


def test_owner_rejects_a_licence_and_goods_drawn_on_it_are_referred(app, world, entry, api_as):
    public_id = _licensed_declaration(app, world)
    pending = world.rights.get("/api/v1/blank-declarations/licensed-lines").json["items"]
    assert [(item["declaration_id"], item["line_no"], item["licence_status"]) for item in pending] == [
        (public_id, 2, "pending")]
    url = f"/api/v1/blank-declarations/{public_id}/lines/2/licence"
    assert api_as("rights_holder").post(url, json={"action": "reject", "note": "x"}).status_code == 404
    assert world.importer.post(url, json={"action": "reject", "note": "x"}).status_code == 403
    assert world.rights.post(url, json={"action": "reject"}).status_code == 422  # a rejection says why
    assert world.rights.post(f"/api/v1/blank-declarations/{public_id}/lines/1/licence",
                             json={"action": "confirm"}).status_code == 409  # not a licensed line
    rejected = world.rights.post(url, json={"action": "reject", "note": "We never licensed this factory."})
    assert rejected.status_code == 200 and rejected.json["licence_status"] == "rejected"
    assert world.importer.get(f"/api/v1/blank-declarations/{public_id}").json["lines"][1]["licence_status"] == "rejected"
    line = {"line_no": 1, "description": "Plain earbuds", "hts_code": "8518.30.2000", "quantity": 10,
            "value_usd": "40.00", "sector": "consumer_electronics", "condition": "blank",
            "blank_declaration_id": public_id, "blank_line_no": 2}
    body = decide(world.importer, entry(line))
    assert codes(body["lines"][0]) == ["licence_rejected"] and body["outcome"] == "refer_for_examination"
    assert world.importer.get(f"/api/v1/blank-declarations/{public_id}").json["lines"][1]["remaining_quantity"] == "40.000"
    assert world.rights.post(url, json={"action": "confirm"}).json["licence_status"] == "confirmed"
    assert codes(decide(world.importer, entry(line))["lines"][0]) == []


def test_rights_holder_page_lists_pending_licences_first(app, world, web_as, make_user):
    public_id = _licensed_declaration(app, world)
    page = web_as(world.rights.user).get("/blanks/licensed")
    assert page.status_code == 200 and f'data-testid="licence-{public_id}-2"' in page.text and "Pending" in page.text
    done = web_as(world.rights.user).post(f"/blanks/{public_id}/lines/2/licence",
                                          data={"action": "reject", "text": "Not our licensee."})
    assert done.status_code == 302
    assert world.rights.get("/api/v1/blank-declarations/licensed-lines").json["items"][0]["licence_status"] == "rejected"


def test_reviewer_enrollment_page_shows_seizures_and_suggests_a_proposed_suspension(world, entry, web_as):
    reviewer_page = web_as(world.reviewer.user)
    url = f"/review/enrollments/{world.enrollment_id}"
    assert "No goods of this importer have been seized" in reviewer_page.get(url).text
    first = decide(world.importer, entry(REFERRED_LINE))
    _seize(world, first["id"])
    once = reviewer_page.get(url).text
    assert "seized on" in once and 'data-testid="suggest-suspension"' not in once
    second = decide(world.reviewer, entry(REFERRED_LINE))
    _seize(world, second["id"])
    twice = reviewer_page.get(url).text
    assert 'data-testid="suggest-suspension"' in twice and "notice of proposed suspension" in twice
    assert "seized 2 times in the last 365 days" in twice


def test_a_seller_needs_a_name(world, entry):
    response = world.importer.post("/api/v1/release-decisions", json=entry(
        EXPEDITED_LINE, shipment={"type": "section_321", "seller": {"name": "  ", "country": "HK"}}))
    assert response.status_code == 422
    assert response.json["errors"]["json"]["shipment.seller.name"] == ["Give the seller's name."]
