"""Browser journey: an industry group drafts and proposes a standard, a rights holder endorses it, a
reviewer publishes it; the group revises it, the comparison shows the change, and publishing version 2
(after a new endorsement) supersedes version 1."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from core.accounts.models import User
from core.extensions import db
from standards.services.marks import register_mark
from tests.browser.conftest import sign_in, sign_out

pytestmark = pytest.mark.browser


@pytest.fixture
def people(app, make_user):
    """An industry group, a rights holder owning LUMEN (TMK 21-00123), and a reviewer."""
    group = make_user("industry_group", org="Electronics Resale Alliance")
    rights = make_user("rights_holder", org="Lumen Electronics Inc.")
    reviewer = make_user("reviewer")
    with app.app_context():
        register_mark(db.session.get(User, reviewer.id), recordation_number="TMK 21-00123", mark="LUMEN",
                      owner_organization_id=rights.organization_id, lever_rule=True,
                      sectors=["consumer_electronics", "mobile_devices"])
        register_mark(db.session.get(User, reviewer.id), recordation_number="TMK 22-00456", mark="LUMENCARE",
                      owner_organization_id=rights.organization_id, sectors=["medical_devices"])
        db.session.commit()
        db.session.remove()
    return group, rights, reviewer


def fill_requirement(page, index: int, code: str, text: str, evidence: str) -> None:
    page.locator(f"#requirements-{index}-code").fill(code)
    page.locator(f"#requirements-{index}-text").fill(text)
    page.locator(f"#requirements-{index}-evidence").fill(evidence)


def endorse(page, title: str) -> None:
    """As the signed-in rights holder: open the awaiting standard from home and endorse it for LUMEN."""
    page.goto("/home")
    page.get_by_role("link", name=title).first.click()
    page.get_by_text("TMK 21-00123 — LUMEN", exact=True).click()
    page.get_by_label("Endorsement statement").fill(
        "Lumen confirms these checks show LUMEN products are genuine.")
    page.get_by_role("button", name="Endorse").click()
    expect(page.get_by_text("Endorsed for TMK 21-00123.")).to_be_visible()


def test_draft_endorse_publish_revise_compare_supersede(page, shot, people):
    group, rights, reviewer = people
    page.on("dialog", lambda dialog: dialog.accept())
    title = "Used and refurbished consumer electronics"

    # The industry group drafts a standard with three requirements (rows added with JavaScript).
    sign_in(page, group.email, group.password)
    expect(page.get_by_role("heading", name="Your standards")).to_be_visible()
    page.get_by_role("link", name="Standards", exact=True).click()
    page.get_by_role("link", name="Draft a standard").click()
    page.get_by_label("Sector").select_option("consumer_electronics")
    page.get_by_label("Title").fill(title)
    page.get_by_text("Used", exact=True).click()
    page.get_by_text("Refurbished", exact=True).click()
    fill_requirement(page, 0, "R1",
                     "Bought from the brand's authorised distributor or an enrolled refurbisher.",
                     "Invoice naming the seller and the serial numbers.")
    page.get_by_role("button", name="Add another requirement").click()
    page.get_by_role("button", name="Add another requirement").click()
    expect(page.locator("[data-row]")).to_have_count(3)
    fill_requirement(page, 1, "R2", "Serial numbers checked against the manufacturer's registry.",
                     "Registry report per unit.")
    fill_requirement(page, 2, "R3", "Refurbished units graded A, B or C.", "Grading record per unit.")
    shot(page, "standards-01-draft-form")
    page.get_by_role("button", name="Save draft", exact=True).last.click()
    expect(page.get_by_text("Draft saved.")).to_be_visible()
    expect(page.locator("#requirements-heading + .usa-table-container--scrollable table tbody tr")).to_have_count(3)
    page.get_by_role("button", name="Propose for endorsement").click()
    expect(page.get_by_text("Proposed. Rights holders with marks in this sector")).to_be_visible()
    expect(page.locator("[data-status=proposed]").first).to_be_visible()
    v1_url = page.url
    shot(page, "standards-02-proposed")
    sign_out(page)

    # The rights holder sees it awaiting its decision and endorses it for one of its marks.
    sign_in(page, rights.email, rights.password)
    awaiting = page.locator("section[aria-labelledby=awaiting-heading]")
    expect(awaiting.get_by_role("link", name=title)).to_be_visible()
    expect(page.get_by_role("heading", name="Your recorded marks")).to_be_visible()
    shot(page, "standards-03-rights-holder-home")
    page.goto(v1_url)
    expect(page.get_by_role("heading", name="Your decision")).to_be_visible()
    shot(page, "standards-04-decision-form")
    endorse(page, title)
    expect(page.locator("#endorsements")).to_contain_text("Lumen Electronics Inc.")
    shot(page, "standards-05-endorsed")
    sign_out(page)

    # The reviewer publishes it.
    sign_in(page, reviewer.email, reviewer.password)
    page.goto(v1_url)
    page.get_by_role("button", name="Publish").click()
    expect(page.get_by_text("Published. Release decisions use it from now on")).to_be_visible()
    expect(page.locator("[data-status=published]").first).to_be_visible()
    shot(page, "standards-06-published")
    sign_out(page)

    # The industry group revises it: version 2 changes R2, drops R3 and adds R4.
    sign_in(page, group.email, group.password)
    page.goto(v1_url)
    page.get_by_role("button", name="Start version 2").click()
    expect(page.get_by_text("New draft version created")).to_be_visible()
    v2_url = page.url
    assert v2_url != v1_url
    page.get_by_role("link", name="Edit draft").click()
    page.locator("#requirements-1-text").fill(
        "Serial numbers and IMEI checked against the manufacturer's registry and the GSMA block list.")
    page.get_by_role("button", name="Remove requirement 3").click()
    page.get_by_role("button", name="Add another requirement").click()
    fill_requirement(page, 3, "R4", "New parallel units of Lever-rule marks carry the 133.23(b) label.",
                     "Photograph of the label next to the mark.")
    page.get_by_text("New (parallel / gray market)", exact=True).click()
    page.get_by_label("What changed in this version").fill("Adds IMEI checks and the Lever-rule label.")
    shot(page, "standards-07-revision-form")
    page.get_by_role("button", name="Save draft", exact=True).last.click()
    expect(page.get_by_text("Draft saved.")).to_be_visible()
    page.get_by_role("link", name="Compare with version 1").first.click()
    expect(page.get_by_role("heading", name="What changed from version 1 to version 2")).to_be_visible()
    expect(page.locator("[data-kind=changed]")).to_contain_text("R2")
    expect(page.locator("[data-kind=removed]")).to_contain_text("R3")
    expect(page.locator("[data-kind=added]")).to_contain_text("R4")
    expect(page.locator("ins.gl-diff-added").first).to_be_visible()
    shot(page, "standards-08-compare")
    page.goto(v2_url)
    page.get_by_role("button", name="Propose for endorsement").click()
    expect(page.get_by_text("Proposed. Rights holders with marks in this sector")).to_be_visible()
    sign_out(page)

    # Endorsements do not carry over: the reviewer cannot publish v2 until it is endorsed again.
    sign_in(page, reviewer.email, reviewer.password)
    page.goto(v2_url)
    expect(page.get_by_text("Needs at least one live endorsement of this version.")).to_be_visible()
    sign_out(page)
    sign_in(page, rights.email, rights.password)
    endorse(page, title)
    sign_out(page)

    # Publishing version 2 supersedes version 1.
    sign_in(page, reviewer.email, reviewer.password)
    page.goto(v2_url)
    page.get_by_role("button", name="Publish").click()
    expect(page.get_by_text("Published. Release decisions use it from now on")).to_be_visible()
    expect(page.locator("[data-status=published]").first).to_be_visible()
    history = page.locator("section[aria-labelledby=history-heading]")
    expect(history).to_contain_text("Version 1")
    expect(history.locator("[data-status=superseded]")).to_have_count(1)
    shot(page, "standards-09-v2-published")
    page.goto(v1_url)
    expect(page.get_by_text("This version was superseded")).to_be_visible()
    shot(page, "standards-10-v1-superseded")
    sign_out(page)

    # The public catalogue shows version 2, no sign-in needed.
    page.goto("/standards/catalogue")
    expect(page.get_by_role("heading", name="Published genuineness standards")).to_be_visible()
    page.get_by_role("button", name=title).click()
    expect(page.get_by_text("GSMA block list")).to_be_visible()
    shot(page, "standards-11-catalogue")
