"""Unread counts are per user: messages from the other side since the user last opened the thread."""

from __future__ import annotations

import re

from sqlalchemy import event

from core.extensions import db


def _badge(html: str) -> int:
    found = re.search(r'data-testid="unread-messages">(\d+)', html)
    return int(found.group(1)) if found else 0


def test_unread_flags_and_counts_in_the_list(api_as, parties, reviewer, start):
    thread = start(reviewer, organization_id=parties["importer"].organization_id, body="one")
    api_as(reviewer).post(f"/api/v1/threads/{thread['id']}/messages", json={"body": "two"})
    importer = api_as(parties["importer"])
    item = importer.get("/api/v1/threads").json["items"][0]
    assert item["unread"] is True and item["unread_count"] == 2 and item["message_count"] == 2
    # CBP's own messages are not news to CBP.
    assert api_as(reviewer).get("/api/v1/threads").json["items"][0]["unread_count"] == 0


def test_opening_a_thread_marks_it_read_for_that_user_only(api_as, parties, reviewer, start):
    thread = start(reviewer, organization_id=parties["importer"].organization_id, body="one")
    importer, colleague = api_as(parties["importer"]), api_as(parties["colleague"])
    detail = importer.get(f"/api/v1/threads/{thread['id']}").json
    assert [m["new"] for m in detail["messages"]] == [True]
    assert importer.get(f"/api/v1/threads/{thread['id']}").json["messages"][0]["new"] is False
    assert importer.get("/api/v1/threads").json["items"][0]["unread_count"] == 0
    assert colleague.get("/api/v1/threads").json["items"][0]["unread_count"] == 1


def test_replying_counts_as_reading_and_own_side_is_not_unread(api_as, parties, reviewer, start):
    thread = start(reviewer, organization_id=parties["importer"].organization_id, body="question")
    importer = api_as(parties["importer"])
    importer.post(f"/api/v1/threads/{thread['id']}/messages", json={"body": "answer"})
    assert importer.get("/api/v1/threads").json["items"][0]["unread_count"] == 0
    # The colleague has not read CBP's question; the importer's answer is its own side's, so not unread.
    assert api_as(parties["colleague"]).get("/api/v1/threads").json["items"][0]["unread_count"] == 1
    assert api_as(reviewer).get("/api/v1/threads").json["items"][0]["unread_count"] == 1


def test_every_reviewer_has_their_own_read_state(api_as, make_user, parties, start):
    thread = start(parties["importer"], body="hello")
    first, second = api_as(make_user("reviewer")), api_as(make_user("reviewer"))
    first.get(f"/api/v1/threads/{thread['id']}")
    assert first.get("/api/v1/threads").json["items"][0]["unread"] is False
    assert second.get("/api/v1/threads").json["items"][0]["unread"] is True


def test_navigation_badge_counts_unread_messages(client, login, api_as, parties, reviewer, start):
    one = start(reviewer, organization_id=parties["importer"].organization_id, body="one")
    api_as(reviewer).post(f"/api/v1/threads/{one['id']}/messages", json={"body": "two"})
    start(reviewer, organization_id=parties["importer"].organization_id, body="three")
    start(reviewer, organization_id=parties["rights_holder"].organization_id, body="not theirs")
    login(parties["importer"])
    home = client.get("/home").text
    assert _badge(home) == 3
    assert 'class="usa-tag gl-nav-count"' in home
    client.get(f"/messages/{one['id']}")
    assert _badge(client.get("/home").text) == 1


def test_no_badge_without_unread_messages(client, login, parties):
    login(parties["importer"])
    home = client.get("/home").text
    assert ">Messages</span>" in home
    assert "gl-nav-count" not in home


def test_badge_costs_one_query_per_page_view(app, client, login, parties, reviewer, start):
    for n in range(3):
        start(reviewer, organization_id=parties["importer"].organization_id, body=f"m{n}")
    login(parties["importer"])
    statements: list[str] = []

    def count(_conn, _cursor, statement, *_args):
        if "thread_read" in statement:
            statements.append(statement)

    with app.app_context():
        engine = db.engine
    event.listen(engine, "before_cursor_execute", count)
    try:
        assert _badge(client.get("/settings").text) == 3
    finally:
        event.remove(engine, "before_cursor_execute", count)
    assert len(statements) == 1


def test_inbox_shows_unread_in_bold_with_count(client, login, api_as, parties, reviewer, start):
    thread = start(reviewer, organization_id=parties["importer"].organization_id, subject="Bold one", body="x")
    start(parties["importer"], subject="My own", body="y")
    login(parties["importer"])
    page = client.get("/messages").text
    row = re.search(r'<tr class="gl-unread">.*?</tr>', page, re.S).group(0)
    assert "Bold one" in row and "1 new" in row
    assert page.count('class="gl-unread"') == 1
    assert "Bold one" in client.get("/messages?unread=1").text
    assert "My own" not in client.get("/messages?unread=1").text
    client.get(f"/messages/{thread['id']}")
    assert 'class="gl-unread"' not in client.get("/messages").text
