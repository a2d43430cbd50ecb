"""Reasons stored once (``decision_reason_set``): lines share a list, answers keep every word, an id is remembered
only once its transaction has committed, concurrent writers of one new list end with one row, and migration 0014
moves existing lines' reasons word for word (and back)."""

from __future__ import annotations

import json
import threading
from pathlib import Path

import pytest
from flask_migrate import downgrade, upgrade
from sqlalchemy import event, func, select, text

from core.extensions import db
from program.decisions import reason_sets
from program.decisions.models import DecisionLine, DecisionReasonSet
from tests.program.decisions.conftest import EXPEDITED_LINE, REFERRED_LINE, STANDARD_LINE

MIGRATIONS = str(Path(__file__).resolve().parents[3] / "migrations")
NUMBERS = ("ABC-1234567-6", "999-9999999-0", "123-1234567-6")


def test_lines_with_the_same_reasons_share_one_stored_list(app, world, entry):
    answers = [world.importer.post("/api/v1/release-decisions",
                                   json=entry(EXPEDITED_LINE, STANDARD_LINE, REFERRED_LINE, entry_number=number)).json
               for number in NUMBERS]
    assert [a["lines"] for a in answers[1:]] == [answers[0]["lines"]] * 2  # same goods, same reasons
    with app.app_context():
        lists = db.session.scalars(select(DecisionReasonSet)).all()
        assert len(lists) == 3  # one per distinct list (the expedited line's empty one included), not one per line
        assert db.session.scalar(select(func.count()).select_from(DecisionLine)) == 9
        by_codes = {s.codes: s.reasons for s in lists}
        assert "" in by_codes and by_codes[""] == []
        for line in answers[0]["lines"]:
            codes = ";".join(r["code"] for r in line["reasons"])
            assert by_codes[codes] == line["reasons"]  # word for word
            assert reason_sets.digest_of(reason_sets.key_of(line["reasons"])) in {s.digest for s in lists}
        db.session.remove()
    shown = world.importer.get(f"/api/v1/release-decisions/{answers[2]['id']}").json
    assert shown["lines"] == answers[2]["lines"]


def test_an_id_is_remembered_only_once_its_transaction_commits(app):
    key = (("not_enrolled", "A reason written for this test."),)
    with app.app_context():
        connection = db.session.connection()
        [first] = reason_sets.reason_set_ids(connection, [key])
        assert reason_sets.reason_set_ids(connection, [key]) == [first]  # the transaction's own, again
        db.session.rollback()
        assert key not in reason_sets._committed  # the row is gone: its id must not be handed out again
        assert db.session.scalar(select(func.count()).select_from(DecisionReasonSet)) == 0
        [second] = reason_sets.reason_set_ids(db.session.connection(), [key])
        assert key not in reason_sets._committed
        db.session.commit()
        assert reason_sets._committed[key] == second
        assert db.session.get(DecisionReasonSet, second).reasons == [{"code": "not_enrolled",
                                                                      "message": "A reason written for this test."}]
        db.session.remove()


def test_many_new_lists_are_looked_up_and_stored_together(app):
    """A screened chunk can bring hundreds of new lists (messages quote IOR numbers): a few statements, not one
    or two per list."""
    keys = [(("not_enrolled", f"Importer of record 55-{n:07d} has no enrollment."),) for n in range(1200)]
    statements: list[str] = []
    with app.app_context():
        [known] = reason_sets.reason_set_ids(db.session.connection(), keys[:1])
        db.session.commit()
        reason_sets.forget_all()  # stored, but no longer remembered: found by the look-up
        connection = db.session.connection()

        def count(_conn, _cursor, statement, *_args) -> None:
            statements.append(statement)

        event.listen(db.engine, "before_cursor_execute", count)
        try:
            ids = reason_sets.reason_set_ids(connection, [*keys, keys[5]])
        finally:
            event.remove(db.engine, "before_cursor_execute", count)
        db.session.commit()
        assert len(statements) <= 6  # 3 look-ups and 3 inserts of 500
        assert ids[0] == known and ids[-1] == ids[5] and len(set(ids)) == 1200
        stored = dict(db.session.execute(select(DecisionReasonSet.digest, DecisionReasonSet.id)).all())
        assert [stored[reason_sets.digest_of(key)] for key in keys] == ids[:1200]
        db.session.remove()


def test_concurrent_writers_of_one_new_list_end_with_one_row(app):
    """Eight transactions store the same new list at once: one row, every one gets its id, none fails."""
    key = (("heightened_protection", "Written by eight at once."),)
    barrier = threading.Barrier(8)
    ids: list[int] = []
    errors: list[BaseException] = []
    lock = threading.Lock()

    def store() -> None:
        try:
            with app.app_context():
                connection = db.session.connection()
                barrier.wait()
                [set_id] = reason_sets.reason_set_ids(connection, [key])
                db.session.commit()
                with lock:
                    ids.append(set_id)
                db.session.remove()
        except BaseException as error:  # noqa: BLE001 — reported below
            errors.append(error)

    reason_sets.forget_all()
    threads = [threading.Thread(target=store) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    with app.app_context():
        [row] = db.session.scalars(select(DecisionReasonSet)).all()
        db.session.remove()
    assert ids == [row.id] * 8


def test_migration_0014_moves_reasons_word_for_word_and_back(tmp_path, test_config):
    from app import create_app

    fresh = create_app({**test_config, "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'm.db'}"})
    reasons = ([], [{"code": "not_enrolled", "message": "Importer of record 55-1234567 has no enrollment."}],
               [{"code": "heightened_protection", "message": "Heightened — check"},
                {"code": "lever_label_missing", "message": "No Lever-rule label."}])
    with fresh.app_context():
        upgrade(directory=MIGRATIONS, revision="0013d")
        db.session.execute(text(
            "INSERT INTO release_decision (uei, entry_number, port_code, ior_number, source, outcome, rules_version, "
            "facts_used, line_count, decided_at, status) VALUES ('G1TESTTESTTEST1', 'ABC-1234567-6', '2704', "
            "'12-3456789', 'api', 'refer_for_examination', 't', '{}', 4, '2026-11-06 20:00:00.000000', 'live')"))
        for n, listed in enumerate((*reasons, reasons[1]), start=1):  # the last line repeats the second's list
            db.session.execute(text(
                "INSERT INTO release_decision_line (decision_id, line_no, description, hts_code, quantity, value_usd, "
                "sector, condition, lever_label, outcome, reasons) VALUES (1, :n, 'Goods', '8517130000', 1, 10, "
                "'mobile_devices', 'new_parallel', 0, 'standard_processing', :r)"), {"n": n, "r": json.dumps(listed)})
        db.session.commit()
        upgrade(directory=MIGRATIONS, revision="0014")
        assert db.session.execute(text("SELECT count(*) FROM decision_reason_set")).scalar() == 3
        moved = db.session.execute(text(
            "SELECT l.line_no, s.reasons, s.codes FROM release_decision_line l "
            "JOIN decision_reason_set s ON s.id = l.reason_set_id ORDER BY l.line_no")).all()
        assert [json.loads(r) for _, r, _ in moved] == [*reasons, reasons[1]]
        assert [c for _, _, c in moved] == ["", "not_enrolled", "heightened_protection;lever_label_missing",
                                            "not_enrolled"]
        stored = db.session.execute(text("SELECT digest, reasons FROM decision_reason_set")).all()
        assert {d for d, _ in stored} == {reason_sets.digest_of(reason_sets.key_of(json.loads(r))) for _, r in stored}
        downgrade(directory=MIGRATIONS, revision="0013d")
        back = db.session.execute(text("SELECT reasons FROM release_decision_line ORDER BY line_no")).scalars().all()
        assert [json.loads(r) for r in back] == [*reasons, reasons[1]]
        upgrade(directory=MIGRATIONS, revision="0014")
        db.session.remove()
        db.engine.dispose()


@pytest.mark.parametrize("reasons", [[], [{"code": "debarred", "message": "Listed party."}]])
def test_lines_made_as_orm_objects_get_their_list(app, reasons):
    """Demo data and tests make lines with ``reasons=[…]``: the list is found or stored for them."""
    with app.app_context():
        first = reason_sets.reason_set_for(reasons)
        again = reason_sets.reason_set_for(list(reasons))
        assert first is again and first.reasons == reasons
        db.session.rollback()
        db.session.remove()
