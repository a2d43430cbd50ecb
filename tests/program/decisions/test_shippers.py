"""The known violative shippers list: reviewer page (add, CSV load all-or-nothing, remove), CLI load, access."""

from __future__ import annotations

import io

import pytest
from sqlalchemy import func, select

from core.extensions import db
from program.decisions.models import ViolativeShipper


@pytest.fixture
def reviewer_web(app, make_user):
    user = make_user("reviewer")
    client = app.test_client()
    assert client.post("/login", data={"email": user.email, "password": user.password}).status_code == 302
    return client


def _names(app) -> list[str]:
    with app.app_context():
        names = list(db.session.scalars(select(ViolativeShipper.name).order_by(ViolativeShipper.id)))
        db.session.remove()
    return names


def test_reviewer_page_adds_loads_and_removes(app, reviewer_web):
    assert reviewer_web.get("/review/violative-shippers").status_code == 200
    added = reviewer_web.post("/review/violative-shippers", data={"name": "Bright Star Wholesale Ltd", "country": "HK",
                                                                  "reason": "Test purchases."})
    assert added.status_code == 302
    bad_country = reviewer_web.post("/review/violative-shippers", data={"name": "X", "country": "ZZ", "reason": "y"})
    assert bad_country.status_code == 422 and "two-letter country code" in bad_country.text
    csv_text = "name,country,reason\nGlobal Replica Outlet,,Allegation.\n,CN,No name\nNordic Parcel,XX,bad\n"
    refused = reviewer_web.post("/review/violative-shippers/import", data={"file": (io.BytesIO(csv_text.encode()), "s.csv")},
                                content_type="multipart/form-data")
    assert refused.status_code == 422
    assert "Row 3 (name): Required." in refused.text and "Row 4 (country)" in refused.text
    assert _names(app) == ["Bright Star Wholesale Ltd"]
    good = "name,country,reason\nGlobal Replica Outlet,,Allegation.\nNordic Parcel,se,Seizures.\n"
    loaded = reviewer_web.post("/review/violative-shippers/import", data={"file": (io.BytesIO(good.encode()), "s.csv")},
                               content_type="multipart/form-data")
    assert loaded.status_code == 302
    assert _names(app) == ["Bright Star Wholesale Ltd", "Global Replica Outlet", "Nordic Parcel"]
    page = reviewer_web.get("/review/violative-shippers?q=nordic").text
    assert "Nordic Parcel" in page and "Bright Star" not in page
    with app.app_context():
        shipper_id = db.session.scalar(select(ViolativeShipper.id).where(ViolativeShipper.name == "Nordic Parcel"))
        db.session.remove()
    assert reviewer_web.post(f"/review/violative-shippers/{shipper_id}/remove").status_code == 302
    assert "Nordic Parcel" not in _names(app)


@pytest.mark.parametrize("role", ["importer", "rights_holder", "industry_group", "admin"])
def test_only_reviewers_keep_the_list(app, make_user, api_as, role):
    client = api_as(role)
    assert client.get("/api/v1/violative-shippers").status_code == 403
    assert client.post("/api/v1/violative-shippers", json={"name": "A", "reason": "b"}).status_code == 403
    web = app.test_client()
    user = make_user(role)
    web.post("/login", data={"email": user.email, "password": user.password})
    assert web.get("/review/violative-shippers").status_code in (403, 404)


def test_cli_loads_all_rows_or_none(app, runner, tmp_path):
    source = tmp_path / "shippers.csv"
    source.write_text("name,country,reason\nA Trading,CN,x\nA Trading,CN,again\n")
    result = runner.invoke(args=["decisions", "shippers-import", str(source)])
    assert result.exit_code == 1 and "row 3: name: Same shipper as row 2." in result.output
    source.write_text("name,country,reason\nA Trading,CN,x\nB Trading,,y\n")
    result = runner.invoke(args=["decisions", "shippers-import", str(source)])
    assert result.exit_code == 0 and "imported 2 shipper(s)" in result.output
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(ViolativeShipper)) == 2
        db.session.remove()
