"""The per-process facts cache: reused while nothing changes, reloaded the moment any fact changes."""

from __future__ import annotations

import pytest

from core.extensions import db
from program.decisions import facts
from tests.program.decisions.conftest import APPLICATION, IOR


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


@pytest.fixture
def statements(app):
    """The SQL statements the app sends while the test runs (first words only)."""
    from sqlalchemy import event
    from sqlalchemy.engine import Engine

    seen: list[str] = []

    def listen(_conn, _cursor, statement, *_args):
        seen.append(" ".join(statement.split()[:3]))

    event.listen(Engine, "before_cursor_execute", listen)
    yield seen
    event.remove(Engine, "before_cursor_execute", listen)


def test_a_decision_on_unchanged_facts_reads_no_facts_version(world, entry, statements, monkeypatch):
    assert codes(world.importer.post("/api/v1/release-decisions", json=entry())) == []  # caches the snapshot
    loads = []
    monkeypatch.setattr(facts, "load_snapshot", lambda *a: loads.append(a) or pytest.fail("reloaded"))
    statements.clear()
    assert codes(world.importer.post("/api/v1/release-decisions", json=entry())) == []
    assert not any("facts_version" in s for s in statements), statements
    assert statements[0].startswith("INSERT INTO release_decision")  # the version rides on this INSERT
    assert loads == []


def test_a_decision_made_on_a_stale_snapshot_is_made_again_on_fresh_facts(app, world, entry, monkeypatch):
    from core.audit import verify_chain
    from program.decisions.models import ReleaseDecision

    assert codes(world.importer.post("/api/v1/release-decisions", json=entry())) == []
    stale = facts.cached_snapshot()
    with app.app_context():  # as another worker process would: the version moves, this process's cache does not
        facts.bump_facts_version()
        db.session.commit()
    assert facts.cached_snapshot() is stale
    real_load, loads = facts.load_snapshot, []
    monkeypatch.setattr(facts, "load_snapshot", lambda *a: loads.append(a) or real_load(*a))
    decided = world.importer.post("/api/v1/release-decisions", json=entry(entry_number="999-9999999-0"))
    assert codes(decided) == []
    assert len(loads) == 1 and facts.cached_snapshot() is not stale
    assert facts.cached_snapshot().version == stale.version + 1
    with app.app_context():
        ueis = db.session.scalars(db.select(ReleaseDecision.uei).order_by(ReleaseDecision.id)).all()
        assert ueis[1:] == [decided.json["uei"]]  # the rolled-back attempt left nothing behind
        assert verify_chain().ok


def test_a_refusal_on_a_stale_snapshot_is_checked_against_fresh_facts(world, entry, api_as, make_user):
    newcomer = api_as(make_user("importer", org="Newcomer Imports LLC"))
    body = entry(ior_number="45-6789012CD")
    refused = newcomer.post("/api/v1/release-decisions", json=body)  # caches a snapshot without its enrollment
    assert refused.status_code == 403 and refused.json["code"] == "not_enrolled"
    application = dict(APPLICATION, legal_name="Newcomer Imports LLC", ior_number="45-6789012CD")
    assert newcomer.post("/api/v1/enrollments", json=application).status_code == 201
    decided = newcomer.post("/api/v1/release-decisions", json=body)
    assert decided.status_code == 201, decided.json  # asked on its own IOR number: decided (not enrolled yet)
    assert "not_enrolled" in codes(decided)
