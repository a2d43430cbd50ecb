"""``decisions screen --workers N`` and resumable runs: the output and blank draws of one process, every entry
decided exactly once even when a run is killed (SIGKILL) and started again."""

from __future__ import annotations

import csv
import io
import os
import signal
import time
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import delete, func, select, update

from core.audit import verify_chain
from core.extensions import db
from program.blanks.models import BlankConsumption, BlankLine
from program.decisions import grouping
from program.decisions.entry_number import entry_check_digit
from program.decisions.models import DecisionLine, ReleaseDecision
from program.decisions.screen import ALREADY_DECIDED
from program.decisions.screen_job import screen_file, start_job
from program.decisions.screen_read import INPUT_COLUMNS, OPTIONAL_COLUMNS
from tests.program.decisions.conftest import EXPEDITED_LINE, IOR, OTHER_IOR, REFERRED_LINE, STANDARD_LINE
from tests.program.decisions.test_screen import _blank, _csv, _rows


def _number(serial: int) -> str:
    return f"ABC-{serial:07d}-{entry_check_digit('ABC', serial)}"


def _mixed_file(world, entries: int) -> str:
    """Entries of one to three lines of every kind; every fifth cites the declared line (100 declared, 7 a time,
    so it runs out part-way), one has a bad row, one is not enrolled."""
    return _csv(_mixed_rows(world, entries))


def _mixed_rows(world, entries: int) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []
    kinds = (EXPEDITED_LINE, STANDARD_LINE, REFERRED_LINE)
    for serial in range(1, entries + 1):
        if serial % 5 == 0:
            rows += _rows(_number(serial), _blank(world, 7))
            continue
        lines = [dict(kinds[(serial + n) % 3], line_no=n + 1) for n in range(serial % 3 + 1)]
        if serial == 17:
            lines[0] = dict(lines[0], hts_code="not-a-code")
        rows += _rows(_number(serial), *lines, ior=OTHER_IOR if serial == 23 else IOR)
    return rows


def _run(app, source: Path, *, workers: int | None, chunk: int = 7) -> tuple[Any, list[dict[str, str]]]:
    out = io.StringIO()
    with app.app_context():
        job = start_job(source.name)
        db.session.commit()
        with open(source, newline="", encoding="utf-8") as text:
            summary = screen_file(text, out, job_id=job.id, workers=workers, chunk_entries=chunk)
        db.session.remove()
    return summary, list(csv.DictReader(io.StringIO(out.getvalue())))


def _draws(app, world) -> tuple[dict[str, str], Any]:
    """Blank quantity drawn per entry number, and what remains on the declared line."""
    with app.app_context():
        drawn = db.session.execute(
            select(ReleaseDecision.entry_number, func.sum(BlankConsumption.quantity))
            .join(BlankConsumption, BlankConsumption.decision_id == ReleaseDecision.id)
            .group_by(ReleaseDecision.entry_number)).all()
        remaining = db.session.get(BlankLine, world.declaration_line_id).remaining_quantity
        db.session.remove()
    return {number: str(quantity) for number, quantity in drawn}, remaining


def _forget_decisions(app, world) -> None:
    """Undo a run's decisions and draws so the same file can be screened afresh."""
    with app.app_context():
        db.session.execute(delete(BlankConsumption))
        db.session.execute(delete(DecisionLine))
        db.session.execute(delete(ReleaseDecision))
        db.session.execute(update(BlankLine).values(remaining_quantity=BlankLine.quantity))
        db.session.commit()
        db.session.remove()


def _without_uei(rows: list[dict[str, str]]) -> list[dict[str, str]]:
    return [{k: v for k, v in row.items() if k != "uei"} for row in rows]


def test_workers_give_the_output_and_blank_draws_of_one_process(app, world, tmp_path):
    source = tmp_path / "mixed.csv"
    source.write_text(_mixed_file(world, 120))
    one_summary, one = _run(app, source, workers=1)
    one_draws = _draws(app, world)
    _forget_decisions(app, world)
    three_summary, three = _run(app, source, workers=3)
    assert _without_uei(three) == _without_uei(one)  # same rows, same order, same outcomes and reasons
    assert _draws(app, world) == one_draws  # the same entries drew the same quantities
    assert one_draws[1] == 100 - 7 * 14  # 14 of the 24 blank entries fit in the 100 declared
    assert three_summary.to_dict() | {"elapsed_seconds": 0, "lines_per_second": 0} == \
        one_summary.to_dict() | {"elapsed_seconds": 0, "lines_per_second": 0}
    assert three_summary.bad_rows == 1 and three_summary.errors[0]["field"] == "hts_code"
    assert len({r["uei"] for r in three if r["uei"]}) == 119  # one UEI per decided entry
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(ReleaseDecision)) == 119
        assert verify_chain().ok
        db.session.remove()


def test_workers_sort_a_file_whose_entries_are_split_as_one_process_does(app, world, tmp_path):
    """The parent deals the rows as it reads them; an entry whose rows come back later makes it sort the file
    and deal it again, so the output is still the one process's (entries by number)."""
    rows = _mixed_rows(world, 60)
    rows.append(rows.pop(3))  # the second line of the second entry (of three lines) now comes last
    source = tmp_path / "split.csv"
    source.write_text(_csv(rows))
    one_summary, one = _run(app, source, workers=1)
    _forget_decisions(app, world)
    three_summary, three = _run(app, source, workers=3)
    assert one_summary.regrouped and three_summary.regrouped
    assert _without_uei(three) == _without_uei(one)
    split = [r for r in three if r["entry_number"] == rows[2]["entry_number"]]
    assert [r["line_no"] for r in split] == ["1", "3", "2"] and {r["entry_outcome"] for r in split} != {"rejected"}
    assert three_summary.bad_rows == one_summary.bad_rows == 1


@pytest.mark.parametrize("split", [False, True])
def test_a_filter_that_errs_does_not_make_the_screen_sort_a_file_in_order(app, world, tmp_path, monkeypatch, split):
    """The contiguity check's Bloom filter errs now and then (grouping.ClosedEntries); the entries it
    suspects are checked exactly, so a file in order is screened as it is (one process and workers alike), and a file
    whose entry does come back is still sorted."""
    rows = _mixed_rows(world, 40)
    if split:
        rows.append(rows.pop(3))
    source = tmp_path / "in-order.csv"
    source.write_text(_csv(rows))
    one_summary, one = _run(app, source, workers=1)
    _forget_decisions(app, world)
    monkeypatch.setattr(grouping.ClosedEntries, "__contains__", lambda _self, _key: True)  # every entry a suspect
    erring_one, erring = _run(app, source, workers=1)
    _forget_decisions(app, world)
    erring_three, three = _run(app, source, workers=3)
    assert one_summary.regrouped is erring_one.regrouped is erring_three.regrouped is split
    assert _without_uei(erring) == _without_uei(three) == _without_uei(one)


def test_too_many_suspects_make_the_workers_sort_the_file_as_one_process_does(app, world, tmp_path, monkeypatch):
    """Past MAX_SUSPECTS the deal stops and the file is sorted (it is almost surely out of order), as one process
    does: the same output either way."""
    source = tmp_path / "suspect.csv"
    source.write_text(_csv(_mixed_rows(world, 30)))
    monkeypatch.setattr(grouping.ClosedEntries, "__contains__", lambda _self, _key: True)
    monkeypatch.setattr(grouping, "MAX_SUSPECTS", 2)
    one_summary, one = _run(app, source, workers=1)
    _forget_decisions(app, world)
    three_summary, three = _run(app, source, workers=3)
    assert one_summary.regrouped and three_summary.regrouped
    assert _without_uei(three) == _without_uei(one)


def test_workers_give_the_output_of_one_process_with_the_optional_columns(app, world, tmp_path):
    """The optional columns (countries of origin, parcels, one seller listed as a violative shipper) are read,
    decided and written back alike by one process and by three."""
    listed = world.reviewer.post("/api/v1/violative-shippers", json={
        "name": "Harbour Light Exports", "country": "HK", "reason": "Counterfeit parcels."})
    assert listed.status_code == 201, listed.json
    sellers = (("Harbour Light Exports Ltd", "HK"), ("Nordic Parcel AB", "SE"), ("", ""))
    rows = _mixed_rows(world, 90)
    for i, row in enumerate(rows):
        seller, country = sellers[int(row["entry_number"][4:11]) % 3]
        row.update(country_of_origin=("CN", "VN", "")[i % 3], shipment_type="section_321" if seller else "",
                   house_bill=f"HB{row['entry_number'][4:11]}" if seller else "", seller_name=seller, seller_country=country,
                   marketplace="bigmarket.example" if seller else "")
    rows[40]["seller_country"] = "ZZ"
    columns = INPUT_COLUMNS + OPTIONAL_COLUMNS
    text = io.StringIO()
    writer = csv.DictWriter(text, fieldnames=columns, lineterminator="\n", restval="")
    writer.writeheader()
    writer.writerows(rows)
    source = tmp_path / "parcels.csv"
    source.write_text(text.getvalue())
    _, one = _run(app, source, workers=1)
    one_draws = _draws(app, world)
    _forget_decisions(app, world)
    summary, three = _run(app, source, workers=3)
    assert tuple(three[0])[:len(columns)] == columns
    assert _without_uei(three) == _without_uei(one)
    assert _draws(app, world) == one_draws
    assert summary.bad_rows == 2 and {e["field"] for e in summary.errors} == {"hts_code", "seller_country"}
    shipper = [r for r in three if r["seller_name"].startswith("Harbour") and r["entry_outcome"] != "rejected"]
    assert shipper and all(r["reasons"].startswith("known_violative_shipper") for r in shipper)
    assert not any("known_violative_shipper" in r["reasons"] for r in three if r["seller_name"] == "Nordic Parcel AB")
    with app.app_context():
        stored = db.session.scalars(select(DecisionLine.country_of_origin)).all()
        assert set(stored) == {"CN", "VN", None}
        db.session.remove()


def test_a_second_run_writes_the_existing_decisions_as_already_decided(app, world, tmp_path):
    source = tmp_path / "again.csv"
    source.write_text(_mixed_file(world, 30))
    _, first = _run(app, source, workers=2)
    draws = _draws(app, world)
    summary, second = _run(app, source, workers=2)
    assert summary.already_decided == 29 and sum(summary.entries.values()) == 0 and summary.rejected_entries == 1
    for before, after in zip(first, second, strict=True):
        if before["entry_outcome"] == "rejected":
            assert after == before
            continue
        assert after["reasons"] == ALREADY_DECIDED
        assert (after["uei"], after["entry_outcome"], after["line_outcome"]) == \
            (before["uei"], before["entry_outcome"], before["line_outcome"])
    assert _draws(app, world) == draws  # nothing drawn twice
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(ReleaseDecision)) == 29
        db.session.remove()


@pytest.mark.parametrize("workers", [1, 2])
def test_a_run_started_again_gives_the_rest_the_outcomes_of_one_whole_run(app, world, tmp_path, workers):
    """Entries are decided before their chunk's transaction looks for live decisions: a chunk holding entries a
    first run already decided puts their blank quantities back and decides the rest again, so the rest get the
    outcomes (and draws) of one uninterrupted run."""
    rows = _mixed_rows(world, 120)
    whole = tmp_path / "whole.csv"
    whole.write_text(_csv(rows))
    _, once = _run(app, whole, workers=1)
    once_draws = _draws(app, world)
    _forget_decisions(app, world)
    first_half = {_number(serial) for serial in range(1, 51)}
    part = tmp_path / "part.csv"
    part.write_text(_csv([row for row in rows if row["entry_number"] in first_half]))
    _run(app, part, workers=1)
    summary, again = _run(app, whole, workers=workers)  # chunks of 7: entries 50 (blank, decided) and 55 share one
    assert summary.already_decided == 49
    rest = [(r["entry_number"], r["line_outcome"], r["entry_outcome"], r["reasons"])
            for r in again if r["entry_number"] not in first_half]
    assert rest == [(r["entry_number"], r["line_outcome"], r["entry_outcome"], r["reasons"])
                    for r in once if r["entry_number"] not in first_half]
    assert _draws(app, world) == once_draws


def _count_decisions(app) -> int:
    with app.app_context():
        count = db.session.scalar(select(func.count()).select_from(ReleaseDecision))
        db.session.remove()
    return count


@pytest.mark.parametrize("workers", [1, 2])
def test_a_killed_screen_run_again_decides_every_entry_exactly_once(app, world, runner, tmp_path, workers):
    """SIGKILL the screen's whole process group part-way, run it again: one decision per entry, each blank
    quantity drawn once, the output lists every entry."""
    entries = 1500
    rows: list[dict[str, Any]] = []
    for serial in range(1, entries + 1):
        line = _blank(world, 1) if serial % 20 == 0 else dict(EXPEDITED_LINE)  # 75 blank entries, 1 each
        rows += _rows(_number(serial), line)
    source, target = tmp_path / "big.csv", tmp_path / "out.csv"
    source.write_text(_csv(rows))
    args = ["decisions", "screen", str(source), "--output", str(target), "--chunk", "10", "--no-progress",
            "--workers", str(workers)]
    with app.app_context():
        db.session.remove()
        db.engine.dispose()  # the child opens its own connections
    pid = os.fork()
    if pid == 0:  # the child: a screen in its own process group (its workers join it)
        code = 1
        try:
            os.setpgid(0, 0)
            with app.app_context():
                db.engine.dispose(close=False)
            code = runner.invoke(args=args).exit_code
        finally:
            os._exit(code)
    try:
        deadline = time.monotonic() + 120
        while _count_decisions(app) < 200 and time.monotonic() < deadline:
            time.sleep(0.01)
    finally:
        os.killpg(pid, signal.SIGKILL)
        os.waitpid(pid, 0)
    killed_at = _count_decisions(app)
    assert 200 <= killed_at < entries  # killed part-way

    result = runner.invoke(args=args)
    assert result.exit_code == 0, result.output
    with target.open(newline="", encoding="utf-8") as written:
        out = list(csv.DictReader(written))
    assert [r["entry_number"] for r in out] == [_number(s) for s in range(1, entries + 1)]
    assert all(r["uei"] and r["entry_outcome"] == "expedited_release" for r in out)
    reasons = Counter(r["reasons"] for r in out)
    assert reasons[ALREADY_DECIDED] == killed_at  # every decision committed before the kill, none other
    with app.app_context():
        per_entry = Counter(db.session.scalars(select(ReleaseDecision.entry_number)))
        assert len(per_entry) == entries and set(per_entry.values()) == {1}
        assert {r["uei"] for r in out} == set(db.session.scalars(select(ReleaseDecision.uei)))
        ledger = db.session.scalars(select(BlankConsumption.quantity)).all()
        assert len(ledger) == 75 and sum(ledger) == 75
        assert db.session.get(BlankLine, world.declaration_line_id).remaining_quantity == 100 - 75
        assert verify_chain().ok
        db.session.remove()


def test_a_failing_worker_process_fails_the_run_and_the_job(app, world, tmp_path, monkeypatch):
    from program.decisions import screen_parallel
    from program.decisions.models import ScreenJob

    def broken(self, *args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(screen_parallel.Screener, "run_rows", broken)  # the forked children inherit it
    source = tmp_path / "fails.csv"
    source.write_text(_mixed_file(world, 10))
    with pytest.raises(RuntimeError, match="disk full"):
        _run(app, source, workers=2)
    with app.app_context():
        job = db.session.scalars(select(ScreenJob)).one()
        assert job.status == "failed" and "disk full" in job.failure
        db.session.remove()
