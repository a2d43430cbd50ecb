"""Structured product identification guides: rights holders write, revise (versions kept) and illustrate
their own; reviewers search them by mark, HTS code and sector; nobody else reads them; bad input is 422."""

from __future__ import annotations

import io

import pytest
from sqlalchemy import select

from core.audit import AuditEntry
from core.extensions import db
from standards.models import GuideVersion
from tests.standards.conftest import png_bytes

BODY = {
    "title": "Lumen Pro earbuds (2026 line)",
    "marks": ["TMK 21-00123"],
    "hts_prefixes": ["8518.30", "851762"],
    "genuine_features": "Laser-etched logo on the left bud; charging case hinge is metal.",
    "packaging_labels": "Matte box with a holographic seal across the lid.",
    "serial_formats": "LMN-YYWW-NNNNNN on the case, under the hinge; UPC 0 12345 67890 5.",
    "counterfeit_tells": "Printed (not etched) logo; plastic hinge; serial repeated across units.",
    "contact_name": "Lumen Brand Protection",
    "contact_email": "brandprotection@lumen.example",
    "contact_phone": "+1 555 0100",
    "service_hours": 24,
}


@pytest.fixture
def marks(world):
    """Two marks of Lumen (the world's rights holder) and one of Acme."""
    world.mark("TMK 21-00123", sectors=("consumer_electronics",), text="LUMEN")
    world.mark("TMK 21-00124", sectors=("mobile_devices",), text="LUMEN PRO")
    world.mark("TMK 22-00999", owner=world.other_rights, sectors=("handbags_accessories",), text="ACME")


@pytest.fixture
def rights_api(api_as, world):
    """The world's rights holder with a token."""
    return api_as(world.rights)


def _write(api, **changes):
    response = api.post("/api/v1/guides", json={**BODY, **changes})
    assert response.status_code == 201, response.json
    return response.json


def test_rights_holder_writes_a_guide_with_every_section(rights_api, marks, app):
    guide = _write(rights_api)
    current = guide["current"]
    assert (guide["current_version"], current["version"]) == (1, 1)
    assert current["hts_prefixes"] == ["851830", "851762"]
    assert current["sectors"] == ["consumer_electronics"]  # default: the marks' sectors
    assert current["authentication"] == {"contact_name": "Lumen Brand Protection", "email": "brandprotection@lumen.example",
                                         "phone": "+1 555 0100", "service_hours": 24}
    with app.app_context():
        entry = db.session.scalar(select(AuditEntry).where(AuditEntry.entity_type == "identification_guide"))
        assert entry.action == "identification_guide.create"


def test_revision_is_a_new_version_and_the_old_one_is_kept(rights_api, marks, api_as, world):
    guide = _write(rights_api)
    image = rights_api.post(f"/api/v1/guides/{guide['id']}/images", content_type="multipart/form-data",
                            data={"file": (io.BytesIO(png_bytes((300, 200))), "logo.png"), "caption": "Etched logo",
                                  "section": "genuine_features"})
    assert image.status_code == 201, image.json
    revised = rights_api.post(f"/api/v1/guides/{guide['id']}/versions",
                              json={**BODY, "serial_formats": "LMN-YYWW-NNNNNNN (seven digits from 2027).",
                                    "change_note": "Longer serials."})
    assert revised.status_code == 201
    assert revised.json["current_version"] == 2
    assert [i["caption"] for i in revised.json["current"]["images"]] == ["Etched logo"]
    old = api_as(world.reviewer).get(f"/api/v1/guides/{guide['id']}/versions/1").json
    assert old["serial_formats"] == BODY["serial_formats"]
    assert [v["version"] for v in revised.json["versions"]] == [1, 2]
    picture = api_as(world.reviewer).get(revised.json["current"]["images"][0]["url"])
    picture.close()
    assert picture.status_code == 200 and picture.mimetype == "image/png"


@pytest.mark.parametrize(("query", "expected"), [
    ("recordation_number=TMK%2021-00123", ["Lumen Pro earbuds (2026 line)"]),
    ("recordation_number=tmk%2021-00124", ["Lumen phones"]),
    ("hts=8518.30.2000", ["Lumen Pro earbuds (2026 line)"]),
    ("hts=8517620090", ["Lumen Pro earbuds (2026 line)"]),
    ("hts=85", ["Lumen Pro earbuds (2026 line)", "Lumen phones"]),
    ("hts=4202", []),
    ("sector=mobile_devices", ["Lumen phones"]),
    ("recordation_number=TMK%2021-00123&hts=9102", []),
    ("q=phones", ["Lumen phones"]),
    ("", ["Lumen Pro earbuds (2026 line)", "Lumen phones"]),
])
def test_reviewers_search_guides_by_mark_hts_and_sector(rights_api, marks, api_as, world, query, expected):
    _write(rights_api)
    _write(rights_api, title="Lumen phones", marks=["TMK 21-00124"], hts_prefixes=["851713"])
    response = api_as(world.reviewer).get(f"/api/v1/guides?{query}")
    assert response.status_code == 200
    assert [g["current"]["title"] for g in response.json["items"]] == expected


def test_search_input_is_checked(api_as, world):
    reviewer = api_as(world.reviewer)
    assert reviewer.get("/api/v1/guides?recordation_number=nonsense").status_code == 422
    assert reviewer.get("/api/v1/guides?hts=85x").status_code == 422


def test_withdrawn_guides_are_not_found(rights_api, marks, api_as, world):
    guide = _write(rights_api)
    assert rights_api.post(f"/api/v1/guides/{guide['id']}/withdraw").status_code == 200
    assert rights_api.post(f"/api/v1/guides/{guide['id']}/withdraw").status_code == 409
    reviewer = api_as(world.reviewer)
    assert reviewer.get("/api/v1/guides").json["items"] == []
    assert reviewer.get(f"/api/v1/guides/{guide['id']}").status_code == 404


@pytest.mark.parametrize(("who", "status"), [("reviewer", 200), ("rights", 200), ("other_rights", 404)])
def test_who_reads_a_guide(rights_api, marks, api_as, world, who, status):
    guide = _write(rights_api)
    assert api_as(world.by_role(who)).get(f"/api/v1/guides/{guide['id']}").status_code == status


@pytest.mark.parametrize("who", ["importer", "group", "admin"])
def test_parties_other_than_rights_holders_cannot_search(api_as, world, who):
    assert api_as(world.by_role(who)).get("/api/v1/guides").status_code == 403


def test_rights_holders_search_only_their_own(rights_api, marks, api_as, world):
    _write(rights_api)
    other = api_as(world.other_rights)
    _write(other, title="Acme bags", marks=["TMK 22-00999"], hts_prefixes=["4202"])
    assert [g["current"]["title"] for g in other.get("/api/v1/guides").json["items"]] == ["Acme bags"]
    assert other.post(f"/api/v1/guides/{rights_api.get('/api/v1/guides').json['items'][0]['id']}/versions",
                      json=BODY).status_code == 404


@pytest.mark.parametrize(("changes", "field"), [
    ({"title": ""}, "title"),
    ({"marks": []}, "marks"),
    ({"marks": ["TMK 22-00999"]}, "marks"),  # another organisation's mark
    ({"marks": ["nonsense"]}, "marks"),
    ({"hts_prefixes": ["8"]}, "hts_prefixes"),
    ({"hts_prefixes": ["85ab"]}, "hts_prefixes"),
    ({"sectors": ["no_such_sector"]}, "sectors"),
    ({"service_hours": 0}, "service_hours"),
    ({"genuine_features": "", "packaging_labels": "", "serial_formats": "", "counterfeit_tells": ""}, "genuine_features"),
    ({"counterfeit_tells": "a\x00b"}, "counterfeit_tells"),
    ({"contact_email": "nobody"}, "contact_email"),
])
def test_bad_guides_are_422_naming_the_field(rights_api, marks, app, changes, field):
    response = rights_api.post("/api/v1/guides", json={**BODY, **changes})
    assert response.status_code == 422, response.json
    assert field in response.json["errors"]["json"]
    with app.app_context():
        assert db.session.scalar(select(GuideVersion)) is None


def test_bad_images_are_refused(rights_api, marks):
    guide = _write(rights_api)
    url = f"/api/v1/guides/{guide['id']}/images"
    no_caption = rights_api.post(url, content_type="multipart/form-data",
                                 data={"file": (io.BytesIO(png_bytes()), "a.png"), "caption": ""})
    assert no_caption.status_code == 422
    pdf = rights_api.post(url, content_type="multipart/form-data",
                          data={"file": (io.BytesIO(b"%PDF-1.4\n%%EOF\n"), "a.png"), "caption": "x"})
    assert pdf.status_code == 422 and "file" in pdf.json["errors"]["json"]


def test_guide_pages_write_search_and_read(client, login, world, marks):
    login(world.rights)
    form = {**{k: v for k, v in BODY.items() if k not in ("marks", "hts_prefixes")}, "marks": ["TMK 21-00123"],
            "hts_prefixes": "8518.30, 851762"}
    saved = client.post("/product-guides/new", data=form)
    assert saved.status_code == 302, saved.text
    page = client.get(saved.headers["Location"])
    assert "Laser-etched logo" in page.text and "24 hours" in page.text
    bad = client.post("/product-guides/new", data={**form, "marks": []})
    assert bad.status_code == 422
    client.post("/logout")
    login(world.reviewer)
    found = client.get("/product-guides?recordation_number=TMK+21-00123&hts=8518302000")
    assert found.status_code == 200 and "Lumen Pro earbuds" in found.text
    assert client.get("/product-guides?hts=nonsense").status_code == 422
    client.post("/logout")
    login(world.importer)
    assert client.get("/product-guides").status_code == 403


def test_a_bad_picture_on_the_page_is_a_422_naming_the_field(client, login, world, marks):
    """The page's picture form sent without a file grew its own error list without end (found by a web-form fuzz:
    one such request took a worker's memory until it was killed)."""
    login(world.rights)
    form = {**{k: v for k, v in BODY.items() if k not in ("marks", "hts_prefixes")}, "marks": ["TMK 21-00123"],
            "hts_prefixes": "8518.30, 851762"}
    guide_url = client.post("/product-guides/new", data=form).headers["Location"]
    response = client.post(f"{guide_url}/images", data={"caption": "", "section": "general"})
    assert response.status_code == 422
    assert response.text.count("Write a caption.") == 1  # the caption's message, shown once
