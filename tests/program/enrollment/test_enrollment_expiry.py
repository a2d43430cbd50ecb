"""Expiry: the daily ``enrollments expire`` command, and lazy expiry when an approved enrollment past
its validity is read (API, pages, public register) — always through the service, so history is real."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import update

from core.extensions import db
from core.timeutil import today
from program.enrollment.models import Enrollment


@pytest.fixture
def lapse(app):
    """Set an enrollment's validity to have ended ``days`` ago (the clock moving on, for the test)."""

    def factory(enrollment_id: int, days: int = 1) -> None:
        with app.app_context():
            db.session.execute(update(Enrollment).where(Enrollment.id == enrollment_id)
                               .values(valid_until=today() - timedelta(days=days)))
            db.session.commit()

    return factory


def test_expire_command(runner, reviewer_api, enroll, lapse, api_as):
    due = enroll("approved")
    current = enroll("approved", api=api_as("importer"), ior_number="98-7654321")
    lapse(due["id"])
    result = runner.invoke(args=["enrollments", "expire"])
    assert result.exit_code == 0, result.output
    assert f"expired enrollment {due['id']} {due['program_id']}" in result.output
    assert "1 enrollment(s) expired" in result.output
    body = reviewer_api.get(f"/api/v1/enrollments/{due['id']}").json
    assert body["status"] == "expired" and body["program_id"] == due["program_id"]
    last = body["history"][-1]
    assert last["status"] == "expired" and last["by"] == "Greenlane (automatic)" and "valid until" in last["reason"]
    assert reviewer_api.get(f"/api/v1/enrollments/{current['id']}").json["status"] == "approved"
    assert "0 enrollment(s) expired" in runner.invoke(args=["enrollments", "expire"]).output


def test_expire_command_as_of_a_date(runner, reviewer_api, enroll):
    approved = enroll("approved")
    until = date.fromisoformat(approved["valid_until"])
    assert "0 enrollment(s)" in runner.invoke(args=["enrollments", "expire", "--as-of", until.isoformat()]).output
    later = (until + timedelta(days=1)).isoformat()
    assert "1 enrollment(s)" in runner.invoke(args=["enrollments", "expire", "--as-of", later]).output


def test_valid_on_its_last_day(reviewer_api, enroll, lapse):
    approved = enroll("approved")
    lapse(approved["id"], days=0)
    assert reviewer_api.get(f"/api/v1/enrollments/{approved['id']}").json["status"] == "approved"


def test_lazy_expiry_on_get(importer_api, enroll, lapse):
    approved = enroll("approved")
    lapse(approved["id"])
    body = importer_api.get(f"/api/v1/enrollments/{approved['id']}").json
    assert body["status"] == "expired"
    assert [h["status"] for h in body["history"]][-2:] == ["approved", "expired"]
    again = importer_api.get(f"/api/v1/enrollments/{approved['id']}").json
    assert len(again["history"]) == len(body["history"])  # expired once, and committed


def test_lazy_expiry_on_list(importer_api, enroll, lapse):
    approved = enroll("approved")
    lapse(approved["id"])
    assert importer_api.get("/api/v1/enrollments?status=approved").json["total"] == 0
    assert importer_api.get("/api/v1/enrollments?status=expired").json["items"][0]["id"] == approved["id"]


def test_lazy_expiry_on_the_public_register(client, enroll, lapse):
    approved = enroll("approved")
    assert client.get(f"/api/v1/public/importers/{approved['program_id']}").status_code == 200
    lapse(approved["id"])
    assert client.get(f"/api/v1/public/importers/{approved['program_id']}").status_code == 404


def test_lazy_expiry_on_the_home_page_offers_renewal(client, login, importer_api, enroll, lapse):
    approved = enroll("approved")
    lapse(approved["id"])
    from tests.conftest import UserRef

    user = importer_api.user
    login(UserRef(user.id, user.email, user.role, user.organization_id, user.password))
    home = client.get("/home")
    assert home.status_code == 200
    assert 'data-enrollment-status="expired"' in home.text and "Renew your enrollment" in home.text


def test_expired_enrollment_cannot_be_suspended_and_allows_renewal(importer_api, reviewer_api, enroll, lapse):
    approved = enroll("approved")
    lapse(approved["id"])
    assert reviewer_api.post(f"/api/v1/enrollments/{approved['id']}/suspend", json={"reason": "x"}).status_code == 409
    renewal = importer_api.post("/api/v1/enrollments/renew")
    assert renewal.status_code == 201 and renewal.json["previous_id"] == approved["id"]


def test_reinstating_after_validity_ended_expires_at_once(reviewer_api, enroll, lapse):
    suspended = enroll("suspended")
    lapse(suspended["id"])
    body = reviewer_api.post(f"/api/v1/enrollments/{suspended['id']}/reinstate", json={"reason": "cleared"}).json
    assert body["status"] == "expired"
    assert [h["status"] for h in body["history"]][-3:] == ["suspended", "approved", "expired"]
