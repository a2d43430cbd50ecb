"""The pages of an enrollment's life after the decision, through the test client with real forms: the
importer's notice reply, appeal, consent, contacts and annual review; the reviewer's notice, appeal
decision, sector suspension, program verification and the queue's service clock and overdue filter."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import update

from core.extensions import db
from core.timeutil import today
from program.enrollment.models import Enrollment


def _sign_in(client, user):
    client.post("/logout")
    response = client.post("/login", data={"email": user.email, "password": user.password})
    assert response.status_code == 302


def test_importer_replies_to_a_notice_and_appeals_a_suspension(client, importer_api, reviewer_api, api_as, enroll):
    approved = enroll("approved")
    reviewer_api.post(f"/api/v1/enrollments/{approved['id']}/propose", json={"action": "suspend", "reason": "Held."})
    _sign_in(client, importer_api.user)
    page = client.get("/home").text
    assert "CBP proposes to suspend this enrollment" in page and "Held." in page
    client.post(f"/enrollment/{approved['id']}/reply", data={"text": "Released since."})
    assert importer_api.get(f"/api/v1/enrollments/{approved['id']}").json["notices"][0]["reply"] == "Released since."
    reviewer_api.post(f"/api/v1/enrollments/{approved['id']}/suspend", json={"reason": "Suspended."})
    page = client.get(f"/enrollment/{approved['id']}").text
    assert "You may appeal until" in page
    client.post(f"/enrollment/{approved['id']}/appeal", data={"text": "Please reconsider."})
    assert "Your appeal is with CBP" in client.get(f"/enrollment/{approved['id']}").text
    # The deciding reviewer is told someone else must decide; a second reviewer overturns.
    _sign_in(client, reviewer_api.user)
    assert "another reviewer must decide" in client.get(f"/review/enrollments/{approved['id']}").text
    refused = client.post(f"/review/enrollments/{approved['id']}/appeal", data={"action": "overturn", "reason": "x"},
                          follow_redirects=True)
    assert "cannot decide its appeal" in refused.text
    second = api_as("reviewer")
    _sign_in(client, second.user)
    client.post(f"/review/enrollments/{approved['id']}/appeal", data={"action": "overturn", "reason": "Released."})
    assert second.get(f"/api/v1/enrollments/{approved['id']}").json["status"] == "approved"


def test_importer_keeps_contacts_and_consent_current(client, importer_api, enroll):
    approved = enroll("approved")
    _sign_in(client, importer_api.user)
    assert client.get(f"/enrollment/{approved['id']}/contacts").status_code == 200
    response = client.post(f"/enrollment/{approved['id']}/contacts", data={
        "contacts-0-purpose": "primary", "contacts-0-name": "New Person", "contacts-0-email": "new@acme-imports.example"})
    assert response.status_code == 302
    body = importer_api.get(f"/api/v1/enrollments/{approved['id']}").json
    assert body["contacts"][0]["email"] == "new@acme-imports.example" and body["history"][-1]["action"] == "amend"
    client.post(f"/enrollment/{approved['id']}/consent", data={})
    assert importer_api.get(f"/api/v1/enrollments/{approved['id']}").json["publish_consent"] is False
    # Other steps stay closed while approved.
    assert client.get(f"/enrollment/{approved['id']}/identity").status_code == 302


def test_annual_review_page(client, importer_api, enroll):
    approved = enroll("approved")
    _sign_in(client, importer_api.user)
    page = client.get(f"/enrollment/{approved['id']}/annual-review")
    assert page.status_code == 200 and "Annual review" in page.text
    assert client.post(f"/enrollment/{approved['id']}/annual-review", data={"changes": ""}).status_code == 422
    response = client.post(f"/enrollment/{approved['id']}/annual-review",
                           data={"attestation": "y", "changes": "New warehouse."})
    assert response.status_code == 302
    body = importer_api.get(f"/api/v1/enrollments/{approved['id']}").json
    assert body["history"][-1]["action"] == "annual_review"


def test_reviewer_tools_on_the_decision_page(client, reviewer_api, enroll):
    approved = enroll("approved", other_programs=[{"program": "ctpat", "tier": "3", "account_number": "CT-9"}])
    _sign_in(client, reviewer_api.user)
    page = client.get(f"/review/enrollments/{approved['id']}").text
    assert "Notice of proposed action" in page and "Suspend or reinstate sectors" in page and "CT-9" in page
    client.post(f"/review/enrollments/{approved['id']}/sectors",
                data={"action": "suspend", "sectors": ["mobile_devices"], "reason": "Phones held."})
    client.post(f"/review/enrollments/{approved['id']}/other-programs/0", data={"verified": "yes", "note": ""})
    client.post(f"/review/enrollments/{approved['id']}/propose", data={"action": "revoke", "reason": "Seizures."})
    body = reviewer_api.get(f"/api/v1/enrollments/{approved['id']}").json
    assert body["suspended_sectors"] == ["mobile_devices"]
    assert body["other_programs"][0]["verified"] is True
    assert body["notices"][0]["action"] == "revoke"


def test_queue_shows_cbp_time_and_filters_overdue_reviews(app, client, reviewer_api, enroll, api_as):
    enroll("submitted")
    approved = enroll("approved", api=api_as("importer"), ior_number="98-7654321", legal_name="Overdue Co")
    with app.app_context():
        db.session.execute(update(Enrollment).where(Enrollment.id == approved["id"])
                           .values(review_due=today() - timedelta(days=3)))
        db.session.commit()
    _sign_in(client, reviewer_api.user)
    page = client.get("/review/enrollments").text
    assert "CBP time: 0 days" in page and "Overdue Co" not in page
    overdue = client.get("/review/enrollments?review_overdue=true").text
    assert "Overdue Co" in overdue and "Acme Parallel" not in overdue


def test_importer_appeals_a_sector_suspension_and_a_second_reviewer_allows_it(client, importer_api, reviewer_api,
                                                                              api_as, enroll):
    approved = enroll("approved")
    reviewer_api.post(f"/api/v1/enrollments/{approved['id']}/suspend",
                      json={"reason": "Phones held.", "sectors": ["mobile_devices"]})
    _sign_in(client, importer_api.user)
    page = client.get(f"/enrollment/{approved['id']}").text
    assert "You may appeal until" in page and "You may appeal the suspension of Mobile" in page
    client.post(f"/enrollment/{approved['id']}/appeal", data={"text": "The phones were genuine."})
    assert "Your appeal is with CBP" in client.get(f"/enrollment/{approved['id']}").text
    second = api_as("reviewer")
    _sign_in(client, second.user)
    page = client.get(f"/review/enrollments/{approved['id']}").text
    assert "Sectors suspended by the decision" in page and "The phones were genuine." in page
    client.post(f"/review/enrollments/{approved['id']}/appeal", data={"action": "overturn", "reason": "Genuine."})
    body = second.get(f"/api/v1/enrollments/{approved['id']}").json
    assert body["suspended_sectors"] == [] and "mobile_devices" in body["approved_sectors"]


def test_admin_lifts_the_reapplication_bar_from_the_organisation_page(app, client, importer_api, reviewer_api,
                                                                      api_as, enroll, application_data, monkeypatch):
    from sqlalchemy import select

    from core.audit import AuditEntry

    revoked = enroll("revoked")
    org_page = f"/admin/organizations/{importer_api.user.organization_id}"
    lift = f"/admin/enrollments/{revoked['id']}/lift-bar"
    _sign_in(client, reviewer_api.user)
    assert client.post(lift, data={"reason": "x", "confirm": "y"}).status_code == 403
    admin = api_as("admin")
    _sign_in(client, admin.user)
    page = client.get(org_page).text
    assert "may not apply again before" in page and "Lift the bar" in page
    assert "Revocations and the re-application bar" not in client.get(
        f"/admin/organizations/{reviewer_api.user.organization_id}").text  # nothing revoked there
    no_reason = client.post(lift, data={"reason": "", "confirm": "y"}, follow_redirects=True)
    assert "Give a reason for lifting the bar." in no_reason.text
    unconfirmed = client.post(lift, data={"reason": "New owners."}, follow_redirects=True)
    assert "Tick the box to confirm." in unconfirmed.text
    assert admin.get(f"/api/v1/enrollments/{revoked['id']}").json["reapplication_barred_until"] is not None
    monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", True)
    forged = client.post(lift, data={"reason": "New owners.", "confirm": "y"})
    assert forged.status_code == 400  # no CSRF token: refused, nothing lifted
    assert admin.get(f"/api/v1/enrollments/{revoked['id']}").json["reapplication_barred_until"] is not None
    monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", False)
    response = client.post(lift, data={"reason": "New owners and compliance staff.", "confirm": "y"})
    assert response.status_code == 302 and response.headers["Location"].endswith(f"{org_page}#reapplication-bar")
    page = client.get(org_page).text
    assert "Bar lifted on" in page and "New owners and compliance staff." in page and "Lift the bar" not in page
    body = admin.get(f"/api/v1/enrollments/{revoked['id']}").json
    assert body["reapplication_barred_until"] is None and body["history"][-1]["action"] == "lift_bar"
    with app.app_context():
        entry = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "enrollment.lift_bar")).one()
        assert entry.actor_id == admin.user.id and entry.after["reason"] == "New owners and compliance staff."
    again = client.post(lift, data={"reason": "again", "confirm": "y"}, follow_redirects=True)
    assert "Only a revoked enrollment whose bar is in force" in again.text
    assert importer_api.post("/api/v1/enrollments", json=application_data()).status_code == 201
