"""Keeping an approved enrollment current (contacts and consent; anything else needs a renewal), documents
after approval, notifications routed by purpose, the DBA name screened, and the paused service clock."""

from __future__ import annotations

import io
from datetime import timedelta

from sqlalchemy import select

from core.audit import AuditEntry
from core.extensions import db
from core.notifications import OutboxMessage
from core.timeutil import utcnow
from tests.pdfs import PLAIN_PDF

NEW_CONTACTS = [
    {"purpose": "primary", "name": "Pat Primary", "email": "pat@acme-imports.example"},
    {"purpose": "enforcement", "name": "Detention desk", "email": "detentions@acme-imports.example"},
]


def _outbox(app, topic: str) -> list[tuple[str, str]]:
    with app.app_context():
        return [(m.recipient, m.body) for m in db.session.scalars(
            select(OutboxMessage).where(OutboxMessage.topic == topic).order_by(OutboxMessage.id))]


def test_approved_owner_changes_contacts_audited_in_history_and_reviewer_told(app, importer_api, reviewer_api,
                                                                                enroll):
    approved = enroll("approved")
    response = importer_api.patch(f"/api/v1/enrollments/{approved['id']}", json={"contacts": NEW_CONTACTS})
    assert response.status_code == 200, response.json
    body = response.json
    assert body["status"] == "approved" and body["contacts"] == NEW_CONTACTS
    step = body["history"][-1]
    assert step["action"] == "amend" and step["status"] == step["from_status"] == "approved"
    assert "detentions@acme-imports.example" in step["reason"] and "ipr@acme-imports.example" in step["reason"]
    assert step["at"]
    told = _outbox(app, "enrollment.amend")
    assert [r for r, _b in told] == [reviewer_api.user.email]
    assert "removed: ipr ipr@acme-imports.example" in told[0][1]
    with app.app_context():
        entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "enrollment.amend"))
        assert entry.entity_id == str(approved["id"])
        assert entry.before["contacts"][1]["purpose"] == "ipr" and entry.after["contacts"] == NEW_CONTACTS
    # The reviewer sees what changed and when.
    seen = reviewer_api.get(f"/api/v1/enrollments/{approved['id']}").json["history"][-1]
    assert seen["action"] == "amend" and seen["reason"] == step["reason"]


def test_approved_owner_withdraws_consent_and_the_register_stops_listing(client, importer_api, enroll):
    approved = enroll("approved")
    assert client.get(f"/api/v1/public/importers/{approved['program_id']}").status_code == 200
    body = importer_api.patch(f"/api/v1/enrollments/{approved['id']}", json={"publish_consent": False}).json
    assert body["publish_consent"] is False and "withdrawn" in body["history"][-1]["reason"]
    assert client.get(f"/api/v1/public/importers/{approved['program_id']}").status_code == 404


def test_unchanged_amendment_writes_nothing(importer_api, enroll):
    approved = enroll("approved")
    body = importer_api.patch(f"/api/v1/enrollments/{approved['id']}", json={"publish_consent": True}).json
    assert len(body["history"]) == len(approved["history"])


def test_other_fields_while_approved_are_409_amendment_required(importer_api, enroll):
    approved = enroll("approved")
    for field, value in (("legal_name", "Acme Two LLC"), ("sectors", ["toys_games"]), ("ior_number", "98-7654321")):
        response = importer_api.patch(f"/api/v1/enrollments/{approved['id']}",
                                      json={field: value, "contacts": NEW_CONTACTS})
        assert response.status_code == 409, field
        assert response.json["code"] == "amendment_required" and "renew" in response.json["message"]
    assert importer_api.get(f"/api/v1/enrollments/{approved['id']}").json["contacts"] == approved["contacts"]


def test_an_approved_enrollment_keeps_a_primary_contact(importer_api, enroll):
    approved = enroll("approved")
    response = importer_api.patch(f"/api/v1/enrollments/{approved['id']}", json={"contacts": NEW_CONTACTS[1:]})
    assert response.status_code == 422 and "contacts" in response.json["errors"]["json"]


def test_amendment_bad_email_is_422_naming_the_field(importer_api, enroll):
    approved = enroll("approved")
    response = importer_api.patch(f"/api/v1/enrollments/{approved['id']}", json={"contacts": [
        {"purpose": "primary", "name": "Pat", "email": "not-an-email"}]})
    assert response.status_code == 422 and "contacts.0.email" in response.json["errors"]["json"]


def test_only_the_owner_amends(api_as, reviewer_api, enroll):
    approved = enroll("approved")
    assert reviewer_api.patch(f"/api/v1/enrollments/{approved['id']}",
                              json={"contacts": NEW_CONTACTS}).status_code == 403
    assert api_as("importer").patch(f"/api/v1/enrollments/{approved['id']}",
                                    json={"contacts": NEW_CONTACTS}).status_code == 404


def test_documents_can_be_added_while_approved_but_not_removed(importer_api, enroll):
    approved = enroll("approved")
    pdf = (io.BytesIO(PLAIN_PDF), "iso-cert.pdf")
    response = importer_api.post(f"/api/v1/enrollments/{approved['id']}/documents",
                                 data={"file": pdf, "kind": "other", "description": "ISO 9001 certificate"},
                                 content_type="multipart/form-data")
    assert response.status_code == 201, response.json
    document_id = response.json["id"]
    removal = importer_api.delete(f"/api/v1/enrollments/{approved['id']}/documents/{document_id}")
    assert removal.status_code == 409


def test_enrollment_notifications_go_to_the_primary_contact_only(app, enroll):
    enroll("approved", contacts=[
        {"purpose": "primary", "name": "Pat", "email": "pat@acme-imports.example"},
        {"purpose": "ipr", "name": "Ira", "email": "ipr@acme-imports.example"},
        {"purpose": "division", "name": "Div", "email": "div@acme-imports.example"}])
    assert {r for r, _b in _outbox(app, "enrollment.approve")} == {"pat@acme-imports.example"}


def test_routing_table(app, ctx, enroll):
    from program.enrollment.models import Enrollment
    from program.enrollment.routing import recipients

    made = enroll("draft", contacts=[
        {"purpose": "primary", "name": "Pat", "email": "pat@acme-imports.example"},
        {"purpose": "ipr", "name": "Ira", "email": "ipr@acme-imports.example"},
        {"purpose": "enforcement", "name": "Eno", "email": "enf@acme-imports.example"},
        {"purpose": "division", "name": "Div", "email": "div@acme-imports.example"}])
    enrollment = db.session.get(Enrollment, made["id"])
    assert recipients(enrollment, "enrollment") == ["pat@acme-imports.example"]
    assert recipients(enrollment, "detention") == ["enf@acme-imports.example"]
    assert recipients(enrollment, "division") == ["div@acme-imports.example"]
    enrollment.contacts = [c for c in enrollment.contacts if c.purpose in ("primary", "ipr")]
    assert recipients(enrollment, "detention") == ["ipr@acme-imports.example"]  # enforcement, then ipr
    assert recipients(enrollment, "division") == ["pat@acme-imports.example"]  # else the primary contact


def test_dba_name_of_a_debarred_party_is_found_and_blocks_approval(importer_api, reviewer_api, enroll):
    reviewer_api.post("/api/v1/debarred", json={"name": "Shady Imports Ltd", "reason": "Seizures",
                                                "start_date": "2026-01-01"})
    submitted = enroll("submitted", dba_name="Shady Imports Ltd")
    body = reviewer_api.get(f"/api/v1/enrollments/{submitted['id']}").json
    assert "debarred_dba_name" in [f["code"] for f in body["screening"]]
    response = reviewer_api.post(f"/api/v1/enrollments/{submitted['id']}/decision",
                                 json={"action": "approve", "reason": "ok"})
    assert response.status_code == 409 and response.json["code"] == "debarred"


def test_service_clock_pauses_while_information_is_requested(importer_api, reviewer_api, enroll, clock):
    submitted = enroll("submitted")
    clock.move_to(utcnow() + timedelta(days=5))
    reviewer_api.post(f"/api/v1/enrollments/{submitted['id']}/decision",
                      json={"action": "request_info", "reason": "Which distributors?"})
    clock.move_to(utcnow() + timedelta(days=12))
    importer_api.patch(f"/api/v1/enrollments/{submitted['id']}", json={"attestation": True})
    assert importer_api.post(f"/api/v1/enrollments/{submitted['id']}/submit").status_code == 200
    clock.move_to(utcnow() + timedelta(days=3))
    body = reviewer_api.get(f"/api/v1/enrollments/{submitted['id']}").json
    assert body["service_clock"] == {"total_days": 20, "cbp_days": 8}
    listed = reviewer_api.get("/api/v1/enrollments?status=submitted").json["items"][0]
    assert listed["service_clock"] == {"total_days": 20, "cbp_days": 8}
    reviewer_api.post(f"/api/v1/enrollments/{submitted['id']}/decision", json={"action": "approve", "reason": "ok"})
    clock.move_to(utcnow() + timedelta(days=30))  # the clock stopped at the decision
    body = reviewer_api.get(f"/api/v1/enrollments/{submitted['id']}").json
    assert body["service_clock"] == {"total_days": 20, "cbp_days": 8}


def test_other_programs_listed_and_verified_by_a_reviewer(importer_api, reviewer_api, enroll):
    submitted = enroll("submitted", other_programs=[
        {"program": "ctpat", "tier": "2", "account_number": "CT-1234"},
        {"program": "aeo", "account_number": "DEAEOF1234", "mutual_recognition_country": "DE"}])
    assert [p["verified"] for p in submitted["other_programs"]] == [None, None]
    path = f"/api/v1/enrollments/{submitted['id']}/other-programs/1/verification"
    assert importer_api.post(path, json={"verified": True}).status_code == 403
    body = reviewer_api.post(path, json={"verified": True, "note": "Checked with the German customs"}).json
    assert body["other_programs"][1]["verified"] is True and body["other_programs"][1]["verified_by"]
    assert body["history"][-1]["action"] == "verify_program"
    mine = importer_api.get(f"/api/v1/enrollments/{submitted['id']}").json["other_programs"][1]
    assert mine["verified"] is True and "note" not in mine
    assert reviewer_api.post(f"/api/v1/enrollments/{submitted['id']}/other-programs/5/verification",
                             json={"verified": False}).status_code == 422


def test_other_programs_are_checked_field_by_field(importer_api, application_data):
    response = importer_api.post("/api/v1/enrollments", json=application_data(other_programs=[
        {"program": "tsa", "account_number": ""}, {"program": "aeo", "account_number": "X",
                                                   "mutual_recognition_country": "ZZ"}]))
    assert response.status_code == 422
    errors = response.json["errors"]["json"]
    assert {"other_programs.0.program", "other_programs.0.account_number",
            "other_programs.1.mutual_recognition_country"} <= set(errors)
