"""Browser journey: a reviewer starts a confidential conversation with an importer; the importer sees
the unread badge, opens the thread and replies with a file; the reviewer sees the reply and closes it."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import sign_in, sign_out
from tests.pdfs import PLAIN_PDF

pytestmark = pytest.mark.browser

PDF = PLAIN_PDF  # a real PDF: uploads parse PDFs (core.pdf)


def _label_photo(path) -> None:
    """A small PNG that looks like a photographed serial-number label."""
    from PIL import Image, ImageDraw

    image = Image.new("RGB", (320, 200), (226, 232, 236))
    draw = ImageDraw.Draw(image)
    draw.rectangle((40, 50, 280, 150), fill=(250, 250, 245), outline=(60, 60, 60), width=3)
    for x in range(60, 260, 7):
        draw.line((x, 70, x, 115), fill=(20, 20, 20), width=2 if x % 3 else 4)
    draw.text((70, 125), "SN 4G7-2291-0045", fill=(20, 20, 20))
    image.save(path, "PNG")


def _badge(page):
    return page.get_by_test_id("unread-messages")


def test_reviewer_and_importer_exchange_messages(page, shot, make_user, tmp_path):
    reviewer = make_user("reviewer", email="officer.reyes@cbp.example.gov")
    importer = make_user("importer", org="Journey Imports LLC", email="jo@journey-imports.example")
    make_user("rights_holder", org="Journey Brands Inc")

    # The reviewer starts the conversation; CBP picks the party organisation.
    sign_in(page, reviewer.email, reviewer.password)
    page.get_by_role("link", name="Messages").first.click()
    expect(page.get_by_role("heading", name="Messages", exact=True)).to_be_visible()
    expect(page.get_by_text("No conversations yet")).to_be_visible()
    shot(page, "messages-01-reviewer-empty-inbox")

    page.get_by_role("link", name="New conversation").click()
    page.get_by_role("button", name="Send").click()
    expect(page.locator("#organization_id-error")).to_contain_text("Choose who to write to.")
    expect(page.locator("#subject-error")).to_be_visible()
    shot(page, "messages-02-new-conversation-errors")

    page.get_by_label("Write to").select_option(label="Journey Imports LLC")
    page.get_by_label("Subject").fill("Invoices for your enrollment application")
    page.get_by_label("Message").fill("Thank you for applying. Please send the invoices from your authorised "
                                      "distributors for the last six months.\n\nRiley, CBP Greenlane team")
    shot(page, "messages-03-new-conversation")
    page.get_by_role("button", name="Send").click()
    expect(page.get_by_text("Your message has been sent to Journey Imports LLC.")).to_be_visible()
    expect(page.get_by_role("heading", name="Invoices for your enrollment application")).to_be_visible()
    shot(page, "messages-04-thread-started")
    sign_out(page)

    # The importer sees the badge, opens the inbox and the thread, and replies with a file.
    sign_in(page, importer.email, importer.password)
    expect(_badge(page)).to_have_text(re.compile(r"^1"))
    shot(page, "messages-05-importer-badge")
    page.get_by_role("link", name=re.compile(r"^Messages")).first.click()
    row = page.locator("tr.gl-unread")
    expect(row).to_contain_text("Invoices for your enrollment application")
    expect(row).to_contain_text("1 new")
    shot(page, "messages-06-importer-inbox")
    row.get_by_role("link").click()
    expect(page.locator(".gl-message--new")).to_contain_text("Please send the invoices")
    expect(_badge(page)).to_have_count(0)
    invoice = tmp_path / "invoices-2026.pdf"
    invoice.write_bytes(PDF)
    photo = tmp_path / "serial-label.png"
    _label_photo(photo)
    page.get_by_label("Your reply").fill("Here are the invoices from our two distributors in Osaka, and a photo of "
                                         "the serial label on one of the watches.")
    page.locator("input#attachments").set_input_files([str(invoice), str(photo)])
    shot(page, "messages-07-importer-replying")
    page.get_by_role("button", name="Send reply").click()
    expect(page.get_by_text("Your reply has been sent.")).to_be_visible()
    expect(page.get_by_role("link", name="invoices-2026.pdf")).to_be_visible()
    expect(page.get_by_role("link", name="serial-label.png")).to_be_visible()
    shot(page, "messages-08-importer-replied")
    sign_out(page)

    # The reviewer sees the reply, then closes the conversation.
    sign_in(page, reviewer.email, reviewer.password)
    expect(_badge(page)).to_have_text(re.compile(r"^1"))
    page.get_by_role("link", name=re.compile(r"^Messages")).first.click()
    shot(page, "messages-09-reviewer-inbox")
    page.get_by_role("link", name="Invoices for your enrollment application").click()
    expect(page.locator(".gl-message--new")).to_contain_text("two distributors in Osaka")
    expect(page.get_by_role("link", name="invoices-2026.pdf")).to_be_visible()
    shot(page, "messages-10-reviewer-sees-reply")
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="Close conversation").click()
    expect(page.get_by_role("heading", name="This conversation is closed")).to_be_visible()
    shot(page, "messages-11-closed")
