"""Browser journey: a rights holder writes a product identification guide with a picture; a reviewer finds
it by HTS code and reads it."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import sign_in, sign_out

pytestmark = pytest.mark.browser


def _label(path) -> None:
    """A small PNG of a serial-number label."""
    from PIL import Image, ImageDraw

    image = Image.new("RGB", (320, 200), (236, 236, 236))
    draw = ImageDraw.Draw(image)
    draw.rectangle((30, 40, 290, 160), fill=(255, 255, 255), outline=(40, 40, 40), width=3)
    draw.text((50, 70), "LUMEN", fill=(0, 0, 0))
    draw.text((50, 110), "LMN-2611-0042173", fill=(0, 0, 0))
    image.save(path, "PNG")


def test_rights_holder_writes_a_guide_and_an_officer_finds_it(page, shot, make_user, api_as, tmp_path):
    reviewer = make_user("reviewer", email="officer.kim@cbp.example.gov")
    rights = make_user("rights_holder", org="Lumen Electronics Inc.", email="brand@lumen.example")
    api_as(reviewer).post("/api/v1/marks", json={"recordation_number": "TMK 21-00123", "mark": "LUMEN",
                                                 "owner_organization_id": rights.organization_id, "lever_rule": False,
                                                 "sectors": ["mobile_devices"]})
    photo = tmp_path / "label.png"
    _label(photo)

    sign_in(page, rights.email, rights.password)
    page.get_by_role("link", name="Guides").first.click()
    page.get_by_role("link", name="Write a guide").click()
    page.get_by_role("button", name="Save guide").click()
    expect(page.locator("#title-error")).to_be_visible()
    page.get_by_label("Title").fill("LUMEN phones (2026 line)")
    page.locator("label[for=marks-0]").click()
    page.get_by_label("HTS prefixes").fill("8517.13")
    page.get_by_label("Genuine features").fill("Laser-etched LUMEN logo; aluminium frame with one antenna line.")
    page.get_by_label("Serial number and UPC formats").fill("LMN-YYWW-NNNNNNN on the back label; IMEI on the box.")
    page.get_by_label("Common counterfeit tells").fill("Printed logo; two antenna lines; mismatched IMEI.")
    page.get_by_label("Authentication contact").fill("Lumen Brand Protection")
    page.get_by_label("Contact e-mail").fill("brandprotection@lumen.example")
    page.get_by_label("Answers within (hours)").fill("24")
    shot(page, "guides-01-write")
    page.get_by_role("button", name="Save guide").click()
    expect(page.get_by_text("Guide saved (version 1).")).to_be_visible()
    page.locator("#file").set_input_files(str(photo))
    page.get_by_label("Caption").fill("Back label with serial and IMEI")
    page.get_by_label("Section it illustrates").select_option(label="Serial number and UPC formats")
    page.get_by_role("button", name="Add image").click()
    expect(page.get_by_text("Image added.")).to_be_visible()
    expect(page.get_by_alt_text("Back label with serial and IMEI")).to_be_visible()
    shot(page, "guides-02-guide")
    sign_out(page)

    sign_in(page, reviewer.email, reviewer.password)
    page.get_by_role("link", name="Guides").first.click()
    page.get_by_label("HTS code").fill("8517.13.0000")
    page.get_by_role("button", name="Search").click()
    expect(page.get_by_role("link", name="LUMEN phones (2026 line)")).to_be_visible()
    shot(page, "guides-03-officer-search")
    page.get_by_role("link", name="LUMEN phones (2026 line)").click()
    expect(page.get_by_text("24 hours")).to_be_visible()
    shot(page, "guides-04-officer-reads")
