"""Endorsements and declines: only for one's own marks, only on proposed or published versions."""

from __future__ import annotations

import pytest

from core.extensions import db
from standards.lookups import awaiting_decision
from tests.conftest import ApiClient

ENDORSE = {"marks": ["TMK 21-00123"], "statement": "These checks show LUMEN goods are genuine."}


@pytest.fixture
def marks(world):
    """LUMEN (Lumen, electronics) and ACME (Acme, handbags)."""
    return {"lumen": world.mark("TMK 21-00123", sectors=["consumer_electronics", "mobile_devices"]),
            "acme": world.mark("TMK 19-04567", owner=world.other_rights, sectors=["handbags_accessories"],
                               text="ACME")}


def api(world, client, token_for, who="rights") -> ApiClient:
    return ApiClient(client, token_for(world.by_role(who)))


@pytest.mark.parametrize("status", ["proposed", "published"])
def test_rights_holder_endorses_for_its_own_mark(world, marks, client, token_for, status):
    vid = world.version(status, endorse=["TMK 21-00123"] if status == "published" else None)
    if status == "published":  # a second endorsement, for another mark of the same owner
        world.mark("TMK 22-00456", sectors=["consumer_electronics"], text="LUMEN PRO")
        body = {"marks": ["tmk 22-00456"], "statement": "Also for LUMEN PRO."}
    else:
        body = ENDORSE
    response = api(world, client, token_for).post(f"/api/v1/standards/{vid}/endorsements", json=body)
    assert response.status_code == 201, response.json
    e = response.json
    assert isinstance(e["id"], int) and e["version_id"] == vid and e["decision"] == "endorse"
    assert e["organization"]["name"] == "Lumen Electronics Inc." and e["live"] is True
    assert e["marks"] == [body["marks"][0].upper()] and e["statement"] == body["statement"]


def test_a_rights_holder_cannot_endorse_another_owners_mark(world, marks, client, token_for):
    vid = world.version("proposed")
    response = api(world, client, token_for).post(f"/api/v1/standards/{vid}/endorsements",
                                                  json={"marks": ["TMK 19-04567"], "statement": "Not ours."})
    assert response.status_code == 403 and response.json["code"] == "not_your_mark"
    both = {"marks": ["TMK 21-00123", "TMK 19-04567"], "statement": "x"}
    mixed = api(world, client, token_for).post(f"/api/v1/standards/{vid}/endorsements", json=both)
    assert mixed.status_code == 403
    assert api(world, client, token_for).get(f"/api/v1/standards/{vid}").json["endorsements"] == []


@pytest.mark.parametrize("status", ["draft", "withdrawn"])
def test_endorsing_a_draft_or_withdrawn_version_is_409(world, marks, client, token_for, status):
    vid = world.version(status)
    response = api(world, client, token_for).post(f"/api/v1/standards/{vid}/endorsements", json=ENDORSE)
    assert response.status_code == 409
    assert response.json["code"] == "invalid_state"


def test_endorsing_a_superseded_version_is_409(world, marks, client, token_for):
    v1 = world.version("published", endorse=["TMK 21-00123"])
    v2 = world.revise(v1)
    world.act(v2, "propose", world.group)
    world.endorse(v2, ["TMK 21-00123"])
    world.act(v2, "publish", world.reviewer)
    world.mark("TMK 22-00456", sectors=["consumer_electronics"], text="LUMEN PRO")
    response = api(world, client, token_for).post(f"/api/v1/standards/{v1}/endorsements",
                                                  json={"marks": ["TMK 22-00456"], "statement": "late"})
    assert response.status_code == 409


@pytest.mark.parametrize(("body", "field"), [
    ({"marks": [], "statement": "x"}, "marks"),
    ({"marks": ["TMK 1-1"], "statement": "x"}, "marks"),
    ({"marks": ["TMK 99-99999"], "statement": "x"}, "marks"),
    ({"marks": ["TMK 21-00123"], "statement": "   "}, "statement"),
    ({"marks": "TMK 21-00123", "statement": "x"}, "marks"),
    ({"statement": "x"}, "marks"),
])
def test_endorsement_body_is_checked(world, marks, client, token_for, body, field):
    vid = world.version("proposed")
    response = api(world, client, token_for).post(f"/api/v1/standards/{vid}/endorsements", json=body)
    assert response.status_code == 422
    assert field in response.json["errors"]["json"]


def test_the_same_mark_cannot_be_endorsed_twice_on_a_version(world, marks, client, token_for):
    vid = world.version("proposed")
    client_ = api(world, client, token_for)
    assert client_.post(f"/api/v1/standards/{vid}/endorsements", json=ENDORSE).status_code == 201
    again = client_.post(f"/api/v1/standards/{vid}/endorsements", json=ENDORSE)
    assert again.status_code == 409 and again.json["code"] == "already_endorsed"


@pytest.mark.parametrize("role", ["group", "reviewer", "importer", "admin"])
def test_only_rights_holders_endorse_or_decline(world, marks, client, token_for, role):
    vid = world.version("proposed")
    caller = api(world, client, token_for, role)
    assert caller.post(f"/api/v1/standards/{vid}/endorsements", json=ENDORSE).status_code == 403
    assert caller.post(f"/api/v1/standards/{vid}/declines", json={"reason": "no"}).status_code == 403


def test_anonymous_endorsement_is_401(world, marks, client):
    vid = world.version("proposed")
    assert client.post(f"/api/v1/standards/{vid}/endorsements", json=ENDORSE).status_code == 401


def test_decline_with_a_reason(world, marks, client, token_for):
    vid = world.version("proposed")
    response = api(world, client, token_for).post(f"/api/v1/standards/{vid}/declines",
                                                  json={"reason": "Our inspection centre must authenticate."})
    assert response.status_code == 201
    assert response.json["decision"] == "decline" and response.json["reason"].startswith("Our inspection")
    v = api(world, client, token_for, "group").get(f"/api/v1/standards/{vid}").json
    assert [d["organization"]["name"] for d in v["declines"]] == ["Lumen Electronics Inc."]
    assert v["endorsements"] == []


def test_decline_rules(world, marks, client, token_for):
    draft = world.version("draft")
    proposed = world.version("proposed", sector="mobile_devices")
    rights = api(world, client, token_for)
    assert rights.post(f"/api/v1/standards/{draft}/declines", json={"reason": "no"}).status_code == 409
    assert rights.post(f"/api/v1/standards/{proposed}/declines", json={"reason": " "}).status_code == 422
    assert rights.post(f"/api/v1/standards/{proposed}/declines", json={}).status_code == 422
    assert rights.post(f"/api/v1/standards/{proposed}/declines", json={"reason": "no"}).status_code == 201
    assert rights.post(f"/api/v1/standards/{proposed}/declines", json={"reason": "no"}).status_code == 409
    # having declined, endorsing needs the decline withdrawn first
    endorse = rights.post(f"/api/v1/standards/{proposed}/endorsements", json=ENDORSE)
    assert endorse.status_code == 409 and endorse.json["code"] == "declined"


def test_decline_after_endorsing_is_409(world, marks, client, token_for):
    vid = world.version("proposed")
    rights = api(world, client, token_for)
    assert rights.post(f"/api/v1/standards/{vid}/endorsements", json=ENDORSE).status_code == 201
    response = rights.post(f"/api/v1/standards/{vid}/declines", json={"reason": "changed our mind"})
    assert response.status_code == 409 and response.json["code"] == "endorsed"


def test_withdraw_an_endorsement(world, marks, client, token_for):
    vid = world.version("proposed")
    rights = api(world, client, token_for)
    eid = rights.post(f"/api/v1/standards/{vid}/endorsements", json=ENDORSE).json["id"]
    other = api(world, client, token_for, "other_rights")
    assert other.delete(f"/api/v1/standards/{vid}/endorsements/{eid}").status_code == 403
    assert api(world, client, token_for, "group").delete(
        f"/api/v1/standards/{vid}/endorsements/{eid}").status_code == 403
    assert rights.delete(f"/api/v1/standards/{vid + 1000}/endorsements/{eid}").status_code == 404
    response = rights.delete(f"/api/v1/standards/{vid}/endorsements/{eid}")
    assert response.status_code == 200 and response.json["withdrawn_at"] and response.json["live"] is False
    assert rights.delete(f"/api/v1/standards/{vid}/endorsements/{eid}").status_code == 409
    # withdrawn, it can be given again
    assert rights.post(f"/api/v1/standards/{vid}/endorsements", json=ENDORSE).status_code == 201


def test_awaiting_decision_follows_the_marks_sectors_and_decisions(world, marks, client, token_for, app):
    electronics = world.version("proposed")
    handbags = world.version("proposed", sector="handbags_accessories", author=world.other_group)
    world.version("draft", sector="mobile_devices")

    def awaiting(org_id):
        with app.app_context():
            ids = [v.id for v in awaiting_decision(org_id)]
            db.session.remove()
        return ids

    assert awaiting(world.rights.organization_id) == [electronics]
    assert awaiting(world.other_rights.organization_id) == [handbags]
    rights = api(world, client, token_for)
    eid = rights.post(f"/api/v1/standards/{electronics}/endorsements", json=ENDORSE).json["id"]
    assert awaiting(world.rights.organization_id) == []
    rights.delete(f"/api/v1/standards/{electronics}/endorsements/{eid}")
    assert awaiting(world.rights.organization_id) == [electronics]
    api(world, client, token_for, "other_rights").post(f"/api/v1/standards/{handbags}/declines",
                                                       json={"reason": "no"})
    assert awaiting(world.other_rights.organization_id) == []
