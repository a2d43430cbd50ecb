"""Photographic guides: rights holders upload them (sniffed, size-capped, thumbnailed); reviewers see them."""

from __future__ import annotations

import io

import pytest
from PIL import Image
from sqlalchemy import func, select

from core.extensions import db
from core.uploads import StoredFile, file_path
from standards.models import PhotoGuide
from tests.standards.conftest import PDF_BYTES, png_bytes

EXECUTABLE = (b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 48
              + b"PE\x00\x00" + b"\x00" * 200)


def upload(client, mark_id, data, filename="guide.png", sector="consumer_electronics",
           title="Label position"):
    return client.post(f"/marks/{mark_id}/guides", data={
        "sector": sector, "title": title, "description": "Back of the device",
        "file": (io.BytesIO(data), filename)}, content_type="multipart/form-data")


def status_of(client, url) -> int:
    """GET ``url`` and close the response (file responses hold the file open until closed)."""
    response = client.get(url)
    response.close()
    return response.status_code


def guide_count(app) -> int:
    with app.app_context():
        count = db.session.scalar(select(func.count()).select_from(PhotoGuide))
        db.session.remove()
    return count


@pytest.fixture
def mark_id(world):
    return world.mark("TMK 21-00123", sectors=["consumer_electronics", "mobile_devices"])


def test_owner_uploads_an_image_and_gets_a_thumbnail(world, mark_id, login, app):
    client = login(world.rights)
    response = upload(client, mark_id, png_bytes((1600, 1200)))
    assert response.status_code == 302
    with app.app_context():
        guide = db.session.scalar(select(PhotoGuide))
        assert guide.file.content_type == "image/png" and guide.thumbnail is not None
        with Image.open(file_path(guide.thumbnail)) as thumb:
            assert max(thumb.size) == 320
        assert guide.organization_id == world.rights.organization_id
    page = client.get(f"/marks/{mark_id}")
    assert "Label position" in page.text
    assert status_of(client, f"/guides/{guide.id}/thumbnail") == 200


def test_a_pdf_guide_has_no_thumbnail(world, mark_id, login, app):
    client = login(world.rights)
    assert upload(client, mark_id, PDF_BYTES, filename="guide.pdf").status_code == 302
    with app.app_context():
        guide = db.session.scalar(select(PhotoGuide))
        assert guide.file.content_type == "application/pdf" and guide.thumbnail_id is None
    thumb = client.get(f"/guides/{guide.id}/thumbnail")
    assert thumb.status_code == 302 and thumb.headers["Location"].endswith("file-pdf.svg")
    download = client.get(f"/guides/{guide.id}/file")
    download.close()
    assert download.status_code == 200 and "attachment" in download.headers["Content-Disposition"]


def test_a_renamed_executable_is_refused(world, mark_id, login, app):
    client = login(world.rights)
    response = upload(client, mark_id, EXECUTABLE, filename="guide.png")
    assert response.status_code == 422
    assert "Content is not JPG, PDF, PNG" in response.text
    assert guide_count(app) == 0


def test_an_oversize_file_is_refused(world, mark_id, login, app, monkeypatch):
    monkeypatch.setitem(app.config, "UPLOAD_MAX_BYTES", 1024)
    client = login(world.rights)
    response = upload(client, mark_id, png_bytes((400, 400), colour="red") + b"\x00" * 2048)
    assert response.status_code == 422
    assert "File too large" in response.text
    assert guide_count(app) == 0


def test_a_file_that_only_looks_like_an_image_is_refused_and_not_left_behind(world, mark_id, login, app):
    client = login(world.rights)
    fake = b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + b"garbage" * 40
    response = upload(client, mark_id, fake)
    assert response.status_code == 422 and "Not a readable image" in response.text
    assert guide_count(app) == 0
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(StoredFile)) == 0


def test_the_sector_must_be_one_of_the_marks(world, mark_id, login, app):
    client = login(world.rights)
    response = upload(client, mark_id, png_bytes(), sector="handbags_accessories")
    assert response.status_code == 422
    assert guide_count(app) == 0


def test_another_rights_holder_cannot_upload_for_a_mark_it_does_not_own(world, mark_id, login, app):
    client = login(world.other_rights)
    assert upload(client, mark_id, png_bytes()).status_code == 403
    assert guide_count(app) == 0


@pytest.mark.parametrize(("who", "status"), [("reviewer", 200), ("rights", 200), ("other_rights", 404),
                                             ("importer", 403), ("group", 403), ("admin", 403)])
def test_who_may_open_a_guide(world, mark_id, login, who, status):
    guide_id = world.guide(mark_id)
    client = login(world.by_role(who))
    assert status_of(client, f"/guides/{guide_id}/file") == status
    assert status_of(client, f"/guides/{guide_id}/thumbnail") == status


def test_anonymous_users_are_sent_to_sign_in(world, mark_id, client):
    guide_id = world.guide(mark_id)
    response = client.get(f"/guides/{guide_id}/file")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_reviewers_see_guides_of_the_standards_sector_on_its_page(world, mark_id, login):
    world.guide(mark_id, sector="consumer_electronics")
    electronics = world.version("proposed")
    phones = world.version("proposed", sector="mobile_devices")
    reviewer = login(world.reviewer)
    page = reviewer.get(f"/standards/{electronics}").text
    assert "Photographic guides for Consumer electronics" in page and "Label position" in page
    assert "Label position" not in reviewer.get(f"/standards/{phones}").text


@pytest.mark.parametrize("who", ["importer", "group"])
def test_importers_and_industry_groups_do_not_see_guides(world, mark_id, login, who):
    world.guide(mark_id)
    vid = world.version("proposed")
    client = login(world.by_role(who))
    assert "Label position" not in client.get(f"/standards/{vid}").text
    assert "Label position" not in client.get(f"/marks/{mark_id}").text


def test_owner_removes_a_guide(world, mark_id, web_as):
    guide_id = world.guide(mark_id)
    reviewer_client = web_as(world.reviewer)
    assert reviewer_client.post(f"/guides/{guide_id}/remove").status_code == 403
    client = web_as(world.rights)
    assert client.post(f"/guides/{guide_id}/remove").status_code == 302
    assert status_of(client, f"/guides/{guide_id}/file") == 404
