"""The standards API: create, read, list, edit, propose, withdraw, publish (superseding), revise."""

from __future__ import annotations

import pytest
from sqlalchemy import select, text
from sqlalchemy.exc import IntegrityError

from core.audit import AuditEntry, verify_chain
from core.extensions import db
from standards.models import StandardVersion
from standards.services import versions
from tests.conftest import ApiClient
from tests.standards.conftest import REQUIREMENTS

NEW = {"sector": "consumer_electronics", "title": "Used consumer electronics",
       "conditions": ["used", "refurbished"], "requirements": REQUIREMENTS}


def as_(world, client, token_for, who) -> ApiClient:
    return ApiClient(client, token_for(world.by_role(who)))


# --- create ------------------------------------------------------------------------------------------


@pytest.mark.parametrize("author", ["group", "rights", "reviewer"])
def test_create_answers_201_with_a_draft_version_1(world, client, token_for, author):
    response = as_(world, client, token_for, author).post("/api/v1/standards", json=NEW)
    assert response.status_code == 201, response.json
    v = response.json
    assert v["version"] == 1 and v["status"] == "draft"
    assert isinstance(v["id"], int) and isinstance(v["standard_id"], int)
    assert v["sector"] == "consumer_electronics" and v["title"] == "Used consumer electronics"
    assert v["conditions"] == ["used", "refurbished"]
    assert [r["code"] for r in v["requirements"]] == ["R1", "R2", "R3"]
    assert v["endorsements"] == [] and v["declines"] == []
    assert v["author_organization"]["id"] == world.by_role(author).organization_id
    assert v["versions"] == [{"id": v["id"], "version": 1, "status": "draft"}]


@pytest.mark.parametrize("role", ["importer", "admin"])
def test_create_refused_to_importers_and_admins(world, client, token_for, role):
    assert as_(world, client, token_for, role).post("/api/v1/standards", json=NEW).status_code == 403


def test_create_needs_a_token(client):
    assert client.post("/api/v1/standards", json=NEW).status_code == 401


@pytest.mark.parametrize(("change", "field"), [
    ({"sector": "nope"}, "sector"),
    ({"conditions": ["used", "blank"]}, "conditions"),
    ({"title": "   "}, "title"),
    ({"title": "x" * 201}, "title"),
    ({"requirements": [{"code": "R1", "text": "a"}, {"code": "r1", "text": "b"}]}, "requirements"),
    ({"requirements": [{"code": "R 1!", "text": "a"}]}, "requirements"),
    ({"requirements": [{"code": "R1", "text": "", "evidence": "only evidence"}]}, "requirements"),
    ({"requirements": "R1"}, "requirements"),
    ({"conditions": "used"}, "conditions"),
])
def test_create_checks_each_field(world, client, token_for, change, field):
    response = as_(world, client, token_for, "group").post("/api/v1/standards", json={**NEW, **change})
    assert response.status_code == 422
    assert field in response.json["errors"]["json"]


def test_create_missing_sector_and_title_is_422(world, client, token_for):
    response = as_(world, client, token_for, "group").post("/api/v1/standards", json={})
    assert response.status_code == 422
    assert {"sector", "title"} <= set(response.json["errors"]["json"])


def test_blank_codes_are_numbered_and_empty_rows_dropped(world, client, token_for):
    reqs = [{"code": "", "text": "First"}, {"code": "R1", "text": "Second"}, {"code": "", "text": ""},
            {"text": "Third"}]
    group = as_(world, client, token_for, "group")
    v = group.post("/api/v1/standards", json={**NEW, "requirements": reqs}).json
    assert [(r["code"], r["text"]) for r in v["requirements"]] == [("R2", "First"), ("R1", "Second"),
                                                                    ("R3", "Third")]


# --- read and list -----------------------------------------------------------------------------------


def test_drafts_are_seen_only_by_their_author_organisation(world, client, token_for):
    draft = world.version("draft")
    for who, status in (("group", 200), ("other_group", 404), ("reviewer", 404), ("rights", 404),
                        ("importer", 404)):
        assert as_(world, client, token_for, who).get(f"/api/v1/standards/{draft}").status_code == status, who


def test_list_filters_and_hides_other_organisations_drafts(world, client, token_for):
    world.mark()
    draft = world.version("draft")
    proposed = world.version("proposed", sector="mobile_devices")
    published = world.version("published", endorse=["TMK 21-00123"])
    api = as_(world, client, token_for, "importer")
    ids = {v["id"] for v in api.get("/api/v1/standards").json["items"]}
    assert ids == {proposed, published}
    assert [v["id"] for v in api.get("/api/v1/standards?status=published").json["items"]] == [published]
    assert [v["id"] for v in api.get("/api/v1/standards?sector=mobile_devices").json["items"]] == [proposed]
    assert api.get("/api/v1/standards?status=bogus").status_code == 422
    mine = as_(world, client, token_for, "group").get("/api/v1/standards?mine=true").json
    assert {v["id"] for v in mine["items"]} == {draft, proposed, published}


def test_get_shows_endorsements_with_who_which_marks_and_statement(world, client, token_for):
    world.mark()
    published = world.version("published", endorse=["TMK 21-00123"])
    v = as_(world, client, token_for, "importer").get(f"/api/v1/standards/{published}").json
    assert v["status"] == "published" and v["published_at"]
    [e] = v["endorsements"]
    assert e["organization"]["name"] == "Lumen Electronics Inc."
    assert e["marks"] == ["TMK 21-00123"] and e["statement"] == "We endorse this." and e["live"] is True


# --- edit --------------------------------------------------------------------------------------------


def test_author_edits_a_draft(world, client, token_for):
    draft = world.version("draft")
    response = as_(world, client, token_for, "group").patch(
        f"/api/v1/standards/{draft}", json={"title": "Renamed", "conditions": ["recycled"],
                                            "requirements": [{"code": "R9", "text": "Only one"}]})
    assert response.status_code == 200
    assert response.json["title"] == "Renamed" and response.json["conditions"] == ["recycled"]
    assert [r["code"] for r in response.json["requirements"]] == ["R9"]


def test_editing_keeps_codes_that_are_re_sent(world, client, token_for):
    draft = world.version("draft")
    api = as_(world, client, token_for, "group")
    response = api.patch(f"/api/v1/standards/{draft}", json={"requirements": list(reversed(REQUIREMENTS))})
    assert [r["code"] for r in response.json["requirements"]] == ["R3", "R2", "R1"]


def test_edit_of_a_proposal_is_409_and_of_another_organisations_draft_404(world, client, token_for):
    proposed = world.version("proposed")
    draft = world.version("draft")
    assert as_(world, client, token_for, "group").patch(
        f"/api/v1/standards/{proposed}", json={"title": "x"}).status_code == 409
    assert as_(world, client, token_for, "other_group").patch(
        f"/api/v1/standards/{draft}", json={"title": "x"}).status_code == 404


# --- propose and withdraw ----------------------------------------------------------------------------


def test_propose_a_complete_draft(world, client, token_for, app):
    world.mark()
    draft = world.version("draft")
    response = as_(world, client, token_for, "group").post(f"/api/v1/standards/{draft}/propose")
    assert response.status_code == 200
    assert response.json["status"] == "proposed" and response.json["proposed_at"]
    with app.app_context():
        from core.notifications import OutboxMessage

        recipients = {m.recipient for m in db.session.scalars(select(OutboxMessage))}
        assert world.rights.email in recipients  # rights holders with marks in the sector are told


def test_propose_an_incomplete_draft_is_422_naming_what_is_missing(world, client, token_for):
    draft = world.version("draft", conditions=(), requirements=[])
    response = as_(world, client, token_for, "group").post(f"/api/v1/standards/{draft}/propose")
    assert response.status_code == 422
    assert {"conditions", "requirements"} == set(response.json["errors"]["json"])


def test_propose_twice_is_409_and_by_another_organisation_403(world, client, token_for):
    draft = world.version("draft")
    assert as_(world, client, token_for, "other_group").post(
        f"/api/v1/standards/{draft}/propose").status_code == 403
    api = as_(world, client, token_for, "group")
    assert api.post(f"/api/v1/standards/{draft}/propose").status_code == 200
    assert api.post(f"/api/v1/standards/{draft}/propose").status_code == 409


@pytest.mark.parametrize("status", ["draft", "proposed"])
def test_author_withdraws_a_draft_or_proposal(world, client, token_for, status):
    vid = world.version(status)
    response = as_(world, client, token_for, "group").post(f"/api/v1/standards/{vid}/withdraw",
                                                           json={"reason": "Superseded by our new code."})
    assert response.status_code == 200
    assert response.json["status"] == "withdrawn" and response.json["withdrawal_reason"] == (
        "Superseded by our new code.")


def test_withdraw_without_a_body_and_of_a_published_version(world, client, token_for):
    world.mark()
    draft = world.version("draft")
    published = world.version("published", endorse=["TMK 21-00123"])
    api = as_(world, client, token_for, "group")
    assert api.post(f"/api/v1/standards/{draft}/withdraw").status_code == 200
    assert api.post(f"/api/v1/standards/{published}/withdraw").status_code == 409
    assert api.post(f"/api/v1/standards/{draft}/withdraw").status_code == 409


# --- publish -----------------------------------------------------------------------------------------


def test_publish_without_endorsement_is_409(world, client, token_for):
    proposed = world.version("proposed")
    response = as_(world, client, token_for, "reviewer").post(f"/api/v1/standards/{proposed}/publish")
    assert response.status_code == 409 and response.json["code"] == "no_endorsement"
    assert world.get(proposed)["status"] == "proposed"


def test_publish_a_withdrawn_endorsement_only_is_409(world, client, token_for):
    world.mark()
    proposed = world.version("proposed", endorse=["TMK 21-00123"])
    rights = as_(world, client, token_for, "rights")
    endorsement = rights.get(f"/api/v1/standards/{proposed}").json["endorsements"][0]["id"]
    assert rights.delete(f"/api/v1/standards/{proposed}/endorsements/{endorsement}").status_code == 200
    assert as_(world, client, token_for, "reviewer").post(
        f"/api/v1/standards/{proposed}/publish").status_code == 409


@pytest.mark.parametrize("status", ["draft", "withdrawn"])
def test_publish_from_a_wrong_state_is_409(world, client, token_for, status):
    vid = world.version(status)
    reviewer = as_(world, client, token_for, "reviewer")
    assert reviewer.post(f"/api/v1/standards/{vid}/publish").status_code == 409


@pytest.mark.parametrize("role", ["group", "rights", "importer", "admin"])
def test_only_reviewers_publish(world, client, token_for, role):
    world.mark()
    proposed = world.version("proposed", endorse=["TMK 21-00123"])
    caller = as_(world, client, token_for, role)
    assert caller.post(f"/api/v1/standards/{proposed}/publish").status_code == 403


def test_publish_v2_supersedes_v1_and_endorsements_do_not_carry_over(world, client, token_for, app):
    world.mark()
    v1 = world.version("published", endorse=["TMK 21-00123"])
    group = as_(world, client, token_for, "group")
    revised = group.post(f"/api/v1/standards/{v1}/revise")
    assert revised.status_code == 201
    v2 = revised.json
    assert v2["id"] != v1 and v2["version"] == 2 and v2["status"] == "draft"
    assert v2["standard_id"] == world.get(v1)["standard_id"]
    assert v2["requirements"] == group.get(f"/api/v1/standards/{v1}").json["requirements"]
    assert v2["endorsements"] == []
    assert group.post(f"/api/v1/standards/{v2['id']}/propose").status_code == 200
    reviewer = as_(world, client, token_for, "reviewer")
    # v1's endorsement does not count for v2
    assert reviewer.post(f"/api/v1/standards/{v2['id']}/publish").status_code == 409
    world.endorse(v2["id"], ["TMK 21-00123"])
    published = reviewer.post(f"/api/v1/standards/{v2['id']}/publish")
    assert published.status_code == 200 and published.json["status"] == "published"
    old = world.get(v1)
    assert old["status"] == "superseded" and old["superseded_by_id"] == v2["id"]
    statuses = {v["version"]: v["status"] for v in published.json["versions"]}
    assert statuses == {1: "superseded", 2: "published"}
    with app.app_context():
        actions = [e.action for e in db.session.scalars(select(AuditEntry).order_by(AuditEntry.id))]
        assert actions[-2:] == ["standard.supersede", "standard.publish"]
        assert verify_chain().ok


def test_publish_supersedes_in_one_transaction(world, app, monkeypatch):
    """A failure after the supersede step leaves v1 published and v2 proposed: nothing half-written."""
    world.mark()
    v1 = world.version("published", endorse=["TMK 21-00123"])
    v2 = world.revise(v1)
    world.act(v2, "propose", world.group)
    world.endorse(v2, ["TMK 21-00123"])

    def boom(*args, **kwargs):
        raise RuntimeError("mail system down")

    monkeypatch.setattr(versions, "notify_organizations", boom)
    with app.app_context():
        version = db.session.get(StandardVersion, v2)
        with pytest.raises(RuntimeError):
            versions.publish_version(world.user(world.reviewer), version)
        db.session.rollback()
        db.session.remove()
    assert world.get(v1)["status"] == "published"
    assert world.get(v2)["status"] == "proposed"


def test_the_database_refuses_two_published_versions_and_state_column_mismatches(world, app):
    world.mark()
    v1 = world.version("published", endorse=["TMK 21-00123"])
    v2 = world.revise(v1)
    with app.app_context():
        with pytest.raises(IntegrityError):
            db.session.execute(text("UPDATE standard_version SET status = 'published', "
                                    "proposed_at = published_at, published_at = :t, published_by_id = :u "
                                    "WHERE id = :id"),
                               {"t": "2026-01-01 00:00:00", "u": world.reviewer.id, "id": v2})
        db.session.rollback()
        with pytest.raises(IntegrityError):  # published_at exactly when published or superseded
            db.session.execute(text("UPDATE standard_version SET published_at = NULL WHERE id = :id"),
                               {"id": v1})
        db.session.rollback()
        with pytest.raises(IntegrityError):  # one open version per standard
            db.session.execute(text("UPDATE standard_version SET status = 'draft', published_at = NULL, "
                                    "published_by_id = NULL, proposed_at = NULL WHERE id = :id"), {"id": v1})
        db.session.rollback()


# --- revise ------------------------------------------------------------------------------------------


def test_revise_refused_while_a_version_is_open_and_for_older_versions(world, client, token_for):
    world.mark()
    v1 = world.version("published", endorse=["TMK 21-00123"])
    group = as_(world, client, token_for, "group")
    assert group.post(f"/api/v1/standards/{v1}/revise").status_code == 201
    second = group.post(f"/api/v1/standards/{v1}/revise")
    assert second.status_code == 409 and second.json["code"] == "open_version"


def test_revise_of_a_superseded_version_is_409(world, client, token_for):
    world.mark()
    v1 = world.version("published", endorse=["TMK 21-00123"])
    v2 = world.revise(v1)
    world.act(v2, "propose", world.group)
    world.endorse(v2, ["TMK 21-00123"])
    world.act(v2, "publish", world.reviewer)
    response = as_(world, client, token_for, "group").post(f"/api/v1/standards/{v1}/revise")
    assert response.status_code == 409


def test_revise_a_withdrawn_version_and_refusals(world, client, token_for):
    withdrawn = world.version("withdrawn")
    assert as_(world, client, token_for, "reviewer").post(
        f"/api/v1/standards/{withdrawn}/revise").status_code == 403
    draft = world.version("draft")
    assert as_(world, client, token_for, "group").post(f"/api/v1/standards/{draft}/revise").status_code == 409
    response = as_(world, client, token_for, "group").post(f"/api/v1/standards/{withdrawn}/revise")
    assert response.status_code == 201 and response.json["version"] == 2


def test_unknown_version_is_404(world, client, token_for):
    for path in ("/api/v1/standards/999999", ):
        assert as_(world, client, token_for, "group").get(path).status_code == 404
    assert as_(world, client, token_for, "group").post("/api/v1/standards/999999/propose").status_code == 404
