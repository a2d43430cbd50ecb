"""Browser journey: a reviewer detains a shipment from the detain page of its decision, uploads an
image and shares it with the importer; the importer sees the deadline and responds; the reviewer
records `abandoned`; the enforcement dashboard's alternatives-to-seizure chart shows it. The dashboard
screenshot is also copied to docs/screenshots/dashboard.png for the README when
``GREENLANE_DOCS_SCREENSHOTS=1`` (so an ordinary test run leaves the working tree clean)."""

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


def _decision(app, importer_org: int, owner_org: int) -> int:
    from core.extensions import db
    from program.decisions.models import DecisionLine, ReleaseDecision
    from program.decisions.uei import new_uei
    from standards.models import RecordedMark

    with app.app_context():
        db.session.add(RecordedMark(recordation_number="TMK 21-00123", mark="LUMEN", owner_organization_id=owner_org))
        decision = ReleaseDecision(uei=new_uei(), entry_number="ABC-1234567-6", port_code="2704",
                                   ior_number="12-3456789AB", organization_id=importer_org, source="api",
                                   outcome="refer_for_examination", rules_version="test", facts_used={},
                                   line_count=1, decided_at=utcnow() - timedelta(days=2))
        decision.lines.append(DecisionLine(line_no=1, description="LUMEN X2 smartphones, 128 GB", hts_code="8517130000",
                                           quantity=Decimal(240), value_usd=Decimal("71880.00"),
                                           sector="mobile_devices", condition="new_parallel",
                                           recordation_number="TMK 21-00123", outcome="refer_for_examination",
                                           reasons=[]))
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
    page.get_by_role("button", name="Share images with the importer").click()
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
