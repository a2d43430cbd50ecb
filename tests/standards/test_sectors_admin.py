"""Sector administration: add, rename, change protection; delete only what nothing uses."""

from __future__ import annotations

from sqlalchemy import select

from core.audit import AuditEntry
from core.extensions import db
from standards.models import Sector
from standards.services.sectors import sector_usage
from tests.conftest import ApiClient


def sector(app, code):
    with app.app_context():
        row = db.session.get(Sector, code)
        result = row.to_dict() if row else None
        db.session.remove()
    return result


def test_admin_adds_a_sector_that_the_api_then_lists(world, web_as, app, client, token_for):
    admin = web_as(world.admin)
    response = admin.post("/admin/sectors", data={"code": "bicycles", "name": "Bicycles and parts",
                                                  "heightened_protection": ""})
    assert response.status_code == 302
    assert sector(app, "bicycles") == {"code": "bicycles", "name": "Bicycles and parts",
                                       "heightened_protection": False, "hts_prefixes": []}
    codes = [s["code"] for s in ApiClient(client, token_for(world.importer)).get("/api/v1/sectors").json]
    assert "bicycles" in codes
    with app.app_context():
        assert db.session.scalar(select(AuditEntry.action).where(AuditEntry.entity_type == "sector")) == (
            "sector.create")


def test_bad_or_duplicate_sectors_are_refused_naming_the_field(world, web_as):
    admin = web_as(world.admin)
    bad = admin.post("/admin/sectors", data={"code": "Bad Code!", "name": "Bad"})
    assert bad.status_code == 422 and "lower-case letters" in bad.text
    taken = admin.post("/admin/sectors", data={"code": "toys_games", "name": "Toys again"})
    assert taken.status_code == 422 and "Already in use" in taken.text
    same_name = admin.post("/admin/sectors", data={"code": "toys2", "name": "toys and games"})
    assert same_name.status_code == 422


def test_admin_renames_and_changes_protection(world, web_as, app):
    admin = web_as(world.admin)
    assert admin.get("/admin/sectors/toys_games").status_code == 200
    response = admin.post("/admin/sectors/toys_games", data={"name": "Toys, games and puzzles",
                                                             "heightened_protection": "y"})
    assert response.status_code == 302
    assert sector(app, "toys_games") == {"code": "toys_games", "name": "Toys, games and puzzles",
                                         "heightened_protection": True, "hts_prefixes": ["9503", "9504"]}


def test_admin_keeps_the_hts_prefixes_the_api_lists(world, web_as, app, client, token_for):
    admin = web_as(world.admin)
    assert "9503, 9504" in admin.get("/admin/sectors/toys_games").text
    response = admin.post("/admin/sectors/toys_games", data={"name": "Toys and games", "hts_prefixes": "9503 9504.10, 9505"})
    assert response.status_code == 302
    assert sector(app, "toys_games")["hts_prefixes"] == ["9503", "950410", "9505"]
    listed = {s["code"]: s for s in ApiClient(client, token_for(world.importer)).get("/api/v1/sectors").json}
    assert listed["toys_games"]["hts_prefixes"] == ["9503", "950410", "9505"]
    assert listed["pharmaceuticals"]["hts_prefixes"] == ["30"]
    bad = admin.post("/admin/sectors/toys_games", data={"name": "Toys and games", "hts_prefixes": "9, 95x3"})
    assert bad.status_code == 422 and "Not 2 to 10 digits: 9, 95x3" in bad.text
    added = admin.post("/admin/sectors", data={"code": "bicycles", "name": "Bicycles", "hts_prefixes": "8712, 8714"})
    assert added.status_code == 302 and sector(app, "bicycles")["hts_prefixes"] == ["8712", "8714"]


def test_a_sector_in_use_is_never_deleted(world, web_as, app):
    world.mark("TMK 21-00123", sectors=["consumer_electronics"])
    world.version("draft", sector="consumer_electronics")
    with app.app_context():
        assert sector_usage("consumer_electronics") == {"mark_sector": 1, "standard_version": 1}
    admin = web_as(world.admin)
    page = admin.get("/admin/sectors/consumer_electronics")
    assert "is in use and cannot be deleted" in page.text and "Delete sector" not in page.text
    response = admin.post("/admin/sectors/consumer_electronics/delete")
    assert response.status_code == 302
    assert sector(app, "consumer_electronics") is not None
    assert "in use and cannot be deleted" in admin.get(response.headers["Location"]).text


def test_an_unused_sector_is_deleted(world, web_as, app):
    admin = web_as(world.admin)
    admin.post("/admin/sectors", data={"code": "bicycles", "name": "Bicycles"})
    response = admin.post("/admin/sectors/bicycles/delete")
    assert response.status_code == 302
    assert sector(app, "bicycles") is None
    assert admin.get("/admin/sectors/bicycles").status_code == 404


def test_only_admins_manage_sectors(world, web_as):
    for who in ("reviewer", "importer", "rights", "group"):
        client = web_as(world.by_role(who))
        assert client.get("/admin/sectors").status_code == 403
        assert client.post("/admin/sectors", data={"code": "x_y", "name": "X"}).status_code == 403
