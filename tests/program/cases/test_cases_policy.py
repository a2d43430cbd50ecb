"""19 CFR 133.21: what each party sees of a case, field by field, in the API and on the page; images
only after the share for that party."""

from __future__ import annotations

import json

import pytest

from tests.program.cases.conftest import PNG_BYTES, upload

IMPORTER_SECRETS = ("12-3456789AB", "Entry Imports LLC", "ABC-1234567-6", "71880", "5400", "Invoices from Osaka")


@pytest.fixture
def shared_case(app, client, api_as, world, reviewer_api, open_case, login):
    """A case with an image, the importer's response (with a note) and every kind of event."""
    case = open_case()
    uei = case["uei"]
    response = reviewer_api.post(f"/api/v1/cases/{uei}/images", data={"image": upload(PNG_BYTES, "photo.png"),
                                                                       "caption": "Box label"},
                                 content_type="multipart/form-data")
    assert response.status_code == 201, response.json
    api_as(world.importer).post(f"/api/v1/cases/{uei}/events",
                                json={"type": "importer_response", "note": "Invoices from Osaka, IOR 12-3456789AB"})
    return case


def test_rights_holder_sees_only_what_133_21_allows(api_as, world, shared_case, reviewer_api):
    uei = shared_case["uei"]
    owner = api_as(world.owner_a)
    body = owner.get(f"/api/v1/cases/{uei}").json
    from program.cases.policy import NOTICE, RIGHTS_HOLDER, fields_for

    assert set(body) == fields_for(RIGHTS_HOLDER, NOTICE)
    assert body["lines"] == [{"line_no": 1, "date_of_importation": body["date_of_importation"], "port_code": "2704",
                              "description": "Smartphones X2", "quantity": "240.000", "country_of_origin": "CN"}]
    assert "Trade Secrets Act" in body["disclosure_notice"]
    assert body["party"] == "rights_holder"
    assert body["port_code"] == "2704" and body["country_of_origin"] == "CN"
    # Only the line bearing its own mark, with description and quantity; never the other owner's mark.
    assert body["goods"] == [{"line_no": 1, "description": "Smartphones X2", "quantity": "240.000",
                              "recordation_number": "TMK 21-00123", "mark": "LUMEN"}]
    assert body["images"] == []  # not shared with rights holders (and unredacted, so not until disclosure)
    assert [e["type"] for e in body["events"]] == ["detained"]  # not the importer's response
    assert body["allowed_events"] == ["rights_holder_authentication"]
    text = json.dumps(body)
    for secret in (*IMPORTER_SECRETS, "TMK 19-04567", "ACME", "Leather tote", "entry", "ior_number", "value_usd"):
        assert secret not in text, secret
    # Its own events come with their notes; CBP's notes never do.
    owner.post(f"/api/v1/cases/{uei}/events", json={"type": "rights_holder_authentication", "note": "Counterfeit."})
    reviewer_api.post(f"/api/v1/cases/{uei}/events", json={"type": "seized", "note": "Seized; importer 12-3456789AB"})
    events = {e["type"]: e for e in owner.get(f"/api/v1/cases/{uei}").json["events"]}
    assert events["rights_holder_authentication"]["note"] == "Counterfeit."
    assert events["seized"]["note"] == "" and events["seized"]["by"] == "CBP"
    assert "12-3456789AB" not in json.dumps(owner.get(f"/api/v1/cases/{uei}").json)


def test_rights_holder_list_rows_are_redacted(api_as, world, shared_case):
    rows = api_as(world.owner_b).get("/api/v1/cases").json["items"]
    assert len(rows) == 1
    text = json.dumps(rows)
    for secret in (*IMPORTER_SECRETS, "Smartphones", "TMK 21-00123", "importer"):
        assert secret not in text, secret
    assert rows[0]["goods"][0]["description"] == "Leather tote bags"


def test_importer_and_reviewer_see_everything(api_as, world, shared_case, reviewer_api):
    uei = shared_case["uei"]
    for client, party in ((api_as(world.importer), "importer"), (reviewer_api, "cbp")):
        body = client.get(f"/api/v1/cases/{uei}").json
        assert body["party"] == party
        assert body["entry"]["ior_number"] == "12-3456789AB"
        assert body["entry"]["importer"]["name"] == "Entry Imports LLC"
        assert body["entry"]["total_value_usd"] == "77280.00"
        assert [line["recordation_number"] for line in body["entry"]["lines"]] == ["TMK 21-00123", "TMK 19-04567"]
        assert "importer_response" in [e["type"] for e in body["events"]]
    assert "created_by" not in api_as(world.importer).get(f"/api/v1/cases/{uei}").json


def test_images_by_party_line_and_redaction(app, client, api_as, world, shared_case, reviewer_api, login):
    """The importer sees every image at once (133.21(d)); an owner only redacted images of its own lines once
    shared, and unredacted ones never before the law allows."""
    uei = shared_case["uei"]
    for lines, redacted, caption in (("1", "true", "Redacted A"), ("2", "true", "Redacted B")):
        response = reviewer_api.post(f"/api/v1/cases/{uei}/images", data={
            "file": upload(PNG_BYTES, "p.png"), "caption": caption, "redacted": redacted, "line_nos": lines},
            content_type="multipart/form-data")
        assert response.status_code == 201, response.json
    images = {i["caption"]: i["id"] for i in reviewer_api.get(f"/api/v1/cases/{uei}").json["images"]}
    importer, owner_a, owner_b = api_as(world.importer), api_as(world.owner_a), api_as(world.owner_b)

    def status_of(path: str) -> int:
        response = client.get(path)
        response.close()  # file responses hold the file open until closed
        return response.status_code

    def sees(user, api) -> tuple[set[str], set[str]]:
        login(user)
        reachable = {caption for caption, image_id in images.items()
                     if status_of(f"/cases/{uei}/images/{image_id}") == 200
                     and status_of(f"/cases/{uei}/images/{image_id}/thumbnail") == 200}
        client.post("/logout")
        return {i["caption"] for i in api.get(f"/api/v1/cases/{uei}").json.get("images", [])}, reachable

    everything = {"Box label", "Redacted A", "Redacted B"}
    assert sees(world.importer, importer) == (everything, everything)
    assert sees(world.owner_a, owner_a) == (set(), set())
    reviewer_api.post(f"/api/v1/cases/{uei}/events", json={"type": "images_shared_rights_holder"})
    assert sees(world.owner_a, owner_a) == ({"Redacted A"}, {"Redacted A"})
    assert sees(world.owner_b, owner_b) == ({"Redacted B"}, {"Redacted B"})
    assert sees(world.other_importer, api_as(world.other_importer))[1] == set()


def test_rights_holder_page_is_redacted(client, world, shared_case, login):
    login(world.owner_a)
    page = client.get(f"/cases/{shared_case['uei']}")
    assert page.status_code == 200
    for secret in (*IMPORTER_SECRETS, "TMK 19-04567", "Leather tote", "Conversations"):
        assert secret not in page.text, secret
    for shown in ("Smartphones X2", "240", "2704", "CN", "Report on authenticity"):
        assert shown in page.text, shown


def test_importer_page_shows_deadline_and_respond_form(client, world, shared_case, login):
    login(world.importer)
    page = client.get(f"/cases/{shared_case['uei']}").text
    assert "Response due" in page or "responded" in page
    assert "Respond to the detention notice" in page
    assert "12-3456789AB" in page and "Conversations with CBP about this" in page
