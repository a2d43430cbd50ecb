"""Who may record which event (API.md): reviewer everything but the parties' own events; the importer of
the entry importer_response; the owner of a mark on the entry rights_holder_authentication."""

from __future__ import annotations

import pytest

EVENTS = ["images_shared_importer", "images_shared_rights_holder", "importer_response",
          "rights_holder_authentication", "released", "seized", "abandoned", "manipulated", "exported", "destroyed"]

# who -> event types they may record (others: 403 when they can see the case, 404 when they cannot)
ALLOWED = {
    "reviewer": set(EVENTS) - {"importer_response", "rights_holder_authentication"},
    "importer": {"importer_response"},
    "colleague": {"importer_response"},
    "owner_a": {"rights_holder_authentication"},
    "owner_b": {"rights_holder_authentication"},
    "admin": set(),
}
UNSEEN = {"other_importer": 404, "group": 403}  # group: no cases permission at all


@pytest.mark.parametrize("event", EVENTS)
@pytest.mark.parametrize("who", [*ALLOWED, *UNSEEN])
def test_event_role_rules(api_as, world, open_case, who, event):
    case = open_case()
    client = api_as(getattr(world, who))
    response = client.post(f"/api/v1/cases/{case['uei']}/events", json={"type": event, "note": "n"})
    if who in UNSEEN:
        assert response.status_code == UNSEEN[who]
    elif event in ALLOWED[who]:
        assert response.status_code == 201, response.json
        assert response.json["event"]["type"] == event
    else:
        assert response.status_code == 403, response.json


def test_owner_of_no_mark_on_entry_cannot_see_or_act(api_as, world, open_case):
    # An entry bearing only MARK_A: owner_b has nothing on it.
    case = open_case(lines=[("Phones", "8517130000", 10, "100.00", "mobile_devices", "TMK 21-00123")])
    owner_b = api_as(world.owner_b)
    assert owner_b.get(f"/api/v1/cases/{case['uei']}").status_code == 404
    assert owner_b.post(f"/api/v1/cases/{case['uei']}/events",
                        json={"type": "rights_holder_authentication"}).status_code == 404
    assert owner_b.get("/api/v1/cases").json["total"] == 0
    assert api_as(world.owner_a).get("/api/v1/cases").json["total"] == 1


def test_closed_case_takes_no_party_events(api_as, world, reviewer_api, open_case):
    case = open_case()
    reviewer_api.post(f"/api/v1/cases/{case['uei']}/events", json={"type": "released"})
    assert api_as(world.importer).post(f"/api/v1/cases/{case['uei']}/events",
                                       json={"type": "importer_response"}).status_code == 409
    assert reviewer_api.post(f"/api/v1/cases/{case['uei']}/events",
                             json={"type": "images_shared_importer"}).status_code == 409


def test_only_reviewers_detain(api_as, world, make_decision):
    decision_id, _ = make_decision()
    body = {"decision_id": decision_id, "action": "detain", "notice_date": "2026-11-02"}
    for who in ("importer", "owner_a", "group", "admin"):
        assert api_as(getattr(world, who)).post("/api/v1/cases", json=body).status_code == 403
