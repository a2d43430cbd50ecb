"""Browser journey: an enrolled importer requests a release decision for a 3-line entry through the form
(adding lines with the page's script) and sees one line expedited, one in standard processing and one
referred for examination, each with its reason in plain words, and the entry's UEI."""

from __future__ import annotations

import copy
import re

import pytest
import sqlalchemy as sa
from playwright.sync_api import expect

from core.accounts.models import User
from core.extensions import db
from tests.browser.conftest import sign_in, sign_out
from tests.program.decisions.conftest import APPLICATION, EXPEDITED_LINE, REFERRED_LINE, STANDARD_LINE

pytestmark = pytest.mark.browser


@pytest.fixture
def importer(app, make_user):
    """An approved importer (IOR 12-3456789AB), the LUMEN and ACME marks, and an endorsed published standard."""
    from program.enrollment import application, services
    from standards.services import endorsements, marks, versions

    importer = make_user("importer", org="Northwind Trading LLC", email="nadia@northwind.example")
    reviewer = make_user("reviewer")
    lumen = make_user("rights_holder", org="Lumen Electronics Inc.")
    acme = make_user("rights_holder", org="Acme Brands Corporation")
    group = make_user("industry_group", org="Electronics Resale Alliance")
    with app.app_context():
        officer, nadia = db.session.get(User, reviewer.id), db.session.get(User, importer.id)
        enrollment = application.create_enrollment(nadia, copy.deepcopy(APPLICATION))
        services.submit_enrollment(nadia, enrollment)
        services.approve_enrollment(officer, enrollment, reason="Meets the program criteria.")
        marks.register_mark(officer, recordation_number="TMK 21-00123", mark="LUMEN",
                            owner_organization_id=lumen.organization_id, lever_rule=False,
                            sectors=["consumer_electronics", "mobile_devices"])
        marks.register_mark(officer, recordation_number="TMK 19-04567", mark="ACME",
                            owner_organization_id=acme.organization_id, lever_rule=True,
                            sectors=["handbags_accessories"])
        author = db.session.get(User, group.id)
        version = versions.create_standard(
            author, sector="mobile_devices", title="Used and refurbished phones", conditions=["used", "refurbished"],
            requirements=[{"code": "R1", "text": "Serial number checked against the maker's register",
                           "evidence": "Register extract"}])
        versions.propose_version(author, version)
        endorsements.endorse_version(db.session.get(User, lumen.id), version, marks=["TMK 21-00123"],
                                     statement="Genuine when these requirements are met.")
        versions.publish_version(officer, version)
        db.session.commit()
        db.session.remove()
    return importer, reviewer


def fill_line(page, index: int, line: dict) -> None:
    """Fill row ``index`` of the lines with an API-shaped ``line``."""
    row = f"#lines-{index}-"
    page.locator(f"{row}line_no").fill(str(line["line_no"]))
    page.locator(f"{row}description").fill(line["description"])
    page.locator(f"{row}hts_code").fill(line["hts_code"])
    page.locator(f"{row}quantity").fill(str(line["quantity"]))
    page.locator(f"{row}value_usd").fill(line["value_usd"])
    page.locator(f"{row}sector").select_option(line["sector"])
    page.locator(f"{row}condition").select_option(line["condition"])
    page.locator(f"{row}recordation_number").fill(line.get("recordation_number") or "")


def test_importer_requests_a_three_line_decision(page, shot, importer):
    importer, reviewer = importer
    sign_in(page, importer.email, importer.password)
    page.get_by_role("link", name="Release decisions").first.click()
    expect(page.get_by_role("heading", name="Release decisions", exact=True)).to_be_visible()
    expect(page.get_by_text("No decisions yet.")).to_be_visible()
    page.get_by_role("link", name="Request a release decision").click()
    expect(page.get_by_role("heading", name="Request a release decision")).to_be_visible()

    # A mistyped check digit is caught next to the field; nothing is decided.
    page.get_by_label("Entry number").fill("ABC-1234567-5")
    page.get_by_label("Port of entry").fill("2704")
    expect(page.get_by_label("Importer of Record number")).to_have_value("12-3456789AB")
    fill_line(page, 0, EXPEDITED_LINE)
    page.get_by_role("button", name="Request decision", exact=True).last.click()
    expect(page.locator("#entry_number-error")).to_contain_text("check digit")
    expect(page.locator("#form-errors")).to_be_visible()
    shot(page, "decisions-01-form-error")

    # Two more lines added with the page's script, then the decision.
    page.get_by_label("Entry number").fill("ABC-1234567-6")
    page.get_by_role("button", name="Add another line").click()
    page.get_by_role("button", name="Add another line").click()
    expect(page.locator("#line-rows [data-row]")).to_have_count(3)
    fill_line(page, 1, STANDARD_LINE)
    fill_line(page, 2, REFERRED_LINE)
    shot(page, "decisions-02-form")
    page.get_by_role("button", name="Request decision", exact=True).last.click()
    page.wait_for_url(re.compile(r".*/decisions/\d+$"))

    entry = page.get_by_test_id("entry-outcome")
    expect(entry).to_have_attribute("data-outcome", "refer_for_examination")
    expect(entry).to_contain_text("Refer for examination")
    expect(page.get_by_test_id("uei")).to_have_text(re.compile(r"^[0-9A-Z]{5}-[0-9A-Z]{5}-[0-9A-Z]{5}$"))
    expedited, standard, referred = (page.locator(f"tr[data-line='{n}']") for n in (1, 2, 3))
    expect(expedited).to_have_attribute("data-outcome", "expedited_release")
    expect(expedited).to_contain_text("Expedited release")
    expect(standard).to_have_attribute("data-outcome", "standard_processing")
    expect(standard).to_contain_text("The sector Pharmaceuticals has heightened protection")
    expect(standard.locator("[data-code=heightened_protection]")).to_be_visible()
    expect(referred).to_have_attribute("data-outcome", "refer_for_examination")
    expect(referred).to_contain_text("TMK 19-04567 has Lever-rule protection")
    expect(referred.locator("[data-code=lever_label_missing]")).to_be_visible()
    expect(page.get_by_text("Facts this decision used")).to_have_count(0)
    shot(page, "decisions-03-decision")
    decision_url = page.url

    # The list shows it with its outcome.
    page.get_by_role("link", name="Release decisions").first.click()
    row = page.locator("[data-testid=decision-list] tbody tr").first
    expect(row).to_contain_text("ABC-1234567-6")
    expect(row.locator("[data-outcome=refer_for_examination]")).to_be_visible()
    shot(page, "decisions-04-list")
    sign_out(page)

    # A reviewer sees the same decision and the facts it relied on, with links to them.
    sign_in(page, reviewer.email, reviewer.password)
    page.goto(decision_url)
    facts = page.get_by_test_id("facts-used")
    expect(facts.get_by_role("link", name="Northwind Trading LLC")).to_be_visible()
    expect(facts.get_by_role("link", name="Used and refurbished phones (version 1)")).to_be_visible()
    expect(facts).to_contain_text("TMK 19-04567")
    shot(page, "decisions-05-reviewer-facts")


def test_a_parcel_from_a_listed_seller_is_referred(page, shot, importer, make_user):
    """A reviewer lists a violative shipper on its page; the importer's parcel from a seller of nearly the same
    name is referred for examination, and the decision says why in words."""
    importer, reviewer = importer
    sign_in(page, reviewer.email, reviewer.password)
    page.goto("/review/violative-shippers")
    page.get_by_label("Shipper's name").fill("Bright Star Wholesale Ltd")
    page.get_by_label("Country (if known)").select_option("HK")
    page.get_by_label("Reason").fill("Counterfeit earbuds seized at JFK, 2025")
    page.get_by_role("button", name="Add to the list").click()
    expect(page.locator("table")).to_contain_text("Bright Star Wholesale Ltd")
    shot(page, "decisions-06-violative-shippers")
    sign_out(page)

    sign_in(page, importer.email, importer.password)
    page.goto("/decisions/new")
    page.get_by_label("Entry number").fill("ABC-1234567-6")
    page.get_by_label("Port of entry").fill("4701")
    shipment = page.get_by_test_id("shipment-fields")
    shipment.get_by_label("How the goods travel").select_option("section_321")
    shipment.get_by_label("House bill").fill("HAWB7654321")
    shipment.get_by_label("Foreign seller").fill("Bright Star Wholesale Limited")
    shipment.get_by_label("Seller's country").select_option("HK")
    shipment.get_by_label("Marketplace").fill("example-market.com")
    fill_line(page, 0, EXPEDITED_LINE)
    page.locator("#lines-0-country_of_origin").select_option("CN")
    shot(page, "decisions-07-parcel-form")
    page.get_by_role("button", name="Request decision", exact=True).last.click()
    page.wait_for_url(re.compile(r".*/decisions/\d+$"))
    expect(page.get_by_test_id("entry-outcome")).to_have_attribute("data-outcome", "refer_for_examination")
    expect(page.get_by_test_id("shipment")).to_contain_text("Section 321 (de minimis) parcel")
    expect(page.get_by_test_id("shipment")).to_contain_text("Hong Kong")
    line = page.locator("tr[data-line='1']")
    expect(line.locator("[data-code=known_violative_shipper]")).to_be_visible()
    expect(line).to_contain_text("made in China")
    shot(page, "decisions-08-parcel-referred")

    # The same entry asked again: the form offers to supersede the live decision instead of a second one.
    page.goto("/decisions/new")
    page.get_by_label("Entry number").fill("ABC-1234567-6")
    page.get_by_label("Port of entry").fill("4701")
    fill_line(page, 0, EXPEDITED_LINE)
    page.get_by_role("button", name="Request decision", exact=True).last.click()
    expect(page.get_by_test_id("supersede-box")).to_be_visible()
    page.get_by_text("Decide the entry afresh, superseding its live decision").click()
    page.get_by_role("button", name="Request decision", exact=True).last.click()
    page.wait_for_url(re.compile(r".*/decisions/\d+$"))
    expect(page.get_by_test_id("supersedes")).to_be_visible()
    expect(page.get_by_test_id("entry-outcome")).to_have_attribute("data-outcome", "expedited_release")


def test_a_mark_owner_rejects_a_licence_and_blanks_drawn_on_it_are_referred(page, shot, importer, app):
    """Lumen sees the licensed blank line naming its mark on its own page, rejects it with a note, and the
    importer's blank goods drawn on that line are referred for examination with the reason in words."""
    import copy as copying

    from core.accounts.models import Organization
    from program.blanks.services import file_declaration
    from tests.conftest import DEMO_PASSWORD
    from tests.program.decisions.conftest import DECLARATION, LICENSED_LINE

    importer, _ = importer
    body = copying.deepcopy(DECLARATION)
    body["lines"].append(dict(LICENSED_LINE))
    with app.app_context():
        public_id = file_declaration(db.session.get(User, importer.id), body).public_id
        db.session.commit()
        lumen = db.session.scalar(sa.select(User).join(User.organization).where(
            Organization.name == "Lumen Electronics Inc."))
        lumen_email = lumen.email
        db.session.remove()

    sign_in(page, lumen_email, DEMO_PASSWORD)
    page.get_by_role("link", name="Licensed blanks").first.click()
    cell = page.get_by_test_id(f"licence-{public_id}-2")
    expect(cell).to_contain_text("Pending")
    cell.get_by_label("Note (needed to reject)").fill("We never licensed this factory.")
    cell.get_by_role("button", name="Reject").click()
    expect(page.get_by_test_id(f"licence-{public_id}-2")).to_contain_text("Rejected")
    shot(page, "decisions-09-licence-rejected")
    sign_out(page)

    sign_in(page, importer.email, importer.password)
    page.goto("/decisions/new")
    page.get_by_label("Entry number").fill("999-9999999-0")
    page.get_by_label("Port of entry").fill("2704")
    row = "#lines-0-"
    page.locator(f"{row}description").fill("Plain earbuds")
    page.locator(f"{row}hts_code").fill("8518.30.2000")
    page.locator(f"{row}quantity").fill("10")
    page.locator(f"{row}value_usd").fill("40.00")
    page.locator(f"{row}sector").select_option("consumer_electronics")
    page.locator(f"{row}condition").select_option("blank")
    page.locator(f"{row}blank_declaration_id").fill(public_id)
    page.locator(f"{row}blank_line_no").fill("2")
    page.get_by_role("button", name="Request decision", exact=True).last.click()
    page.wait_for_url(re.compile(r".*/decisions/\d+$"))
    line = page.locator("tr[data-line='1']")
    expect(line).to_have_attribute("data-outcome", "refer_for_examination")
    expect(line.locator("[data-code=licence_rejected]")).to_be_visible()
    expect(line).to_contain_text("whose licence the mark owner rejected")


def test_a_reviewer_screens_a_file_and_downloads_the_results(page, shot, importer, tmp_path):
    """Bulk screening on the web: a reviewer uploads a CSV of three entries (one with an unreadable HTS code, one
    whose description holds a line break), sees the outcomes and the bad row named by row and field, and downloads
    the results: every input row with its outcomes, reasons and the entry's UEI."""
    import csv
    import io

    from tests.program.decisions.test_screen import _csv, _rows

    _, reviewer = importer
    rows = (_rows("ABC-1234567-6", EXPEDITED_LINE, STANDARD_LINE)
            + _rows("ABC-7654321-6", dict(REFERRED_LINE, description="Tote bags,\nprinted"))
            + _rows("ABC-1111111-1", dict(EXPEDITED_LINE, hts_code="85.17")))
    source = tmp_path / "entries.csv"
    source.write_text(_csv(rows))

    sign_in(page, reviewer.email, reviewer.password)
    page.get_by_role("link", name="Screening").first.click()
    expect(page.get_by_role("heading", name="Bulk screening")).to_be_visible()
    expect(page.get_by_text("No screening jobs yet.")).to_be_visible()
    page.get_by_role("button", name="Screen the file").click()  # no file: the field says so
    expect(page.locator("#file-error")).to_be_visible()
    page.locator("input[type=file]").set_input_files(str(source))
    shot(page, "screening-01-upload")
    page.get_by_role("button", name="Screen the file").click()
    page.wait_for_url(re.compile(r".*/review/screening/\d+$"))

    expect(page.locator("[data-field=status]")).to_have_text("finished")
    expect(page.locator("[data-field=rows_done]")).to_have_text("4")  # rows read, not the file's five lines
    expect(page.locator("[data-field=rows_total]")).to_have_text("4")
    outcomes = page.get_by_role("table").first
    expect(outcomes.get_by_role("row", name=re.compile(r"^expedited release"))).to_contain_text("1")
    expect(outcomes.get_by_role("row", name=re.compile(r"^rejected"))).to_contain_text("1")
    bad = page.get_by_role("table").last
    expect(bad).to_contain_text("hts_code")
    # Rows are the file's line numbers (the header is line 1; the description above spans lines 4 and 5).
    expect(bad.get_by_role("cell", name="6", exact=True)).to_be_visible()
    shot(page, "screening-02-job")

    download = page.get_by_role("link", name="Download the results (CSV)")
    response = page.request.get(download.get_attribute("href"))
    assert response.ok and response.headers["content-type"].startswith("text/csv")
    result = list(csv.DictReader(io.StringIO(response.text(), newline="")))
    assert [(r["entry_number"], r["line_no"]) for r in result] == [
        ("ABC-1234567-6", "1"), ("ABC-1234567-6", "2"), ("ABC-7654321-6", "3"), ("ABC-1111111-1", "1")]
    assert result[2]["description"] == "Tote bags,\nprinted" and result[2]["entry_outcome"] == "refer_for_examination"
    assert result[3]["entry_outcome"] == "rejected" and result[3]["reasons"] == "invalid:hts_code"
    assert result[0]["uei"] == result[1]["uei"] and re.fullmatch(r"[0-9A-Z]{15}", result[0]["uei"])

    # The job is listed on the screening page.
    page.get_by_role("link", name="Bulk screening").click()
    expect(page.locator("table tbody tr").first).to_contain_text("entries.csv")
    expect(page.locator("table tbody tr").first).to_contain_text("finished")
