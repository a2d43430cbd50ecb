"""Browser journeys of enforcement cases. (1) A reviewer detains a shipment from the detain page of its
decision and uploads an image; the importer sees it at once with the deadline and responds; the reviewer
records `abandoned`; the enforcement dashboard's alternatives-to-seizure chart shows it. The dashboard
screenshot is also copied to docs/screenshots/dashboard.png for the README when
``GREENLANE_DOCS_SCREENSHOTS=1`` (so an ordinary test run leaves the working tree clean).
(2) A gray-market detention whose period the reviewer extends, with the importer's home page listing it.
(3) A counterfeit case from the notice through redacted and unredacted disclosure to seizure and a penalty,
seen by the reviewer, the mark owner and the importer."""

from __future__ import annotations

import os
import re
import shutil
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from playwright.sync_api import expect

from core.timeutil import utcnow
from tests.browser.conftest import sign_in, sign_out

pytestmark = pytest.mark.browser

DOCS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"


def _detention_photo(path) -> None:
    """A PNG that looks like a photographed carton of phones."""
    from PIL import Image, ImageDraw

    image = Image.new("RGB", (480, 320), (214, 219, 222))
    draw = ImageDraw.Draw(image)
    draw.rectangle((40, 40, 440, 280), fill=(196, 164, 120), outline=(90, 70, 40), width=4)
    draw.rectangle((80, 90, 240, 240), fill=(30, 30, 30))
    draw.text((260, 110), "LUMEN X2", fill=(20, 20, 20))
    draw.text((260, 140), "SN 4G7-2291", fill=(20, 20, 20))
    image.save(path, "PNG")


def _decision(app, importer_org: int, owner_org: int, days_ago: int = 2) -> int:
    from core.extensions import db
    from program.decisions.models import DecisionLine, ReleaseDecision
    from program.decisions.uei import new_uei
    from standards.models import RecordedMark

    with app.app_context():
        db.session.add(RecordedMark(recordation_number="TMK 21-00123", mark="LUMEN", owner_organization_id=owner_org))
        decision = ReleaseDecision(uei=new_uei(), entry_number="ABC-1234567-6", port_code="2704",
                                   ior_number="12-3456789AB", organization_id=importer_org, source="api",
                                   outcome="refer_for_examination", rules_version="test", facts_used={},
                                   line_count=1, decided_at=utcnow() - timedelta(days=days_ago))
        # One line: kept in the decision's own row, as every writer keeps a one-line entry's.
        decision.lines = [DecisionLine(line_no=1, description="LUMEN X2 smartphones, 128 GB", hts_code="8517130000",
                                       quantity=Decimal(240), value_usd=Decimal("71880.00"),
                                       sector="mobile_devices", condition="new_parallel",
                                       recordation_number="TMK 21-00123", outcome="refer_for_examination",
                                       reasons=[])]
        db.session.add(decision)
        db.session.commit()
        decision_id = decision.id
        db.session.remove()
    return decision_id


def test_detain_share_respond_abandon_and_count(app, page, shot, make_user, tmp_path):
    reviewer = make_user("reviewer", email="officer.reyes@cbp.example.gov")
    importer = make_user("importer", org="Journey Imports LLC", email="jo@journey-imports.example")
    owner = make_user("rights_holder", org="Lumen Electronics Inc.")
    decision_id = _decision(app, importer.organization_id, owner.organization_id)

    # The reviewer detains the shipment from the decision's detain page.
    sign_in(page, reviewer.email, reviewer.password)
    page.goto(f"/cases/new?decision_id={decision_id}")
    expect(page.get_by_role("heading", name="Detain shipment")).to_be_visible()
    page.get_by_label("Country of origin (optional)").select_option("CN")
    page.get_by_label("Why the goods are detained").fill("Logos misaligned; packaging lacks the hologram seal.")
    shot(page, "cases-01-detain")
    page.get_by_role("button", name="Detain shipment").click()
    expect(page.get_by_text("Shipment detained.")).to_be_visible()
    expect(page.get_by_test_id("deadline")).to_contain_text("business days left")

    # Upload an image and share it with the importer.
    photo = tmp_path / "carton.png"
    _detention_photo(photo)
    page.locator("input#image").set_input_files(str(photo))
    page.get_by_label("Caption (optional)").fill("Carton as opened at the CES")
    page.get_by_role("button", name="Upload image").click()
    expect(page.get_by_text("Image uploaded.")).to_be_visible()
    expect(page.locator("img.gl-thumb")).to_have_count(1)
    page.get_by_role("button", name="Tell the importer the images are ready").click()
    expect(page.locator('[data-event="images_shared_importer"]')).to_be_visible()
    shot(page, "cases-02-reviewer-case")
    sign_out(page)

    # The importer sees the deadline and the image, and responds.
    sign_in(page, importer.email, importer.password)
    page.get_by_role("link", name="Cases").first.click()
    page.locator("tr[data-uei] a").first.click()
    expect(page.get_by_test_id("deadline")).to_contain_text(re.compile(r"Response due .* business days? left"))
    expect(page.locator("img.gl-thumb")).to_have_count(1)
    page.get_by_label("Your response").fill("We bought these from the authorised distributor in Osaka; we agree to "
                                            "abandon them rather than wait for authentication.")
    shot(page, "cases-03-importer-responding")
    page.get_by_role("button", name="Send response").click()
    expect(page.locator('[data-event="importer_response"]')).to_contain_text("authorised distributor")
    sign_out(page)

    # The reviewer records the outcome: abandoned, an alternative to seizure.
    sign_in(page, reviewer.email, reviewer.password)
    page.get_by_role("link", name="Cases").first.click()
    page.locator("tr[data-uei] a").first.click()
    page.locator("label.usa-radio__label", has_text="Abandoned").click()
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="Record outcome").click()
    expect(page.get_by_text("Alternative to seizure")).to_be_visible()
    shot(page, "cases-04-abandoned")

    # The enforcement dashboard counts it among the alternatives to seizure.
    page.get_by_role("link", name="Statistics").first.click()
    expect(page.get_by_test_id("stat-alternatives")).to_have_text("1")
    row = page.locator("#table-outcomes tr.gl-alt-row", has_text="Abandoned")
    expect(row).to_contain_text("1")
    chart = page.get_by_test_id("chart-outcomes")
    expect(chart).to_be_visible()
    # The chart is an <img> served by its own route: wait until it has loaded, then check it rendered.
    page.wait_for_function("img => img.complete && img.naturalWidth > 0", arg=chart.element_handle())
    path = shot(page, "dashboard")
    if os.environ.get("GREENLANE_DOCS_SCREENSHOTS") == "1":
        DOCS.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(path, DOCS / "dashboard.png")


def test_gray_market_detention_extended(app, page, shot, make_user):
    reviewer = make_user("reviewer", email="officer.lee@cbp.example.gov")
    importer = make_user("importer", org="Parallel Goods LLC", email="pat@parallel-goods.example")
    owner = make_user("rights_holder", org="Lumen Electronics US")
    decision_id = _decision(app, importer.organization_id, owner.organization_id, days_ago=3)
    presented = (utcnow() - timedelta(days=3)).date()

    sign_in(page, reviewer.email, reviewer.password)
    page.goto(f"/cases/new?decision_id={decision_id}")
    page.locator("label.usa-radio__label", has_text="Gray-market goods").click()
    page.get_by_label("Goods presented for examination").fill(presented.isoformat())
    page.get_by_label("Why the goods are detained").fill("Japanese-market phones without the Lever-rule label.")
    shot(page, "cases-05-detain-gray-market")
    page.get_by_role("button", name="Detain shipment").click()
    expect(page.get_by_text("Shipment detained.")).to_be_visible()
    ends = presented + timedelta(days=30)
    expect(page.get_by_test_id("basis")).to_contain_text("Gray-market goods, Lever rule")
    expect(page.locator('[data-milestone="detention_ends"]')).to_contain_text(ends.strftime("%-d %B %Y"))
    expect(page.get_by_test_id("next-due")).to_contain_text("business days left")

    # Good cause: the importer is getting the label; the reviewer extends the period by 15 days.
    page.get_by_text("Extend the detention period (good cause").click()
    later = ends + timedelta(days=15)
    page.get_by_label("Extend the detention period until").fill(later.isoformat())
    page.get_by_label("Good cause").fill("The importer is relabelling the goods with the Lever-rule notice.")
    page.get_by_role("button", name="Extend the period").click()
    expect(page.locator('[data-event="detention_extended"]')).to_contain_text(later.isoformat())
    expect(page.locator('[data-milestone="detention_ends"]')).to_contain_text(later.strftime("%-d %B %Y"))
    page.locator("#clock").scroll_into_view_if_needed()
    shot(page, "cases-06-gray-market-extended")
    sign_out(page)

    # The importer's home page lists the open detention and its deadline.
    sign_in(page, importer.email, importer.password)
    page.goto("/home")
    panel = page.locator("#open-detentions")
    expect(panel).to_contain_text(later.isoformat())
    expect(panel).to_contain_text("business days left")
    shot(page, "cases-07-importer-home-detentions")


def test_counterfeit_from_notice_to_unredacted_disclosure_seizure_and_penalty(app, page, shot, make_user, tmp_path):
    reviewer = make_user("reviewer", email="officer.diaz@cbp.example.gov")
    importer = make_user("importer", org="Quiet Harbor Imports", email="qa@quiet-harbor.example")
    owner = make_user("rights_holder", org="Lumen Electronics Global", email="ipr@lumen.example")
    decision_id = _decision(app, importer.organization_id, owner.organization_id, days_ago=21)
    notice = (utcnow() - timedelta(days=20)).date()

    sign_in(page, reviewer.email, reviewer.password)
    page.goto(f"/cases/new?decision_id={decision_id}")
    page.get_by_label("Date of the detention notice").fill(notice.isoformat())
    page.get_by_label("Country of origin (optional)").select_option("CN")
    page.get_by_role("button", name="Detain shipment").click()
    expect(page.get_by_text("Shipment detained.")).to_be_visible()
    uei = page.url.rstrip("/").rsplit("/", 1)[-1]
    # Seven business days have passed without an answer: the response is overdue, never a negative count.
    expect(page.get_by_test_id("deadline")).to_contain_text(re.compile(r"overdue by \d+ business days"))

    photo = tmp_path / "carton.png"
    _detention_photo(photo)
    for redacted, caption in ((True, "Carton, serial numbers blacked out"), (False, "Carton with serial numbers")):
        page.locator("input#image").set_input_files(str(photo))
        page.get_by_label("Caption (optional)").fill(caption)
        if redacted:
            page.locator("label[for=redacted]").click()
        page.get_by_role("button", name="Upload image").click()
        expect(page.get_by_text("Image uploaded.")).to_be_visible()
    page.get_by_role("button", name="Share images with the rights holder").click()
    expect(page.locator('[data-event="images_shared_rights_holder"]')).to_be_visible()
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="Disclose unredacted images to the rights holder").click()
    expect(page.locator('[data-event="unredacted_disclosed"]')).to_be_visible()
    shot(page, "cases-08-unredacted-disclosed")

    # Seizure with the manufacturer and exporter for the owner, then a penalty on the same UEI.
    page.locator("label.usa-radio__label", has_text="Seized").click()
    page.get_by_label("Manufacturer (on seizure)").fill("Shenzhen Bright Star Electronics")
    page.get_by_label("Manufacturer's address").fill("Bao'an District, Shenzhen")
    page.get_by_label("Exporter (on seizure)").fill("Pearl River Trading Co.")
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="Record outcome").click()
    expect(page.get_by_role("heading", name="After seizure: forfeiture, petitions and penalties")).to_be_visible()
    page.locator("select#step").select_option("penalty_assessed")
    page.get_by_label("Amount (USD)").fill("25000")
    page.get_by_role("button", name="Record the step").click()
    expect(page.locator('[data-event="penalty_assessed"]')).to_contain_text("USD 25000.00")
    expect(page.get_by_test_id("case-uei")).to_be_visible()
    shot(page, "cases-09-seized-penalty")
    sign_out(page)

    # The owner: its line's five facts with the limited-purpose notice, both images, the seizure disclosure.
    sign_in(page, owner.email, owner.password)
    page.goto(f"/cases/{uei}")
    expect(page.get_by_test_id("disclosure-notice")).to_contain_text("Trade Secrets Act")
    expect(page.locator("img.gl-thumb")).to_have_count(2)
    expect(page.locator("#seizure-disclosure")).to_contain_text("Shenzhen Bright Star Electronics")
    expect(page.locator("#seizure-disclosure")).to_contain_text("Quiet Harbor Imports")
    expect(page.locator("body")).not_to_contain_text("12-3456789AB")
    expect(page.locator("body")).not_to_contain_text("25000")
    shot(page, "cases-10-owner-view")
    sign_out(page)

    # The importer: every image, the disclosure it was told of, and the penalty on its case.
    sign_in(page, importer.email, importer.password)
    page.goto(f"/cases/{uei}")
    expect(page.locator("img.gl-thumb")).to_have_count(2)
    expect(page.locator('[data-event="unredacted_disclosed"]')).to_be_visible()
    expect(page.locator('[data-event="penalty_assessed"]')).to_contain_text("USD 25000.00")
    expect(page.locator("#seizure-disclosure")).to_have_count(0)
    shot(page, "cases-11-importer-view")
