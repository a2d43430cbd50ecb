"""Applying through the API: drafts, field-by-field format checks, completeness at submit, documents."""

from __future__ import annotations

import io

import pytest
from sqlalchemy import select

from core.extensions import db
from core.notifications import OutboxMessage
from tests.pdfs import PLAIN_PDF

PDF = PLAIN_PDF  # a real PDF: uploads parse PDFs (core.pdf)


def test_create_answers_201_with_a_draft(importer_api, application_data):
    response = importer_api.post("/api/v1/enrollments", json=application_data())
    assert response.status_code == 201
    body = response.json
    assert body["status"] == "draft"
    assert body["legal_name"] == "Acme Parallel Imports LLC"
    assert body["ior_number"] == "12-3456789AB"
    assert body["address"]["country"] == "US"
    assert [c["purpose"] for c in body["contacts"]] == ["primary", "ipr"]
    assert body["sectors"] == ["apparel_footwear", "consumer_electronics", "mobile_devices"]
    assert body["approved_sectors"] == [] and body["program_id"] is None and body["valid_until"] is None
    assert body["conditions"] == ["new_parallel", "used"]
    assert body["organization"]["id"] == importer_api.user.organization_id
    assert body["history"][0]["status"] == "draft" and body["history"][0]["by"] == importer_api.user.email
    assert body["missing"] == {}
    assert "screening" not in body


def test_a_draft_may_be_empty_and_says_what_is_missing(importer_api):
    response = importer_api.post("/api/v1/enrollments", json={})
    assert response.status_code == 201
    missing = response.json["missing"]
    for field in ("legal_name", "ior_number", "address.street", "address.country", "contacts", "sectors",
                  "conditions", "sourcing_description", "attestation"):
        assert field in missing


@pytest.mark.parametrize("body,field", [
    ({"ior_number": "12-3456789IO"}, "ior_number"),
    ({"ior_number": "123-45-6789"}, "ior_number"),
    ({"contacts": [{"purpose": "primary", "name": "Pat", "email": "not-an-email"}]}, "contacts.0.email"),
    ({"contacts": [{"purpose": "primary", "name": "Pat", "email": "pat@example.com"},
                   {"purpose": "sales", "name": "Sam", "email": "sam@example.com"}]}, "contacts.1.purpose"),
    ({"contacts": [{"purpose": "primary", "email": "pat@example.com"}]}, "contacts.0.name"),
    ({"contacts": "pat@example.com"}, "contacts"),
    ({"address": {"country": "USA"}}, "address.country"),
    ({"address": {"country": "US", "postal_code": "ABC"}}, "address.postal_code"),
    ({"address": "1 Dock Street"}, "address"),
    ({"sectors": ["consumer_electronics", "spaceships"]}, "sectors"),
    ({"conditions": ["new_parallel", "counterfeit"]}, "conditions.1"),
    ({"company_type": "individual"}, "company_type"),
    ({"legal_name": "x" * 201}, "legal_name"),
    ({"attestation": "maybe"}, "attestation"),
    ({"favourite_colour": "green"}, "favourite_colour"),
])
def test_format_errors_are_422_naming_the_field(importer_api, body, field):
    response = importer_api.post("/api/v1/enrollments", json=body)
    assert response.status_code == 422, response.json
    assert field in response.json["errors"]["json"], response.json


def test_every_bad_field_is_named_at_once(importer_api, application_data):
    body = application_data(ior_number="1234", sectors=["nope"])
    body["contacts"][1]["email"] = "broken@"
    errors = importer_api.post("/api/v1/enrollments", json=body).json["errors"]["json"]
    assert {"ior_number", "contacts.1.email"} <= set(errors)


def test_unknown_sector_is_named(importer_api):
    response = importer_api.post("/api/v1/enrollments", json={"sectors": ["consumer_electronics", "spaceships"]})
    assert response.status_code == 422
    assert "spaceships" in response.json["errors"]["json"]["sectors"][0]


def test_malformed_json_is_422(importer_api):
    response = importer_api.post("/api/v1/enrollments", data="{not json", content_type="application/json")
    assert response.status_code == 422


def test_one_open_enrollment_per_organisation(importer_api, enroll, application_data):
    enroll("submitted")
    response = importer_api.post("/api/v1/enrollments", json=application_data())
    assert response.status_code == 409
    assert response.json["code"] == "open_enrollment"


@pytest.mark.parametrize("ended", ["denied", "withdrawn"])
def test_a_new_application_once_the_last_one_ended(importer_api, enroll, application_data, ended):
    enroll(ended)
    assert importer_api.post("/api/v1/enrollments", json=application_data()).status_code == 201


def test_a_revoked_organisation_is_barred_from_applying(importer_api, enroll, application_data):
    enroll("revoked")
    response = importer_api.post("/api/v1/enrollments", json=application_data())
    assert response.status_code == 409 and response.json["code"] == "reapplication_barred"


def test_patch_changes_only_the_fields_given(importer_api, enroll):
    draft = enroll("draft")
    response = importer_api.patch(f"/api/v1/enrollments/{draft['id']}",
                                  json={"dba_name": "Acme Resale", "address": {"city": "San Pedro"}})
    assert response.status_code == 200
    body = response.json
    assert body["dba_name"] == "Acme Resale"
    assert body["address"]["city"] == "San Pedro" and body["address"]["street"] == "1 Dock Street"
    assert body["legal_name"] == draft["legal_name"] and len(body["contacts"]) == 2
    assert body["version"] == draft["version"] + 1


def test_patch_replaces_contacts_and_sectors(importer_api, enroll):
    draft = enroll("draft")
    body = importer_api.patch(f"/api/v1/enrollments/{draft['id']}", json={
        "contacts": [{"purpose": "primary", "name": "New", "email": "NEW@Acme-Imports.example"}],
        "sectors": ["toys_games"]}).json
    assert body["contacts"] == [{"purpose": "primary", "name": "New", "email": "new@acme-imports.example"}]
    assert body["sectors"] == ["toys_games"]


def test_patch_validates_field_by_field(importer_api, enroll):
    draft = enroll("draft")
    response = importer_api.patch(f"/api/v1/enrollments/{draft['id']}", json={"ior_number": "12-3456789ZZ"})
    assert response.status_code == 422
    assert "ior_number" in response.json["errors"]["json"]
    assert importer_api.get(f"/api/v1/enrollments/{draft['id']}").json["ior_number"] == "12-3456789AB"


@pytest.mark.parametrize("state", ["submitted", "denied", "withdrawn", "suspended", "revoked"])
def test_patch_outside_draft_or_info_requested_is_409(importer_api, enroll, state):
    enrollment = enroll(state)
    response = importer_api.patch(f"/api/v1/enrollments/{enrollment['id']}", json={"dba_name": "Later"})
    assert response.status_code == 409
    assert response.json["code"] == "not_editable"


def test_patch_while_information_is_requested(importer_api, enroll):
    enrollment = enroll("info_requested")
    response = importer_api.patch(f"/api/v1/enrollments/{enrollment['id']}", json={"dba_name": "Answered"})
    assert response.status_code == 200


def test_submit_lists_what_is_missing(importer_api):
    draft = importer_api.post("/api/v1/enrollments", json={
        "legal_name": "Half Done LLC", "contacts": [{"purpose": "ipr", "name": "I", "email": "i@half.example"}],
        "attestation": False}).json
    response = importer_api.post(f"/api/v1/enrollments/{draft['id']}/submit")
    assert response.status_code == 422
    assert response.json["code"] == "incomplete"
    missing = response.json["errors"]["json"]
    assert missing["contacts"] == ["Add a primary contact."]
    assert {"sectors", "attestation", "ior_number", "address.country", "conditions"} <= set(missing)
    assert "legal_name" not in missing
    assert importer_api.get(f"/api/v1/enrollments/{draft['id']}").json["status"] == "draft"


def test_exactly_the_api_md_body_can_be_submitted(importer_api, application_data):
    """API.md's application has no company type: a client built to the contract must be able to submit."""
    body = application_data()
    del body["company_type"]
    assert set(body) == {"legal_name", "ior_number", "address", "contacts", "sectors", "conditions",
                         "sourcing_description", "enforcement_history", "publish_consent", "attestation"}
    draft = importer_api.post("/api/v1/enrollments", json=body).json
    assert draft["missing"] == {}
    response = importer_api.post(f"/api/v1/enrollments/{draft['id']}/submit")
    assert response.status_code == 200, response.json
    assert response.json["status"] == "submitted" and response.json["company_type"] is None


def test_us_address_needs_a_state(importer_api, application_data):
    body = application_data()
    body["address"]["state"] = ""
    draft = importer_api.post("/api/v1/enrollments", json=body).json
    response = importer_api.post(f"/api/v1/enrollments/{draft['id']}/submit")
    assert response.status_code == 422 and "address.state" in response.json["errors"]["json"]


def test_submit_moves_to_submitted_screens_and_notifies(app, importer_api, enroll):
    draft = enroll("draft")
    response = importer_api.post(f"/api/v1/enrollments/{draft['id']}/submit")
    assert response.status_code == 200
    body = response.json
    assert body["status"] == "submitted" and body["submitted_at"]
    assert [h["status"] for h in body["history"]] == ["draft", "submitted"]
    assert "screening" not in body
    with app.app_context():
        recipients = set(db.session.scalars(select(OutboxMessage.recipient)
                                            .where(OutboxMessage.topic == "enrollment.submit")))
    assert recipients == {"pat@acme-imports.example"}  # enrollment matters go to the primary contact only


def test_submit_twice_is_409(importer_api, enroll):
    enrollment = enroll("submitted")
    response = importer_api.post(f"/api/v1/enrollments/{enrollment['id']}/submit")
    assert response.status_code == 409 and response.json["code"] == "invalid_transition"


def test_renewal_is_prefilled_from_the_last_application(importer_api, enroll):
    old = enroll("denied")
    response = importer_api.post("/api/v1/enrollments/renew")
    assert response.status_code == 201
    new = response.json
    assert new["id"] != old["id"] and new["status"] == "draft" and new["previous_id"] == old["id"]
    for field in ("legal_name", "ior_number", "address", "contacts", "sectors", "conditions",
                  "sourcing_description"):
        assert new[field] == old[field], field
    assert new["attestation"] is False and new["publish_consent"] is False
    assert new["missing"] == {"attestation": ["Attest that the application is true and complete."]}


def test_renewal_while_one_is_open_is_409(importer_api, enroll):
    enroll("approved")
    assert importer_api.post("/api/v1/enrollments/renew").status_code == 409


def test_list_shows_importers_their_own(importer_api, api_as, enroll, application_data):
    mine = enroll("submitted")
    other = api_as("importer")
    other.post("/api/v1/enrollments", json=application_data(legal_name="Other Co"))
    listing = importer_api.get("/api/v1/enrollments").json
    assert [e["id"] for e in listing["items"]] == [mine["id"]]
    assert listing["total"] == 1 and listing["page"] == 1
    assert "screening_codes" not in listing["items"][0]


def test_documents_upload_list_download_remove(importer_api, enroll):
    draft = enroll("draft")
    url = f"/api/v1/enrollments/{draft['id']}/documents"
    response = importer_api.post(url, data={"kind": "business_registration", "description": "Articles",
                                            "file": (io.BytesIO(PDF), "articles.pdf")},
                                 content_type="multipart/form-data")
    assert response.status_code == 201, response.json
    document = response.json
    assert document["name"] == "articles.pdf" and document["content_type"] == "application/pdf"
    assert [d["id"] for d in importer_api.get(url).json] == [document["id"]]
    download = importer_api.get(f"{url}/{document['id']}")
    assert download.status_code == 200 and download.data == PDF
    assert download.headers["Content-Disposition"].startswith("attachment")
    download.close()
    assert importer_api.delete(f"{url}/{document['id']}").json["documents"] == []


def test_documents_must_be_pdf_or_images(importer_api, enroll):
    draft = enroll("draft")
    response = importer_api.post(f"/api/v1/enrollments/{draft['id']}/documents",
                                 data={"kind": "other", "file": (io.BytesIO(b"MZ\x90\x00 not a pdf"), "x.pdf")},
                                 content_type="multipart/form-data")
    assert response.status_code == 422 and "file" in response.json["errors"]["json"]


def test_documents_cannot_be_added_after_submit(importer_api, enroll):
    submitted = enroll("submitted")
    response = importer_api.post(f"/api/v1/enrollments/{submitted['id']}/documents",
                                 data={"kind": "other", "file": (io.BytesIO(PDF), "late.pdf")},
                                 content_type="multipart/form-data")
    assert response.status_code == 409


def test_openapi_documents_enrollment_routes(client):
    paths = client.get("/api/v1/openapi.json").json["paths"]
    for path in ("/api/v1/enrollments", "/api/v1/enrollments/{enrollment_id}",
                 "/api/v1/enrollments/{enrollment_id}/decision", "/api/v1/debarred",
                 "/api/v1/public/importers/{program_id}"):
        assert path in paths
