"""The facts the decision engine reads: endorsed_standard_version, endorsed_index, marks_index."""

from __future__ import annotations

from contextlib import contextmanager

import pytest
from sqlalchemy import event, update

from core.extensions import db
from standards import queries
from standards.models import Endorsement, RecordedMark
from standards.reference import CONDITIONS


@contextmanager
def counting_queries(app):
    """Count SELECT statements run inside the block."""
    seen: list[str] = []

    def listener(conn, cursor, statement, *args):
        if statement.lstrip().upper().startswith("SELECT"):
            seen.append(statement)

    with app.app_context():
        event.listen(db.engine, "before_cursor_execute", listener)
        try:
            yield seen
        finally:
            event.remove(db.engine, "before_cursor_execute", listener)
            db.session.remove()


def lookup(app, sector, condition, number):
    with app.app_context():
        answer = queries.endorsed_standard_version(sector, condition, number)
        db.session.remove()
    return answer


@pytest.fixture
def lumen(world):
    """LUMEN (Lumen) and ACME (Acme) recorded; a published electronics standard endorsed for LUMEN."""
    world.mark("TMK 21-00123", sectors=["consumer_electronics"], lever_rule=True)
    world.mark("TMK 19-04567", owner=world.other_rights, sectors=["handbags_accessories"], text="ACME")
    return world.version("published", conditions=("used", "refurbished", "new_parallel"),
                         endorse=["TMK 21-00123"])


def test_published_endorsed_standard_is_found_per_condition(app, lumen):
    for condition in ("used", "refurbished", "new_parallel"):
        assert lookup(app, "consumer_electronics", condition, "TMK 21-00123") == lumen
    assert lookup(app, "consumer_electronics", "recycled", "TMK 21-00123") is None
    assert lookup(app, "mobile_devices", "used", "TMK 21-00123") is None
    assert lookup(app, "consumer_electronics", "used", "TMK 19-04567") is None
    assert lookup(app, "consumer_electronics", "used", "TMK 99-99999") is None


def test_withdrawing_the_endorsement_changes_the_answer_at_once(app, world, lumen, client, token_for):
    from tests.conftest import ApiClient

    rights = ApiClient(client, token_for(world.rights))
    [endorsement] = rights.get(f"/api/v1/standards/{lumen}").json["endorsements"]
    assert lookup(app, "consumer_electronics", "used", "TMK 21-00123") == lumen
    assert rights.delete(f"/api/v1/standards/{lumen}/endorsements/{endorsement['id']}").status_code == 200
    assert lookup(app, "consumer_electronics", "used", "TMK 21-00123") is None
    with app.app_context():
        assert ("consumer_electronics", "used", "TMK 21-00123") not in queries.endorsed_index()


def test_proposed_versions_do_not_count(app, world):
    world.mark("TMK 21-00123")
    world.version("proposed", endorse=["TMK 21-00123"])
    assert lookup(app, "consumer_electronics", "used", "TMK 21-00123") is None


def test_an_endorsement_counts_only_while_its_organisation_owns_the_mark(app, world, lumen):
    with app.app_context():
        db.session.execute(update(RecordedMark).where(RecordedMark.recordation_number == "TMK 21-00123")
                           .values(owner_organization_id=world.other_rights.organization_id))
        db.session.commit()
    assert lookup(app, "consumer_electronics", "used", "TMK 21-00123") is None


def test_a_decline_never_counts(app, world):
    world.mark("TMK 21-00123")
    vid = world.version("published", endorse=["TMK 21-00123"])
    with app.app_context():
        db.session.execute(update(Endorsement).values(decision="decline"))
        db.session.commit()
    assert lookup(app, "consumer_electronics", "used", "TMK 21-00123") is None
    assert vid


def test_superseded_versions_give_way_to_the_new_published_one(app, world, lumen):
    v2 = world.revise(lumen, conditions=["used"])
    world.act(v2, "propose", world.group)
    world.endorse(v2, ["TMK 21-00123"])
    assert lookup(app, "consumer_electronics", "refurbished", "TMK 21-00123") == lumen  # v2 not yet published
    world.act(v2, "publish", world.reviewer)
    assert lookup(app, "consumer_electronics", "used", "TMK 21-00123") == v2
    assert lookup(app, "consumer_electronics", "refurbished", "TMK 21-00123") is None


def test_the_lookup_is_one_query(app, lumen):
    with counting_queries(app) as seen:
        queries.endorsed_standard_version("consumer_electronics", "used", "TMK 21-00123")
    assert len(seen) == 1


def test_endorsed_index_matches_every_single_lookup_and_is_one_query(app, world, lumen):
    other = world.version("published", sector="handbags_accessories", conditions=("used", "new_parallel"),
                          author=world.other_group, endorse=["TMK 19-04567"], endorser=world.other_rights)
    with counting_queries(app) as seen:
        index = queries.endorsed_index()
    assert len(seen) == 1
    assert index == {
        ("consumer_electronics", "used", "TMK 21-00123"): lumen,
        ("consumer_electronics", "refurbished", "TMK 21-00123"): lumen,
        ("consumer_electronics", "new_parallel", "TMK 21-00123"): lumen,
        ("handbags_accessories", "used", "TMK 19-04567"): other,
        ("handbags_accessories", "new_parallel", "TMK 19-04567"): other,
    }
    for sector in ("consumer_electronics", "handbags_accessories", "mobile_devices"):
        for condition in CONDITIONS:
            for number in ("TMK 21-00123", "TMK 19-04567"):
                assert index.get((sector, condition, number)) == lookup(app, sector, condition, number)


def test_marks_index_is_one_query(app, world, lumen):
    with counting_queries(app) as seen:
        index = queries.marks_index()
        heightened = queries.heightened_sectors()
    assert len(seen) == 2
    lumen_mark = index["TMK 21-00123"]
    assert lumen_mark.owner_organization_id == world.rights.organization_id and lumen_mark.lever_rule is True
    mark_id, owner, lever, scope, expires = index["TMK 19-04567"]
    assert (owner, lever, scope, expires) == (world.other_rights.organization_id, False, (), None)
    assert isinstance(mark_id, int)
    assert heightened == {"pharmaceuticals", "medical_devices", "automotive_parts", "aerospace_parts"}
