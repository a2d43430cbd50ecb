"""CBP's decisions and the enrollment's life: approve (scoped), deny, request information, suspend,
reinstate, revoke, withdraw; every illegal move is 409; debarred importers cannot be approved."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from core.audit import AuditEntry, verify_chain
from core.extensions import db
from core.notifications import OutboxMessage
from core.timeutil import today
from program.enrollment.services import one_year_after
from tests.clocks import DEFAULT_NOW

ALL_STATES = ["draft", "submitted", "info_requested", "approved", "denied", "suspended", "revoked", "withdrawn"]


def decide(api, eid, action, **extra):
    return api.post(f"/api/v1/enrollments/{eid}/decision", json={"action": action, "reason": "because", **extra})


def test_approve_defaults_to_every_requested_sector_for_a_year(reviewer_api, enroll):
    enrollment = enroll("submitted")
    response = decide(reviewer_api, enrollment["id"], "approve")
    assert response.status_code == 200
    body = response.json
    assert body["status"] == "approved"
    assert body["approved_sectors"] == enrollment["sectors"]
    assert re.fullmatch(r"GL-\d{4}-\d{6}", body["program_id"])
    assert body["valid_until"] == one_year_after(today()).isoformat()
    assert body["history"][-1] == {**body["history"][-1], "status": "approved", "reason": "because",
                                   "by": reviewer_api.user.email}


def test_approve_a_subset_until_a_date(reviewer_api, enroll):
    enrollment = enroll("submitted")
    until = (today() + timedelta(days=200)).isoformat()
    body = decide(reviewer_api, enrollment["id"], "approve", sectors=["consumer_electronics", "mobile_devices"],
                  valid_until=until).json
    assert body["sectors"] == ["apparel_footwear", "consumer_electronics", "mobile_devices"]
    assert body["approved_sectors"] == ["consumer_electronics", "mobile_devices"]
    assert body["valid_until"] == until


TODAY = DEFAULT_NOW.date()  # parameters are built at collection, before the test clock runs


@pytest.mark.parametrize("extra,field", [
    ({"sectors": ["toys_games"]}, "sectors"),
    ({"sectors": []}, "sectors"),
    ({"valid_until": TODAY.isoformat()}, "valid_until"),
    ({"valid_until": "2020-01-01"}, "valid_until"),
    ({"valid_until": "not a date"}, "valid_until"),
    ({"valid_until": (TODAY + timedelta(days=365 * 6)).isoformat()}, "valid_until"),
])
def test_bad_approvals_are_422(reviewer_api, enroll, extra, field):
    enrollment = enroll("submitted")
    response = decide(reviewer_api, enrollment["id"], "approve", **extra)
    assert response.status_code == 422 and field in response.json["errors"]["json"]


@pytest.mark.parametrize("body,field", [
    ({"action": "approve"}, "reason"),
    ({"action": "approve", "reason": ""}, "reason"),
    ({"action": "celebrate", "reason": "x"}, "action"),
    ({"reason": "x"}, "action"),
])
def test_decision_body_is_checked(reviewer_api, enroll, body, field):
    enrollment = enroll("submitted")
    response = reviewer_api.post(f"/api/v1/enrollments/{enrollment['id']}/decision", json=body)
    assert response.status_code == 422 and field in response.json["errors"]["json"]


def test_deny(reviewer_api, importer_api, enroll):
    enrollment = enroll("submitted")
    body = decide(reviewer_api, enrollment["id"], "deny").json
    assert body["status"] == "denied" and body["program_id"] is None
    seen = importer_api.get(f"/api/v1/enrollments/{enrollment['id']}").json
    assert seen["history"][-1]["by"] == "U.S. Customs and Border Protection"  # officers' addresses stay inside CBP


def test_request_information_then_answer_and_resubmit(reviewer_api, importer_api, enroll):
    enrollment = enroll("submitted")
    body = decide(reviewer_api, enrollment["id"], "request_info").json
    assert body["status"] == "info_requested" and body["attestation"] is False
    eid = enrollment["id"]
    assert importer_api.post(f"/api/v1/enrollments/{eid}/submit").json["errors"]["json"] == {
        "attestation": ["Attest that the application is true and complete."]}
    importer_api.patch(f"/api/v1/enrollments/{eid}", json={"sourcing_description": "More detail.",
                                                          "attestation": True})
    again = importer_api.post(f"/api/v1/enrollments/{eid}/submit").json
    assert again["status"] == "submitted"
    assert [h["status"] for h in again["history"]] == ["draft", "submitted", "info_requested", "submitted"]
    assert again["submitted_at"] == enrollment["submitted_at"]  # the queue's clock runs from the first submit
    assert decide(reviewer_api, eid, "approve").json["status"] == "approved"


@pytest.mark.parametrize("state", [s for s in ALL_STATES if s != "submitted"])
@pytest.mark.parametrize("action", ["approve", "deny", "request_info"])
def test_decision_from_any_other_state_is_409(reviewer_api, enroll, state, action):
    enrollment = enroll(state)
    response = decide(reviewer_api, enrollment["id"], action)
    assert response.status_code == 409 and response.json["code"] == "invalid_transition"


LIFECYCLE = {  # action -> states it may start from
    "suspend": {"approved"},
    "reinstate": {"suspended"},
    "revoke": {"approved", "suspended"},
}


@pytest.mark.parametrize("action,state", [(a, s) for a in LIFECYCLE for s in ALL_STATES])
def test_lifecycle_moves_only_from_their_states(reviewer_api, enroll, action, state):
    enrollment = enroll(state)
    response = reviewer_api.post(f"/api/v1/enrollments/{enrollment['id']}/{action}", json={"reason": "r"})
    if state in LIFECYCLE[action]:
        assert response.status_code == 200, response.json
        expected = {"suspend": "suspended", "reinstate": "approved", "revoke": "revoked"}[action]
        assert response.json["status"] == expected
        assert response.json["program_id"] == enrollment["program_id"]  # kept through the enrollment's life
    else:
        assert response.status_code == 409


@pytest.mark.parametrize("state", ALL_STATES)
def test_withdraw_from_draft_submitted_or_info_requested(importer_api, enroll, state):
    enrollment = enroll(state)
    response = importer_api.post(f"/api/v1/enrollments/{enrollment['id']}/withdraw", json={})
    if state in ("draft", "submitted", "info_requested"):
        assert response.status_code == 200 and response.json["status"] == "withdrawn"
    else:
        assert response.status_code == 409


def test_lifecycle_needs_a_reason(reviewer_api, enroll):
    enrollment = enroll("approved")
    response = reviewer_api.post(f"/api/v1/enrollments/{enrollment['id']}/suspend", json={})
    assert response.status_code == 422 and "reason" in response.json["errors"]["json"]


def test_debarred_ior_blocks_approval_with_code_debarred(reviewer_api, enroll):
    reviewer_api.post("/api/v1/debarred", json={"name": "Some Other Name Ltd", "ior_number": "12-3456789AB",
                                                "reason": "fraud", "start_date": "2020-01-01"})
    enrollment = enroll("submitted")
    response = decide(reviewer_api, enrollment["id"], "approve")
    assert response.status_code == 409 and response.json["code"] == "debarred"
    assert reviewer_api.get(f"/api/v1/enrollments/{enrollment['id']}").json["status"] == "submitted"


def test_debarred_name_blocks_approval_even_when_listed_after_submit(reviewer_api, enroll):
    enrollment = enroll("submitted", legal_name="SHADY IMPORTS, LTD.", ior_number="33-3333333")
    assert reviewer_api.get(f"/api/v1/enrollments/{enrollment['id']}").json["screening"] == []
    reviewer_api.post("/api/v1/debarred", json={"name": "Shady Imports Ltd", "reason": "counterfeits",
                                                "start_date": today().isoformat()})
    response = decide(reviewer_api, enrollment["id"], "approve")
    assert response.status_code == 409 and response.json["code"] == "debarred"
    assert "Shady Imports Ltd" in response.json["message"]
    assert decide(reviewer_api, enrollment["id"], "deny").status_code == 200  # denial stays possible


def test_an_ended_debarment_no_longer_blocks(reviewer_api, enroll):
    entry = reviewer_api.post("/api/v1/debarred", json={"name": "Acme Parallel Imports", "reason": "x",
                                                        "start_date": "2020-01-01"}).json
    enrollment = enroll("submitted")
    assert reviewer_api.get(f"/api/v1/enrollments/{enrollment['id']}").json["screening"][0]["code"] == "debarred_name"
    assert reviewer_api.post(f"/api/v1/debarred/{entry['id']}/end", json={}).status_code == 200
    assert decide(reviewer_api, enrollment["id"], "approve").status_code == 200


def test_screening_is_for_cbp_eyes_only(reviewer_api, importer_api, enroll):
    enrollment = enroll("submitted", sectors=["pharmaceuticals", "toys_games"])
    cbp = reviewer_api.get(f"/api/v1/enrollments/{enrollment['id']}").json
    assert [f["code"] for f in cbp["screening"]] == ["heightened_sector"]
    assert "Pharmaceuticals" in cbp["screening"][0]["message"]
    assert "screening" not in importer_api.get(f"/api/v1/enrollments/{enrollment['id']}").json
    listing = importer_api.get("/api/v1/enrollments").json["items"][0]
    assert "screening_codes" not in listing
    assert reviewer_api.get("/api/v1/enrollments?status=submitted").json["items"][0]["screening_codes"] == [
        "heightened_sector"]


def test_reviewer_list_filters_by_status_and_sector(reviewer_api, enroll, api_as, application_data):
    enroll("submitted")
    other = api_as("importer")
    enroll("approved", api=other, sectors=["toys_games"], legal_name="Toy Box Inc.")
    assert reviewer_api.get("/api/v1/enrollments").json["total"] == 2
    assert [e["legal_name"] for e in reviewer_api.get("/api/v1/enrollments?status=approved").json["items"]] == [
        "Toy Box Inc."]
    assert reviewer_api.get("/api/v1/enrollments?sector=toys_games").json["total"] == 1
    assert reviewer_api.get("/api/v1/enrollments?status=nonsense").status_code == 422


def test_every_transition_is_audited_and_notified(app, reviewer_api, enroll):
    enrollment = enroll("suspended")
    with app.app_context():
        actions = db.session.scalars(select(AuditEntry.action).where(
            AuditEntry.entity_type == "enrollment", AuditEntry.entity_id == str(enrollment["id"]))
            .order_by(AuditEntry.id)).all()
        topics = db.session.scalars(select(OutboxMessage.topic).where(OutboxMessage.recipient ==
                                                                      "pat@acme-imports.example")
                                    .order_by(OutboxMessage.id)).all()
        assert verify_chain().ok
    assert actions == ["enrollment.create", "enrollment.submit", "enrollment.approve", "enrollment.suspend"]
    assert topics == ["enrollment.submit", "enrollment.approve", "enrollment.suspend"]
    assert [h["status"] for h in enrollment["history"]] == ["draft", "submitted", "approved", "suspended"]
    assert all(h["reason"] for h in enrollment["history"][2:])
