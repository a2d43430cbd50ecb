"""The Messages API as API.md writes it: create, reply, list (recent activity first), get, close/reopen,
auth (401/403) and validation (422 naming the field)."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from core.audit import AuditEntry, verify_chain
from core.extensions import db
from program.messages.models import Message, Thread


def test_party_writes_to_cbp_about_its_own_organisation(api_as, parties, start):
    thread = start(parties["importer"], subject="Sourcing question", body="Do invoices from Osaka count?")
    assert thread["organization"]["id"] == parties["importer"].organization_id
    assert thread["organization"]["kind"] == "importer"
    assert thread["status"] == "open"
    assert [m["body"] for m in thread["messages"]] == ["Do invoices from Osaka count?"]
    assert thread["messages"][0]["from_cbp"] is False
    assert thread["message_count"] == 1 and thread["unread_count"] == 0


def test_party_may_name_its_own_organisation(parties, start):
    importer = parties["importer"]
    thread = start(importer, organization_id=importer.organization_id)
    assert thread["organization"]["id"] == importer.organization_id


@pytest.mark.parametrize("other", ["other_importer", "rights_holder", "industry_group"])
def test_party_naming_another_organisation_is_refused(api_as, parties, other):
    """Decision: refused with 422 (not silently ignored), the same answer for every other id."""
    response = api_as(parties["importer"]).post("/api/v1/threads", json={
        "subject": "s", "body": "b", "organization_id": parties[other].organization_id})
    assert response.status_code == 422
    assert "organization_id" in response.json["errors"]["json"]
    missing = api_as(parties["importer"]).post("/api/v1/threads", json={"subject": "s", "body": "b",
                                                                         "organization_id": 999_999})
    assert missing.json["errors"]["json"] == response.json["errors"]["json"]


@pytest.mark.parametrize("kind", ["importer", "rights_holder", "industry_group"])
def test_reviewer_writes_to_any_party_kind(parties, reviewer, start, kind):
    thread = start(reviewer, organization_id=parties[kind].organization_id, body="From CBP")
    assert thread["organization"]["kind"] == kind
    assert thread["messages"][0]["from_cbp"] is True


def test_admin_counts_as_cbp(make_user, parties, start):
    thread = start(make_user("admin"), organization_id=parties["rights_holder"].organization_id)
    assert thread["messages"][0]["from_cbp"] is True


@pytest.mark.parametrize("organization_id", [None, 999_999, "cbp"])
def test_reviewer_must_name_a_party_organisation(api_as, reviewer, organization_id):
    body = {"subject": "s", "body": "b"}
    if organization_id == "cbp":
        body["organization_id"] = reviewer.organization_id
    elif organization_id is not None:
        body["organization_id"] = organization_id
    response = api_as(reviewer).post("/api/v1/threads", json=body)
    assert response.status_code == 422
    assert list(response.json["errors"]["json"]) == ["organization_id"]


@pytest.mark.parametrize(("body", "fields"), [
    ({"body": "no subject"}, {"subject"}),
    ({"subject": "no body"}, {"body"}),
    ({"subject": "   ", "body": "  "}, {"subject", "body"}),
    ({"subject": "x" * 201, "body": "b"}, {"subject"}),
    ({"subject": "s", "body": "b" * 20_001}, {"body"}),
    ({"subject": "s", "body": "b", "related_type": "spaceship", "related_id": "1"}, {"related_type"}),
    ({"subject": "s", "body": "b", "related_id": "1"}, {"related_type"}),
    ({"subject": 5, "body": "b"}, {"subject"}),
])
def test_validation_names_each_failing_field(api_as, parties, body, fields):
    response = api_as(parties["importer"]).post("/api/v1/threads", json=body)
    assert response.status_code == 422
    assert set(response.json["errors"]["json"]) == fields


def test_malformed_json_is_422(api_as, parties):
    response = api_as(parties["importer"]).post("/api/v1/threads", data="{nope", content_type="application/json")
    assert response.status_code == 422


def test_nothing_is_half_written_on_422(app, api_as, parties):
    api_as(parties["importer"]).post("/api/v1/threads", json={"subject": "", "body": "b"})
    with app.app_context():
        assert db.session.scalar(select(Thread.id)) is None
        assert db.session.scalar(select(Message.id)) is None


def test_reply_and_get_show_the_conversation_in_order(api_as, parties, reviewer, start):
    thread = start(parties["importer"], body="first")
    assert api_as(reviewer).post(f"/api/v1/threads/{thread['id']}/messages", json={"body": "second"}).status_code == 201
    response = api_as(parties["colleague"]).post(f"/api/v1/threads/{thread['id']}/messages", json={"body": "third"})
    assert response.status_code == 201
    assert response.json["body"] == "third" and response.json["thread_id"] == thread["id"]
    detail = api_as(reviewer).get(f"/api/v1/threads/{thread['id']}").json
    assert [m["body"] for m in detail["messages"]] == ["first", "second", "third"]
    assert [m["from_cbp"] for m in detail["messages"]] == [False, True, False]
    assert detail["message_count"] == 3


@pytest.mark.parametrize("body", [{}, {"body": ""}, {"body": "   "}, {"body": None}])
def test_reply_needs_a_body(api_as, parties, start, body):
    thread = start(parties["importer"])
    response = api_as(parties["importer"]).post(f"/api/v1/threads/{thread['id']}/messages", json=body)
    assert response.status_code == 422
    assert "body" in response.json["errors"]["json"]


def test_list_is_most_recent_activity_first_and_paginated(api_as, parties, reviewer, start):
    importer = parties["importer"]
    first = start(importer, subject="oldest")
    second = start(importer, subject="middle")
    third = start(importer, subject="newest")
    api = api_as(importer)
    assert [t["subject"] for t in api.get("/api/v1/threads").json["items"]] == ["newest", "middle", "oldest"]
    api_as(reviewer).post(f"/api/v1/threads/{first['id']}/messages", json={"body": "bump"})
    listing = api.get("/api/v1/threads").json
    assert [t["id"] for t in listing["items"]] == [first["id"], third["id"], second["id"]]
    assert listing["total"] == 3 and listing["page"] == 1 and listing["pages"] == 1
    paged = api.get("/api/v1/threads?page=2&page_size=2").json
    assert [t["id"] for t in paged["items"]] == [second["id"]] and paged["pages"] == 2
    assert api.get("/api/v1/threads?page_size=501").status_code == 422


def test_list_filters(api_as, parties, reviewer, start, fake_related):
    importer = parties["importer"]
    about = start(importer, subject="about", related_type="enrollment", related_id="41")
    plain = start(importer, subject="plain")
    other = start(reviewer, organization_id=parties["rights_holder"].organization_id, subject="rights")
    api = api_as(reviewer)
    api.post(f"/api/v1/threads/{plain['id']}/close")
    ids = lambda query: [t["id"] for t in api.get(f"/api/v1/threads?{query}").json["items"]]  # noqa: E731
    assert ids("status=closed") == [plain["id"]]
    assert set(ids("status=open")) == {about["id"], other["id"]}
    assert ids(f"organization_id={parties['rights_holder'].organization_id}") == [other["id"]]
    assert ids("related_type=enrollment&related_id=41") == [about["id"]]
    assert set(ids("unread=true")) == {about["id"], plain["id"]}
    assert api.get("/api/v1/threads?status=archived").status_code == 422


def test_close_and_reopen(api_as, parties, reviewer, start):
    thread = start(parties["importer"])
    api = api_as(reviewer)
    closed = api.post(f"/api/v1/threads/{thread['id']}/close")
    assert closed.status_code == 200 and closed.json["status"] == "closed" and closed.json["closed_at"]
    assert api.post(f"/api/v1/threads/{thread['id']}/close").status_code == 409
    reply = api_as(parties["importer"]).post(f"/api/v1/threads/{thread['id']}/messages", json={"body": "late"})
    assert reply.status_code == 409 and reply.json["code"] == "thread_closed"
    assert api.post(f"/api/v1/threads/{thread['id']}/messages", json={"body": "cbp too"}).status_code == 409
    reopened = api.post(f"/api/v1/threads/{thread['id']}/reopen")
    assert reopened.status_code == 200 and reopened.json["status"] == "open" and reopened.json["closed_at"] is None
    assert api.post(f"/api/v1/threads/{thread['id']}/reopen").status_code == 409
    assert api_as(parties["importer"]).post(f"/api/v1/threads/{thread['id']}/messages",
                                            json={"body": "again"}).status_code == 201


@pytest.mark.parametrize("kind", ["importer", "rights_holder", "industry_group"])
def test_parties_cannot_close_even_their_own_thread(api_as, parties, start, kind):
    thread = start(parties[kind])
    response = api_as(parties[kind]).post(f"/api/v1/threads/{thread['id']}/close")
    assert response.status_code == 403 and response.json["code"] == "forbidden"


ROUTES = [
    ("post", "/api/v1/threads"),
    ("get", "/api/v1/threads"),
    ("get", "/api/v1/threads/1"),
    ("post", "/api/v1/threads/1/messages"),
    ("post", "/api/v1/threads/1/attachments"),
    ("get", "/api/v1/threads/1/attachments/1"),
    ("post", "/api/v1/threads/1/close"),
    ("post", "/api/v1/threads/1/reopen"),
]


@pytest.mark.parametrize(("method", "path"), ROUTES)
def test_every_route_needs_a_token(client, method, path):
    response = getattr(client, method)(path, json={})
    assert response.status_code == 401
    assert response.json["code"] == "unauthorized"


def test_every_action_is_audited_in_a_verifiable_chain(app, api_as, parties, reviewer, start):
    thread = start(parties["importer"], body="confidential words")
    api = api_as(reviewer)
    api.post(f"/api/v1/threads/{thread['id']}/messages", json={"body": "more confidential words"})
    api.post(f"/api/v1/threads/{thread['id']}/close")
    api.post(f"/api/v1/threads/{thread['id']}/reopen")
    with app.app_context():
        entries = db.session.scalars(select(AuditEntry).where(AuditEntry.entity_type == "thread")
                                     .order_by(AuditEntry.id)).all()
        assert [e.action for e in entries] == ["thread.create", "thread.reply", "thread.close", "thread.reopen"]
        assert {e.entity_id for e in entries} == {str(thread["id"])}
        assert entries[0].actor == parties["importer"].email and entries[1].actor == reviewer.email
        assert entries[2].before["status"] == "open" and entries[2].after["status"] == "closed"
        assert len(entries[1].after["body_sha256"]) == 64
        assert all("confidential" not in str(e.before) + str(e.after) for e in entries)
        assert verify_chain().ok
    listed = api.get(f"/api/v1/audit?entity_type=thread&entity_id={thread['id']}").json["items"]
    assert len(listed) == 4


def test_openapi_documents_the_routes(client):
    paths = client.get("/api/v1/openapi.json").json["paths"]
    assert {"post", "get"} <= set(paths["/api/v1/threads"])
    assert "post" in paths["/api/v1/threads/{thread_id}/messages"]
    assert "post" in paths["/api/v1/threads/{thread_id}/attachments"]


def _statements(sql_log, call) -> int:
    with sql_log() as seen:
        call()
    return len(seen)


def test_getting_a_thread_costs_the_same_queries_however_long_it_is(sql_log, api_as, parties, reviewer, start):
    short, long_ = start(parties["importer"], body="one"), start(parties["importer"], body="one")
    api = api_as(reviewer)
    for n in range(8):
        api.post(f"/api/v1/threads/{long_['id']}/messages", json={"body": f"reply {n}"})
    api.get(f"/api/v1/threads/{short['id']}")
    api.get(f"/api/v1/threads/{long_['id']}")
    assert _statements(sql_log, lambda: api.get(f"/api/v1/threads/{short['id']}")) == \
        _statements(sql_log, lambda: api.get(f"/api/v1/threads/{long_['id']}"))
