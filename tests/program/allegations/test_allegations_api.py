"""Report IP theft through the API: anonymous intake with a receipt, reviewer triage, referral to the
importer's record and screening (never to the importer), spam limits and bad input (no 5xx)."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from core.audit import AuditEntry
from core.extensions import db
from core.notifications import OutboxMessage
from program.allegations.models import Allegation

RECEIPT = re.compile(r"AL-2026-\d{6}")


def test_anonymous_report_gets_a_receipt(client, app, report_body):
    response = client.post("/api/v1/public/allegations", json=report_body())
    assert response.status_code == 201 and response.headers["Cache-Control"] == "no-store"
    assert RECEIPT.fullmatch(response.json["receipt"])
    with app.app_context():
        allegation = db.session.scalar(select(Allegation))
        assert (allegation.status, allegation.channel, allegation.anonymous) == ("new", "api", True)
        assert allegation.ports == ["2704"]
        entry = db.session.scalar(select(AuditEntry).where(AuditEntry.entity_type == "allegation"))
        assert (entry.action, entry.actor) == ("allegation.receive", "system")


def test_reporter_with_an_address_gets_the_receipt_by_email_and_stays_out_of_the_audit_log(client, app, report_body):
    body = report_body(reporter={"name": "Rita Reporter", "email": "Rita@Example.org"})
    receipt = client.post("/api/v1/public/allegations", json=body).json["receipt"]
    with app.app_context():
        mail = db.session.scalar(select(OutboxMessage))
        assert mail.recipient == "rita@example.org" and receipt in mail.subject
        entry = db.session.scalar(select(AuditEntry).where(AuditEntry.entity_type == "allegation"))
        assert "rita" not in str(entry.after).lower()


@pytest.mark.parametrize(("body", "field"), [
    ({"details": "x"}, "summary"),
    ({"summary": "x"}, "details"),
    ({"summary": "", "details": "x"}, "summary"),
    ({"summary": "a\x00b", "details": "x"}, "summary"),
    ({"summary": "x" * 201, "details": "x"}, "summary"),
    ({"summary": "x", "details": "x", "ports": ["27O4"]}, "ports"),
    ({"summary": "x", "details": "x", "ports": "2704"}, "ports"),
    ({"summary": "x", "details": "x", "reporter": {"email": "not-an-address"}}, "reporter.email"),
    ({"summary": "x", "details": "x", "suspect": {"website": "w\x00"}}, "suspect.website"),
    ({"summary": "x", "details": "x", "suspect": "Bad Co"}, "suspect"),
    ({"summary": 5, "details": "x"}, "summary"),
    ({"summary": "x", "details": "x", "spam": "y"}, "spam"),
])
def test_bad_reports_are_422_naming_the_field(client, app, body, field):
    response = client.post("/api/v1/public/allegations", json=body)
    assert response.headers["Cache-Control"] == "no-store"
    assert response.status_code == 422, response.json
    errors = response.json["errors"]["json"]
    top = field.split(".")[0]
    assert field in errors or top in errors
    with app.app_context():
        assert db.session.scalar(select(Allegation)) is None


def test_malformed_json_and_oversized_bodies_are_refused_without_5xx(client):
    assert client.post("/api/v1/public/allegations", data="{", content_type="application/json").status_code == 422
    huge = {"summary": "x", "details": "y" * 70_000}
    assert client.post("/api/v1/public/allegations", json=huge).status_code == 413


def test_reports_are_rate_limited_per_address(client, report_body):
    codes = [client.post("/api/v1/public/allegations", json=report_body(),
                         environ_base={"REMOTE_ADDR": "198.51.100.7"}).status_code for _ in range(21)]
    assert codes[:20] == [201] * 20  # API.md: at least 10 a minute allowed
    assert codes[20] == 429
    other = client.post("/api/v1/public/allegations", json=report_body(), environ_base={"REMOTE_ADDR": "198.51.100.8"})
    assert other.status_code == 201


def test_reviewer_triages_and_refers(api_as, file_report, allegation_id):
    receipt = file_report()
    reviewer = api_as("reviewer")
    listed = reviewer.get("/api/v1/allegations?status=new").json
    assert [i["receipt"] for i in listed["items"]] == [receipt]
    assert {"id", "receipt", "status", "summary", "received_at"} <= set(listed["items"][0])
    aid = allegation_id(receipt)
    triaged = reviewer.post(f"/api/v1/allegations/{aid}/triage", json={"status": "triaged", "note": "Plausible."})
    assert triaged.status_code == 200 and triaged.json["status"] == "triaged"
    referred = reviewer.post(f"/api/v1/allegations/{aid}/triage",
                             json={"status": "referred", "note": "To the port.", "ior_number": "12-3456789ab"})
    assert referred.status_code == 200, referred.json
    assert (referred.json["status"], referred.json["ior_number"]) == ("referred", "12-3456789AB")
    assert [h["to_status"] for h in referred.json["history"]] == ["triaged", "referred"]
    assert reviewer.get("/api/v1/allegations?status=referred").json["total"] == 1
    again = reviewer.post(f"/api/v1/allegations/{aid}/triage", json={"status": "closed", "note": "done"})
    assert again.status_code == 409


def test_referral_needs_a_target_and_links_are_checked(api_as, file_report, allegation_id):
    aid = allegation_id(file_report())
    reviewer = api_as("reviewer")
    no_target = reviewer.post(f"/api/v1/allegations/{aid}/triage", json={"status": "referred", "note": "x"})
    assert no_target.status_code == 422 and "organization_id" in no_target.json["errors"]["json"]
    for body, field in (({"ior_number": "123"}, "ior_number"), ({"organization_id": 10**12}, "organization_id"),
                        ({"case_uei": "nonsense"}, "case_uei"), ({"note": ""}, "note")):
        response = reviewer.post(f"/api/v1/allegations/{aid}/triage", json={"status": "triaged", "note": "x", **body})
        assert response.status_code == 422, (body, response.json)
        assert field in response.json["errors"]["json"]
    assert reviewer.post(f"/api/v1/allegations/{aid}/triage", json={"status": "new", "note": "x"}).status_code == 422
    assert reviewer.get(f"/api/v1/allegations/{aid}").json["status"] == "new"  # nothing half-written


def test_huge_ids_are_404(api_as):
    reviewer = api_as("reviewer")
    assert reviewer.get("/api/v1/allegations/99999999999999").status_code == 404
    assert reviewer.post("/api/v1/allegations/99999999999999/triage",
                         json={"status": "closed", "note": "x"}).status_code == 404
    assert reviewer.get("/api/v1/allegations/1/evidence/99999999999999").status_code == 404


@pytest.mark.parametrize("role", ["importer", "rights_holder", "industry_group", "admin"])
def test_only_reviewers_see_allegations(api_as, file_report, allegation_id, role):
    aid = allegation_id(file_report())
    api = api_as(role)
    assert api.get("/api/v1/allegations").status_code == 403
    assert api.get(f"/api/v1/allegations/{aid}").status_code == 403
    assert api.post(f"/api/v1/allegations/{aid}/triage", json={"status": "closed", "note": "x"}).status_code == 403


def test_allegation_routes_need_a_token(client):
    assert client.get("/api/v1/allegations").status_code == 401


def test_referred_allegation_shows_in_screening_for_reviewers_never_to_the_importer(
        enroll, importer_api, reviewer_api, file_report, allegation_id, app):
    aid = allegation_id(file_report(reporter={"name": "Competitor Co", "email": "spy@competitor.example"}))
    referred = reviewer_api.post(f"/api/v1/allegations/{aid}/triage",
                                 json={"status": "referred", "note": "Matches", "ior_number": "12-3456789AB"})
    assert referred.status_code == 200
    enrollment = enroll("submitted")
    as_reviewer = reviewer_api.get(f"/api/v1/enrollments/{enrollment['id']}").json
    assert "allegation_referred" in [f["code"] for f in as_reviewer["screening"]]
    as_importer = importer_api.get(f"/api/v1/enrollments/{enrollment['id']}")
    text = as_importer.get_data(as_text=True)
    assert "allegation" not in text.lower() and "Competitor" not in text and "spy@" not in text
    assert importer_api.get("/api/v1/allegations").status_code == 403
