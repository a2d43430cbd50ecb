"""Threads about an object of another domain: the resolver registry, validation through it,
``threads_for`` and the ``_related_threads.html`` include other domains put on their pages."""

from __future__ import annotations

import pytest
from flask import render_template_string

from core.accounts.models import User
from core.extensions import db
from program.messages import related
from program.messages.queries import threads_for
from program.messages.related import RelatedRef


def test_register_related_accepts_only_the_known_types():
    with pytest.raises(ValueError, match="unknown related type"):
        related.register_related("spaceship", lambda _id: None)


def test_related_ref_accepts_any_iterable_and_answers_concerns():
    ref = RelatedRef([1, 2], "Case 7")
    assert ref.organization_ids == frozenset({1, 2})
    assert ref.concerns(1) and not ref.concerns(3)
    assert RelatedRef(None, "Standard 1").concerns(99)


def test_without_a_resolver_the_type_is_refused(api_as, parties, monkeypatch):
    # Every related type is wired by program.wiring now; whether "case" still has its resolver here depended on
    # test order (fake_related removes its fakes, the next create_app wires the real ones). Removed for this test.
    monkeypatch.delitem(related._RESOLVERS, "case", raising=False)
    response = api_as(parties["importer"]).post("/api/v1/threads", json={
        "subject": "s", "body": "b", "related_type": "case", "related_id": "UEI7"})
    assert response.status_code == 422
    assert "related_type" in response.json["errors"]["json"]


def test_thread_about_own_object_keeps_its_label(parties, start, fake_related):
    thread = start(parties["importer"], related_type="enrollment", related_id=41)
    assert (thread["related_type"], thread["related_id"], thread["related_label"]) == ("enrollment", "41", "Enrollment 41")
    assert thread["related_url"] == "/enrollments/41"


@pytest.mark.parametrize(("related_type", "related_id", "field"), [
    ("enrollment", "404", "related_id"),
    ("enrollment", None, "related_id"),
    ("blank_declaration", "BGD-2026-000404", "related_id"),  # resolved by program.blanks: no such declaration
    ("enrollment", "x" * 65, "related_id"),
])
def test_bad_related_objects_are_422(api_as, parties, fake_related, related_type, related_id, field):
    body = {"subject": "s", "body": "b", "related_type": related_type}
    if related_id is not None:
        body["related_id"] = related_id
    response = api_as(parties["importer"]).post("/api/v1/threads", json=body)
    assert response.status_code == 422
    assert field in response.json["errors"]["json"]


@pytest.mark.parametrize("other", ["other_importer", "rights_holder", "industry_group"])
def test_a_party_cannot_refer_to_another_partys_object(api_as, parties, fake_related, other):
    """Same answer as for an object that does not exist, so existence never leaks."""
    api = api_as(parties[other])
    theirs = api.post("/api/v1/threads", json={"subject": "s", "body": "b", "related_type": "enrollment",
                                               "related_id": "41"})
    missing = api.post("/api/v1/threads", json={"subject": "s", "body": "b", "related_type": "enrollment",
                                                "related_id": "404"})
    assert theirs.status_code == 422
    assert theirs.json["errors"]["json"] == missing.json["errors"]["json"]


def test_case_is_shared_by_importer_and_rights_holder_and_standards_by_all(parties, start, fake_related):
    assert start(parties["rights_holder"], related_type="case", related_id="UEI7")["related_label"] == "Case UEI7"
    assert start(parties["industry_group"], related_type="standard", related_id="S12")["related_label"] == "Standard S12"


def test_reviewer_ties_a_thread_only_to_an_object_of_that_party(api_as, parties, reviewer, fake_related):
    api = api_as(reviewer)
    wrong = api.post("/api/v1/threads", json={"subject": "s", "body": "b", "related_type": "enrollment",
                                              "related_id": "41",
                                              "organization_id": parties["rights_holder"].organization_id})
    assert wrong.status_code == 422 and "related_id" in wrong.json["errors"]["json"]
    right = api.post("/api/v1/threads", json={"subject": "s", "body": "b", "related_type": "enrollment",
                                              "related_id": "41", "organization_id": parties["importer"].organization_id})
    assert right.status_code == 201


def test_threads_for_respects_visibility(app, parties, reviewer, start, fake_related):
    mine = start(parties["importer"], subject="Mine", related_type="case", related_id="UEI7")
    theirs = start(parties["rights_holder"], subject="Theirs", related_type="case", related_id="UEI7")
    start(parties["importer"], subject="Unrelated")
    with app.app_context():
        importer = db.session.get(User, parties["importer"].id)
        cbp = db.session.get(User, reviewer.id)
        assert [t.id for t in threads_for("case", "UEI7", importer)] == [mine["id"]]
        assert [t.id for t in threads_for("case", "UEI7", cbp)] == [theirs["id"], mine["id"]]
        assert threads_for("case", "UEI7", None) == []


def _render_include(app, client, user, **context):
    """Render the include inside a real request of ``user`` (signed in on ``client``)."""
    template = ('{% with related_type=rt, related_id=rid, related_organization_id=org %}'
                '{% include "program/messages/_related_threads.html" %}{% endwith %}')
    with app.test_request_context():
        from flask_login import login_user

        login_user(db.session.get(User, user.id))
        return render_template_string(template, **context)


def test_related_include_lists_threads_and_offers_to_start_one(app, client, parties, reviewer, start, fake_related):
    start(parties["importer"], subject="About my enrollment", related_type="enrollment", related_id="41")
    html = _render_include(app, client, parties["importer"], rt="enrollment", rid=41, org=None)
    assert "Conversations with CBP about this" in html and "About my enrollment" in html
    assert "/messages/new?related_type=enrollment&amp;related_id=41" in html
    cbp_html = _render_include(app, client, reviewer, rt="enrollment", rid=41, org=parties["importer"].organization_id)
    assert "Thread Party Imports" in cbp_html and "1 new" in cbp_html
    assert f"organization_id={parties['importer'].organization_id}" in cbp_html
    other_html = _render_include(app, client, parties["other_importer"], rt="enrollment", rid=41, org=None)
    assert "About my enrollment" not in other_html and "No conversations yet." in other_html
