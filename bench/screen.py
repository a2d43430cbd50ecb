"""Benchmark of the bulk screen: ``flask --app app decisions screen`` against a pure-Python ceiling.

Builds a fresh database (SQLite in a temporary folder, or a throwaway PostgreSQL database next to
``--database-url``), runs the real migrations and ``seed demo``, files blank-goods declarations for the
enrolled demo importers, then generates N lines (mixed sectors, conditions, marks, blanks, a few bad
rows) from the facts actually in the database. It then runs, each as a subprocess measured with
``wait4`` (wall time and peak RSS of that process alone):

1. the screen CLI on the file;
2. the ceiling: a minimal loop that reads the same CSV with the csv module, does the same dictionary
   look-ups (enrollment, sector, mark, endorsed standard, declared line) and writes a CSV — before the
   first screen run and after each, every ratio taken against the median of those runs;
3. the same decision logic in a dataframe engine (polars and DuckDB, when installed: ``pip install
   -e '.[bench]'``): read, join the facts, line and entry outcomes, write a CSV — the decision-only rate,
   a second, higher ceiling (nothing is stored);
4. with ``--entry-lines 1``, the storage floor (``--no-floor`` skips it): the same number of parcels stored
   with the screen's own insert functions (``_insert_rows`` on SQLite, binary ``COPY`` on PostgreSQL) into the
   schema as it is (one row per parcel), as before migration 0016 (a decision row and a line row), and into three
   scratch tables of one row per parcel (the same indexes, no foreign key; only the UEI and live-entry look-ups;
   no index),
   only the writing timed: what no implementation on that schema can beat, as a ratio to the ceiling.

With ``--workers 1,2`` the screen runs once per worker count (each on a fresh copy of the prepared
database, so no run finds the previous one's decisions) and a scaling table is printed.
``--entry-lines 1`` makes every entry one line (de minimis parcels); the default mixes 1-8 lines.

Prints lines/s of each, the ratio to the same-run ceiling (target >= 0.33) and peak RSS (target <= 300 MB).

    python bench/screen.py [--lines 1000000] [--entry-lines 1] [--workers 1,2]
                           [--database-url postgresql+psycopg://postgres@127.0.0.1:5432/postgres]
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# Run as a script, bench/ comes first on sys.path and bench/http.py would shadow the standard ``http``.
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != ROOT / "bench"]
sys.path.insert(0, str(ROOT))

COLUMNS = ("entry_number", "port_code", "ior_number", "line_no", "description", "hts_code", "quantity", "value_usd",
           "sector", "condition", "recordation_number", "lever_label", "blank_declaration_id", "blank_line_no",
           # The optional columns (API.md): every run has them, so the memory target holds with them present.
           "country_of_origin", "shipment_type", "house_bill", "seller_name", "seller_country", "marketplace")
SELLERS = (("Shenzhen Fast Goods Trading Co., Ltd.", "CN"), ("Harbour Light Exports", "HK"), ("Nordic Parcel AB", "SE"),
           ("Saigon Crafts Co", "VN"), ("Guangzhou Bright Star Trading", "CN"))
COUNTRIES = ("CN", "CN", "VN", "HK", "MX", "DE", "")
BLANK_HTS = ("4202.92.3131", "6109.10.0012", "8517.13.0000")


# --------------------------------------------------------------------------- database and world


def _throwaway_postgres(url: str) -> tuple[str, callable]:
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    base = make_url(url if "+psycopg" in url else url.replace("postgresql://", "postgresql+psycopg://", 1))
    name = f"gl_bench_{os.getpid()}_{uuid.uuid4().hex[:6]}"
    admin = create_engine(base, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))

    def drop() -> None:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()

    return base.set(database=name).render_as_string(hide_password=False), drop


def prepare_world(database_url: str, workdir: Path) -> dict:
    """Migrate, seed the demo, file blank declarations; return the facts the generator draws from."""
    from datetime import timedelta

    from flask_migrate import upgrade
    from sqlalchemy import select

    from app import create_app
    from core.accounts.models import User
    from core.extensions import db
    from core.timeutil import today
    from program.blanks.services import file_declaration
    from program.decisions.facts import load_snapshot
    from program.seed import seed_demo

    app = create_app({"SQLALCHEMY_DATABASE_URI": database_url, "SECRET_KEY": "bench",
                      "UPLOAD_FOLDER": str(workdir / "uploads")})
    with app.app_context():
        upgrade(directory=str(ROOT / "migrations"))
        seed_demo()
        db.session.commit()
        start = today()
        for user in db.session.scalars(select(User).where(User.role == "importer")):
            data = {"valid_from": start.isoformat(), "valid_until": (start + timedelta(days=180)).isoformat(),
                    "parties": [{"role": "manufacturer", "name": "Plain Goods Co.", "country": "CN",
                                 "address": "12 Mill Road"}],
                    "lines": [{"line_no": i + 1, "description": "Plain goods, no logos", "hts_code": hts,
                               "quantity": 50_000_000, "unit": "pcs", "country_of_origin": "CN",
                               "intended_marking": "none"} for i, hts in enumerate(BLANK_HTS)],
                    "attestation": True}
            try:
                file_declaration(user, data)
                db.session.commit()
            except Exception:  # noqa: BLE001 - importers without an approved enrollment cannot file
                db.session.rollback()
        snap = load_snapshot(today())
        facts = snap.facts
        world = {
            "sectors": sorted(snap.sectors),
            "enrollments": {ior: {"org": e.organization_id, "status": e.status,
                                  "sectors": sorted(e.approved_sectors)} for ior, e in facts.enrollments.items()},
            "debarred": sorted(facts.debarred_iors),
            "heightened": sorted(facts.heightened_sectors),
            "marks": {number: m.lever_rule for number, m in facts.marks.items()},
            "endorsed": [list(key) for key in facts.endorsed],
            "blank_lines": [[key[0], key[1], f.organization_id, f.hts_code] for key, f in facts.blank_lines.items()],
            "hts_for": _hts_for_sectors(snap.sectors, facts.hts_sectors),
        }
        db.session.remove()
        db.engine.dispose()
    return world


def _hts_for_sectors(sectors, hts_sectors: dict) -> dict[str, str]:
    """A 10-digit HTS code per sector that the sector's own HTS prefixes cover (so endorsed lines do not all
    trip ``sector_hts_mismatch``), or one no sector lists for sectors without prefixes."""
    out: dict[str, str] = {}
    for prefix in sorted(hts_sectors, key=lambda p: (len(p), p)):
        for sector in sorted(hts_sectors[prefix]):
            out.setdefault(sector, prefix.ljust(10, "0"))
    unlisted = next(code for code in ("9503000073", "9999999999")
                    if not any(code.startswith(p) for p in hts_sectors))
    return {sector: out.get(sector, unlisted) for sector in sectors}


# --------------------------------------------------------------------------- input file


def _entry_number(serial: int) -> str:
    from program.decisions.entry_number import entry_check_digit

    return f"BNC-{serial:07d}-{entry_check_digit('BNC', serial)}"


def generate(path: Path, world: dict, lines: int, seed: int = 7, entry_lines: int = 0) -> int:
    """Write ``lines`` rows (entries of 1-8 lines, or ``entry_lines`` each; rows contiguous); returns the number
    of entries."""
    rng = random.Random(seed)
    approved = [ior for ior, e in world["enrollments"].items() if e["status"] == "approved"]
    others = [ior for ior, e in world["enrollments"].items() if e["status"] != "approved"] + ["55-1234567"]
    iors = approved * 8 + others + world["debarred"]
    org_of = {ior: e["org"] for ior, e in world["enrollments"].items()}
    blanks_by_org: dict = {}
    for public_id, line_no, org, hts in world["blank_lines"]:
        blanks_by_org.setdefault(org, []).append((public_id, line_no, hts))
    endorsed = [tuple(k) for k in world["endorsed"]]
    marks = list(world["marks"])
    sectors = world["sectors"]
    conditions = ("new_parallel", "used", "refurbished", "recycled")
    written = 0
    entries = 0
    with open(path, "w", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(COLUMNS)
        while written < lines:
            entries += 1
            entry = _entry_number(entries)
            ior = rng.choice(iors)
            port = rng.choice(("2704", "1001", "3004"))
            blanks = blanks_by_org.get(org_of.get(ior), [])
            if rng.random() < 0.3:  # a de minimis parcel from a marketplace seller
                seller, seller_country = rng.choice(SELLERS)
                shipment = ("section_321", f"HB{entries:09d}", seller, seller_country, "bigmarket.example")
            else:
                shipment = ("formal", "", "", "", "")
            for line_no in range(1, min(entry_lines or rng.randint(1, 8), lines - written) + 1):
                pick = rng.random()
                qty = str(rng.randint(1, 40))
                value = f"{rng.randint(10, 90000)}.{rng.randint(0, 99):02d}"
                if pick < 0.15 and blanks:
                    public_id, bline, hts = rng.choice(blanks)
                    row = (entry, port, ior, line_no, "Plain goods", hts, qty, value, "apparel_footwear", "blank",
                           "", "", public_id, bline)
                elif pick < 0.65 and endorsed:
                    sector, condition, number = rng.choice(endorsed)
                    row = (entry, port, ior, line_no, f"{sector} goods", world["hts_for"][sector], qty, value, sector,
                           condition, number, "true", "", "")
                elif pick < 0.999:
                    row = (entry, port, ior, line_no, "Assorted goods", "6202.93.5011", qty, value,
                           rng.choice(sectors), rng.choice(conditions), rng.choice(marks + [""]),
                           rng.choice(("true", "false", "")), "", "")
                else:
                    row = (entry, port, ior, line_no, "Bad HTS", "12.34", qty, value, "mobile_devices", "used",
                           "", "", "", "")
                writer.writerow(row + (rng.choice(COUNTRIES), *shipment))
                written += 1
    return entries


# --------------------------------------------------------------------------- ceiling


def ceiling(world_path: str, source: str, target: str) -> None:
    """The ceiling loop: read the CSV, the same dictionary look-ups, write a CSV (run as a subprocess)."""
    world = json.loads(Path(world_path).read_text())
    enrollments = {ior: (e["org"], e["status"], frozenset(e["sectors"])) for ior, e in world["enrollments"].items()}
    marks = world["marks"]
    endorsed = {tuple(k): True for k in world["endorsed"]}
    blank_lines = {(p, n): (org, hts) for p, n, org, hts in world["blank_lines"]}
    debarred = frozenset(world["debarred"])
    heightened = frozenset(world["heightened"])
    with open(source, newline="") as inp, open(target, "w", newline="") as out:
        reader = csv.reader(inp)
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(next(reader) + ["line_outcome", "entry_outcome", "reasons", "uei"])
        for row in reader:
            enrollment = enrollments.get(row[2])
            outcome = "expedited_release"
            if row[2] in debarred or enrollment is None or row[8] not in enrollment[2] or row[8] in heightened:
                outcome = "standard_processing"
            if row[9] == "blank":
                if blank_lines.get((row[12], int(row[13]) if row[13] else 0)) is None:
                    outcome = "standard_processing"
            elif marks.get(row[10]) is None or (row[8], row[9], row[10]) not in endorsed:
                outcome = "standard_processing"
            writer.writerow(row + [outcome, outcome, "", ""])


def dataframe(engine: str, world_path: str, source: str, target: str) -> None:
    """The ceiling's decision logic in polars or DuckDB: facts joined as tables, line and entry outcomes."""
    world = json.loads(Path(world_path).read_text())
    enrolled = [(ior, sector) for ior, e in world["enrollments"].items() if e["status"] == "approved"
                for sector in e["sectors"]]
    marks = list(world["marks"])
    endorsed = [tuple(k) for k in world["endorsed"]]
    blank_lines = [(p, n) for p, n, _org, _hts in world["blank_lines"]]
    debarred, heightened = world["debarred"], world["heightened"]
    if engine == "polars":
        import polars as pl

        text = {c: pl.Utf8 for c in COLUMNS}
        frame = pl.scan_csv(source, schema_overrides=text, infer_schema=False)
        ok_sector = pl.DataFrame(enrolled, schema=["ior_number", "sector"], orient="row").with_columns(
            pl.lit(True).alias("sector_ok")).lazy()
        ok_mark = pl.DataFrame({"recordation_number": marks, "mark_ok": [True] * len(marks)}).lazy()
        ok_std = pl.DataFrame(endorsed, schema=["sector", "condition", "recordation_number"], orient="row").with_columns(
            pl.lit(True).alias("std_ok")).lazy()
        ok_blank = pl.DataFrame(blank_lines, schema=["blank_declaration_id", "blank_line_no"], orient="row",
                                ).with_columns(pl.col("blank_line_no").cast(pl.Utf8), pl.lit(True).alias("blank_ok")).lazy()
        standard = (pl.col("ior_number").is_in(debarred) | pl.col("sector_ok").is_null()
                    | pl.col("sector").is_in(heightened)
                    | pl.when(pl.col("condition") == "blank").then(pl.col("blank_ok").is_null())
                    .otherwise(pl.col("mark_ok").is_null() | pl.col("std_ok").is_null()))
        result = (frame.join(ok_sector, on=["ior_number", "sector"], how="left")
                  .join(ok_mark, on="recordation_number", how="left")
                  .join(ok_std, on=["sector", "condition", "recordation_number"], how="left")
                  .join(ok_blank, on=["blank_declaration_id", "blank_line_no"], how="left", maintain_order="left")
                  .with_columns(pl.when(standard).then(1).otherwise(0).alias("rank"))
                  .with_columns(pl.col("rank").max().over("entry_number").alias("entry_rank"))
                  .select(*COLUMNS,
                          pl.when(pl.col("rank") == 1).then(pl.lit("standard_processing"))
                          .otherwise(pl.lit("expedited_release")).alias("line_outcome"),
                          pl.when(pl.col("entry_rank") == 1).then(pl.lit("standard_processing"))
                          .otherwise(pl.lit("expedited_release")).alias("entry_outcome")))
        result.sink_csv(target)
        return
    import duckdb

    con = duckdb.connect()
    con.execute("SET threads TO 2")
    con.execute("CREATE TABLE ok_sector (ior_number VARCHAR, sector VARCHAR)")
    con.executemany("INSERT INTO ok_sector VALUES (?, ?)", enrolled or [("", "")])
    con.execute("CREATE TABLE ok_mark (recordation_number VARCHAR)")
    con.executemany("INSERT INTO ok_mark VALUES (?)", [(m,) for m in marks] or [("",)])
    con.execute("CREATE TABLE ok_std (sector VARCHAR, condition VARCHAR, recordation_number VARCHAR)")
    con.executemany("INSERT INTO ok_std VALUES (?, ?, ?)", endorsed or [("", "", "")])
    con.execute("CREATE TABLE ok_blank (blank_declaration_id VARCHAR, blank_line_no VARCHAR)")
    con.executemany("INSERT INTO ok_blank VALUES (?, ?)", [(p, str(n)) for p, n in blank_lines] or [("", "")])
    listed = lambda values: "(" + ", ".join("'" + v.replace("'", "''") + "'" for v in values or [""]) + ")"  # noqa: E731
    con.execute(f"""
        COPY (
          WITH lines AS (
            SELECT l.*, CASE WHEN l.ior_number IN {listed(debarred)} OR s.sector IS NULL
                               OR l.sector IN {listed(heightened)}
                               OR (l.condition = 'blank' AND b.blank_line_no IS NULL)
                               OR (l.condition <> 'blank' AND (m.recordation_number IS NULL OR t.sector IS NULL))
                             THEN 1 ELSE 0 END AS rank
            FROM read_csv('{source}', all_varchar = true, header = true) l
            LEFT JOIN ok_sector s ON s.ior_number = l.ior_number AND s.sector = l.sector
            LEFT JOIN ok_mark m ON m.recordation_number = l.recordation_number
            LEFT JOIN ok_std t ON t.sector = l.sector AND t.condition = l.condition
                              AND t.recordation_number = l.recordation_number
            LEFT JOIN ok_blank b ON b.blank_declaration_id = l.blank_declaration_id
                                AND b.blank_line_no = l.blank_line_no)
          SELECT {", ".join(COLUMNS)},
                 CASE rank WHEN 1 THEN 'standard_processing' ELSE 'expedited_release' END AS line_outcome,
                 CASE max(rank) OVER (PARTITION BY entry_number) WHEN 1 THEN 'standard_processing'
                      ELSE 'expedited_release' END AS entry_outcome
          FROM lines) TO '{target}' (HEADER, DELIMITER ',')""")  # noqa: S608


# --------------------------------------------------------------------------- storage floor

# What storing one parcel costs at least, whatever computes its decision: the parcel's rows written as the screen
# writes them (its own insert functions, chunks of the screen's size, one transaction each, the bulk-write settings),
# into five shapes of table. Only the writing is timed, not the building of the rows.
FLOOR_SHAPES = (
    ("schema as is: one row per parcel (its line in the decision row)", "as_is"),
    ("before migration 0016: a decision row and a line row", "two_rows"),
    ("one row per parcel, the same indexes, no foreign key", "indexes"),
    ("one row per parcel, only the UEI and live-entry indexes", "lookups"),
    ("one row per parcel, no index", "heap"),
)


def storage_floor(database_url: str, parcels: int) -> None:
    """Print ``shape<TAB>seconds`` for each of FLOOR_SHAPES, storing ``parcels`` parcels into ``database_url``."""
    from decimal import Decimal

    from sqlalchemy import Column, Index, String, Table, text

    from app import create_app
    from core.extensions import db
    from core.timeutil import utcnow
    from program.decisions import screen_store
    from program.decisions.engine import RULES_VERSION
    from program.decisions.models import ScreenJob
    from program.decisions.screen import CHUNK_ENTRIES
    from program.decisions.uei import new_ueis

    app = create_app({"SQLALCHEMY_DATABASE_URI": database_url, "SECRET_KEY": "bench"})
    with app.app_context():
        conn = db.session.connection()
        postgres = conn.dialect.name == "postgresql"
        store = screen_store.ChunkStore(job_id=None, actor=None, enrollments={})
        org, enrollment = conn.execute(text("SELECT organization_id, id FROM enrollment ORDER BY id")).first()
        reason_set = conn.execute(text("SELECT MIN(id) FROM decision_reason_set")).scalar() \
            or conn.execute(text("INSERT INTO decision_reason_set (digest, codes, reasons) "
                                 "VALUES ('floor', 'enrolled', '[]') RETURNING id")).scalar_one()
        job = ScreenJob(status="running", filename="storage-floor")  # the screen's rows name their job
        db.session.add(job)
        db.session.flush()
        job_id = job.id
        now = utcnow()
        when = screen_store._bind_processor(screen_store._DECISIONS.c.decided_at, conn.dialect)(now)
        seller = ',"seller":{"name":"Nordic Parcel AB","country":"SE"},"marketplace":"Nordic Mart"}'
        facts = json.dumps({"as_of": now.date().isoformat(), "enrollment_id": enrollment, "mark_ids": [3],
                            "standard_version_ids": [2], "blank_line_ids": []}, separators=(",", ":"))
        decision_columns = screen_store._DECISION_COLUMNS  # a parcel's row: the decision, its line in line_* columns
        line_columns = screen_store._LINE_COLUMNS
        head = len(decision_columns) - len(line_columns) + 1  # the decision's own columns, before its line's
        decision_table = screen_store._DECISIONS
        # The scratch tables (in this throwaway database only): the decision row's columns; in the metadata too,
        # where binary COPY finds their types. "indexes" has the decision table's indexes that the screen writes,
        # "lookups" only what API.md's look-ups need (a decision by UEI, the live decision of an entry number, both
        # unique); "heap" only the primary key.
        for shape in ("indexes", "lookups", "heap"):
            name = f"floor_{shape}"
            columns = [Column(c.name, c.type, primary_key=c.name == "id", autoincrement=False)
                       for c in decision_table.c if c.name in decision_columns]
            table = Table(name, db.metadata, *columns, Column("status", String(12), server_default="live"))
            if shape != "heap":
                live = text("status = 'live'")
                Index(f"{name}_uei", table.c.uei, unique=True)
                Index(f"{name}_live", table.c.entry_number, unique=True, sqlite_where=live, postgresql_where=live)
            if shape == "indexes":  # the others whose columns the screen writes (not idempotency, supersedes)
                for number, index in enumerate(decision_table.indexes):
                    names = [c.name for c in index.columns]
                    if index.name != "uq_release_decision_live_entry" and all(n in table.c for n in names):
                        Index(f"{name}_{number}", *(table.c[n] for n in names), unique=index.unique,
                              **index.dialect_kwargs)
            table.create(conn)
        db.session.commit()
        insert = screen_store._copy if postgres else screen_store._insert_rows
        serial = 0

        def chunk(first_id: int, size: int) -> list[tuple]:
            nonlocal serial
            rows = []
            quantity, value = Decimal("1.000"), Decimal("12.50")
            line = (1, "Cotton T-shirt, used", "6109100012", quantity if postgres else str(quantity),
                    value if postgres else str(value), "apparel", "used", None, False, None, None, "CN",
                    "refer_for_examination", reason_set)
            for decision_id, uei in zip(range(first_id, first_id + size), new_ueis(size), strict=True):
                serial += 1
                rows.append((decision_id, uei, _entry_number(serial), "2704", "12-3456789AB", org, enrollment,
                             None, "screen", job_id, "refer_for_examination", RULES_VERSION, facts, 1, when,
                             f'{{"type":"section_321","house_bill":"HB{serial:09d}"{seller}', *line))
            return rows

        for label, shape in FLOOR_SHAPES:
            conn = db.session.connection()
            first = conn.execute(text("SELECT COALESCE(MAX(id), 0) FROM release_decision")).scalar_one() + 1
            spent = 0.0
            for start in range(0, parcels, CHUNK_ENTRIES):
                size = min(CHUNK_ENTRIES, parcels - start)
                rows = chunk(first + start, size)
                if shape == "two_rows":
                    decisions = [row[:head] for row in rows]
                    lines = [(row[0], *row[head:]) for row in rows]
                began = time.perf_counter()
                conn = db.session.connection()
                store.tune_connection()
                if shape == "as_is":
                    insert(conn, decision_table.name, decision_columns, rows)
                elif shape == "two_rows":
                    insert(conn, decision_table.name, decision_columns[:head], decisions)
                    insert(conn, screen_store._LINES.name, line_columns, lines)
                else:
                    insert(conn, f"floor_{shape}", decision_columns, rows)
                db.session.commit()
                spent += time.perf_counter() - began
            print(f"{label}\t{spent}")
        db.session.remove()
        db.engine.dispose()


# --------------------------------------------------------------------------- measuring


def measure(command: list[str], env: dict) -> tuple[float, float, int]:
    """Run ``command``; return (wall seconds, peak RSS in MB of that process, exit status)."""
    started = time.perf_counter()
    process = subprocess.Popen(command, env=env, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    # wait4 gives this child's own rusage; read its pipes in threads so it never blocks on a full pipe.
    import threading

    chunks: dict[str, bytes] = {}
    readers = [threading.Thread(target=lambda n, s: chunks.__setitem__(n, s.read()), args=(n, s))
               for n, s in (("out", process.stdout), ("err", process.stderr))]
    for reader in readers:
        reader.start()
    _pid, status, usage = os.wait4(process.pid, 0)
    for reader in readers:
        reader.join()
    process.returncode = os.waitstatus_to_exitcode(status)
    elapsed = time.perf_counter() - started
    if process.returncode != 0:
        sys.stderr.write(chunks.get("err", b"").decode()[-4000:])
    measure.last_output = chunks.get("out", b"").decode()
    # CPU seconds of the process (and the children it waited for): on a shared machine the wall time follows
    # the load, the CPU time much less (the database server's own CPU is not in it).
    measure.last_cpu = usage.ru_utime + usage.ru_stime
    return elapsed, usage.ru_maxrss / 1024, process.returncode


def _fresh_database(prepared: str, workdir: Path, run: int) -> tuple[str, callable]:
    """A copy of the prepared database for one run (a file copy on SQLite, ``TEMPLATE`` on PostgreSQL)."""
    import shutil

    if prepared.startswith("sqlite"):
        copy = workdir / f"run-{run}.db"
        shutil.copyfile(workdir / "bench.db", copy)
        return f"sqlite:///{copy}", lambda: copy.unlink(missing_ok=True)
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    base = make_url(prepared)
    name = f"{base.database}_r{run}"
    admin = create_engine(base.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}" TEMPLATE "{base.database}"'))

    def drop() -> None:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()

    return base.set(database=name).render_as_string(hide_password=False), drop


def main() -> int:
    """Parse arguments, prepare, run the screen (per worker count), the ceiling and the dataframe engines."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--lines", type=int, default=1_000_000)
    parser.add_argument("--entry-lines", type=int, default=0, help="lines per entry (default: mixed 1-8)")
    parser.add_argument("--workers", default="", help="comma-separated worker counts, e.g. 1,2 (default: the CLI's)")
    parser.add_argument("--database-url", default="", help="PostgreSQL server URL (a throwaway database is made)")
    parser.add_argument("--keep", action="store_true", help="keep the temporary folder")
    parser.add_argument("--ceiling-run", nargs=3, metavar=("WORLD", "IN", "OUT"), help=argparse.SUPPRESS)
    parser.add_argument("--dataframe-run", nargs=4, metavar=("ENGINE", "WORLD", "IN", "OUT"), help=argparse.SUPPRESS)
    parser.add_argument("--prepare-run", nargs=2, metavar=("DATABASE_URL", "WORKDIR"), help=argparse.SUPPRESS)
    parser.add_argument("--floor-run", nargs=2, metavar=("DATABASE_URL", "PARCELS"), help=argparse.SUPPRESS)
    parser.add_argument("--no-floor", action="store_true", help="skip the storage floor")
    args = parser.parse_args()
    if args.floor_run:
        storage_floor(args.floor_run[0], int(args.floor_run[1]))
        return 0
    if args.ceiling_run:
        ceiling(*args.ceiling_run)
        return 0
    if args.dataframe_run:
        dataframe(*args.dataframe_run)
        return 0
    if args.prepare_run:
        workdir = Path(args.prepare_run[1])
        (workdir / "world.json").write_text(json.dumps(prepare_world(args.prepare_run[0], workdir)))
        return 0

    workdir = Path(tempfile.mkdtemp(prefix="gl-bench-screen-"))
    drop = None
    if args.database_url.startswith("postgres"):
        database_url, drop = _throwaway_postgres(args.database_url)
        label = "PostgreSQL"
    else:
        database_url, label = f"sqlite:///{workdir / 'bench.db'}", "SQLite"
    worker_counts = [int(w) for w in args.workers.split(",") if w.strip()] or [None]
    try:
        t0 = time.perf_counter()
        # In a child process, so this one stays small: a forked child's peak RSS starts from its parent's.
        subprocess.run([sys.executable, __file__, "--prepare-run", database_url, str(workdir)], cwd=ROOT, check=True,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        world_path = workdir / "world.json"
        world = json.loads(world_path.read_text())
        source = workdir / "lines.csv"
        entries = generate(source, world, args.lines, entry_lines=args.entry_lines)
        shape = f"{args.entry_lines}-line entries" if args.entry_lines else "mixed 1-8-line entries"
        print(f"prepared {label} world and {args.lines:,} lines in {entries:,} entries ({shape}, "
              f"{source.stat().st_size / 1e6:.0f} MB) in {time.perf_counter() - t0:.1f} s")
        load = os.getloadavg()[0]
        flask = str(Path(sys.executable).parent / "flask")
        ceilings: list[tuple[float, float, float]] = []  # (wall s, peak MB, CPU s) of each ceiling run

        def run_ceiling() -> bool:
            wall, mb, status = measure([sys.executable, __file__, "--ceiling-run", str(world_path), str(source),
                                        str(workdir / "ceiling.csv")], dict(os.environ))
            ceilings.append((wall, mb, measure.last_cpu))
            return status == 0

        # The ceiling runs before the first screen and after each one: its median is compared with every screen run,
        # so that a machine whose speed drifts during the benchmark moves both sides alike.
        if not run_ceiling():
            print("ceiling failed")
            return 1
        runs = []
        for run, workers in enumerate(worker_counts):
            url, drop_copy = _fresh_database(database_url, workdir, run)
            env = dict(os.environ, DATABASE_URL=url, SECRET_KEY="bench", UPLOAD_FOLDER=str(workdir / "uploads"))
            command = [flask, "--app", "app", "decisions", "screen", str(source), "--output", str(workdir / "out.csv"),
                       "--no-progress"] + (["--workers", str(workers)] if workers else [])
            try:
                screen_s, screen_mb, status = measure(command, env)
            finally:
                drop_copy()
            if status != 0:
                print("screen failed")
                return 1
            runs.append((workers, screen_s, screen_mb, measure.last_output, measure.last_cpu))
            if not run_ceiling():
                print("ceiling failed")
                return 1
        ceil_s = statistics.median(wall for wall, _, _ in ceilings)
        ceil_cpu = statistics.median(cpu for _, _, cpu in ceilings)
        ceil_mb = max(mb for _, mb, _ in ceilings)
        ceil_spread = f"median of {len(ceilings)} runs, {min(c[0] for c in ceilings):.2f}–{max(c[0] for c in ceilings):.2f} s"
        floors: list[tuple[str, float]] = []  # (shape, seconds spent storing)
        if args.entry_lines == 1 and not args.no_floor:
            url, drop_copy = _fresh_database(database_url, workdir, len(worker_counts))
            try:
                _, _, status = measure([sys.executable, __file__, "--floor-run", url, str(entries)], dict(os.environ))
            finally:
                drop_copy()
            if status != 0:
                print("storage floor failed")
                return 1
            floors = [(shape, float(seconds)) for shape, seconds in
                      (line.split("\t") for line in measure.last_output.splitlines() if "\t" in line)]
        frames = []
        for engine in ("polars", "duckdb"):
            try:
                __import__(engine)
            except ImportError:
                continue
            frame_s, frame_mb, status = measure([sys.executable, __file__, "--dataframe-run", engine, str(world_path),
                                                 str(source), str(workdir / f"{engine}.csv")], dict(os.environ))
            if status == 0:
                frames.append((engine, frame_s, frame_mb))
        ceil_rate = args.lines / ceil_s
        print(runs[-1][3].rstrip())
        print()
        print(f"bench/screen.py on {label}, {args.lines:,} lines ({shape}), load average {load:.2f} at start, "
              f"{os.cpu_count()} cores")
        for workers, screen_s, screen_mb, _, screen_cpu in runs:
            rate = args.lines / screen_s
            name = f"screen, {workers} worker{'s' if workers != 1 else ''}" if workers else "screen (default workers)"
            print(f"  {name:<28}: {screen_s:7.2f} s  {rate:10,.0f} lines/s  peak RSS {screen_mb:6.0f} MB per process"
                  f"  ratio {rate / ceil_rate:.2f}  CPU {screen_cpu:.1f} s ({args.lines / screen_cpu:,.0f} lines/CPU-s)")
        print(f"  {'pure-Python ceiling':<28}: {ceil_s:7.2f} s  {ceil_rate:10,.0f} lines/s  peak RSS {ceil_mb:6.0f} MB"
              f"  CPU {ceil_cpu:.1f} s ({ceil_spread})")
        for engine, frame_s, frame_mb in frames:
            print(f"  {engine + ' decision-only':<28}: {frame_s:7.2f} s  {args.lines / frame_s:10,.0f} lines/s  "
                  f"peak RSS {frame_mb:6.0f} MB")
        for shape, seconds in floors:
            rate = entries / seconds
            print(f"  storage floor, {shape:<64}: {seconds:6.2f} s {rate:10,.0f} parcels/s  ratio {rate / ceil_rate:.2f}")
        best = max(args.lines / s for _, s, _, _, _ in runs)
        worst_mb = max(mb for _, _, mb, _, _ in runs)
        print(f"  best ratio: {best / ceil_rate:.2f} of the ceiling (target >= 0.33); "
              f"RSS target <= 300 MB per process: {'met' if worst_mb <= 300 else 'MISSED'}")
        return 0
    finally:
        if drop is not None:
            drop()
        if not args.keep:
            import shutil

            shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
