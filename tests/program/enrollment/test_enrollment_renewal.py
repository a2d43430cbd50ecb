"""Renewal without a lapse: the 90-day window, the hand-over on approval, the daily reminders, and the
annual review with the reviewers' overdue filter. Date logic runs on every day of tests.clocks."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

import pytest
from sqlalchemy import func, select, update

from core.extensions import db
from core.notifications import OutboxMessage
from core.timeutil import UTC, today, utcnow
from program.enrollment.models import Enrollment
from tests.clocks import ALL_DAYS, day_id


@pytest.fixture
def valid_until(app):
    """Set an enrollment's last valid day ``days`` from today."""

    def factory(enrollment_id: int, days: int) -> date:
        until = today() + timedelta(days=days)
        with app.app_context():
            db.session.execute(update(Enrollment).where(Enrollment.id == enrollment_id).values(valid_until=until))
            db.session.commit()
        return until

    return factory


def _approved_count(app, organization_id: int) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(Enrollment).where(
            Enrollment.organization_id == organization_id, Enrollment.status == "approved",
            Enrollment.valid_until >= today()))


@pytest.mark.parametrize("clock", ALL_DAYS, indirect=True, ids=day_id)
@pytest.mark.parametrize(("days_left", "status"), [(200, 409), (91, 409), (90, 201), (60, 201), (0, 201)])
def test_renewal_opens_90_days_before_valid_until(importer_api, enroll, valid_until, days_left, status):
    approved = enroll("approved")
    valid_until(approved["id"], days_left)
    response = importer_api.post("/api/v1/enrollments/renew")
    assert response.status_code == status, response.json
    if status == 409:
        assert response.json["code"] == "renewal_not_open"
    else:
        assert response.json["status"] == "draft" and response.json["previous_id"] == approved["id"]
        assert response.json["legal_name"] == approved["legal_name"]
        assert response.json["attestation"] is False  # attested afresh


def test_renewal_is_never_without_an_approved_enrollment(app, importer_api, reviewer_api, enroll, valid_until):
    approved = enroll("approved")
    org = importer_api.user.organization_id
    old_until = valid_until(approved["id"], 60)
    renewal = importer_api.post("/api/v1/enrollments/renew").json
    assert _approved_count(app, org) == 1
    assert importer_api.post("/api/v1/enrollments/renew").json["code"] == "open_enrollment"
    importer_api.patch(f"/api/v1/enrollments/{renewal['id']}", json={"attestation": True})
    assert importer_api.post(f"/api/v1/enrollments/{renewal['id']}/submit").json["status"] == "submitted"
    assert _approved_count(app, org) == 1
    body = reviewer_api.post(f"/api/v1/enrollments/{renewal['id']}/decision",
                             json={"action": "approve", "reason": "Renewal: unchanged"}).json
    assert body["status"] == "approved" and body["program_id"] != approved["program_id"]
    assert body["valid_until"] == old_until.replace(year=old_until.year + 1).isoformat()  # continues, no days lost
    assert _approved_count(app, org) == 1
    old = reviewer_api.get(f"/api/v1/enrollments/{approved['id']}").json
    assert old["status"] == "renewed" and old["history"][-1]["action"] == "renew"
    assert old["history"][-1]["at"] == body["history"][-1]["at"]  # one moment: the hand-over
    listed = importer_api.get("/api/v1/enrollments?status=approved").json["items"]
    assert [e["id"] for e in listed] == [renewal["id"]]


def test_a_renewal_can_be_denied_and_the_current_approval_stands(app, importer_api, reviewer_api, enroll,
                                                                  valid_until):
    approved = enroll("approved")
    valid_until(approved["id"], 30)
    renewal = importer_api.post("/api/v1/enrollments/renew").json
    importer_api.patch(f"/api/v1/enrollments/{renewal['id']}", json={"attestation": True})
    importer_api.post(f"/api/v1/enrollments/{renewal['id']}/submit")
    reviewer_api.post(f"/api/v1/enrollments/{renewal['id']}/decision", json={"action": "deny", "reason": "no"})
    assert reviewer_api.get(f"/api/v1/enrollments/{approved['id']}").json["status"] == "approved"


def test_plain_application_while_approved_is_still_409(importer_api, enroll, application_data, valid_until):
    approved = enroll("approved")
    valid_until(approved["id"], 30)
    response = importer_api.post("/api/v1/enrollments", json=application_data())
    assert response.status_code == 409 and response.json["code"] == "open_enrollment"


def test_suspended_enrollment_cannot_be_renewed(importer_api, enroll, valid_until):
    suspended = enroll("suspended")
    valid_until(suspended["id"], 30)
    response = importer_api.post("/api/v1/enrollments/renew")
    assert response.status_code == 409 and response.json["code"] == "renewal_not_open"


def _reminders(app) -> list[tuple[str, str]]:
    with app.app_context():
        return [(m.recipient, m.topic) for m in db.session.scalars(
            select(OutboxMessage).where(OutboxMessage.topic.like("enrollment.remind%")).order_by(OutboxMessage.id))]


@pytest.mark.parametrize("clock", ALL_DAYS, indirect=True, ids=day_id)
def test_reminders_at_90_30_and_7_days_once_each(app, runner, enroll, valid_until, clock):
    approved = enroll("approved")
    until = valid_until(approved["id"], 120)
    start = utcnow()

    def on(days_before: int) -> list[tuple[str, str]]:
        clock.move_to(datetime.combine(until - timedelta(days=days_before), time(6), tzinfo=UTC))
        result = runner.invoke(args=["enrollments", "remind"])
        assert result.exit_code == 0, result.output
        return _reminders(app)

    assert on(91) == []
    assert on(90) == [("pat@acme-imports.example", "enrollment.remind_90")]
    assert len(on(89)) == 1  # not again the next day
    assert on(30)[-1] == ("pat@acme-imports.example", "enrollment.remind_30")
    assert on(7)[-1] == ("pat@acme-imports.example", "enrollment.remind_7")
    assert len(on(1)) == 3
    assert start < utcnow()


def test_a_missed_run_sends_only_the_nearest_reminder(app, runner, enroll, valid_until):
    approved = enroll("approved")
    valid_until(approved["id"], 20)
    result = runner.invoke(args=["enrollments", "remind"])
    assert "1 reminder(s) queued" in result.output
    assert _reminders(app) == [("pat@acme-imports.example", "enrollment.remind_30")]
    assert "0 reminder(s)" in runner.invoke(args=["enrollments", "remind"]).output


def test_no_reminder_once_the_renewal_is_with_cbp(app, runner, importer_api, enroll, valid_until):
    approved = enroll("approved")
    valid_until(approved["id"], 30)
    renewal = importer_api.post("/api/v1/enrollments/renew").json
    importer_api.patch(f"/api/v1/enrollments/{renewal['id']}", json={"attestation": True})
    importer_api.post(f"/api/v1/enrollments/{renewal['id']}/submit")
    runner.invoke(args=["enrollments", "remind"])
    assert _reminders(app) == []


def test_home_page_shows_the_renewal(client, login, importer_api, enroll, valid_until):
    approved = enroll("approved")
    valid_until(approved["id"], 200)
    login(importer_api.user)
    page = client.get("/home").text
    assert "Renewal opens on" in page
    valid_until(approved["id"], 45)
    page = client.get("/home").text
    assert "45 days" in page and "Renew now" in page


@pytest.mark.parametrize("clock", ALL_DAYS, indirect=True, ids=day_id)
def test_annual_review_moves_review_due_a_year_on(importer_api, reviewer_api, enroll, clock):
    submitted = enroll("submitted")
    approved = reviewer_api.post(f"/api/v1/enrollments/{submitted['id']}/decision", json={
        "action": "approve", "reason": "ok", "valid_until": (today() + timedelta(days=1000)).isoformat()}).json
    due = date.fromisoformat(approved["review_due"])
    decided = date.fromisoformat(approved["decided_at"][:10])
    assert due == (decided.replace(year=decided.year + 1) if (decided.month, decided.day) != (2, 29)
                   else date(decided.year + 1, 2, 28))  # the approval's anniversary
    assert reviewer_api.get("/api/v1/enrollments?review_overdue=true").json["total"] == 0
    clock.move_to(datetime.combine(due + timedelta(days=3), time(12), tzinfo=UTC))
    assert [e["id"] for e in reviewer_api.get("/api/v1/enrollments?review_overdue=true").json["items"]] == [
        approved["id"]]
    path = f"/api/v1/enrollments/{approved['id']}/annual-review"
    assert importer_api.post(path, json={"attestation": False}).status_code == 422
    assert reviewer_api.post(path, json={"attestation": True}).status_code == 403
    body = importer_api.post(path, json={"attestation": True, "changes": "New warehouse in Reno."}).json
    assert date.fromisoformat(body["review_due"]) == (today()).replace(year=today().year + 1)
    assert body["history"][-1]["action"] == "annual_review" and "Reno" in body["history"][-1]["reason"]
    assert reviewer_api.get("/api/v1/enrollments?review_overdue=true").json["total"] == 0


def test_annual_review_only_while_approved(importer_api, enroll):
    suspended = enroll("suspended")
    response = importer_api.post(f"/api/v1/enrollments/{suspended['id']}/annual-review", json={"attestation": True})
    assert response.status_code == 409
