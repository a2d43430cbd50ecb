"""Browser journey: an enrolled importer files a blank-goods declaration with two lines (one added by the
page's script) and sees it listed with full remaining quantities; a reviewer queries it; the importer
answers. Screenshots go to screenshots/blanks-*.png."""

from __future__ import annotations

from datetime import timedelta

import pytest
from playwright.sync_api import expect

from core.timeutil import today
from tests.browser.conftest import sign_in, sign_out
from tests.program.blanks.conftest import APPLICATION

pytestmark = pytest.mark.browser


def choose_country(page, field_id: str, name: str) -> None:
    """Pick a country by name: in USWDS's combo box when the page enhanced it, else in the plain select (rows
    added by script)."""
    field = page.locator(f"#{field_id}")
    if field.evaluate("e => e.tagName") == "SELECT":
        field.select_option(label=name)
        return
    field.fill(name)
    page.locator(f"#{field_id}--list li", has_text=name).first.click()


def enrolled_importer(api_as, make_user):
    """An importer whose enrollment was approved through the API; returns its UserRef."""
    importer = api_as(make_user("importer", org="Plainly Goods LLC"))
    reviewer = api_as("reviewer")
    created = importer.post("/api/v1/enrollments", json=dict(APPLICATION, legal_name="Plainly Goods LLC"))
    eid = created.json["id"]
    assert importer.post(f"/api/v1/enrollments/{eid}/submit").status_code == 200
    assert reviewer.post(f"/api/v1/enrollments/{eid}/decision",
                         json={"action": "approve", "reason": "ok"}).status_code == 200
    return importer.user, reviewer.user


def test_file_list_query_answer(page, shot, api_as, make_user):
    importer, reviewer = enrolled_importer(api_as, make_user)
    sign_in(page, importer.email, importer.password)
    page.get_by_role("link", name="Blank goods").first.click()
    expect(page.get_by_role("heading", name="My blank-goods declarations")).to_be_visible()
    page.get_by_role("link", name="File a declaration").click()

    page.get_by_label("Valid until").fill((today() + timedelta(days=120)).isoformat())
    page.locator("#parties-0-role").select_option("manufacturer")
    page.locator("#parties-0-name").fill("Guangzhou Plain Bags Co.")
    choose_country(page, "parties-0-country", "China")
    page.locator("#parties-0-address").fill("12 Mill Road, Guangzhou")
    page.get_by_role("button", name="Add another party").click()
    expect(page.locator("#parties-rows [data-row]")).to_have_count(2)
    page.locator("#parties-1-name").fill("Pearl River Trading Ltd")
    choose_country(page, "parties-1-country", "Hong Kong")

    page.locator("#lines-0-description").fill("Plain cotton tote bags, no logos")
    page.locator("#lines-0-hts_code").fill("4202.92.3131")
    page.locator("#lines-0-quantity").fill("5000")
    choose_country(page, "lines-0-country_of_origin", "China")
    page.get_by_role("button", name="Add another line").click()
    expect(page.locator("#lines-rows [data-row]")).to_have_count(2)
    page.locator("#lines-1-description").fill("Blank silicone phone cases")
    page.locator("#lines-1-hts_code").fill("39269099")  # too short: caught on the field
    page.locator("#lines-1-quantity").fill("1200")
    choose_country(page, "lines-1-country_of_origin", "Vietnam")
    page.locator("label.usa-checkbox__label", has_text="I attest").click()
    shot(page, "blanks-01-new-declaration")
    page.get_by_role("button", name="File declaration").click()

    expect(page.locator("#lines-1-hts_code-error")).to_contain_text("10-digit HTS code")
    shot(page, "blanks-02-inline-error")
    page.locator("#lines-1-hts_code").fill("3926.90.9990")
    expect(page.locator("#attestation")).to_be_checked()  # what was typed and ticked survives the error
    page.get_by_role("button", name="File declaration").click()

    expect(page.get_by_role("heading", name="Declaration BGD-")).to_be_visible()
    public_id = page.locator("h1").inner_text().split()[1]
    shot(page, "blanks-03-declaration")
    page.get_by_role("link", name="← All declarations").click()
    card = page.locator(f"[data-declaration-id='{public_id}']")
    expect(card).to_contain_text("5,000 of 5,000 pcs remaining")
    expect(card).to_contain_text("1,200 of 1,200 pcs remaining")
    expect(card.locator("progress")).to_have_count(2)
    shot(page, "blanks-04-list-full-quantities")
    sign_out(page)

    sign_in(page, reviewer.email, reviewer.password)
    page.get_by_role("link", name="Blank goods").first.click()
    page.get_by_label("HTS chapter").fill("42")
    page.get_by_role("button", name="Filter").click()
    shot(page, "blanks-05-reviewer-list")
    page.get_by_role("link", name=public_id).click()
    page.get_by_label("Question to the importer").fill("Will anyone apply marks to the tote bags after entry?")
    page.get_by_role("button", name="Send question").click()
    expect(page.locator("h1 [data-status]")).to_have_text("Queried")
    shot(page, "blanks-06-queried")
    sign_out(page)

    sign_in(page, importer.email, importer.password)
    page.get_by_role("link", name="Blank goods").first.click()
    page.get_by_role("link", name="Answer it").click()
    page.get_by_label("Your answer").fill("No. They are sold plain to craft retailers.")
    page.get_by_role("button", name="Send answer").click()
    expect(page.locator("h1 [data-status]")).to_have_text("Filed")
    expect(page.locator("[data-query]")).to_contain_text("They are sold plain")
    shot(page, "blanks-07-answered")
