"""Browser journey: a member of the public reports IP theft anonymously with a photo and gets a receipt;
a reviewer finds it in the triage queue, triages it and refers it to an importer."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import sign_in

pytestmark = pytest.mark.browser


def _listing_photo(path) -> None:
    """A small PNG that looks like a screenshot of a marketplace listing."""
    from PIL import Image, ImageDraw

    image = Image.new("RGB", (360, 220), (245, 245, 245))
    draw = ImageDraw.Draw(image)
    draw.rectangle((20, 20, 160, 200), fill=(30, 30, 30))
    draw.ellipse((45, 60, 135, 150), outline=(200, 170, 60), width=6)
    draw.text((180, 40), "ACME DlVER watch", fill=(10, 10, 10))
    draw.text((180, 70), "$19.99  free shipping", fill=(180, 20, 20))
    image.save(path, "PNG")


def test_public_report_then_triage_and_referral(page, shot, make_user, tmp_path):
    reviewer = make_user("reviewer", email="officer.nguyen@cbp.example.gov")
    make_user("importer", org="Cheap Time Trading LLC")
    photo = tmp_path / "listing.png"
    _listing_photo(photo)

    page.goto("/")
    page.get_by_role("link", name="Report IP theft").click()
    expect(page.get_by_role("heading", name="Report IP theft", exact=True)).to_be_visible()
    page.get_by_role("button", name="Send report").click()
    expect(page.locator("#summary-error")).to_contain_text("Write a one-line summary.")
    shot(page, "allegations-01-report-errors")

    page.get_by_label("Summary").fill("Counterfeit Acme Diver watches on Example Market")
    page.get_by_label("What did you see?").fill("Listing 1234 sells Acme Diver watches for $19.99; the logo "
                                                "reads “DlVER” and the case back has no serial number.")
    page.get_by_label("Seller or importer name (optional)").fill("Cheap Time Trading")
    page.get_by_label("Marketplace (optional)").fill("Example Market")
    page.get_by_label("Ports of entry (optional)").fill("2704")
    page.locator("#evidence").set_input_files(str(photo))
    shot(page, "allegations-02-report-filled")
    page.get_by_role("button", name="Send report").click()
    receipt = page.get_by_test_id("receipt")
    expect(receipt).to_have_text(re.compile(r"AL-2026-\d{6}"))
    number = receipt.inner_text()
    shot(page, "allegations-03-receipt")

    sign_in(page, reviewer.email, reviewer.password)
    page.get_by_role("link", name="Allegations").first.click()
    expect(page.get_by_role("link", name=number)).to_be_visible()
    shot(page, "allegations-04-triage-queue")
    page.get_by_role("link", name=number).click()
    expect(page.get_by_text("Anonymous.")).to_be_visible()
    expect(page.get_by_role("link", name="listing.png")).to_be_visible()
    page.get_by_label("Note").fill("Plausible: price and misspelt logo. Check recent entries.")
    page.get_by_role("button", name="Record").click()
    expect(page.get_by_text(f"Allegation {number} marked triaged.")).to_be_visible()

    page.get_by_label("Move to").select_option(label="Referred")
    page.get_by_label("Note").fill("Refer to port 2704 targeting.")
    page.get_by_label("Importer organisation (optional)").select_option(label="Cheap Time Trading LLC")
    page.get_by_label("IOR number (optional)").fill("12-3456789AB")
    page.get_by_role("button", name="Record").click()
    expect(page.get_by_text(f"Allegation {number} marked referred.")).to_be_visible()
    expect(page.get_by_text("Cheap Time Trading LLC")).to_be_visible()
    shot(page, "allegations-05-referred")
