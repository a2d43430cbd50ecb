"""Report IP theft pages: the public /report form (evidence, honeypot, size caps, limits) and the
reviewers' queue, allegation page and triage form; the importer's record shows referrals to reviewers only."""

from __future__ import annotations

import io
import re

import pytest
from sqlalchemy import select

from core.extensions import db
from core.uploads import StoredFile
from program.allegations.models import Allegation
from tests.program.messages.conftest import EXE_BYTES, PNG_BYTES

FORM = {"summary": "Fake Acme handbags at the flea market", "details": "Stall 12 sells Acme bags with crooked stitching.",
        "suspect_name": "Stall 12", "ports": "2704, 4601"}


def _post(client, data=None, files=(), **kwargs):
    payload = {**FORM, **(data or {})}
    if files:
        payload["evidence"] = [(io.BytesIO(b), name) for b, name in files]
    return client.post("/report", data=payload, content_type="multipart/form-data", **kwargs)


def test_report_page_is_public(client):
    page = client.get("/report")
    assert page.status_code == 200
    assert 'name="homepage"' in page.text and "Report IP theft" in page.text


def test_anonymous_report_with_evidence_gets_a_receipt(client, app):
    response = _post(client, files=[(PNG_BYTES, "stall.png")])
    assert response.status_code == 302 and response.headers["Location"].endswith("/report/received")
    thanks = client.get("/report/received")
    receipt = re.search(r"AL-2026-\d{6}", thanks.text).group(0)
    with app.app_context():
        allegation = db.session.scalar(select(Allegation))
        assert (allegation.receipt, allegation.channel, allegation.ports) == (receipt, "web", ["2704", "4601"])
        assert [e.file.content_type for e in allegation.evidence] == ["image/png"]
        assert allegation.evidence[0].file.uploaded_by_id is None
    assert client.get("/report/received").status_code == 302  # shown once


def test_report_pages_and_the_receipt_are_never_stored(client):
    """No browser or proxy keeps the form, its answer after a submission, or the receipt (anonymous visitors
    get no Cache-Control otherwise)."""
    assert client.get("/report").headers["Cache-Control"] == "no-store"
    refused = _post(client, {"summary": ""})
    assert refused.status_code == 422 and refused.headers["Cache-Control"] == "no-store"
    sent = _post(client)
    assert sent.status_code == 302 and sent.headers["Cache-Control"] == "no-store"
    receipt = client.get("/report/received")
    assert re.search(r"AL-2026-\d{6}", receipt.text) and receipt.headers["Cache-Control"] == "no-store"
    assert receipt.headers["Pragma"] == "no-cache"
    assert client.get("/report/received").headers["Cache-Control"] == "no-store"  # the redirect back too
    assert "no-store" not in client.get("/").headers.get("Cache-Control", "")  # other public pages unchanged


def test_honeypot_keeps_nothing_but_thanks_as_usual(client, app):
    response = _post(client, {"homepage": "http://spam.example"}, follow_redirects=True)
    assert response.status_code == 200 and re.search(r"AL-\d{4}-\d{6}", response.text)
    with app.app_context():
        assert db.session.scalar(select(Allegation)) is None


@pytest.mark.parametrize(("data", "files", "message"), [
    ({"summary": ""}, (), "Write a one-line summary."),
    ({"details": ""}, (), "Describe what you saw."),
    ({"ports": "27O4"}, (), "Not a four-digit port code"),
    ({"reporter_email": "nope"}, (), "email address"),
    ({}, [(EXE_BYTES, "photo.png")], "Content is not"),
    ({}, [(PNG_BYTES, f"p{n}.png") for n in range(6)], "at most 5 files"),
    ({"summary": "bad\x00byte"}, (), "NUL"),
])
def test_bad_input_is_422_with_the_field_named_and_nothing_kept(client, app, data, files, message):
    response = _post(client, data, files)
    assert response.status_code == 422
    assert message in response.text
    with app.app_context():
        assert db.session.scalar(select(Allegation)) is None
        assert db.session.scalar(select(StoredFile)) is None


def test_oversized_evidence_and_requests_are_refused(client, app, monkeypatch):
    monkeypatch.setitem(app.config, "ALLEGATION_EVIDENCE_MAX_BYTES", 1024)
    response = _post(client, files=[(PNG_BYTES + b"\x00" * 2048, "big.png")])
    assert response.status_code == 422 and "File too large." in response.text
    monkeypatch.setitem(app.config, "ALLEGATION_REQUEST_MAX_BYTES", 4096)
    huge = client.post("/report", data=b"x" * 8192, content_type="multipart/form-data; boundary=x")
    assert huge.status_code == 413
    with app.app_context():
        assert db.session.scalar(select(Allegation)) is None


def test_report_page_is_rate_limited_per_address(client):
    codes = [_post(client, environ_base={"REMOTE_ADDR": "203.0.113.9"}).status_code for _ in range(21)]
    assert codes[:20] == [302] * 20 and codes[20] == 429


def test_reviewer_triages_and_refers_on_the_page(client, app, make_user, login, file_report, allegation_id):
    aid = allegation_id(file_report())
    importer = make_user("importer", org="Accused Imports LLC")
    login(make_user("reviewer"))
    queue = client.get("/allegations")
    assert queue.status_code == 200 and "Counterfeit Acme watches" in queue.text
    page = client.get(f"/allegations/{aid}")
    assert "Accused Imports LLC" in page.text and "Anonymous." in page.text
    missing = client.post(f"/allegations/{aid}/triage", data={"status": "referred", "note": "x"})
    assert missing.status_code == 422 and "Name the importer" in missing.text
    done = client.post(f"/allegations/{aid}/triage", data={"status": "referred", "note": "Refer to port 2704.",
                                                          "organization_id": str(importer.organization_id)})
    assert done.status_code == 302
    with app.app_context():
        allegation = db.session.get(Allegation, aid)
        assert (allegation.status, allegation.organization_id) == ("referred", importer.organization_id)
    assert client.get("/allegations?status=referred").text.count(f"/allegations/{aid}") == 1


@pytest.mark.parametrize("role", ["importer", "rights_holder", "industry_group", "admin"])
def test_triage_pages_are_for_reviewers_only(client, make_user, login, file_report, allegation_id, role):
    aid = allegation_id(file_report())
    login(make_user(role))
    assert client.get("/allegations").status_code == 403
    assert client.get(f"/allegations/{aid}").status_code == 403
    assert client.post(f"/allegations/{aid}/triage", data={"status": "closed", "note": "x"}).status_code == 403


def test_importer_record_shows_referrals_to_reviewers_only(client, make_user, login, enroll, importer_api,
                                                            reviewer_api, file_report, allegation_id):
    enrollment = enroll("submitted")
    aid = allegation_id(file_report(reporter={"name": "Rita Reporter"}))
    reviewer_api.post(f"/api/v1/allegations/{aid}/triage", json={"status": "referred", "note": "Refer",
                                                                 "organization_id": importer_api.user.organization_id})
    login(make_user("reviewer"))
    review = client.get(f"/review/enrollments/{enrollment['id']}")
    assert review.status_code == 200 and "Referred allegations" in review.text
    client.post("/logout")
    login(importer_api.user)
    own = client.get(f"/enrollment/{enrollment['id']}")
    assert own.status_code == 200
    assert "allegation" not in own.text.lower() and "Rita" not in own.text
