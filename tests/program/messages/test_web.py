"""The pages: inbox, new conversation (CBP picks the party, a party does not), thread, reply, close and
reopen, CSRF, and the route permissions."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from core.extensions import db
from program.messages.models import Thread

ROLES = ("importer", "rights_holder", "industry_group", "reviewer", "admin")


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("path", ["/messages", "/messages/new"])
def test_every_role_has_the_pages(client, make_user, login, role, path):
    login(make_user(role))
    assert client.get(path).status_code == 200


@pytest.mark.parametrize("path", ["/messages", "/messages/new", "/messages/1"])
def test_anonymous_users_are_sent_to_sign_in(client, path):
    response = client.get(path)
    assert response.status_code == 302 and "/login?next=" in response.headers["Location"]


@pytest.mark.parametrize("role", ROLES)
def test_messages_is_in_everyones_navigation(client, make_user, login, role):
    login(make_user(role))
    assert 'href="/messages"><span>Messages</span>' in client.get("/home").text


def test_reviewer_picks_the_party_from_a_select_grouped_by_kind(client, login, parties, reviewer):
    login(reviewer)
    page = client.get("/messages/new").text
    assert 'class="usa-select" id="organization_id" name="organization_id"' in page
    for label in ("Importer", "Rights holder", "Industry group"):
        assert f'<optgroup label="{label}">' in page
    assert "Thread Party Imports" in page and "Brand Owner Corp" in page
    assert "U.S. Customs and Border Protection" not in page.split('name="organization_id"')[1].split("</select>")[0]


def test_reviewer_starts_a_conversation(app, client, login, parties, reviewer):
    login(reviewer)
    response = client.post("/messages/new", data={"organization_id": parties["rights_holder"].organization_id,
                                                  "subject": "Your guide", "body": "Please update it."})
    assert response.status_code == 302
    with app.app_context():
        thread = db.session.scalar(select(Thread))
        assert thread.organization_id == parties["rights_holder"].organization_id
    page = client.get(response.headers["Location"]).text
    assert "Your message has been sent to Brand Owner Corp." in page
    assert "Please update it." in page and "Close conversation" in page


def test_reviewer_must_choose_an_organisation(client, login, parties, reviewer):
    login(reviewer)
    response = client.post("/messages/new", data={"organization_id": "", "subject": "s", "body": "b"})
    assert response.status_code == 422
    assert 'id="organization_id-error"' in response.text


def test_party_form_has_no_organisation_choice(client, login, parties):
    login(parties["importer"])
    page = client.get("/messages/new").text
    assert 'name="organization_id"' not in page
    assert "Write to CBP" in page


def test_party_writes_to_cbp(app, client, login, parties):
    login(parties["industry_group"])
    response = client.post("/messages/new", data={"subject": "Draft standard", "body": "Is this enough?",
                                                  "organization_id": parties["importer"].organization_id})
    assert response.status_code == 302
    with app.app_context():
        assert db.session.scalar(select(Thread.organization_id)) == parties["industry_group"].organization_id


def test_new_form_errors_name_the_fields_and_keep_input(client, login, parties):
    login(parties["importer"])
    response = client.post("/messages/new", data={"subject": "", "body": "kept text"})
    assert response.status_code == 422
    assert 'id="subject-error"' in response.text and "kept text" in response.text
    response = client.post("/messages/new", data={"subject": "only subject", "body": ""})
    assert response.status_code == 422 and 'id="body-error"' in response.text


def test_new_form_with_related_object_prefills_and_checks(client, login, parties, reviewer, fake_related):
    login(reviewer)
    page = client.get("/messages/new?related_type=enrollment&related_id=41").text
    assert "Enrollment 41" in page
    # The only organisation that may see the enrollment is pre-selected for the reviewer.
    selected = re.search(r'<option selected value="(\d+)"|<option value="(\d+)" selected', page)
    assert selected and str(parties["importer"].organization_id) in selected.groups()
    response = client.post("/messages/new", data={"organization_id": parties["rights_holder"].organization_id,
                                                  "subject": "s", "body": "b", "related_type": "enrollment",
                                                  "related_id": "41"})
    assert response.status_code == 422  # the rights holder may not see the importer's enrollment
    assert "related_id" in response.text


def test_party_cannot_refer_to_an_object_it_may_not_see(client, login, parties, fake_related):
    login(parties["other_importer"])
    page = client.get("/messages/new?related_type=enrollment&related_id=41").text
    assert "Enrollment 41" not in page
    assert "There is no enrollment 41 this conversation can be about." in page


def test_thread_page_reply_close_and_reopen(client, login, api_as, parties, reviewer, start):
    thread = start(parties["importer"], subject="Grading", body="Which scale?")
    login(reviewer)
    page = client.get(f"/messages/{thread['id']}").text
    assert "Which scale?" in page and "Thread Party Imports" in page
    response = client.post(f"/messages/{thread['id']}/reply", data={"body": "CTIA grades are fine."})
    assert response.status_code == 302 and "#message-" in response.headers["Location"]
    assert client.post(f"/messages/{thread['id']}/close").status_code == 302
    page = client.get(f"/messages/{thread['id']}").text
    assert "This conversation is closed" in page and "Reopen conversation" in page and 'id="reply-heading"' not in page
    closed_again = client.post(f"/messages/{thread['id']}/close", follow_redirects=True)
    assert "already closed" in closed_again.text
    assert client.post(f"/messages/{thread['id']}/reopen").status_code == 302
    assert 'id="reply-heading"' in client.get(f"/messages/{thread['id']}").text


def test_party_sees_closed_notice_and_cannot_reply(client, login, api_as, parties, reviewer, start):
    thread = start(parties["importer"])
    api_as(reviewer).post(f"/api/v1/threads/{thread['id']}/close")
    login(parties["importer"])
    page = client.get(f"/messages/{thread['id']}").text
    assert "This conversation is closed" in page and "Close conversation" not in page
    response = client.post(f"/messages/{thread['id']}/reply", data={"body": "hello?"}, follow_redirects=True)
    assert "This conversation is closed; CBP can reopen it." in response.text


def test_empty_reply_is_refused_with_the_field_named(client, login, parties, start):
    thread = start(parties["importer"])
    login(parties["importer"])
    response = client.post(f"/messages/{thread['id']}/reply", data={"body": "  "})
    assert response.status_code == 422 and 'id="body-error"' in response.text


def test_inbox_filters_and_pagination(client, login, api_as, parties, reviewer, start):
    for n in range(3):
        start(parties["importer"], subject=f"Thread number {n}")
    closed = start(parties["rights_holder"], subject="Rights closed one")
    api_as(reviewer).post(f"/api/v1/threads/{closed['id']}/close")
    login(reviewer)
    assert "Rights closed one" not in client.get("/messages?status=open").text
    assert "Thread number" not in client.get("/messages?status=closed").text
    assert "Rights closed one" not in client.get(f"/messages?organization_id={parties['importer'].organization_id}").text
    assert client.get("/messages?q=number 1").text.count("Thread number") == 1
    paged = client.get("/messages?page_size=2").text
    assert "Page 1 of 2" in paged
    assert "No conversations match these filters." in client.get("/messages?q=zzz").text


def _signed_in_with_csrf(app, user):
    client = app.test_client()
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', client.get("/login").text).group(1)
    client.post("/login", data={"email": user.email, "password": user.password, "csrf_token": token})
    return client


def test_forms_refuse_posts_without_csrf_token(app, make_user, parties, start):
    """With CSRF on (as in production) every POST without the token is refused and nothing changes."""
    thread = start(parties["importer"])
    app.config["WTF_CSRF_ENABLED"] = True
    try:
        party = _signed_in_with_csrf(app, parties["importer"])
        assert party.get("/messages").status_code == 200
        assert party.post("/messages/new", data={"subject": "s", "body": "b"}).status_code == 400
        assert party.post(f"/messages/{thread['id']}/reply", data={"body": "b"}).status_code == 400
        cbp = _signed_in_with_csrf(app, make_user("reviewer"))
        assert cbp.post(f"/messages/{thread['id']}/close").status_code == 400
        page = party.get(f"/messages/{thread['id']}").text
        token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
        ok = party.post(f"/messages/{thread['id']}/reply", data={"body": "with token", "csrf_token": token})
        assert ok.status_code == 302
    finally:
        app.config["WTF_CSRF_ENABLED"] = False
    with app.app_context():
        assert db.session.scalar(select(Thread.status)) == "open"
        assert db.session.scalar(select(Thread).where(Thread.subject == "s")) is None


def test_thread_page_costs_the_same_queries_however_long_it_is(sql_log, client, login, api_as, parties, reviewer,
                                                                start):
    from tests.program.messages.test_api import _statements

    short, long_ = start(parties["importer"], body="one"), start(parties["importer"], body="one")
    api = api_as(reviewer)
    for n in range(8):
        api.post(f"/api/v1/threads/{long_['id']}/messages", json={"body": f"reply {n}"})
    login(parties["importer"])
    client.get(f"/messages/{short['id']}")
    client.get(f"/messages/{long_['id']}")
    assert _statements(sql_log, lambda: client.get(f"/messages/{short['id']}")) == \
        _statements(sql_log, lambda: client.get(f"/messages/{long_['id']}"))
