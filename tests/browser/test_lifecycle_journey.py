"""Browser journeys of an importer's life in the program: renewal 60 days before expiry with no moment
without an approved enrollment; an appeal of a suspension overturned by a second reviewer; a customs broker
requesting a release decision for its principal. Screenshots go to screenshots/lifecycle-*.png."""

from __future__ import annotations

from datetime import timedelta

import pytest
from playwright.sync_api import expect
from sqlalchemy import func, select

from core.extensions import db
from core.timeutil import today
from program.enrollment.models import Enrollment
from tests.browser.conftest import sign_in, sign_out

pytestmark = pytest.mark.browser

APPLICATION = {
    "legal_name": "Lifecycle Imports LLC", "company_type": "llc", "ior_number": "12-3456789AB",
    "address": {"street": "1 Dock Street", "city": "Long Beach", "state": "CA", "postal_code": "90802",
                "country": "US"},
    "contacts": [{"purpose": "primary", "name": "Pat Primary", "email": "pat@lifecycle.example"}],
    "sectors": ["consumer_electronics", "mobile_devices"], "conditions": ["used"],
    "sourcing_description": "Authorised distributors only.", "enforcement_history": "None.",
    "publish_consent": True, "attestation": True,
}


def tick(page, label: str) -> None:
    """Tick a USWDS checkbox or radio by its label."""
    page.locator("label.usa-checkbox__label, label.usa-radio__label", has_text=label).first.click()


def _approved(api_as, make_user, *, valid_days: int | None = None):
    importer = make_user("importer", org="Lifecycle Imports LLC")
    reviewer = make_user("reviewer")
    importer_api, reviewer_api = api_as(importer), api_as(reviewer)
    created = importer_api.post("/api/v1/enrollments", json=APPLICATION).json
    importer_api.post(f"/api/v1/enrollments/{created['id']}/submit")
    body = {"action": "approve", "reason": "Meets the criteria."}
    if valid_days is not None:
        body["valid_until"] = (today() + timedelta(days=valid_days)).isoformat()
    approved = reviewer_api.post(f"/api/v1/enrollments/{created['id']}/decision", json=body).json
    assert approved["status"] == "approved", approved
    return importer, reviewer, approved


def _approved_now(app, organization_id: int) -> int:
    with app.app_context():
        count = db.session.scalar(select(func.count()).select_from(Enrollment).where(
            Enrollment.organization_id == organization_id, Enrollment.status == "approved",
            Enrollment.valid_until >= today()))
        db.session.remove()
    return count


def test_importer_renews_60_days_before_expiry_without_a_gap(app, page, shot, api_as, make_user):
    importer, reviewer, approved = _approved(api_as, make_user, valid_days=60)
    org = importer.organization_id
    sign_in(page, importer.email, importer.password)
    expect(page.locator("#renewal")).to_contain_text("60 days")
    shot(page, "lifecycle-01-renewal-offered")
    page.get_by_role("button", name="Renew now").click()
    page.wait_for_url("**/identity")
    expect(page.get_by_text("Your current approval stays in force")).to_be_visible()
    assert _approved_now(app, org) == 1
    page.goto(page.url.replace("/identity", "/review"))
    tick(page, "I attest that this application is true and complete")
    page.get_by_role("button", name="Submit application").click()
    expect(page.get_by_text("Your application is submitted")).to_be_visible()
    shot(page, "lifecycle-02-renewal-submitted")
    assert _approved_now(app, org) == 1
    page.goto("/home")
    expect(page.locator("#renewal")).to_contain_text("submitted")
    sign_out(page)

    sign_in(page, reviewer.email, reviewer.password)
    page.goto("/review/enrollments")
    page.locator("tr", has_text="Lifecycle Imports LLC").get_by_role("link", name="Lifecycle Imports LLC").click()
    tick(page, "Approve")
    page.get_by_label("Reason").first.fill("Renewal: profile unchanged, clean record.")
    page.get_by_role("button", name="Record decision").click()
    expect(page.get_by_text("Approved. Program ID")).to_be_visible()
    shot(page, "lifecycle-03-renewal-approved")
    assert _approved_now(app, org) == 1
    sign_out(page)

    sign_in(page, importer.email, importer.password)
    program_id = page.locator("#program-id").inner_text()
    assert program_id != approved["program_id"]
    expect(page.locator('[data-enrollment-status="approved"]')).to_be_visible()
    shot(page, "lifecycle-04-renewed-home")
    with app.app_context():
        old = db.session.get(Enrollment, approved["id"])
        assert old.status == "renewed"
        db.session.remove()


def test_importer_appeals_a_suspension_and_a_second_reviewer_overturns(app, page, shot, api_as, make_user):
    importer, reviewer, approved = _approved(api_as, make_user)
    api_as(reviewer).post(f"/api/v1/enrollments/{approved['id']}/suspend",
                          json={"reason": "Two shipments held with altered serial numbers."})
    sign_in(page, importer.email, importer.password)
    expect(page.locator('[data-enrollment-status="suspended"]')).to_be_visible()
    expect(page.locator("#appeal")).to_contain_text("You may appeal until")
    page.get_by_label("Grounds of your appeal").fill("Both shipments were released after examination.")
    shot(page, "lifecycle-05-appeal-form")
    page.get_by_role("button", name="File the appeal").click()
    expect(page.get_by_text("Your appeal is filed")).to_be_visible()
    sign_out(page)

    sign_in(page, reviewer.email, reviewer.password)
    page.goto(f"/review/enrollments/{approved['id']}")
    expect(page.get_by_text("another reviewer must decide")).to_be_visible()
    shot(page, "lifecycle-06-deciding-reviewer-refused")
    sign_out(page)

    second = make_user("reviewer")
    sign_in(page, second.email, second.password)
    page.goto(f"/review/enrollments/{approved['id']}")
    tick(page, "Overturn")
    page.locator("#appeal-reason").fill("The shipments were released; the suspension is lifted.")
    shot(page, "lifecycle-07-appeal-decision")
    page.get_by_role("button", name="Decide the appeal").click()
    expect(page.get_by_text("The appeal is decided")).to_be_visible()
    sign_out(page)

    sign_in(page, importer.email, importer.password)
    expect(page.locator('[data-enrollment-status="approved"]')).to_be_visible()
    shot(page, "lifecycle-08-restored")


def test_broker_requests_a_decision_for_its_principal(app, page, shot, api_as, make_user):
    importer, _reviewer, approved = _approved(api_as, make_user)
    broker = make_user("broker", org="Harborline Customs Brokerage")
    sign_in(page, importer.email, importer.password)
    page.get_by_role("link", name="Brokers").first.click()
    page.get_by_label("Customs broker").select_option(label="Harborline Customs Brokerage")
    tick(page, "Request release decisions")
    shot(page, "lifecycle-09-grant-broker")
    page.get_by_role("button", name="Grant").click()
    expect(page.locator("#delegations")).to_contain_text("Harborline Customs Brokerage")
    sign_out(page)

    sign_in(page, broker.email, broker.password)
    page.get_by_role("link", name="Principals").first.click()
    expect(page.locator("#principals")).to_contain_text("Lifecycle Imports LLC")
    page.goto("/decisions/new")
    page.get_by_label("Entry number").fill("ABC-1234567-6")
    page.get_by_label("Port of entry").fill("2704")
    page.get_by_label("Importer of Record number").fill(approved["ior_number"])
    row = "#lines-0-"
    page.locator(f"{row}line_no").fill("1")
    page.locator(f"{row}description").fill("Used smartphones, graded A")
    page.locator(f"{row}hts_code").fill("8517.13.0000")
    page.locator(f"{row}quantity").fill("20")
    page.locator(f"{row}value_usd").fill("2400")
    page.locator(f"{row}sector").select_option("mobile_devices")
    page.locator(f"{row}condition").select_option("used")
    shot(page, "lifecycle-10-broker-request")
    page.get_by_role("button", name="Request decision", exact=True).last.click()
    page.wait_for_url("**/decisions/*")
    expect(page.get_by_text("ABC-1234567-6").first).to_be_visible()
    shot(page, "lifecycle-11-broker-decision")
    page.goto("/broker")
    expect(page.locator("#broker-decisions")).to_contain_text("ABC-1234567-6")
    expect(page.locator("#broker-decisions")).to_contain_text("Lifecycle Imports LLC")
    shot(page, "lifecycle-12-broker-principals")
    with app.app_context():
        from program.decisions.models import ReleaseDecision

        decision = db.session.scalar(select(ReleaseDecision))
        assert decision.organization_id == importer.organization_id and decision.requested_by_id == broker.id
        db.session.remove()


def test_admin_lifts_the_reapplication_bar(app, page, shot, api_as, make_user):
    importer, reviewer, approved = _approved(api_as, make_user)
    api_as(reviewer).post(f"/api/v1/enrollments/{approved['id']}/revoke", json={"reason": "Repeated seizures."})
    sign_in(page, importer.email, importer.password)
    expect(page.locator("#bar")).to_contain_text("may apply again from")
    sign_out(page)
    admin = make_user("admin")
    sign_in(page, admin.email, admin.password)
    page.goto(f"/admin/organizations/{importer.organization_id}")
    expect(page.locator("#reapplication-bar")).to_contain_text("may not apply again before")
    page.get_by_label("Reason").fill("New owners and a compliance officer since the revocation.")
    tick(page, "I confirm that this organisation may apply again")
    shot(page, "lifecycle-13-lift-bar")
    page.get_by_role("button", name="Lift the bar").click()
    expect(page.get_by_text("The re-application bar is lifted")).to_be_visible()
    expect(page.locator("#reapplication-bar")).to_contain_text("Bar lifted on")
    sign_out(page)

    sign_in(page, importer.email, importer.password)
    expect(page.locator("#bar")).to_have_count(0)
