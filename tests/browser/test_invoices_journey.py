"""Browser journey: an admin defines a tier, puts a rights holder on it, runs the year's invoices and marks
the invoice paid; the rights holder sees its tier, features and the paid invoice."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import sign_in, sign_out

pytestmark = pytest.mark.browser


def test_admin_invoices_a_rights_holder_who_sees_it_paid(page, shot, make_user):
    admin = make_user("admin", email="alex.admin@cbp.example.gov")
    rights = make_user("rights_holder", org="Journey Brands Inc", email="ops@journey-brands.example")

    sign_in(page, admin.email, admin.password)
    page.get_by_role("link", name="Tiers").first.click()
    page.get_by_label("Code").fill("journey_gold")
    page.get_by_label("Name").fill("Gold")
    page.get_by_label("Annual fee (USD)").fill("4000.00")
    page.locator("label", has_text="Analytics exports").click()
    shot(page, "invoices-01-define-tier")
    page.get_by_role("button", name="Define tier").click()
    expect(page.get_by_text("Tier Gold defined.")).to_be_visible()
    page.locator("#organization_id").select_option(label="Journey Brands Inc")
    page.locator("#tier").select_option(label="Gold")
    page.get_by_role("button", name="Set tier").click()
    expect(page.get_by_text("Tier set to Gold.")).to_be_visible()

    page.get_by_role("link", name="Invoices").first.click()
    page.get_by_label("Period (year)").fill("2026")
    page.get_by_role("button", name="Issue invoices").click()
    expect(page.get_by_text("Issued 1 invoice for 2026.")).to_be_visible()
    row = page.locator("tr", has_text="Journey Brands Inc")
    row.get_by_label("Payment reference").fill("Pay.gov 26TK0042")
    shot(page, "invoices-02-issued")
    row.get_by_role("button", name="Mark paid").click()
    expect(page.get_by_text("marked paid")).to_be_visible()
    expect(page.get_by_test_id("revenue")).to_contain_text("$4,000.00")
    shot(page, "invoices-03-paid-and-revenue")
    sign_out(page)

    sign_in(page, rights.email, rights.password)
    page.get_by_role("link", name="Tier and invoices").first.click()
    expect(page.get_by_test_id("tier-name")).to_have_text("Gold")
    expect(page.get_by_text("Pay.gov 26TK0042")).to_be_visible()
    expect(page.get_by_role("link", name="Download detentions by month (CSV)")).to_be_visible()
    shot(page, "invoices-04-rights-holder-tier")

    page.get_by_role("link", name="Dashboard").first.click()
    expect(page.get_by_role("heading", name="Detentions of your marks by month and outcome")).to_be_visible()
    expect(page.get_by_role("heading", name="Endorsement coverage of your marks by sector")).to_be_visible()
    shot(page, "invoices-05-rights-holder-dashboard")
