"""The bulk screen: ``flask --app app decisions screen IN.csv --output OUT.csv`` and its engine."""

from __future__ import annotations

import csv
import io
import random
from collections import Counter
from collections.abc import Iterator
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import func, select

from core.audit import AuditEntry, verify_chain
from core.extensions import db
from program.blanks.models import BlankConsumption, BlankLine
from program.decisions import screen
from program.decisions.models import DecisionLine, ReleaseDecision, ScreenJob, line_rows
from program.decisions.screen import INPUT_COLUMNS, OUTPUT_COLUMNS, Screener, ScreenInputError
from program.decisions.screen_job import screen_file, start_job
from tests.program.decisions.conftest import EXPEDITED_LINE, IOR, REFERRED_LINE, STANDARD_LINE
from tests.program.decisions.test_screen_read_random import HEADERS
from tests.program.decisions.test_screen_read_random import _rows as random_rows

ENTRY_A, ENTRY_B, ENTRY_C, ENTRY_D = "ABC-1234567-6", "999-9999999-0", "123-1234567-6", "ABC-0000001-0"


def _rows(entry_number: str, *lines: dict[str, Any], ior: str = IOR, port: str = "2704") -> list[dict[str, Any]]:
    return [{"entry_number": entry_number, "port_code": port, "ior_number": ior, **line} for line in lines]


def _csv(rows: list[dict[str, Any]]) -> str:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=INPUT_COLUMNS, lineterminator="\n")
    writer.writeheader()
    for row in rows:
        writer.writerow({k: ("true" if v is True else "false" if v is False else v) for k, v in row.items()})
    return out.getvalue()


def _screen(app, text: str, **options: Any) -> tuple[Any, list[dict[str, str]]]:
    """Run a Screener over ``text`` (no job) and return the summary and the output rows."""
    out = io.StringIO()
    with app.app_context():
        summary = Screener(job_id=None, **options).run(io.StringIO(text), out)
        db.session.remove()
    out.seek(0)
    return summary, list(csv.DictReader(out))


def _blank(world, quantity: int, line_no: int = 1) -> dict[str, Any]:
    return {"line_no": line_no, "description": "Plain tote bags", "hts_code": "4202.92.3131", "quantity": quantity,
            "value_usd": "50.00", "sector": "handbags_accessories", "condition": "blank",
            "blank_declaration_id": world.declaration_id, "blank_line_no": 1}


def test_cli_output_columns_and_outcomes_match_the_api(app, world, runner, tmp_path, entry):
    source, target = tmp_path / "in.csv", tmp_path / "out.csv"
    source.write_text(_csv(_rows(ENTRY_A, EXPEDITED_LINE, STANDARD_LINE, REFERRED_LINE)
                           + _rows(ENTRY_B, dict(EXPEDITED_LINE, line_no=1), dict(STANDARD_LINE, line_no=2))))
    result = runner.invoke(args=["decisions", "screen", str(source), "--output", str(target), "--no-progress"])
    assert result.exit_code == 0, result.output
    assert "expedited_release" in result.output and "lines/s" in result.output

    with open(target, newline="") as handle:
        reader = csv.reader(handle)
        assert tuple(next(reader)) == OUTPUT_COLUMNS
        rows = [dict(zip(OUTPUT_COLUMNS, row, strict=True)) for row in reader]
    assert [r["entry_number"] for r in rows] == [ENTRY_A] * 3 + [ENTRY_B] * 2

    api = world.reviewer.post("/api/v1/release-decisions", json=entry(EXPEDITED_LINE, STANDARD_LINE, REFERRED_LINE))
    assert api.status_code == 201
    for row, line in zip(rows[:3], api.json["lines"], strict=True):
        assert row["line_outcome"] == line["outcome"]
        assert row["reasons"] == ";".join(r["code"] for r in line["reasons"])
        assert row["entry_outcome"] == api.json["outcome"] == "refer_for_examination"
    assert [r["line_outcome"] for r in rows[:3]] == ["expedited_release", "standard_processing",
                                                     "refer_for_examination"]
    assert len({r["uei"] for r in rows[:3]}) == 1 and rows[0]["uei"] != rows[3]["uei"]

    with app.app_context():
        decisions = db.session.scalars(select(ReleaseDecision).where(ReleaseDecision.source == "screen")
                                       .order_by(ReleaseDecision.id)).all()
        assert [d.uei for d in decisions] == [rows[0]["uei"], rows[3]["uei"]]
        job = db.session.get(ScreenJob, decisions[0].screen_job_id)
        assert job.status == "finished" and job.rows_done == 5 and job.entries_decided == 2
        assert job.summary["lines"]["refer_for_examination"] == 1
        lines = decisions[0].lines
        assert [line.line_no for line in lines] == [1, 2, 3]
        assert lines[2].reasons == api.json["lines"][2]["reasons"]
        assert lines[0].quantity == Decimal(10) and lines[0].hts_code == "8517130000"
        # The API reads screened decisions like any other.
        assert decisions[0].facts_used["enrollment_id"] == world.enrollment_id


def test_bad_rows_are_reported_with_row_numbers_and_reject_only_their_entry(app, world, runner, tmp_path):
    rows = (_rows(ENTRY_A, EXPEDITED_LINE, dict(STANDARD_LINE, hts_code="12.34"))  # rows 2-3
            + _rows("ABC-1234567-5", EXPEDITED_LINE)  # row 4: wrong check digit
            + _rows(ENTRY_C, EXPEDITED_LINE, dict(STANDARD_LINE, sector="nonsense"))  # rows 5-6
            + _rows(ENTRY_B, EXPEDITED_LINE, dict(EXPEDITED_LINE, line_no=1)))  # rows 7-8: line 1 twice
    rows.append(_rows(ENTRY_D, EXPEDITED_LINE)[0])  # row 9: fine
    source, target = tmp_path / "in.csv", tmp_path / "out.csv"
    source.write_text(_csv(rows))
    result = runner.invoke(args=["decisions", "screen", str(source), "--output", str(target), "--no-progress"])
    assert result.exit_code == 0, result.output
    report = result.stderr
    assert "row 3: hts_code:" in report
    assert "row 4: entry_number:" in report and "check digit" in report
    assert "row 6: sector: Unknown sector 'nonsense'" in report
    assert "row 8: line_no: Line number 1 appears twice" in report
    with open(target, newline="") as handle:
        out = list(csv.DictReader(handle))
    assert [r["entry_outcome"] for r in out] == ["rejected"] * 7 + ["expedited_release"]
    assert [r["reasons"] for r in out[:3]] == ["entry_rejected", "invalid:hts_code", "invalid:entry_number"]
    assert all(r["uei"] == "" for r in out[:7])
    with app.app_context():
        job = db.session.scalar(select(ScreenJob))
        assert job.bad_rows == 4 and job.summary["rejected_entries"] == 4 and job.summary["rejected_lines"] == 7
        assert [e["row"] for e in job.errors] == [3, 4, 6, 8]
        assert db.session.scalar(select(func.count()).select_from(ReleaseDecision)) == 1


def test_missing_columns_fail_before_any_work(app, runner, tmp_path):
    source = tmp_path / "in.csv"
    source.write_text("entry_number,port_code\nABC-1234567-6,2704\n")
    result = runner.invoke(args=["decisions", "screen", str(source), "--output", str(tmp_path / "o.csv"),
                                 "--no-progress"])
    assert result.exit_code == 1 and "lacks the column(s) ior_number" in result.output
    with app.app_context():
        assert db.session.scalar(select(ScreenJob.status)) == "failed"
    with app.app_context(), pytest.raises(ScreenInputError):
        Screener(job_id=None).run(io.StringIO(""), io.StringIO())


def test_rows_of_an_entry_form_one_entry_wherever_they_are_in_the_file(app, world, monkeypatch):
    from program.decisions import grouping

    monkeypatch.setattr(grouping, "RUN_ROWS", 2)  # several sorted runs on disk, merged
    rows = (_rows(ENTRY_A, EXPEDITED_LINE) + _rows(ENTRY_B, EXPEDITED_LINE)
            + _rows(ENTRY_A, dict(STANDARD_LINE, line_no=2)) + _rows(ENTRY_C, EXPEDITED_LINE)
            + _rows(ENTRY_B.replace("-", ""), dict(REFERRED_LINE, line_no=2)))
    summary, out = _screen(app, _csv(rows))
    assert summary.regrouped and summary.bad_rows == 0 and summary.rows == summary.rows_total == 5
    assert "sorted by entry number first" in summary.table()
    by_entry = {}
    for row in out:
        by_entry.setdefault(row["entry_number"].replace("-", ""), []).append(row)
    a, b = by_entry[ENTRY_A.replace("-", "")], by_entry[ENTRY_B.replace("-", "")]
    assert [r["line_no"] for r in a] == ["1", "2"] and len({r["uei"] for r in a}) == 1
    assert {r["entry_outcome"] for r in a} == {"standard_processing"}  # one entry: both lines count
    assert [r["line_no"] for r in b] == ["1", "2"] and len({r["uei"] for r in b}) == 1
    assert {r["entry_outcome"] for r in b} == {"refer_for_examination"}
    # Each entry's rows come out together, entries in number order; the input columns as written.
    keys = [r["entry_number"].replace("-", "") for r in out]
    assert keys == sorted(keys)
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(ReleaseDecision)) == 3


def test_a_bad_row_of_a_regrouped_file_keeps_its_row_number(app, world):
    rows = (_rows(ENTRY_A, EXPEDITED_LINE) + _rows(ENTRY_B, EXPEDITED_LINE)
            + _rows(ENTRY_A, dict(STANDARD_LINE, line_no=2, hts_code="12")))
    summary, out = _screen(app, _csv(rows))
    assert summary.regrouped and summary.errors[0]["row"] == 4 and summary.errors[0]["field"] == "hts_code"
    assert [r["entry_outcome"] for r in out if r["entry_number"] == ENTRY_A] == ["rejected", "rejected"]


def test_a_contiguous_file_keeps_its_order(app, world):
    rows = _rows(ENTRY_C, EXPEDITED_LINE) + _rows(ENTRY_A, EXPEDITED_LINE) + _rows(ENTRY_B, EXPEDITED_LINE)
    summary, out = _screen(app, _csv(rows))
    assert not summary.regrouped and summary.rows_total is None
    assert [r["entry_number"] for r in out] == [ENTRY_C, ENTRY_A, ENTRY_B]


def test_input_read_only_once_must_keep_an_entrys_rows_together(app, world):
    rows = (_rows(ENTRY_A, EXPEDITED_LINE) + _rows(ENTRY_B, EXPEDITED_LINE)
            + _rows(ENTRY_A, dict(STANDARD_LINE, line_no=2)))
    out = io.StringIO()
    with app.app_context():
        summary = Screener(job_id=None).run(iter(_csv(rows).splitlines(keepends=True)), out)  # not seekable
        db.session.remove()
    out.seek(0)
    result = list(csv.DictReader(out))
    assert [r["entry_outcome"] for r in result] == ["expedited_release", "expedited_release", "rejected"]
    assert result[2]["reasons"] == "invalid:entry_number"
    assert summary.errors[0]["row"] == 4 and "contiguous" in summary.errors[0]["message"]
    # Dashes and case do not split an entry.
    summary, out = _screen(app, _csv(_rows(ENTRY_C, EXPEDITED_LINE) + _rows("12312345676", dict(STANDARD_LINE))))
    assert summary.bad_rows == 0 and len({r["uei"] for r in out}) == 1


def test_blank_draws_never_exceed_what_remains_and_match_the_ledger(app, world):
    # Declared 100: 40 + 40 fit, the third 40 does not (referred, nothing drawn), then 20 fits exactly.
    rows = []
    for serial, quantity in ((1, 40), (2, 40), (3, 40), (4, 20), (5, 1)):
        rows += _rows(f"ABC-{serial:07d}-{_check(serial)}", _blank(world, quantity))
    summary, out = _screen(app, _csv(rows), chunk_entries=2)
    assert [r["line_outcome"] for r in out] == ["expedited_release", "expedited_release", "refer_for_examination",
                                                "expedited_release", "refer_for_examination"]
    assert out[2]["reasons"] == out[4]["reasons"] == "blank_quantity_exceeded"
    with app.app_context():
        line = db.session.get(BlankLine, world.declaration_line_id)
        drawn = db.session.scalar(select(func.sum(BlankConsumption.quantity))
                                  .where(BlankConsumption.line_id == line.id))
        assert line.remaining_quantity == 0 and drawn == 100 == line.quantity - line.remaining_quantity
        references = set(db.session.scalars(select(BlankConsumption.reference)))
        assert references == {out[0]["uei"], out[1]["uei"], out[3]["uei"]}


def test_a_lost_race_for_a_declared_line_redecides_on_what_is_left(app, world):
    from program.blanks.services import consume_blank_quantity
    from program.decisions.facts import load_snapshot

    with app.app_context():
        snap = load_snapshot(load_date())  # the run's facts say 100 remain ...
        consume_blank_quantity(world.declaration_line_id, Decimal(95), decision_id=None, reference="elsewhere")
        db.session.commit()  # ... but an API decision has since drawn 95
        out = io.StringIO()
        summary = Screener(job_id=None, snap=snap).run(io.StringIO(_csv(_rows(ENTRY_A, _blank(world, 10)))), out)
        assert summary.lines["refer_for_examination"] == 1
        assert "blank_quantity_exceeded" in out.getvalue()
        assert db.session.get(BlankLine, world.declaration_line_id).remaining_quantity == 5
        audit = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "screen"))
        assert audit.after["attempts"] == 2
        db.session.remove()


def test_one_audit_entry_per_chunk_with_the_id_range(app, world):
    rows = []
    for serial in range(1, 6):
        rows += _rows(f"ABC-{serial:07d}-{_check(serial)}", EXPEDITED_LINE, STANDARD_LINE)
    with app.app_context():
        job = start_job("five.csv")
        db.session.commit()
        Screener(job_id=job.id, chunk_entries=2).run(io.StringIO(_csv(rows)), io.StringIO())
        entries = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "screen")
                                     .order_by(AuditEntry.id)).all()
        ids = list(db.session.scalars(select(ReleaseDecision.id).order_by(ReleaseDecision.id)))
        assert [e.after["entries"] for e in entries] == [2, 2, 1]
        assert [e.after["lines"] for e in entries] == [4, 4, 2]
        assert entries[0].entity_type == "release_decision" and entries[0].entity_id == f"{ids[0]}-{ids[1]}"
        assert entries[2].after["first_id"] == entries[2].after["last_id"] == ids[4]
        assert all(e.after["screen_job_id"] == job.id for e in entries)
        assert db.session.scalar(select(func.count()).select_from(DecisionLine)) == 10
        assert verify_chain().ok
        db.session.remove()


def test_a_chunk_also_ends_at_its_line_cap(app, world, monkeypatch):
    """Long entries close a chunk before its entry count does: at least CHUNK_LINES lines, within the memory
    target (two chunks are held at once)."""
    monkeypatch.setattr(screen, "CHUNK_LINES", 5)
    rows = []
    for serial in range(1, 6):
        rows += _rows(f"ABC-{serial:07d}-{_check(serial)}", EXPEDITED_LINE, STANDARD_LINE, REFERRED_LINE)
    with app.app_context():
        Screener(job_id=None, chunk_entries=100).run(io.StringIO(_csv(rows)), io.StringIO())
        entries = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "screen")
                                     .order_by(AuditEntry.id)).all()
        assert [e.after["lines"] for e in entries] == [6, 6, 3]
        db.session.remove()


def test_streams_in_constant_memory(app, world):
    """A lazily generated input is consumed chunk by chunk: the chunk being read, and the one before it while
    it is stored, are all that is held."""
    produced = {"rows": 0}
    held: list[tuple[int, int]] = []

    def lines() -> Iterator[str]:
        yield ",".join(INPUT_COLUMNS) + "\n"
        for serial in range(1, 3001):
            for line_no in (1, 2):
                produced["rows"] += 1
                yield (f"ABC-{serial:07d}-{_check(serial)},2704,{IOR},{line_no},Used phones,8517.13.0000,1,10.00,"
                       "mobile_devices,used,TMK 21-00123,,,\n")

    class Counting(Screener):
        def _flush(self, chunk):
            held.append((len(chunk), produced["rows"]))
            super()._flush(chunk)

    sink = io.StringIO()
    with app.app_context():
        summary = Counting(job_id=None, chunk_entries=500, sample_rate=0.0).run(lines(), sink)
        db.session.remove()
    assert summary.rows == 6000 and summary.entries["expedited_release"] == 3000
    assert max(size for size, _ in held) == 500
    # When the first chunk was written, only that chunk's rows (and one look-ahead row) had been read.
    assert held[0][1] == 1001


def load_date():
    from core.timeutil import today

    return today()


def _check(serial: int) -> int:
    from program.decisions.entry_number import entry_check_digit

    return entry_check_digit("ABC", serial)


def test_sqlite_statements_of_any_size_store_every_row(app, world, monkeypatch):
    """A tiny bound-value limit makes every chunk go out in statements of several sizes (SQLite)."""
    from program.decisions import screen_store

    monkeypatch.setattr(screen_store, "MAX_VARIABLES", 100)  # 7 line rows, 3 decisions, 20 ledger rows a statement
    rows = []
    for serial in range(1, 24):
        lines = [dict(EXPEDITED_LINE, line_no=n) for n in range(1, serial % 5 + 2)]
        rows += _rows(f"ABC-{serial:07d}-{_check(serial)}", *lines)
    rows += _rows(f"ABC-{99:07d}-{_check(99)}", _blank(world, 1), dict(_blank(world, 2), line_no=2))
    summary, out = _screen(app, _csv(rows), chunk_entries=13)
    with app.app_context():
        lines = line_rows("line_no").subquery()
        stored = db.session.execute(select(ReleaseDecision.uei, func.count(lines.c.line_no))
                                    .join(lines, lines.c.decision_id == ReleaseDecision.id)
                                    .group_by(ReleaseDecision.uei)).all()
        assert dict(stored) == dict(Counter(r["uei"] for r in out))
        assert len(stored) == 24 and summary.rows == len(out) == len(rows)
        # One-line entries (serials 5, 10, 15, 20) are one row each; the others' lines are line rows.
        assert db.session.scalar(select(func.count()).select_from(DecisionLine)) == len(rows) - 4
        assert db.session.scalar(select(func.sum(BlankConsumption.quantity))) == 3
        db.session.remove()


def test_sqlite_checkpoints_less_often_during_a_run_and_as_usual_after(app, world, monkeypatch):
    """Each chunk commits under the run's settings (a checkpoint every 20,000 pages, a big page cache, temporary
    storage in memory), on whichever pooled connection it gets; back in the pool a connection checkpoints every
    1,000 pages again and keeps temporary storage on disk, for the web requests that use it next."""
    from program.decisions import screen_store

    def settings() -> tuple[int, int, int]:
        connection = db.session.connection()
        return (connection.exec_driver_sql("PRAGMA wal_autocheckpoint").scalar(),
                connection.exec_driver_sql("PRAGMA cache_size").scalar(),
                connection.exec_driver_sql("PRAGMA temp_store").scalar())

    seen: list[tuple[int, int]] = []
    real_write = screen_store.ChunkStore.write

    def write(self, *args, **kwargs):
        seen.append(settings())
        return real_write(self, *args, **kwargs)

    monkeypatch.setattr(screen_store.ChunkStore, "write", write)
    rows = []
    for serial in range(1, 8):
        rows += _rows(f"ABC-{serial:07d}-{_check(serial)}", EXPEDITED_LINE)
    with app.app_context():
        if db.engine.dialect.name != "sqlite":
            pytest.skip("SQLite's write-ahead log settings")
        out = io.StringIO()
        summary = Screener(job_id=None, chunk_entries=3).run(io.StringIO(_csv(rows)), out)
        assert summary.rows == 7 and seen == [(20000, -32768, 2)] * 3  # every chunk (temp_store 2: in memory)
        db.session.commit()
        connections = [db.engine.raw_connection() for _ in range(3)]  # the pool's, and a new one if need be
        try:
            assert {c.driver_connection.execute("PRAGMA wal_autocheckpoint").fetchone()[0]
                    for c in connections} == {1000}
            assert {c.driver_connection.execute("PRAGMA temp_store").fetchone()[0] for c in connections} == {0}
        finally:
            for c in connections:
                c.close()
        db.session.remove()


def test_a_chunk_that_fails_to_store_stops_the_run_after_the_committed_ones(app, world, monkeypatch):
    """The background store's error reaches the caller; chunks committed before it keep their output rows."""
    from program.decisions import screen_store

    calls = {"decisions": 0}

    def failing(insert):
        def wrapper(conn, table, columns, rows):
            if table == "release_decision":
                calls["decisions"] += 1
                if calls["decisions"] == 2:
                    raise RuntimeError("disk full")
            insert(conn, table, columns, rows)
        return wrapper

    monkeypatch.setattr(screen_store, "_insert_rows", failing(screen_store._insert_rows))
    monkeypatch.setattr(screen_store, "_copy", failing(screen_store._copy))
    rows = []
    for serial in range(1, 4):
        rows += _rows(f"ABC-{serial:07d}-{_check(serial)}", EXPEDITED_LINE, STANDARD_LINE)
    out = io.StringIO()
    with app.app_context():
        with pytest.raises(RuntimeError, match="disk full"):
            screen_file(io.StringIO(_csv(rows)), out, job_id=None, chunk_entries=1)
        assert db.session.scalar(select(func.count()).select_from(ReleaseDecision)) == 1
        db.session.remove()
    written = list(csv.DictReader(io.StringIO(out.getvalue())))
    assert [r["entry_number"] for r in written] == ["ABC-0000001-" + str(_check(1))] * 2


def test_a_chunk_is_decided_and_its_rows_built_while_the_previous_one_is_stored(app, world, monkeypatch):
    """The main thread decides chunk n and builds its rows before it waits for chunk n-1's commit (so that
    deciding overlaps the store); only chunk n's transaction waits, and the outcome is that of one chunk at a time."""
    from program.decisions import screen, screen_store

    events: list[str] = []
    for owner, name in ((screen.Screener, "_decide"), (screen_store.ChunkStore, "prepare"),
                        (screen.Screener, "_settle"), (screen_store.ChunkStore, "write")):
        real = getattr(owner, name)

        def spy(self, *args, _real=real, _name=name, **kwargs):
            if _name != "_settle" or self._pending is not None:  # a settle that waits for a chunk
                events.append(_name)
            return _real(self, *args, **kwargs)

        monkeypatch.setattr(owner, name, spy)
    rows = []
    for serial in range(1, 4):
        rows += _rows(f"ABC-{serial:07d}-{_check(serial)}", EXPEDITED_LINE)
    with app.app_context():
        summary = Screener(job_id=None, chunk_entries=1, sample_rate=0).run(io.StringIO(_csv(rows)), io.StringIO())
        db.session.remove()
    assert summary.entries["expedited_release"] == 3
    assert events == ["_decide", "prepare", "write",  # the first chunk: nothing to wait for
                      "_decide", "prepare", "_settle", "write",
                      "_decide", "prepare", "_settle", "write",
                      "_settle"]  # the last chunk's commit, at the end of the run


def test_cli_sorts_a_file_whose_entries_are_split_and_says_so(app, world, runner, tmp_path):
    source, target = tmp_path / "in.csv", tmp_path / "out.csv"
    rows = (_rows(ENTRY_A, EXPEDITED_LINE) + _rows(ENTRY_B, EXPEDITED_LINE)
            + _rows(ENTRY_A, dict(STANDARD_LINE, line_no=2)))
    source.write_bytes(b"\xef\xbb\xbf" + _csv(rows).encode())  # with a byte-order mark, read twice
    result = runner.invoke(args=["decisions", "screen", str(source), "--output", str(target)])
    assert result.exit_code == 0, result.output
    assert "sorted by entry number first" in result.output
    with open(target, newline="") as handle:
        out = list(csv.DictReader(handle))
    assert [(r["entry_number"], r["line_no"]) for r in out] == [(ENTRY_B, "1"), (ENTRY_A, "1"), (ENTRY_A, "2")]
    assert out[1]["uei"] == out[2]["uei"] != out[0]["uei"]



PARCEL = {"shipment_type": "section_321", "house_bill": "HAWB1", "seller_name": "Shenzhen Fast Goods Trading",
          "seller_country": "CN", "marketplace": "bigmarket.example"}


def _csv_with(columns: tuple[str, ...], rows: list[dict[str, Any]]) -> str:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=columns, lineterminator="\n", restval="")
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue()


def test_optional_columns_feed_the_same_rules_as_the_api(app, world, entry):
    """country_of_origin and the shipment columns (API.md): parsed, stored, and decided as the API decides."""
    listed = world.reviewer.post("/api/v1/violative-shippers", json={
        "name": "Shenzhen Fast Goods Trading Co., Ltd.", "country": "CN", "reason": "Repeated seizures."})
    assert listed.status_code == 201, listed.json
    insulin = dict(EXPEDITED_LINE, line_no=2, description="Insulin pens", hts_code="3004.31.0000",
                   sector="handbags_accessories")
    rows = (_rows(ENTRY_A, dict(EXPEDITED_LINE, country_of_origin="cn", **PARCEL),
                  dict(insulin, country_of_origin="VN", **PARCEL))
            + _rows(ENTRY_B, dict(EXPEDITED_LINE, country_of_origin=""))
            + _rows(ENTRY_C, dict(EXPEDITED_LINE, country_of_origin="XX"))
            + _rows(ENTRY_D, dict(EXPEDITED_LINE, seller_country="CN")))
    columns = INPUT_COLUMNS + ("country_of_origin", "shipment_type", "house_bill", "seller_name", "seller_country",
                               "marketplace")
    summary, result = _screen(app, _csv_with(columns, rows))
    assert list(result[0]) == [*columns, "line_outcome", "entry_outcome", "reasons", "uei"]
    assert (result[0]["seller_name"], result[0]["country_of_origin"]) == ("Shenzhen Fast Goods Trading", "cn")
    api = world.reviewer.post("/api/v1/release-decisions", json=entry(
        dict(EXPEDITED_LINE, country_of_origin="CN"), dict(insulin, country_of_origin="VN"),
        shipment={"type": "section_321", "house_bill": "HAWB1", "marketplace": "bigmarket.example",
                  "seller": {"name": "Shenzhen Fast Goods Trading", "country": "CN"}}))
    assert api.status_code == 201, api.json
    assert [r["reasons"] for r in result[:2]] == [";".join(x["code"] for x in line["reasons"])
                                                  for line in api.json["lines"]]
    assert result[0]["reasons"].startswith("known_violative_shipper")
    assert result[0]["entry_outcome"] == api.json["outcome"] == "refer_for_examination"
    assert result[2]["reasons"] == "" and result[2]["entry_outcome"] == "expedited_release"
    assert (result[3]["entry_outcome"], result[3]["reasons"]) == ("rejected", "invalid:country_of_origin")
    assert (result[4]["entry_outcome"], result[4]["reasons"]) == ("rejected", "invalid:seller_country")
    assert summary.bad_rows == 2
    assert {e["field"] for e in summary.errors} == {"country_of_origin", "seller_country"}
    with app.app_context():
        decision = db.session.scalar(select(ReleaseDecision).where(ReleaseDecision.entry_number == ENTRY_A,
                                                                   ReleaseDecision.source == "screen"))
        assert decision.shipment == {"type": "section_321", "house_bill": "HAWB1", "marketplace": "bigmarket.example",
                                     "seller": {"name": "Shenzhen Fast Goods Trading", "country": "CN"}}
        assert [line.country_of_origin for line in decision.lines] == ["CN", "VN"]
        plain = db.session.scalar(select(ReleaseDecision).where(ReleaseDecision.entry_number == ENTRY_B))
        assert plain.shipment is None and plain.lines[0].country_of_origin is None
        db.session.remove()


def test_later_rows_of_an_entry_may_leave_the_shipment_out_but_not_contradict_it(app, world):
    columns = INPUT_COLUMNS + ("shipment_type", "seller_name")
    rows = (_rows(ENTRY_A, dict(EXPEDITED_LINE, shipment_type="section_321", seller_name="Nordic Parcel AB"),
                  dict(STANDARD_LINE, line_no=2))
            + _rows(ENTRY_B, dict(EXPEDITED_LINE, shipment_type="section_321", seller_name="Nordic Parcel AB"),
                    dict(STANDARD_LINE, line_no=2, shipment_type="section_321", seller_name="Other Seller"))
            + _rows(ENTRY_C, dict(EXPEDITED_LINE, shipment_type="parcel")))
    summary, result = _screen(app, _csv_with(columns, rows))
    assert [r["entry_outcome"] for r in result[:2]] == ["standard_processing"] * 2
    assert [(r["entry_outcome"], r["reasons"]) for r in result[2:]] == [
        ("rejected", "entry_rejected"), ("rejected", "invalid:seller_name"), ("rejected", "invalid:shipment_type")]
    assert summary.bad_rows == 2


def test_a_decision_made_on_a_whole_second_is_found_from_that_second_on(app, world, clock):
    """The screen's bulk rows bypass SQLAlchemy's statements; their times must still be stored as it stores
    them. (SQLite keeps times as text: the driver's own '2026-12-04 12:00:00' sorts before SQLAlchemy's
    '2026-12-04 12:00:00.000000', and a listing from that second on missed the decision.)"""
    instant = datetime(2026, 12, 4, 12, 0, 0, tzinfo=UTC)
    clock.move_to(instant, tick=False)
    _screen(app, _csv(_rows(f"ABC-{5:07d}-{_check(5)}", EXPEDITED_LINE)))
    with app.app_context():
        assert db.session.scalar(select(func.count()).where(ReleaseDecision.decided_at >= instant)) == 1
        assert db.session.scalar(select(ReleaseDecision.decided_at)) == instant
        db.session.remove()


@pytest.mark.parametrize("seed", [1, 2])
def test_random_files_are_screened_to_the_last_row(app, world, seed):
    """Files of every kind of row (bad fields, entries that come back, short and long rows, shipments spelt several
    ways, quoted line breaks) are screened to the end: each row in the output once, decided or rejected."""
    header = HEADERS["all columns"]
    rng = random.Random(seed)
    rows = random_rows(rng, header, 1500, stretch=100)
    for _, row in rows[::50]:
        if len(row) > 4:
            row[4] = "Two\nlines, \"quoted\""
    # An entry whose first row leaves its shipment unsaid and whose second says formal (this stopped the run once).
    goods = [str(EXPEDITED_LINE.get(c, "")) for c in INPUT_COLUMNS[4:]] + ["CN"]
    rows += [(0, ["ABC-9999999-9", "2704", IOR, "1", *goods, "", "", "", "", ""]),
             (0, ["ABC-9999999-9", "2704", IOR, "2", *goods, "formal", "", "", "", ""])]
    text = io.StringIO()
    writer = csv.writer(text, lineterminator="\r\n")
    writer.writerow(header)
    writer.writerows(row for _, row in rows)
    summary, out = _screen(app, text.getvalue(), sample_rate=0.0)
    non_empty = [row for _, row in rows if row]
    assert summary.rows == len(out) == len(non_empty)
    assert Counter(row["entry_outcome"] for row in out).keys() <= {
        "expedited_release", "standard_processing", "refer_for_examination", "rejected"}
    assert summary.bad_rows > 50 and summary.rejected_entries > 0 and sum(summary.entries.values()) > 0
    assert [row["entry_outcome"] for row in out if row["entry_number"] == "ABC-9999999-9"] == ["expedited_release"] * 2
