"""The importer's pages (overview, wizard, withdraw, renew) and the reviewer's decision page, through
the test client with real forms."""

from __future__ import annotations

import io
import re

import pytest
from sqlalchemy import select

from core.extensions import db
from program.enrollment.models import Enrollment
from tests.pdfs import PLAIN_PDF

PDF = PLAIN_PDF  # a real PDF: uploads parse PDFs (core.pdf)
IDENTITY = {"legal_name": "Webform Imports LLC", "company_type": "llc", "ior_number": "21-1234567",
            "street": "5 Pier Road", "city": "Oakland", "state": "CA", "postal_code": "94607", "country": "US"}
CONTACTS = {"contacts-0-purpose": "primary", "contacts-0-name": "Pat", "contacts-0-email": "pat@web.example",
            "contacts-3-purpose": "enforcement", "contacts-3-name": "Desk", "contacts-3-email": "desk@web.example"}
SECTORS = {"sectors": ["consumer_electronics", "mobile_devices", "toys_games"], "conditions": ["used"],
           "sourcing_description": "Authorised distributors only.", "enforcement_history": "None."}


@pytest.fixture
def importer(client, login, make_user):
    """A signed-in importer (of a new organisation)."""
    user = make_user("importer", org="Webform Imports LLC")
    login(user)
    return user


def _start(client) -> int:
    response = client.post("/enrollment/apply")
    assert response.status_code == 302
    return int(re.search(r"/enrollment/(\d+)/identity", response.headers["Location"]).group(1))


def test_overview_invites_to_apply(client, importer):
    page = client.get("/enrollment")
    assert page.status_code == 200 and "You are not enrolled yet" in page.text
    home = client.get("/home")
    assert "Apply for enrollment" in home.text and "My enrollment" in home.text


def test_wizard_saves_each_step_and_submits(app, client, importer):
    eid = _start(client)
    step = client.get(f"/enrollment/{eid}/identity")
    assert step.status_code == 200 and "usa-step-indicator" in step.text and "Step" in step.text

    skipped = client.post(f"/enrollment/{eid}/identity", data={**IDENTITY, "legal_name": "", "continue": "1"})
    assert skipped.status_code == 422
    assert 'id="legal_name-error"' in skipped.text and "Enter the company&#39;s legal name." in skipped.text

    bad = client.post(f"/enrollment/{eid}/identity", data={**IDENTITY, "ior_number": "12-3456789OI"})
    assert bad.status_code == 422 and "O, I or Z" in bad.text

    ok = client.post(f"/enrollment/{eid}/identity", data={**IDENTITY, "continue": "1"})
    assert ok.status_code == 302 and ok.headers["Location"].endswith(f"/enrollment/{eid}/contacts")

    no_primary = client.post(f"/enrollment/{eid}/contacts", data={
        "contacts-0-purpose": "ipr", "contacts-0-name": "I", "contacts-0-email": "i@web.example"})
    assert no_primary.status_code == 422 and "Add at least one primary contact." in no_primary.text
    bad_email = client.post(f"/enrollment/{eid}/contacts", data={**CONTACTS, "contacts-3-email": "desk@"})
    assert bad_email.status_code == 422  # rows are renumbered 0, 1 when the form is read back
    assert 'id="contacts-1-email-error"' in bad_email.text and 'href="#contacts-1-email"' in bad_email.text
    assert client.post(f"/enrollment/{eid}/contacts", data=CONTACTS).status_code == 302

    assert client.post(f"/enrollment/{eid}/sectors", data={**SECTORS, "sectors": []}).status_code == 422
    assert client.post(f"/enrollment/{eid}/sectors", data=SECTORS).status_code == 302

    upload = client.post(f"/enrollment/{eid}/documents", data={
        "kind": "business_registration", "description": "Articles", "file": (io.BytesIO(PDF), "articles.pdf")},
        content_type="multipart/form-data")
    assert upload.status_code == 302
    docs = client.get(f"/enrollment/{eid}/documents")
    assert "articles.pdf" in docs.text

    review = client.get(f"/enrollment/{eid}/review")
    assert review.status_code == 200 and "Still missing" not in review.text
    assert "Webform Imports LLC" in review.text and "desk@web.example" in review.text
    unattested = client.post(f"/enrollment/{eid}/review", data={"submit": "1"})
    assert unattested.status_code == 422 and 'id="attestation-error"' in unattested.text

    submitted = client.post(f"/enrollment/{eid}/review", data={"attestation": "y", "publish_consent": "y",
                                                                "submit": "1"}, follow_redirects=True)
    assert submitted.status_code == 200 and "Your application is submitted" in submitted.text
    with app.app_context():
        enrollment = db.session.get(Enrollment, eid)
        assert enrollment.status == "submitted" and enrollment.publish_consent
        assert [c.purpose for c in enrollment.contacts] == ["primary", "enforcement"]
        assert enrollment.requested_sectors == ["consumer_electronics", "mobile_devices", "toys_games"]
    locked = client.get(f"/enrollment/{eid}/identity")
    assert locked.status_code == 302 and locked.headers["Location"].endswith(f"/enrollment/{eid}")


def test_save_and_finish_later_keeps_a_partial_draft(app, client, importer):
    eid = _start(client)
    saved = client.post(f"/enrollment/{eid}/identity", data={"legal_name": "Half Way LLC", "save_draft": "1"})
    assert saved.status_code == 302 and saved.headers["Location"].endswith("/enrollment")
    overview = client.get("/enrollment").text
    assert "Half Way LLC" in overview and "Continue your application" in overview and "Still missing" in overview
    review = client.get(f"/enrollment/{eid}/review").text
    assert "Still missing before you can submit" in review
    assert f'href="/enrollment/{eid}/contacts?from=review">Add a primary contact.' in review
    assert f'href="/enrollment/{eid}/identity?from=review">Enter the Importer of Record number.' in review
    # format is still checked when saving a draft
    bad = client.post(f"/enrollment/{eid}/identity", data={"ior_number": "999", "save_draft": "1"})
    assert bad.status_code == 422 and "ior_number-error" in bad.text


def test_contacts_rows_without_javascript(client, importer):
    eid = _start(client)
    page = client.get(f"/enrollment/{eid}/contacts").text
    assert "data-row-template" in page and "contacts-__index__-email" in page
    added = client.post(f"/enrollment/{eid}/contacts", data={**CONTACTS, "add_contact": "1"})
    assert added.status_code == 200 and added.text.count("data-row>") == 3 + 1  # 3 rows + the template
    removed = client.post(f"/enrollment/{eid}/contacts", data={**CONTACTS, "remove_contact": "1"})
    assert "desk@web.example" not in removed.text and "pat@web.example" in removed.text


def test_information_request_shows_the_question_and_resubmits(app, client, importer, api_as):
    eid = _start(client)
    client.post(f"/enrollment/{eid}/identity", data=IDENTITY)
    client.post(f"/enrollment/{eid}/contacts", data=CONTACTS)
    client.post(f"/enrollment/{eid}/sectors", data=SECTORS)
    client.post(f"/enrollment/{eid}/review", data={"attestation": "y", "submit": "1"})
    reviewer = api_as("reviewer")
    reviewer.post(f"/api/v1/enrollments/{eid}/decision", json={"action": "request_info",
                                                              "reason": "Send the supplier list."})
    home = client.get("/home").text
    assert "Send the supplier list." in home and "Answer and resubmit" in home
    step = client.get(f"/enrollment/{eid}/sectors").text
    assert "CBP asked for more information" in step and "Send the supplier list." in step
    client.post(f"/enrollment/{eid}/sectors", data={**SECTORS, "sourcing_description": "Suppliers: A, B."})
    again = client.post(f"/enrollment/{eid}/review", data={"attestation": "y", "submit": "1"})
    assert again.status_code == 302
    with app.app_context():
        assert db.session.get(Enrollment, eid).status == "submitted"


def test_withdraw_and_renew(app, client, importer):
    eid = _start(client)
    client.post(f"/enrollment/{eid}/identity", data=IDENTITY)
    withdrawn = client.post(f"/enrollment/{eid}/withdraw", data={"reason": "Not now"}, follow_redirects=True)
    assert "Your application is withdrawn" in withdrawn.text and "Apply again" in withdrawn.text
    renewed = client.post("/enrollment/renew")
    assert renewed.status_code == 302
    with app.app_context():
        latest = db.session.scalar(select(Enrollment).order_by(Enrollment.id.desc()))
        assert latest.previous_id == eid and latest.legal_name == "Webform Imports LLC"
    assert "renewal of enrollment" in client.get("/enrollment").text


def test_reviewer_decides_on_the_decision_page(app, client, login, make_user, enroll):
    enrollment = enroll("submitted", sectors=["consumer_electronics", "mobile_devices", "pharmaceuticals"])
    login(make_user("reviewer"))
    queue = client.get("/review/enrollments")
    assert "Acme Parallel Imports LLC" in queue.text and "Heightened-protection sector" in queue.text
    page = client.get(f"/review/enrollments/{enrollment['id']}")
    assert page.status_code == 200
    for text in ("Screening", "Pharmaceuticals", "pat@acme-imports.example", "Record decision", "History"):
        assert text in page.text
    missing_reason = client.post(f"/review/enrollments/{enrollment['id']}/decision", data={"action": "approve"})
    assert missing_reason.status_code == 422 and 'id="reason-error"' in missing_reason.text
    approved = client.post(f"/review/enrollments/{enrollment['id']}/decision", data={
        "action": "approve", "reason": "Verified.", "sectors": ["consumer_electronics", "mobile_devices"]},
        follow_redirects=True)
    assert "Approved. Program ID GL-" in approved.text
    with app.app_context():
        row = db.session.get(Enrollment, enrollment["id"])
        assert row.approved_sectors == ["consumer_electronics", "mobile_devices"]
    again = client.post(f"/review/enrollments/{enrollment['id']}/decision",
                        data={"action": "deny", "reason": "x"}, follow_redirects=True)
    assert "cannot be denied" in again.text  # 409 becomes a message on the page
    suspended = client.post(f"/review/enrollments/{enrollment['id']}/lifecycle",
                            data={"action": "suspend", "reason": "Held shipments."}, follow_redirects=True)
    assert "now suspended" in suspended.text


def test_debarred_match_disables_approval_on_the_page(client, login, make_user, reviewer_api, enroll):
    reviewer_api.post("/api/v1/debarred", json={"name": "Acme Parallel Imports", "reason": "fraud",
                                                "start_date": "2020-01-01"})
    enrollment = enroll("submitted")
    login(make_user("reviewer"))
    page = client.get(f"/review/enrollments/{enrollment['id']}").text
    assert "approval is blocked" in page and "Blocked: on the debarred list." in page
    refused = client.post(f"/review/enrollments/{enrollment['id']}/decision",
                          data={"action": "approve", "reason": "x"}, follow_redirects=True)
    assert "cannot be approved" in refused.text


def test_importer_home_after_approval_shows_program_id_and_sectors(client, login, importer_api, enroll):
    approved = enroll("approved")
    from tests.conftest import UserRef

    u = importer_api.user
    login(UserRef(u.id, u.email, u.role, u.organization_id, u.password))
    home = client.get("/home").text
    assert approved["program_id"] in home and "Mobile phones and tablets" in home
    assert "Approved" in home and "usa-process-list" in home and "Screening" not in home
