"""The right to be heard (notice, reply), appeals decided by a second reviewer, the 3-year re-application
bar with the admin's override, and sector-level suspension."""

from __future__ import annotations

from datetime import datetime, time, timedelta

import pytest

from core.timeutil import UTC, today
from tests.clocks import ALL_DAYS, DEFAULT_NOW, day_id


@pytest.fixture
def second_reviewer(api_as):
    """A reviewer other than the one who decides in the ``enroll`` factory."""
    return api_as("reviewer")


# --------------------------------------------------------------------------- notice and reply

def test_notice_of_proposed_revocation_and_the_importers_reply(importer_api, reviewer_api, enroll):
    approved = enroll("approved")
    response = reviewer_api.post(f"/api/v1/enrollments/{approved['id']}/propose",
                                 json={"action": "revoke", "reason": "Three seizures in a quarter."})
    assert response.status_code == 200, response.json
    notice = response.json["notices"][0]
    assert notice["action"] == "revoke" and notice["replied_at"] is None
    assert notice["respond_by"] == (today() + timedelta(days=30)).isoformat()
    assert response.json["status"] == "approved" and response.json["history"][-1]["action"] == "propose"
    body = importer_api.post(f"/api/v1/enrollments/{approved['id']}/reply",
                             json={"text": "Two of the seizures were released after review."}).json
    assert body["notices"][0]["reply"].startswith("Two of") and body["notices"][0]["replied_at"]
    assert body["history"][-1]["action"] == "reply"
    again = importer_api.post(f"/api/v1/enrollments/{approved['id']}/reply", json={"text": "More"})
    assert again.status_code == 409 and again.json["code"] == "no_open_notice"
    # The reviewer then decides; immediate action stays possible.
    assert reviewer_api.post(f"/api/v1/enrollments/{approved['id']}/revoke",
                             json={"reason": "Reply considered; revoked."}).json["status"] == "revoked"


@pytest.mark.parametrize(("state", "action"), [("approved", "deny"), ("submitted", "suspend"), ("denied", "revoke")])
def test_proposal_from_the_wrong_state_is_409(reviewer_api, enroll, state, action):
    enrollment = enroll(state)
    response = reviewer_api.post(f"/api/v1/enrollments/{enrollment['id']}/propose",
                                 json={"action": action, "reason": "x"})
    assert response.status_code == 409


def test_propose_and_reply_roles(importer_api, reviewer_api, api_as, enroll):
    approved = enroll("approved")
    assert importer_api.post(f"/api/v1/enrollments/{approved['id']}/propose",
                             json={"action": "suspend", "reason": "x"}).status_code == 403
    reviewer_api.post(f"/api/v1/enrollments/{approved['id']}/propose", json={"action": "suspend", "reason": "x"})
    assert reviewer_api.post(f"/api/v1/enrollments/{approved['id']}/reply", json={"text": "x"}).status_code == 403
    assert api_as("importer").post(f"/api/v1/enrollments/{approved['id']}/reply", json={"text": "x"}).status_code == 404
    bad = reviewer_api.post(f"/api/v1/enrollments/{approved['id']}/propose",
                            json={"action": "suspend", "reason": "x", "respond_by": today().isoformat()})
    assert bad.status_code == 422 and "respond_by" in bad.json["errors"]["json"]


# --------------------------------------------------------------------------- appeals

def test_appeal_of_a_suspension_overturned_by_a_second_reviewer(importer_api, reviewer_api, second_reviewer,
                                                                enroll):
    suspended = enroll("suspended")
    assert suspended["appeal_until"] == (today() + timedelta(days=30)).isoformat()
    response = importer_api.post(f"/api/v1/enrollments/{suspended['id']}/appeal",
                                 json={"grounds": "The held shipments were released."})
    assert response.status_code == 200, response.json
    assert response.json["appeals"][0]["decision"] == "suspend" and response.json["appeals"][0]["outcome"] is None
    own = reviewer_api.post(f"/api/v1/enrollments/{suspended['id']}/appeal/decision",
                            json={"action": "overturn", "reason": "mine"})
    assert own.status_code == 403
    body = second_reviewer.post(f"/api/v1/enrollments/{suspended['id']}/appeal/decision",
                                json={"action": "overturn", "reason": "Shipments released; suspension lifted."}).json
    assert body["status"] == "approved" and body["appeals"][0]["outcome"] == "overturn"
    assert [h["action"] for h in body["history"]][-3:] == ["suspend", "appeal", "overturn"]
    assert body["program_id"] == suspended["program_id"]
    again = importer_api.post(f"/api/v1/enrollments/{suspended['id']}/appeal", json={"grounds": "again"})
    assert again.status_code == 409


def test_overturned_denial_returns_to_submitted(importer_api, second_reviewer, enroll):
    denied = enroll("denied")
    importer_api.post(f"/api/v1/enrollments/{denied['id']}/appeal", json={"grounds": "Our sourcing is verified."})
    body = second_reviewer.post(f"/api/v1/enrollments/{denied['id']}/appeal/decision",
                                json={"action": "overturn", "reason": "Look again."}).json
    assert body["status"] == "submitted" and body["decided_at"] is None


def test_overturned_revocation_of_a_suspended_enrollment_restores_the_suspension(importer_api, reviewer_api,
                                                                                  second_reviewer, enroll):
    suspended = enroll("suspended")
    reviewer_api.post(f"/api/v1/enrollments/{suspended['id']}/revoke", json={"reason": "Revoked."})
    importer_api.post(f"/api/v1/enrollments/{suspended['id']}/appeal", json={"grounds": "Disproportionate."})
    body = second_reviewer.post(f"/api/v1/enrollments/{suspended['id']}/appeal/decision",
                                json={"action": "overturn", "reason": "Back to the suspension."}).json
    assert body["status"] == "suspended"


def test_upheld_appeal_leaves_the_decision(importer_api, second_reviewer, enroll):
    revoked = enroll("revoked")
    importer_api.post(f"/api/v1/enrollments/{revoked['id']}/appeal", json={"grounds": "Please reconsider."})
    body = second_reviewer.post(f"/api/v1/enrollments/{revoked['id']}/appeal/decision",
                                json={"action": "uphold", "reason": "The seizures stand."}).json
    assert body["status"] == "revoked" and body["appeals"][0]["outcome"] == "uphold"
    assert body["history"][-1]["action"] == "uphold"
    closed = second_reviewer.post(f"/api/v1/enrollments/{revoked['id']}/appeal/decision",
                                  json={"action": "overturn", "reason": "x"})
    assert closed.status_code == 409 and closed.json["code"] == "no_open_appeal"


@pytest.mark.parametrize("clock", ALL_DAYS, indirect=True, ids=day_id)
@pytest.mark.parametrize(("after", "status"), [(0, 200), (30, 200), (31, 409)])
def test_appeal_within_30_days_of_the_decision(importer_api, enroll, clock, after, status):
    denied = enroll("denied")
    decided = datetime.fromisoformat(denied["history"][-1]["at"]).date()
    clock.move_to(datetime.combine(decided + timedelta(days=after), time(23, 0), tzinfo=UTC))
    response = importer_api.post(f"/api/v1/enrollments/{denied['id']}/appeal", json={"grounds": "Reconsider."})
    assert response.status_code == status
    if status == 409:
        assert response.json["code"] == "appeal_period_over"


@pytest.mark.parametrize("state", ["draft", "submitted", "approved", "withdrawn"])
def test_nothing_to_appeal_is_409(importer_api, enroll, state):
    enrollment = enroll(state)
    response = importer_api.post(f"/api/v1/enrollments/{enrollment['id']}/appeal", json={"grounds": "x"})
    assert response.status_code == 409


def test_appeal_roles(importer_api, reviewer_api, second_reviewer, api_as, enroll):
    denied = enroll("denied")
    assert reviewer_api.post(f"/api/v1/enrollments/{denied['id']}/appeal", json={"grounds": "x"}).status_code == 403
    assert api_as("importer").post(f"/api/v1/enrollments/{denied['id']}/appeal",
                                   json={"grounds": "x"}).status_code == 404
    importer_api.post(f"/api/v1/enrollments/{denied['id']}/appeal", json={"grounds": "x"})
    assert importer_api.post(f"/api/v1/enrollments/{denied['id']}/appeal/decision",
                             json={"action": "overturn", "reason": "x"}).status_code == 403
    assert api_as("admin").post(f"/api/v1/enrollments/{denied['id']}/appeal/decision",
                                json={"action": "overturn", "reason": "x"}).status_code == 403
    bad = second_reviewer.post(f"/api/v1/enrollments/{denied['id']}/appeal/decision",
                               json={"action": "reverse", "reason": "x"})
    assert bad.status_code == 422 and "action" in bad.json["errors"]["json"]


# --------------------------------------------------------------------------- re-application bar

def test_revoked_organisation_barred_for_three_years(importer_api, enroll, application_data, clock):
    revoked = enroll("revoked")
    response = importer_api.post("/api/v1/enrollments", json=application_data())
    assert response.status_code == 409 and response.json["code"] == "reapplication_barred"
    renewal = importer_api.post("/api/v1/enrollments/renew")
    assert renewal.status_code == 409 and renewal.json["code"] == "reapplication_barred"
    until = importer_api.get(f"/api/v1/enrollments/{revoked['id']}").json["reapplication_barred_until"]
    revoked_on = datetime.fromisoformat(revoked["history"][-1]["at"])
    clock.move_to(revoked_on + timedelta(days=3 * 365 - 2))
    assert importer_api.post("/api/v1/enrollments", json=application_data()).status_code == 409
    clock.move_to(datetime.combine(datetime.fromisoformat(until).date(), time(1), tzinfo=UTC) + timedelta(days=1))
    assert importer_api.post("/api/v1/enrollments", json=application_data()).status_code == 201


def test_the_bar_applies_on_submit_too(importer_api, reviewer_api, enroll, app):
    from sqlalchemy import update

    from core.extensions import db
    from program.enrollment.models import Enrollment

    approved = enroll("approved")
    with app.app_context():  # the renewal window is open
        db.session.execute(update(Enrollment).where(Enrollment.id == approved["id"])
                           .values(valid_until=today() + timedelta(days=20)))
        db.session.commit()
    renewal = importer_api.post("/api/v1/enrollments/renew").json
    importer_api.patch(f"/api/v1/enrollments/{renewal['id']}", json={"attestation": True})
    reviewer_api.post(f"/api/v1/enrollments/{approved['id']}/revoke", json={"reason": "Seizures"})
    response = importer_api.post(f"/api/v1/enrollments/{renewal['id']}/submit")
    assert response.status_code == 409 and response.json["code"] == "reapplication_barred"


def test_admin_lifts_the_bar_with_a_reason(importer_api, reviewer_api, api_as, enroll, application_data):
    revoked = enroll("revoked")
    path = f"/api/v1/enrollments/{revoked['id']}/lift-bar"
    assert reviewer_api.post(path, json={"reason": "x"}).status_code == 403
    assert importer_api.post(path, json={"reason": "x"}).status_code == 403
    admin = api_as("admin")
    assert admin.post(path, json={"reason": ""}).status_code == 422
    body = admin.post(path, json={"reason": "New owners and compliance staff since the revocation."}).json
    assert body["history"][-1]["action"] == "lift_bar" and body["reapplication_barred_until"] is None
    assert admin.post(path, json={"reason": "again"}).status_code == 409
    assert importer_api.post("/api/v1/enrollments", json=application_data()).status_code == 201


def test_bar_lift_only_for_revoked(api_as, enroll):
    approved = enroll("approved")
    assert api_as("admin").post(f"/api/v1/enrollments/{approved['id']}/lift-bar",
                                json={"reason": "x"}).status_code == 409


# --------------------------------------------------------------------------- sector-level suspension

def test_suspend_and_reinstate_some_sectors(importer_api, reviewer_api, enroll):
    approved = enroll("approved")
    path = f"/api/v1/enrollments/{approved['id']}"
    body = reviewer_api.post(f"{path}/suspend", json={"reason": "Phones held", "sectors": ["mobile_devices"]}).json
    assert body["status"] == "approved"
    assert body["approved_sectors"] == ["apparel_footwear", "consumer_electronics"]
    assert body["suspended_sectors"] == ["mobile_devices"]
    assert body["history"][-1]["action"] == "suspend_sectors" and "mobile_devices" in body["history"][-1]["reason"]
    bad = reviewer_api.post(f"{path}/suspend", json={"reason": "x", "sectors": ["toys_games"]})
    assert bad.status_code == 422 and "sectors" in bad.json["errors"]["json"]
    everything = reviewer_api.post(f"{path}/suspend", json={"reason": "x", "sectors": [
        "apparel_footwear", "consumer_electronics"]})
    assert everything.status_code == 422
    not_suspended = reviewer_api.post(f"{path}/reinstate", json={"reason": "x", "sectors": ["apparel_footwear"]})
    assert not_suspended.status_code == 422
    assert importer_api.post(f"{path}/reinstate", json={"reason": "x", "sectors": ["mobile_devices"]}).status_code \
        == 403
    body = reviewer_api.post(f"{path}/reinstate", json={"reason": "Released", "sectors": ["mobile_devices"]}).json
    assert body["approved_sectors"] == ["apparel_footwear", "consumer_electronics", "mobile_devices"]
    assert body["suspended_sectors"] == []


def test_sector_suspension_changes_release_decisions(importer_api, reviewer_api, enroll):
    approved = enroll("approved")
    reviewer_api.post(f"/api/v1/enrollments/{approved['id']}/suspend",
                      json={"reason": "Phones held", "sectors": ["mobile_devices"]})
    response = importer_api.post("/api/v1/release-decisions", json={
        "entry_number": "ABC-1234567-6", "port_code": "2704", "ior_number": approved["ior_number"],
        "lines": [{"line_no": 1, "description": "Phones", "hts_code": "8517.13.0000", "quantity": 10,
                   "value_usd": "1000", "sector": "mobile_devices", "condition": "used"}]})
    assert response.status_code == 201, response.json
    codes = [r["code"] for r in response.json["lines"][0]["reasons"]]
    assert "sector_not_approved" in codes


def test_sector_suspension_from_the_wrong_state_is_409(reviewer_api, enroll):
    suspended = enroll("suspended")
    response = reviewer_api.post(f"/api/v1/enrollments/{suspended['id']}/suspend",
                                 json={"reason": "x", "sectors": ["mobile_devices"]})
    assert response.status_code == 409


# --------------------------------------------------------------------------- appeals of a sector-level suspension

def test_appeal_of_a_sector_suspension_overturned_by_a_second_reviewer(app, importer_api, reviewer_api,
                                                                       second_reviewer, enroll):
    from sqlalchemy import select

    from core.extensions import db
    from core.notifications import OutboxMessage

    approved = enroll("approved")
    path = f"/api/v1/enrollments/{approved['id']}"
    assert approved["appeal_until"] is None
    suspended = reviewer_api.post(f"{path}/suspend", json={"reason": "Held", "sectors": [
        "mobile_devices", "consumer_electronics"]}).json
    assert suspended["appeal_until"] == (today() + timedelta(days=30)).isoformat()
    assert suspended["history"][-1]["sectors"] == ["consumer_electronics", "mobile_devices"]
    reviewer_api.post(f"{path}/reinstate", json={"reason": "Released", "sectors": ["consumer_electronics"]})
    appealed = importer_api.post(f"{path}/appeal", json={"grounds": "The phones were genuine."})
    assert appealed.status_code == 200, appealed.json
    appeal = appealed.json["appeals"][0]
    assert appeal["decision"] == "suspend_sectors" and appeal["sectors"] == ["consumer_electronics", "mobile_devices"]
    assert appealed.json["status"] == "approved" and appealed.json["appeal_until"]
    own = reviewer_api.post(f"{path}/appeal/decision", json={"action": "overturn", "reason": "mine"})
    assert own.status_code == 403 and own.json["code"] == "own_decision"
    body = second_reviewer.post(f"{path}/appeal/decision", json={"action": "overturn", "reason": "Genuine."}).json
    assert body["status"] == "approved" and body["suspended_sectors"] == []
    assert body["approved_sectors"] == ["apparel_footwear", "consumer_electronics", "mobile_devices"]
    assert body["appeals"][0]["outcome"] == "overturn"
    assert [h["action"] for h in body["history"]][-4:] == ["suspend_sectors", "reinstate_sectors", "appeal", "overturn"]
    assert body["history"][-1]["sectors"] == ["mobile_devices"] and body["appeal_until"] is None
    again = importer_api.post(f"{path}/appeal", json={"grounds": "again"})
    assert again.status_code == 409 and again.json["code"] == "not_appealable"
    with app.app_context():
        told = db.session.scalars(select(OutboxMessage.recipient).where(OutboxMessage.topic == "enrollment.overturn"))
        assert list(told) == ["pat@acme-imports.example"]


def test_sector_appeal_upheld_late_or_overtaken(importer_api, reviewer_api, second_reviewer, enroll, clock):
    approved = enroll("approved")
    path = f"/api/v1/enrollments/{approved['id']}"
    reviewer_api.post(f"{path}/suspend", json={"reason": "Held", "sectors": ["mobile_devices"]})
    importer_api.post(f"{path}/appeal", json={"grounds": "Genuine."})
    body = second_reviewer.post(f"{path}/appeal/decision", json={"action": "uphold", "reason": "Not shown."}).json
    assert body["suspended_sectors"] == ["mobile_devices"] and body["history"][-1]["action"] == "uphold"
    twice = importer_api.post(f"{path}/appeal", json={"grounds": "again"})
    assert twice.status_code == 409 and twice.json["code"] == "already_appealed"
    # A later suspension is appealable in its turn, within 30 days only.
    reviewer_api.post(f"{path}/suspend", json={"reason": "Held too", "sectors": ["consumer_electronics"]})
    clock.move_to(DEFAULT_NOW + timedelta(days=31))
    late = importer_api.post(f"{path}/appeal", json={"grounds": "Genuine."})
    assert late.status_code == 409 and late.json["code"] == "appeal_period_over"


def test_sector_appeal_overtaken_by_a_reinstatement_cannot_be_overturned(importer_api, reviewer_api,
                                                                         second_reviewer, enroll):
    approved = enroll("approved")
    path = f"/api/v1/enrollments/{approved['id']}"
    reviewer_api.post(f"{path}/suspend", json={"reason": "Held", "sectors": ["mobile_devices"]})
    importer_api.post(f"{path}/appeal", json={"grounds": "Genuine."})
    reviewer_api.post(f"{path}/reinstate", json={"reason": "Released", "sectors": ["mobile_devices"]})
    overturn = second_reviewer.post(f"{path}/appeal/decision", json={"action": "overturn", "reason": "Genuine."})
    assert overturn.status_code == 409 and overturn.json["code"] == "invalid_transition"
    assert second_reviewer.post(f"{path}/appeal/decision",
                                json={"action": "uphold", "reason": "Moot."}).status_code == 200
