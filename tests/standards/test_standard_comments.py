"""Comments on proposed standards: the drafter sets the period; importers, other parties and the public
comment while it runs; the drafter answers; comments stay with the version; bad input is 422, never 5xx."""

from __future__ import annotations

from datetime import timedelta

import pytest

from core.timeutil import today


@pytest.fixture
def proposed(world):
    """A proposed version drafted by the world's industry group."""
    return world.version("proposed")


def _open(api_as, world, version_id, days=30):
    response = api_as(world.group).post(f"/api/v1/standards/{version_id}/comment-period",
                                        json={"closes_on": (today() + timedelta(days=days)).isoformat()})
    assert response.status_code == 200, response.json
    return response.json


def test_drafter_opens_comments_parties_and_public_comment_drafter_answers(api_as, client, world, proposed):
    period = _open(api_as, world, proposed)
    assert period["open"] is True and period["opens_on"] == today().isoformat()
    importer = api_as(world.importer)
    made = importer.post(f"/api/v1/standards/{proposed}/comments", json={"text": "Please accept refurbisher invoices."})
    assert made.status_code == 201 and made.json["by"] == "Northwind Trading LLC"
    public = client.post(f"/api/v1/public/standards/{proposed}/comments", json={"text": "Grade C is too lax."})
    assert public.status_code == 201 and public.json["by"] == "Anonymous (public)"
    named = client.post(f"/api/v1/public/standards/{proposed}/comments", json={"text": "Agree.", "name": "Pat"})
    assert named.json["by"] == "Pat (public)"
    answer = api_as(world.group).post(f"/api/v1/standards/{proposed}/comments/{made.json['id']}/response",
                                      json={"text": "Added as evidence for R1."})
    assert answer.status_code == 200 and answer.json["response"] == "Added as evidence for R1."
    listed = api_as(world.reviewer).get(f"/api/v1/standards/{proposed}/comments").json
    assert [c["text"] for c in listed["items"]] == ["Please accept refurbisher invoices.", "Grade C is too lax.", "Agree."]
    assert listed["comment_period"]["closes_on"] == (today() + timedelta(days=30)).isoformat()


def test_comments_only_while_the_period_runs(api_as, client, world, proposed, clock):
    importer = api_as(world.importer)
    closed = importer.post(f"/api/v1/standards/{proposed}/comments", json={"text": "x"})
    assert closed.status_code == 409 and closed.json["code"] == "comment_period_closed"
    _open(api_as, world, proposed, days=2)
    assert importer.post(f"/api/v1/standards/{proposed}/comments", json={"text": "x"}).status_code == 201
    clock.move_to(today() + timedelta(days=3))
    assert importer.post(f"/api/v1/standards/{proposed}/comments", json={"text": "y"}).status_code == 409
    assert client.post(f"/api/v1/public/standards/{proposed}/comments", json={"text": "y"}).status_code == 409


def test_only_the_drafter_sets_the_period_and_answers(api_as, world, proposed):
    body = {"closes_on": (today() + timedelta(days=5)).isoformat()}
    assert api_as(world.other_group).post(f"/api/v1/standards/{proposed}/comment-period", json=body).status_code == 403
    assert api_as(world.importer).post(f"/api/v1/standards/{proposed}/comment-period", json=body).status_code == 403
    _open(api_as, world, proposed)
    made = api_as(world.rights).post(f"/api/v1/standards/{proposed}/comments", json={"text": "ok"}).json
    other = api_as(world.other_group).post(f"/api/v1/standards/{proposed}/comments/{made['id']}/response",
                                           json={"text": "no"})
    assert other.status_code == 403
    assert api_as(world.group).post(f"/api/v1/standards/{proposed}/comments", json={"text": "x"}).status_code == 403


@pytest.mark.parametrize(("days", "status"), [(-1, 422), (181, 422), (0, 200), (180, 200)])
def test_period_dates_are_checked(api_as, world, proposed, days, status):
    response = api_as(world.group).post(f"/api/v1/standards/{proposed}/comment-period",
                                        json={"closes_on": (today() + timedelta(days=days)).isoformat()})
    assert response.status_code == status


def test_periods_are_for_proposed_versions(api_as, world):
    draft = world.version("draft")
    response = api_as(world.group).post(f"/api/v1/standards/{draft}/comment-period",
                                        json={"closes_on": today().isoformat()})
    assert response.status_code == 409


def test_bad_comments_are_refused_without_5xx(api_as, client, world, proposed):
    _open(api_as, world, proposed)
    for body in ({"text": ""}, {"text": "a\x00b"}, {"text": "x" * 10_001}, {}, {"text": 5}):
        assert client.post(f"/api/v1/public/standards/{proposed}/comments", json=body).status_code == 422, body
    assert client.post("/api/v1/public/standards/99999999999/comments", json={"text": "x"}).status_code == 404
    draft = world.version("draft")
    assert client.post(f"/api/v1/public/standards/{draft}/comments", json={"text": "x"}).status_code == 404


def test_public_comments_are_rate_limited_per_address(api_as, client, world, proposed):
    _open(api_as, world, proposed)
    codes = [client.post(f"/api/v1/public/standards/{proposed}/comments", json={"text": "x"},
                         environ_base={"REMOTE_ADDR": "192.0.2.44"}).status_code for _ in range(21)]
    assert codes[:20] == [201] * 20 and codes[20] == 429


def test_comment_pages(api_as, client, login, world, proposed):
    _open(api_as, world, proposed)
    page = client.get(f"/standards/{proposed}/comment")
    assert page.status_code == 200 and "Comments are open until" in page.text
    sent = client.post(f"/standards/{proposed}/comment", data={"text": "Public view.", "name": "Sam"})
    assert sent.status_code == 302
    spam = client.post(f"/standards/{proposed}/comment", data={"text": "Buy now", "homepage": "http://x"})
    assert spam.status_code == 302
    assert "Sam (public)" in client.get(f"/standards/{proposed}/comment").text
    assert "Buy now" not in client.get(f"/standards/{proposed}/comment").text
    assert client.post(f"/standards/{proposed}/comment", data={"text": ""}).status_code == 422
    login(world.importer)
    assert client.post(f"/standards/{proposed}/comments", data={"text": "Importer view."}).status_code == 302
    assert "Importer view." in client.get(f"/standards/{proposed}").text
    client.post("/logout")
    login(world.group)
    page = client.get(f"/standards/{proposed}")
    assert "Save answer" in page.text and "Public view." in page.text
