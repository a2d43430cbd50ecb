"""Attachments: PDF/JPEG/PNG checked by content (a renamed executable is refused), stored through
core.uploads, downloadable only by the thread's party and CBP."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from core.audit import AuditEntry
from core.extensions import db
from core.uploads import StoredFile
from program.messages.models import MessageAttachment
from tests.program.messages.conftest import EXE_BYTES, PDF_BYTES, PNG_BYTES, upload


def _post_files(api, thread_id, *files, body=None):
    data = {"file": list(files)}
    if body is not None:
        data["body"] = body
    return api.post(f"/api/v1/threads/{thread_id}/attachments", data=data, content_type="multipart/form-data")


def test_api_upload_creates_a_message_with_the_files(app, api_as, parties, reviewer, start):
    thread = start(parties["importer"])
    api = api_as(parties["importer"])
    response = _post_files(api, thread["id"], upload(PDF_BYTES, "invoice.pdf"), upload(PNG_BYTES, "label.png"),
                           body="Invoices and a label photo")
    assert response.status_code == 201, response.json
    message = response.json
    assert message["body"] == "Invoices and a label photo"
    assert [(a["name"], a["content_type"]) for a in message["attachments"]] == [
        ("invoice.pdf", "application/pdf"), ("label.png", "image/png")]
    download = api_as(reviewer).get(message["attachments"][0]["url"])
    assert download.status_code == 200
    assert download.data == PDF_BYTES
    assert download.headers["Content-Type"] == "application/pdf"
    assert download.headers["X-Content-Type-Options"] == "nosniff"
    assert "attachment" in download.headers["Content-Disposition"]
    download.close()
    with app.app_context():
        reply = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "thread.reply")).one()
        assert [a["name"] for a in reply.after["attachments"]] == ["invoice.pdf", "label.png"]


def test_files_without_text_are_a_message(api_as, parties, start):
    thread = start(parties["importer"])
    response = _post_files(api_as(parties["importer"]), thread["id"], upload(PNG_BYTES, "photo.png"))
    assert response.status_code == 201 and response.json["body"] == ""


@pytest.mark.parametrize(("data", "name"), [
    (EXE_BYTES, "invoice.pdf"),
    (EXE_BYTES, "photo.png"),
    (b"#!/bin/sh\nrm -rf /\n", "script.pdf"),
    (b"<html><script>alert(1)</script></html>", "page.png"),
])
def test_content_that_is_not_pdf_jpeg_or_png_is_refused(app, api_as, parties, start, data, name):
    thread = start(parties["importer"])
    response = _post_files(api_as(parties["importer"]), thread["id"], upload(data, name, "application/pdf"))
    assert response.status_code == 422
    assert "file" in response.json["errors"]["json"]
    with app.app_context():
        assert db.session.scalar(select(StoredFile.id)) is None
        assert db.session.scalar(select(MessageAttachment.message_id)) is None
        assert db.session.scalar(select(AuditEntry.id).where(AuditEntry.action == "thread.reply")) is None


def test_upload_needs_a_file_and_at_most_five(api_as, parties, start):
    thread = start(parties["importer"])
    api = api_as(parties["importer"])
    none = api.post(f"/api/v1/threads/{thread['id']}/attachments", data={"body": "no file"},
                    content_type="multipart/form-data")
    assert none.status_code == 422 and "file" in none.json["errors"]["json"]
    six = _post_files(api, thread["id"], *[upload(PNG_BYTES, f"p{i}.png") for i in range(6)])
    assert six.status_code == 422 and "file" in six.json["errors"]["json"]


def test_too_large_files_are_refused(app, api_as, parties, start):
    thread = start(parties["importer"])
    app.config["UPLOAD_MAX_BYTES"] = 64
    try:
        response = _post_files(api_as(parties["importer"]), thread["id"], upload(PDF_BYTES + b" " * 100, "big.pdf"))
    finally:
        app.config["UPLOAD_MAX_BYTES"] = 10 * 1024 * 1024
    assert response.status_code == 422 and "file" in response.json["errors"]["json"]


def test_no_uploads_to_a_closed_thread(api_as, parties, reviewer, start):
    thread = start(parties["importer"])
    api_as(reviewer).post(f"/api/v1/threads/{thread['id']}/close")
    response = _post_files(api_as(parties["importer"]), thread["id"], upload(PNG_BYTES, "p.png"))
    assert response.status_code == 409


def test_web_reply_with_attachment_and_download(client, login, parties, reviewer, start):
    thread = start(reviewer, organization_id=parties["importer"].organization_id)
    login(parties["importer"])
    response = client.post(f"/messages/{thread['id']}/reply", content_type="multipart/form-data",
                           data={"body": "Here is the certificate", "attachments": [upload(PDF_BYTES, "cert.pdf")]})
    assert response.status_code == 302
    page = client.get(f"/messages/{thread['id']}").text
    assert "Here is the certificate" in page and "cert.pdf" in page
    link = re.search(r'href="(/messages/\d+/files/\d+)"', page).group(1)
    download = client.get(link)
    assert download.status_code == 200 and download.data == PDF_BYTES
    download.close()


def test_web_reply_with_renamed_executable_shows_the_error(client, login, parties, reviewer, start):
    thread = start(reviewer, organization_id=parties["importer"].organization_id)
    login(parties["importer"])
    response = client.post(f"/messages/{thread['id']}/reply", content_type="multipart/form-data",
                           data={"body": "see file", "attachments": [upload(EXE_BYTES, "cert.pdf", "application/pdf")]})
    assert response.status_code == 422
    assert 'id="attachments-error"' in response.text
    assert "see file" in response.text  # what was typed is kept
    assert "see file" not in client.get(f"/messages/{thread['id']}").text.split('id="reply-heading"')[0]


def test_images_can_be_shown_inline_but_pdfs_never(client, login, api_as, parties, start):
    thread = start(parties["importer"])
    message = _post_files(api_as(parties["importer"]), thread["id"], upload(PNG_BYTES, "p.png"),
                          upload(PDF_BYTES, "d.pdf")).json
    png, pdf = (a["id"] for a in message["attachments"])
    login(parties["importer"])
    inline = client.get(f"/messages/{thread['id']}/files/{png}?inline=1")
    assert inline.status_code == 200 and "inline" in inline.headers["Content-Disposition"]
    forced = client.get(f"/messages/{thread['id']}/files/{pdf}?inline=1")
    assert "attachment" in forced.headers["Content-Disposition"]
    inline.close()
    forced.close()


def test_web_new_conversation_with_files_only(app, client, login, parties):
    login(parties["importer"])
    response = client.post("/messages/new", content_type="multipart/form-data",
                           data={"subject": "Our certificate", "body": "",
                                 "attachments": [upload(PDF_BYTES, "iso-9001.pdf"), upload(PNG_BYTES, "seal.png")]})
    assert response.status_code == 302
    page = client.get(response.headers["Location"]).text
    assert "iso-9001.pdf" in page and "seal.png" in page and 'class="gl-thumb"' in page
