"""The per-process facts cache: reused while nothing changes, reloaded the moment any fact changes."""

from __future__ import annotations

import pytest

from core.extensions import db
from program.decisions import facts
from tests.program.decisions.conftest import IOR


@pytest.fixture(autouse=True)
def _no_sampling(app):
    old = app.config["VERIFICATION_SAMPLE_RATE"]
    app.config["VERIFICATION_SAMPLE_RATE"] = 0.0
    yield
    app.config["VERIFICATION_SAMPLE_RATE"] = old  # the session's value (0.0), not the production default


def codes(response):
    assert response.status_code in (200, 201), response.json
    return [r["code"] for line in response.json["lines"] for r in line["reasons"]]


def test_snapshot_is_reused_until_a_fact_changes(app, world):
    with app.app_context():
        first = facts.snapshot()
        assert facts.snapshot() is first
        assert IOR in first.facts.enrollments
        facts.bump_facts_version()
        db.session.commit()
        assert facts.snapshot() is not first


def test_debarred_listing_applies_to_the_next_decision(world, entry):
    assert codes(world.importer.post("/api/v1/release-decisions", json=entry())) == []
    added = world.reviewer.post("/api/v1/debarred", json={"name": "Someone Else", "ior_number": IOR,
                                                          "reason": "Counterfeit seizures", "start_date": "2020-01-01"})
    assert added.status_code == 201, added.json
    assert "debarred" in codes(world.importer.post("/api/v1/release-decisions", json=entry()))


@pytest.mark.parametrize(("listed", "fires"), [
    ("Northwind Trading, Ltd.", True),       # the enrolled legal name with a different suffix
    ("NORTHWIND TRADNG LLC", True),          # a typo: fuzzy, as enrollment screening matches it
    ("Apex Trading Partners", False),        # a different company
])
def test_a_listed_name_resembling_the_enrolled_one_refers_its_entries(world, entry, listed, fires):
    assert codes(world.importer.post("/api/v1/release-decisions", json=entry())) == []
    added = world.reviewer.post("/api/v1/debarred", json={"name": listed, "reason": "Counterfeit seizures",
                                                          "start_date": "2020-01-01"})
    assert added.status_code == 201, added.json
    decided = world.importer.post("/api/v1/release-decisions", json=entry())
    assert ("debarred" in codes(decided)) is fires
    if fires:
        assert decided.json["outcome"] == "refer_for_examination"
        assert "closely resembles" in decided.json["lines"][0]["reasons"][0]["message"]


def test_withdrawn_endorsement_takes_effect_at_once(world, entry):
    assert codes(world.importer.post("/api/v1/release-decisions", json=entry())) == []
    version = world.rights.get(f"/api/v1/standards/{world.version_id}").json
    mine = [e for e in version["endorsements"] if e.get("status", "endorsed") != "declined"]
    response = world.rights.delete(f"/api/v1/standards/{world.version_id}/endorsements/{mine[0]['id']}")
    assert response.status_code in (200, 204), response.json
    assert "no_endorsed_standard" in codes(world.importer.post("/api/v1/release-decisions", json=entry()))


def test_revoked_declaration_no_longer_covers_blank_lines(app, world, entry, blank_line):
    from core.accounts.models import User
    from program.blanks import services as blanks
    from program.blanks.queries import get_declaration

    assert codes(world.importer.post("/api/v1/release-decisions", json=entry(blank_line(5)))) == []
    with app.app_context():
        blanks.revoke_declaration(db.session.get(User, world.reviewer.user.id), get_declaration(world.declaration_id),
                                  reason="Marks found in the same container.")
        db.session.commit()
    assert codes(world.importer.post("/api/v1/release-decisions", json=entry(blank_line(5)))) == [
        "no_blank_declaration"]
