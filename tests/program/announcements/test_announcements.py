"""Program announcements: reviewers publish to everyone or one sector's participants; parties see those
meant for them (API and home page); primary contacts are e-mailed through the outbox."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from core.extensions import db
from core.notifications import OutboxMessage


def _recipients(app, topic="announcement.publish") -> set[str]:
    with app.app_context():
        return set(db.session.scalars(select(OutboxMessage.recipient).where(OutboxMessage.topic == topic)))


def test_publish_to_everyone_reaches_every_party(app, enroll, importer_api, reviewer_api, api_as):
    enroll("submitted")  # primary contact pat@acme-imports.example
    rights = api_as("rights_holder")
    made = reviewer_api.post("/api/v1/announcements", json={"title": "Holiday hours", "body": "Ports close at noon."})
    assert made.status_code == 201 and made.json["sector"] is None
    recipients = _recipients(app)
    assert "pat@acme-imports.example" in recipients and rights.user.email in recipients
    assert [a["title"] for a in importer_api.get("/api/v1/announcements").json["items"]] == ["Holiday hours"]
    assert [a["title"] for a in rights.get("/api/v1/announcements").json["items"]] == ["Holiday hours"]


def test_sector_announcements_reach_only_that_sectors_participants(app, enroll, importer_api, reviewer_api, api_as):
    enroll("submitted")  # sectors: apparel_footwear, consumer_electronics, mobile_devices
    other = api_as("importer")
    made = reviewer_api.post("/api/v1/announcements", json={"title": "Phones", "body": "New IMEI checks.",
                                                             "sector": "mobile_devices"})
    assert made.status_code == 201
    assert _recipients(app) == {"pat@acme-imports.example"}
    assert [a["title"] for a in importer_api.get("/api/v1/announcements").json["items"]] == ["Phones"]
    assert other.get("/api/v1/announcements").json["items"] == []
    reviewer_api.post("/api/v1/announcements", json={"title": "Toys", "body": "x", "sector": "toys_games"})
    assert [a["title"] for a in importer_api.get("/api/v1/announcements").json["items"]] == ["Phones"]
    assert len(reviewer_api.get("/api/v1/announcements").json["items"]) == 2


@pytest.mark.parametrize(("body", "field"), [
    ({"title": "", "body": "x"}, "title"), ({"title": "x", "body": ""}, "body"),
    ({"title": "x", "body": "a\x00"}, "body"), ({"title": "x", "body": "y", "sector": "nope"}, "sector"),
])
def test_bad_announcements_are_422(reviewer_api, body, field):
    response = reviewer_api.post("/api/v1/announcements", json=body)
    assert response.status_code == 422 and field in response.json["errors"]["json"]


@pytest.mark.parametrize("role", ["importer", "rights_holder", "industry_group", "admin"])
def test_only_reviewers_publish(api_as, role):
    assert api_as(role).post("/api/v1/announcements", json={"title": "x", "body": "y"}).status_code == 403


def test_announcements_on_home_and_pages(client, login, make_user, reviewer_api):
    reviewer_api.post("/api/v1/announcements", json={"title": "System maintenance", "body": "Saturday 02:00-04:00."})
    importer = make_user("importer")
    login(importer)
    assert "System maintenance" in client.get("/home").text
    assert "System maintenance" in client.get("/announcements").text
    assert client.post("/announcements", data={"title": "x", "body": "y"}).status_code == 403
    client.post("/logout")
    login(make_user("reviewer"))
    sent = client.post("/announcements", data={"title": "Lab results", "body": "Faster.", "sector": ""})
    assert sent.status_code == 302
    assert client.post("/announcements", data={"title": "", "body": ""}).status_code == 422
