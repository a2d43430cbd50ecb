"""One decision per entry number (409 ``entry_already_decided`` unless superseding, draws returned) and batch
idempotency (batch key and per-item keys): replays draw nothing."""

from __future__ import annotations

from decimal import Decimal

import pytest
from sqlalchemy import func, select, text

from core.extensions import db
from core.timeutil import today
from program.blanks.models import BlankConsumption, BlankLine
from tests.program.decisions.conftest import REFERRED_LINE

REFERRED_LINE_USED = dict(REFERRED_LINE, condition="used")  # ACME goods in any condition need the Lever label


def _remaining(app, world) -> Decimal:
    with app.app_context():
        value = db.session.scalar(select(BlankLine.remaining_quantity).where(BlankLine.id == world.declaration_line_id))
        db.session.remove()
    return Decimal(value)


def _ledger_sum(app, world) -> Decimal:
    with app.app_context():
        value = db.session.scalar(select(func.coalesce(func.sum(BlankConsumption.quantity), 0))
                                  .where(BlankConsumption.line_id == world.declaration_line_id))
        db.session.remove()
    return Decimal(value)


def test_second_decision_for_an_entry_is_409_unless_it_supersedes(app, world, entry, blank_line):
    body = entry(blank_line(30), entry_number="ABC-1234567-6")
    first = world.importer.post("/api/v1/release-decisions", json=body)
    assert first.status_code == 201 and first.json["status"] == "live" and first.json["supersedes"] is None
    assert _remaining(app, world) == 70
    again = world.importer.post("/api/v1/release-decisions", json=body)
    assert again.status_code == 409 and again.json["code"] == "entry_already_decided"
    assert str(first.json["id"]) in again.json["message"]
    assert _remaining(app, world) == 70
    wrong = world.importer.post("/api/v1/release-decisions", json=dict(body, supersedes=first.json["id"] + 100))
    assert wrong.status_code == 422 and "supersedes" in str(wrong.json)
    other = world.other_importer.post("/api/v1/release-decisions", json=dict(body, supersedes=first.json["id"]))
    assert other.status_code == 403  # not its IOR number
    redo = dict(entry(blank_line(40), entry_number="ABC-1234567-6"), supersedes=first.json["id"])
    second = world.importer.post("/api/v1/release-decisions", json=redo)
    assert second.status_code == 201, second.json
    assert second.json["supersedes"] == first.json["id"] and second.json["status"] == "live"
    assert _remaining(app, world) == 60  # 30 returned, 40 drawn
    assert _ledger_sum(app, world) == 40
    earlier = world.importer.get(f"/api/v1/release-decisions/{first.json['id']}").json
    assert earlier["status"] == "superseded" and earlier["superseded_by"] == second.json["id"]
    listed = world.importer.get("/api/v1/release-decisions?entry_number=ABC-1234567-6&status=live").json["items"]
    assert [d["id"] for d in listed] == [second.json["id"]]
    every = world.importer.get("/api/v1/release-decisions?entry_number=ABC-1234567-6").json["items"]
    assert [d["id"] for d in every] == [second.json["id"], first.json["id"]]  # superseded ones too, newest first
    stale = world.importer.post("/api/v1/release-decisions", json=dict(redo, supersedes=first.json["id"]))
    assert stale.status_code == 409 and stale.json["code"] == "already_superseded"
    assert _remaining(app, world) == 60


def test_an_entry_with_an_open_case_cannot_be_superseded(app, world, entry):
    from tests.program.decisions.conftest import REFERRED_LINE

    first = world.importer.post("/api/v1/release-decisions", json=entry(REFERRED_LINE, entry_number="999-9999999-0"))
    case = world.reviewer.post("/api/v1/cases", json={"decision_id": first.json["id"], "action": "detain",
                                                      "notice_date": today().isoformat()})
    assert case.status_code == 201, case.json
    redo = dict(entry(REFERRED_LINE, entry_number="999-9999999-0"), supersedes=first.json["id"])
    refused = world.reviewer.post("/api/v1/release-decisions", json=redo)
    assert refused.status_code == 409 and refused.json["code"] == "case_open"
    world.reviewer.post(f"/api/v1/cases/{case.json['uei']}/events", json={"type": "released"})
    assert world.reviewer.post("/api/v1/release-decisions", json=redo).status_code == 201


def test_replaying_a_batch_draws_nothing_and_returns_the_same_decisions(app, world, entry, blank_line):
    items = [entry(blank_line(20)), entry(), {"entry_number": "bad"}]
    headers = {"Idempotency-Key": "batch-2026-11-18-a"}
    first = world.importer.post("/api/v1/release-decisions/batch", json=items, headers=headers)
    assert first.status_code == 200
    assert [("uei" in item) for item in first.json] == [True, True, False]
    assert _remaining(app, world) == 80
    replay = world.importer.post("/api/v1/release-decisions/batch", json=items, headers=headers)
    assert replay.status_code == 200
    assert [(i.get("id"), i.get("uei")) for i in replay.json[:2]] == [(i["id"], i["uei"]) for i in first.json[:2]]
    assert _remaining(app, world) == 80 and _ledger_sum(app, world) == 20
    changed = world.importer.post("/api/v1/release-decisions/batch", json=items[:2], headers=headers)
    assert changed.status_code == 409 and changed.json["code"] == "idempotency_key_reused"
    # Without the batch key, the same entries are already decided: each item is 409 on its own.
    plain = world.importer.post("/api/v1/release-decisions/batch", json=items[:2])
    assert [item["code"] for item in plain.json] == ["entry_already_decided"] * 2
    assert _remaining(app, world) == 80


def test_batch_items_may_carry_their_own_idempotency_key(app, world, entry, blank_line):
    item = dict(entry(blank_line(10)), idempotency_key="item-1")
    first = world.importer.post("/api/v1/release-decisions/batch", json=[item]).json[0]
    again = world.importer.post("/api/v1/release-decisions/batch", json=[item]).json[0]
    assert (again["id"], again["uei"]) == (first["id"], first["uei"])
    assert _remaining(app, world) == 90
    bad = world.importer.post("/api/v1/release-decisions/batch", json=[dict(item, idempotency_key=7)]).json[0]
    assert bad["status"] == 422 and "idempotency_key" in str(bad)


def test_decision_page_explains_supersession_shipment_and_the_rules_of_its_version(app, world, entry):
    from program.decisions.models import ReleaseDecision

    parcel = {"type": "section_321", "house_bill": "HAWB42", "seller": {"name": "Tiny Parcels Ltd", "country": "CN"}}
    body = dict(entry(dict(REFERRED_LINE_USED), entry_number="123-1234567-6"), shipment=parcel)
    first = world.importer.post("/api/v1/release-decisions", json=body).json
    second = world.importer.post("/api/v1/release-decisions", json=dict(body, supersedes=first["id"])).json
    client = app.test_client()
    client.post("/login", data={"email": world.importer.user.email, "password": world.importer.user.password})
    old = client.get(f"/decisions/{first['id']}").text
    assert 'data-testid="superseded"' in old and f"/decisions/{second['id']}" in old
    new = client.get(f"/decisions/{second['id']}").text
    assert 'data-testid="supersedes"' in new and "Section 321 (de minimis) parcel" in new and "HAWB42" in new
    assert "any condition" in new  # lever_label_missing explained as rules 2026.12-1 word it
    with app.app_context():  # a decision of the earlier rule set keeps its own explanation
        db.session.get(ReleaseDecision, first["id"]).rules_version = "2026.11-1"
        db.session.commit()
    assert "A new_parallel line of a mark with Lever-rule protection" in client.get(f"/decisions/{first['id']}").text


def test_every_decision_of_an_entry_number_is_found_by_index(app):
    """No index on every row's entry number (a decision writes one entry fewer): the listing's filter asks the
    live decision and the superseded ones each through its partial index."""
    from program.decisions.models import ReleaseDecision
    from program.decisions.services import entry_number_is

    with app.app_context():
        query = select(ReleaseDecision.id).where(entry_number_is("ABC-1234567-6"))
        compiled = query.compile(db.engine, compile_kwargs={"literal_binds": True})
        if db.engine.dialect.name == "postgresql":
            db.session.execute(text("SET LOCAL enable_seqscan = off"))  # an empty table would be scanned anyway
            plan = "\n".join(db.session.execute(text(f"EXPLAIN {compiled}")).scalars())
        else:
            plan = "\n".join(row[-1] for row in db.session.execute(text(f"EXPLAIN QUERY PLAN {compiled}")))
        db.session.rollback()
        db.session.remove()
    assert "uq_release_decision_live_entry" in plan and "ix_release_decision_superseded_entry" in plan


def test_the_live_entry_look_up_keeps_its_index_in_a_prepared_statement(app):
    """psycopg prepares a statement after five runs, and a generic plan cannot use a partial index for a bound
    ``status = $1``: the status is written into the SQL (``status_is``), so the look-up keeps the index."""
    from program.decisions.models import LIVE, status_is

    assert "'live'" in str(status_is(LIVE).compile(compile_kwargs={"literal_binds": False}))
    with pytest.raises(ValueError):
        status_is("live'; --")
    with app.app_context():
        if db.engine.dialect.name != "postgresql":
            return
        db.session.execute(text("SET LOCAL plan_cache_mode = force_generic_plan"))
        db.session.execute(text("PREPARE live_look_up(varchar) AS SELECT id FROM release_decision "
                                "WHERE status = 'live' AND entry_number = $1"))
        plan = "\n".join(db.session.execute(text("EXPLAIN EXECUTE live_look_up('ABC-1234567-6')")).scalars())
        db.session.execute(text("DEALLOCATE live_look_up"))
        db.session.rollback()
        db.session.remove()
    assert "uq_release_decision_live_entry" in plan
