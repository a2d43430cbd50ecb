"""A party never sees another party's threads: every thread route answers 404 for a thread of another
organisation (as for one that does not exist), on the API and the web, for every other party kind."""

from __future__ import annotations

import pytest

from tests.program.messages.conftest import PNG_BYTES, upload

OTHERS = ["other_importer", "rights_holder", "industry_group"]


@pytest.fixture
def private_thread(api_as, parties, reviewer, start):
    """A thread between CBP and the importer, with a PNG attachment; returns (thread id, file id)."""
    thread = start(reviewer, organization_id=parties["importer"].organization_id, subject="Private matter",
                   body="Confidential details of Thread Party Imports")
    response = api_as(parties["importer"]).post(f"/api/v1/threads/{thread['id']}/attachments",
                                                data={"file": upload(PNG_BYTES, "photo.png", "image/png")},
                                                content_type="multipart/form-data")
    assert response.status_code == 201
    return thread["id"], response.json["attachments"][0]["id"]


def _api_calls(thread_id: int, file_id: int):
    return [
        ("get", f"/api/v1/threads/{thread_id}", {}),
        ("post", f"/api/v1/threads/{thread_id}/messages", {"json": {"body": "sneaky"}}),
        ("post", f"/api/v1/threads/{thread_id}/attachments",
         {"data": {"file": upload(PNG_BYTES, "x.png", "image/png")}, "content_type": "multipart/form-data"}),
        ("get", f"/api/v1/threads/{thread_id}/attachments/{file_id}", {}),
    ]


API_ROUTE_NAMES = ["get", "reply", "upload", "download"]


@pytest.mark.parametrize("other", OTHERS)
@pytest.mark.parametrize("route", range(len(API_ROUTE_NAMES)), ids=API_ROUTE_NAMES)
def test_api_thread_routes_answer_404_to_other_parties(api_as, parties, private_thread, other, route):
    thread_id, file_id = private_thread
    method, path, kwargs = _api_calls(thread_id, file_id)[route]
    response = getattr(api_as(parties[other]), method)(path, **kwargs)
    assert response.status_code == 404
    assert response.json["code"] == "not_found"
    assert "Confidential" not in response.text and "Private matter" not in response.text
    # The same answer as for a thread that does not exist at all.
    method, path, kwargs = _api_calls(999_999, file_id)[route]
    assert getattr(api_as(parties[other]), method)(path, **kwargs).json == response.json


@pytest.mark.parametrize("other", OTHERS)
@pytest.mark.parametrize("action", ["close", "reopen"])
def test_api_close_and_reopen_are_cbp_only_whatever_the_thread(api_as, parties, private_thread, other, action):
    """Parties hold no right to close/reopen at all, so they get 403 for any id, which reveals nothing."""
    thread_id, _ = private_thread
    mine = api_as(parties[other]).post(f"/api/v1/threads/{thread_id}/{action}")
    missing = api_as(parties[other]).post(f"/api/v1/threads/999999/{action}")
    assert mine.status_code == missing.status_code == 403
    assert mine.json == missing.json


@pytest.mark.parametrize("other", OTHERS)
def test_api_list_never_shows_other_parties_threads(api_as, parties, private_thread, start, other):
    own = start(parties[other], subject="Mine")
    listing = api_as(parties[other]).get("/api/v1/threads").json
    assert [t["id"] for t in listing["items"]] == [own["id"]]
    assert listing["total"] == 1
    # Filtering by the other organisation's id does not get around it.
    filtered = api_as(parties[other]).get(f"/api/v1/threads?organization_id={parties['importer'].organization_id}")
    assert filtered.json["items"] == []


def test_colleagues_of_the_party_see_the_thread(api_as, parties, private_thread):
    thread_id, file_id = private_thread
    api = api_as(parties["colleague"])
    assert api.get(f"/api/v1/threads/{thread_id}").status_code == 200
    download = api.get(f"/api/v1/threads/{thread_id}/attachments/{file_id}")
    assert download.status_code == 200
    download.close()
    assert [t["id"] for t in api.get("/api/v1/threads").json["items"]] == [thread_id]


@pytest.mark.parametrize("role", ["reviewer", "admin"])
def test_cbp_sees_every_thread(api_as, parties, private_thread, start, role):
    thread_id, file_id = private_thread
    other = start(parties["rights_holder"], subject="Rights question")
    api = api_as(role)
    assert {t["id"] for t in api.get("/api/v1/threads").json["items"]} == {thread_id, other["id"]}
    assert api.get(f"/api/v1/threads/{thread_id}").status_code == 200
    download = api.get(f"/api/v1/threads/{thread_id}/attachments/{file_id}")
    assert download.status_code == 200
    download.close()


def test_a_file_is_reachable_only_through_its_own_thread(api_as, parties, private_thread, start):
    """A party cannot fetch another thread's file by pairing its id with a thread of its own."""
    _thread_id, file_id = private_thread
    own = start(parties["rights_holder"])
    response = api_as(parties["rights_holder"]).get(f"/api/v1/threads/{own['id']}/attachments/{file_id}")
    assert response.status_code == 404


def _web_calls(thread_id: int, file_id: int):
    return [
        ("get", f"/messages/{thread_id}", {}),
        ("post", f"/messages/{thread_id}/reply", {"data": {"body": "sneaky"}}),
        ("get", f"/messages/{thread_id}/files/{file_id}", {}),
        ("get", f"/messages/{thread_id}/files/{file_id}?inline=1", {}),
    ]


WEB_ROUTE_NAMES = ["show", "reply", "download", "inline"]


@pytest.mark.parametrize("other", OTHERS)
@pytest.mark.parametrize("route", range(len(WEB_ROUTE_NAMES)), ids=WEB_ROUTE_NAMES)
def test_web_thread_routes_answer_404_to_other_parties(client, login, parties, private_thread, other, route):
    thread_id, file_id = private_thread
    login(parties[other])
    method, path, kwargs = _web_calls(thread_id, file_id)[route]
    response = getattr(client, method)(path, **kwargs)
    assert response.status_code == 404
    assert "Private matter" not in response.text and "Confidential details" not in response.text


@pytest.mark.parametrize("other", OTHERS)
@pytest.mark.parametrize("action", ["close", "reopen"])
def test_web_close_and_reopen_refuse_parties(client, login, parties, private_thread, other, action):
    thread_id, _ = private_thread
    login(parties[other])
    assert client.post(f"/messages/{thread_id}/{action}").status_code == 403


@pytest.mark.parametrize("other", OTHERS)
def test_web_inbox_never_shows_other_parties_threads(client, login, parties, private_thread, other):
    login(parties[other])
    page = client.get(f"/messages?organization_id={parties['importer'].organization_id}").text
    assert "Private matter" not in page
    assert "No conversations yet" in page or "No conversations match" in page


def test_other_parties_never_get_an_e_mail_about_the_thread(app, parties, private_thread):
    from sqlalchemy import select

    from core.extensions import db
    from core.notifications import OutboxMessage

    with app.app_context():
        recipients = set(db.session.scalars(select(OutboxMessage.recipient)))
    assert recipients
    assert not recipients & {parties[k].email for k in OTHERS}
