"""POST/GET /api/v1/marks: reviewers register recorded marks; any signed-in role lists them."""

from __future__ import annotations

import pytest

from core.audit import AuditEntry
from core.extensions import db
from tests.conftest import ApiClient


def body(world, **overrides):
    data = {"recordation_number": "TMK 21-00123", "mark": "LUMEN",
            "owner_organization_id": world.rights.organization_id, "lever_rule": True,
            "sectors": ["consumer_electronics", "mobile_devices"]}
    data.update(overrides)
    return data


def test_reviewer_registers_a_mark(world, client, token_for, app):
    api = ApiClient(client, token_for(world.reviewer))
    response = api.post("/api/v1/marks", json=body(world))
    assert response.status_code == 201, response.json
    mark = response.json
    assert mark["recordation_number"] == "TMK 21-00123"
    assert mark["owner_organization"] == {"id": world.rights.organization_id,
                                          "name": "Lumen Electronics Inc."}
    assert mark["lever_rule"] is True
    assert mark["sectors"] == ["consumer_electronics", "mobile_devices"]
    with app.app_context():
        entry = db.session.query(AuditEntry).filter_by(action="mark.create").one()
        assert entry.entity_type == "mark" and entry.entity_id == str(mark["id"])
        assert entry.after["recordation_number"] == "TMK 21-00123"


@pytest.mark.parametrize("number", ["TMK 2-00123", "21-00123", "TMK 21-0012", "TMK 21-001234", "COP 21-00123",
                                    "TMK21-00123x", "", "TMK AB-00123"])
def test_malformed_recordation_number_is_422_naming_the_field(world, client, token_for, number):
    response = ApiClient(client, token_for(world.reviewer)).post(
        "/api/v1/marks", json=body(world, recordation_number=number))
    assert response.status_code == 422
    assert "recordation_number" in response.json["errors"]["json"]


def test_recordation_number_case_and_spacing_are_forgiven(world, client, token_for):
    response = ApiClient(client, token_for(world.reviewer)).post(
        "/api/v1/marks", json=body(world, recordation_number="  tmk  21-00123 "))
    assert response.status_code == 201
    assert response.json["recordation_number"] == "TMK 21-00123"


def test_duplicate_recordation_number_is_409(world, client, token_for):
    api = ApiClient(client, token_for(world.reviewer))
    assert api.post("/api/v1/marks", json=body(world)).status_code == 201
    again = api.post("/api/v1/marks", json=body(world, mark="OTHER"))
    assert again.status_code == 409
    assert again.json["code"] == "duplicate"


@pytest.mark.parametrize("owner", ["group", "importer", "reviewer"])
def test_owner_must_be_a_rights_holder_organisation(world, client, token_for, owner):
    org_id = world.by_role(owner).organization_id
    response = ApiClient(client, token_for(world.reviewer)).post(
        "/api/v1/marks", json=body(world, owner_organization_id=org_id))
    assert response.status_code == 422
    assert "owner_organization_id" in response.json["errors"]["json"]


def test_unknown_owner_and_sector_are_422_naming_each(world, client, token_for):
    response = ApiClient(client, token_for(world.reviewer)).post(
        "/api/v1/marks", json=body(world, owner_organization_id=999_999, sectors=["not_a_sector"]))
    assert response.status_code == 422
    assert {"owner_organization_id", "sectors"} <= set(response.json["errors"]["json"])


def test_missing_fields_are_422(world, client, token_for):
    response = ApiClient(client, token_for(world.reviewer)).post("/api/v1/marks", json={})
    assert response.status_code == 422
    assert {"recordation_number", "mark", "owner_organization_id"} <= set(response.json["errors"]["json"])


@pytest.mark.parametrize("role", ["rights", "group", "importer", "admin"])
def test_only_reviewers_register_marks(world, client, token_for, role):
    response = ApiClient(client, token_for(world.by_role(role))).post("/api/v1/marks", json=body(world))
    assert response.status_code == 403


def test_anonymous_is_401(world, client):
    assert client.post("/api/v1/marks", json=body(world)).status_code == 401
    assert client.get("/api/v1/marks").status_code == 401


@pytest.mark.parametrize("role", ["rights", "other_rights", "group", "importer", "admin", "reviewer"])
def test_any_role_lists_marks_with_filters(world, client, token_for, role):
    world.mark("TMK 21-00123", sectors=["consumer_electronics"])
    world.mark("TMK 19-04567", owner=world.other_rights, sectors=["handbags_accessories"], text="ACME")
    api = ApiClient(client, token_for(world.by_role(role)))
    listing = api.get("/api/v1/marks").json
    assert listing["total"] == 2 and {m["recordation_number"] for m in listing["items"]} == {
        "TMK 21-00123", "TMK 19-04567"}
    mine = api.get(f"/api/v1/marks?owner_organization_id={world.other_rights.organization_id}").json
    assert [m["mark"] for m in mine["items"]] == ["ACME"]
    electronics = api.get("/api/v1/marks?sector=consumer_electronics").json["items"]
    assert [m["mark"] for m in electronics] == ["LUMEN"]
    assert [m["mark"] for m in api.get("/api/v1/marks?q=acm").json["items"]] == ["ACME"]
    assert api.get("/api/v1/marks?page_size=1").json["pages"] == 2


def test_get_one_mark(world, client, token_for):
    mark_id = world.mark()
    api = ApiClient(client, token_for(world.importer))
    assert api.get(f"/api/v1/marks/{mark_id}").json["mark"] == "LUMEN"
    assert api.get("/api/v1/marks/999999").status_code == 404
