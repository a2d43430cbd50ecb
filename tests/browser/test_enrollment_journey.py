"""Browser journey: an importer applies through the wizard, a reviewer asks for more information, the
importer answers and resubmits, the reviewer approves two of three sectors, the importer sees its
program ID. Screenshots of every page that matters go to screenshots/enrollment-*.png."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import confirm_registration, sign_in, sign_out
from tests.pdfs import PLAIN_PDF

pytestmark = pytest.mark.browser

PASSWORD = "a long enough passphrase"
PDF = PLAIN_PDF  # a real PDF: uploads parse PDFs (core.pdf)


def tick(page, label: str) -> None:
    """Tick a USWDS checkbox or radio (the input itself is off-screen; its label takes the click)."""
    page.locator("label.usa-checkbox__label, label.usa-radio__label", has_text=label).first.click()


def register_importer(page, app) -> None:
    page.goto("/register?kind=importer")
    page.get_by_label("Organisation name").fill("Journey Parallel LLC")
    page.get_by_label("Your full name").fill("Jo Journey")
    page.get_by_label("Work e-mail address").fill("jo@journey-parallel.example")
    page.locator("#password").fill(PASSWORD)
    page.get_by_label("Type the password again").fill(PASSWORD)
    page.get_by_role("button", name="Create account").click()
    confirm_registration(page, app, "jo@journey-parallel.example")


def test_apply_review_answer_approve(page, shot, make_user, tmp_path, app):
    register_importer(page, app)
    expect(page.get_by_role("heading", name="You are not enrolled yet")).to_be_visible()
    page.get_by_role("button", name="Apply for enrollment").click()
    page.wait_for_url(re.compile(r".*/enrollment/\d+/identity$"))

    # Step 1: identity. Skipping the legal name is caught inline, next to the field.
    page.get_by_label("Type of company").select_option("llc")
    page.get_by_label("Importer of Record number").fill("27-1234567AB")
    page.get_by_label("Street address").fill("200 Terminal Island Way")
    page.get_by_label("City").fill("Long Beach")
    page.get_by_label("State, province or region").fill("CA")
    page.get_by_label("ZIP or postal code").fill("90802")
    page.get_by_label("Country").select_option("US")
    shot(page, "enrollment-01-wizard-identity")
    page.get_by_role("button", name="Save and continue").click()
    expect(page.locator("#legal_name-error")).to_have_text("Enter the company's legal name.")
    expect(page.locator("#form-errors")).to_be_visible()
    shot(page, "enrollment-02-wizard-inline-error")
    page.get_by_label("Legal name of the company").fill("Journey Parallel LLC")
    page.get_by_role("button", name="Save and continue").click()

    # Step 2: contacts, one more row added by the page's script.
    page.wait_for_url("**/contacts")
    page.locator("#contacts-0-name").fill("Jo Journey")
    page.locator("#contacts-0-email").fill("jo@journey-parallel.example")
    page.get_by_role("button", name="Add another contact").click()
    expect(page.locator("#contact-rows [data-row]")).to_have_count(2)
    page.locator("#contacts-1-purpose").select_option("ipr")
    page.locator("#contacts-1-name").fill("Brand protection desk")
    page.locator("#contacts-1-email").fill("ipr@journey-parallel.example")
    shot(page, "enrollment-03-wizard-contacts")
    page.get_by_role("button", name="Save and continue").click()

    # Step 3: sectors and sourcing.
    page.wait_for_url("**/sectors")
    for sector in ("Consumer electronics", "Mobile phones and tablets", "Toys and games"):
        tick(page, sector)
    tick(page, "Used")
    tick(page, "Refurbished")
    page.get_by_label("How you source these goods").fill(
        "Bought from brand-authorised distributors in Germany and Japan; serial numbers checked before export.")
    page.get_by_label("Prior IPR enforcement history").fill("None.")
    shot(page, "enrollment-04-wizard-sectors")
    page.get_by_role("button", name="Save and continue").click()

    # Step 4: a supporting document.
    page.wait_for_url("**/documents")
    document = tmp_path / "distribution-agreement.pdf"
    document.write_bytes(PDF)
    page.set_input_files("#file", str(document))
    page.get_by_label("What it is").select_option("authorised_channel")
    page.get_by_label("Short description").fill("Distribution agreement, Germany")
    page.get_by_role("button", name="Attach document").click()
    expect(page.get_by_role("link", name="distribution-agreement.pdf")).to_be_visible()
    page.get_by_role("link", name="Continue to review").click()

    # Step 5: review, attest, submit.
    page.wait_for_url("**/review")
    expect(page.get_by_text("Everything CBP needs is there.")).to_be_visible()
    shot(page, "enrollment-05-wizard-review")
    tick(page, "List us publicly")
    tick(page, "I attest that this application is true and complete")
    page.get_by_role("button", name="Submit application").click()
    expect(page.get_by_text("Your application is submitted")).to_be_visible()
    expect(page.locator('[data-enrollment-status="submitted"]')).to_be_visible()
    sign_out(page)

    # The reviewer finds it in the queue and asks for more information.
    reviewer = make_user("reviewer")
    sign_in(page, reviewer.email, reviewer.password)
    expect(page.locator("#queue-awaiting")).to_have_text("1")
    page.get_by_role("link", name="Enrollment queue").first.click()
    row = page.locator("tr", has_text="Journey Parallel LLC")
    expect(row).to_be_visible()
    expect(row).to_contain_text("0 days")
    shot(page, "enrollment-06-queue")
    row.get_by_role("link", name="Journey Parallel LLC").click()
    expect(page.get_by_role("heading", name="Decision")).to_be_visible()
    expect(page.get_by_role("link", name="distribution-agreement.pdf")).to_be_visible()
    shot(page, "enrollment-07-decision")
    tick(page, "Request more information")
    page.get_by_label("Reason").first.fill("Please name the Japanese distributors and attach their authorisations.")
    page.get_by_role("button", name="Record decision").click()
    expect(page.get_by_text("Sent back to the importer with your questions.")).to_be_visible()
    sign_out(page)

    # The importer sees the question, edits and resubmits.
    sign_in(page, "jo@journey-parallel.example", PASSWORD)
    expect(page.get_by_text("Please name the Japanese distributors").first).to_be_visible()
    page.get_by_role("link", name="Answer and resubmit").click()
    page.wait_for_url("**/review")
    page.get_by_role("link", name="Sectors & sourcing").click()
    page.get_by_label("How you source these goods").fill(
        "Bought from brand-authorised distributors: Rheinhandel GmbH (Germany) and Kanto Trading KK (Japan).")
    page.get_by_role("button", name="Save and continue").click()
    page.get_by_role("link", name="Continue to review").click()
    tick(page, "I attest that this application is true and complete")
    page.get_by_role("button", name="Submit again").click()
    expect(page.get_by_text("Your application is submitted")).to_be_visible()
    sign_out(page)

    # The reviewer approves two of the three sectors.
    sign_in(page, reviewer.email, reviewer.password)
    page.goto("/review/enrollments")
    page.get_by_role("link", name="Journey Parallel LLC").click()
    tick(page, "Approve")
    page.get_by_label("Reason").first.fill("Distributors verified. Toys need a published standard first.")
    tick(page, "Toys and games")  # untick: approve a subset
    page.get_by_role("button", name="Record decision").click()
    expect(page.get_by_text(re.compile(r"Approved\. Program ID GL-\d{4}-\d{6}\."))).to_be_visible()
    program_id = re.search(r"GL-\d{4}-\d{6}", page.locator(".usa-alert--success").first.inner_text()).group(0)
    sign_out(page)

    # The importer sees the program ID and the approved sectors on its home page.
    sign_in(page, "jo@journey-parallel.example", PASSWORD)
    expect(page.locator("#program-id")).to_have_text(program_id)
    card = page.locator('[data-enrollment-status="approved"]')
    expect(card).to_contain_text("Consumer electronics")
    expect(card).to_contain_text("Mobile phones and tablets")
    expect(card).not_to_contain_text("Toys and games")
    shot(page, "enrollment-08-importer-home")

    page.goto(f"/verify/{program_id}")
    expect(page.get_by_text("is an approved Greenlane trusted importer")).to_be_visible()
    shot(page, "enrollment-09-verify")


def _apply(api, name: str, ior: str, sectors: list[str]) -> int:
    body = {"legal_name": name, "company_type": "corporation", "ior_number": ior,
            "address": {"street": "9 Quay", "city": "Newark", "state": "NJ", "postal_code": "07114", "country": "US"},
            "contacts": [{"purpose": "primary", "name": "Desk", "email": f"desk@{ior[:2]}.example"}],
            "sectors": sectors, "conditions": ["new_parallel"], "sourcing_description": "Authorised channels.",
            "attestation": True}
    eid = api.post("/api/v1/enrollments", json=body).json["id"]
    assert api.post(f"/api/v1/enrollments/{eid}/submit").status_code == 200
    return eid


def test_queue_shows_findings_and_overdue_applications(app, page, shot, api_as):
    from datetime import timedelta

    from sqlalchemy import update

    from core.extensions import db
    from core.timeutil import utcnow
    from program.enrollment.models import Enrollment

    reviewer = api_as("reviewer")
    reviewer.post("/api/v1/debarred", json={"name": "Shady Imports Ltd", "ior_number": "55-5555555",
                                            "reason": "Repeated counterfeit seizures.", "start_date": "2024-01-01"})
    shady = _apply(api_as("importer"), "SHADY IMPORTS, LTD.", "56-1234567", ["handbags_accessories"])
    old = _apply(api_as("importer"), "Eastgate Imports Ltd", "210521-00042", ["watches_jewelry", "pharmaceuticals"])
    _apply(api_as("importer"), "Harbor Refurb Inc.", "98-7654321", ["consumer_electronics", "computers_networking"])
    with app.app_context():
        db.session.execute(update(Enrollment).where(Enrollment.id == old)
                           .values(submitted_at=utcnow() - timedelta(days=104)))
        db.session.commit()

    sign_in(page, reviewer.user.email, reviewer.user.password)
    page.goto("/review/enrollments")
    expect(page.locator("tr", has_text="Eastgate Imports Ltd")).to_contain_text("Past 90 days")
    expect(page.locator("tr", has_text="SHADY IMPORTS")).to_contain_text("Debarred name match")
    first = page.locator("tbody tr").first
    expect(first).to_contain_text("Eastgate Imports Ltd")  # oldest first
    shot(page, "enrollment-10-queue-findings")
    page.goto(f"/review/enrollments/{shady}")
    expect(page.get_by_text("approval is blocked")).to_be_visible()
    expect(page.locator("#action-0")).to_be_disabled()
    shot(page, "enrollment-11-decision-debarred")
