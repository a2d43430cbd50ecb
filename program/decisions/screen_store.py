"""Writing a screened chunk: blank-goods ledger rows, one audit entry, decisions and lines in bulk.

No ORM object is made per decision or line: rows are built as tuples (:meth:`ChunkStore.prepare`, before the
chunk's transaction and without the database, while the previous chunk is still being stored) and inserted many
to a statement on SQLite (:func:`_insert_rows`) or with binary ``COPY`` on PostgreSQL (:func:`_copy`), in the
chunk's transaction (:meth:`ChunkStore.write`). Decision ids are reserved first (the sequence on PostgreSQL;
past ``MAX(id)`` under SQLite's write lock, which the chunk's first write — its progress row — has taken). An entry that
already has a live decision is looked up here too (:meth:`ChunkStore.live_decisions`), so a run that is
started again does not decide it twice. A one-line entry (a parcel) is one row: its line goes in its decision's row
(models.py); an entry of several lines has line rows. A line stores the id of its list of reasons
(:mod:`~program.decisions.reason_sets`), looked up once per distinct list and transaction.
"""

from __future__ import annotations

import json
import sqlite3
from collections import Counter
from collections.abc import Callable, Iterable
from datetime import datetime
from functools import lru_cache
from itertools import chain
from typing import Any, NamedTuple

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    DateTime,
    Integer,
    Numeric,
    String,
    any_,
    bindparam,
    select,
    update,
)
from sqlalchemy.dialects.postgresql import ARRAY

from core import audit
from core.extensions import db
from core.sqlite_checkpoints import for_bulk_writes
from core.timeutil import utcnow
from program.blanks.models import BlankConsumption
from program.blanks.services import record_blank_consumptions
from program.decisions.engine import RULES_VERSION, EntryDecision
from program.decisions.models import (
    INLINE_COLUMNS,
    LINE_COLUMNS,
    LIVE,
    DecisionLine,
    ReleaseDecision,
    ScreenJob,
    line_rows,
    status_is,
)
from program.decisions.reason_sets import ReasonKey, key_of, reason_set_ids
from program.decisions.screen_read import EntryRows

MAX_VARIABLES = 8192  # bound values per SQLite INSERT: bigger statements gained nothing and cost memory
_DECISIONS = ReleaseDecision.__table__
_LINES = DecisionLine.__table__
_JOBS = ScreenJob.__table__
_LEDGER = BlankConsumption.__table__
_LEDGER_COLUMNS = ("line_id", "quantity", "decision_id", "reference", "created_at")
# A one-line entry (a parcel) is one row: its line goes in the decision's ``line_*`` columns (models.py), the id of
# its list of reasons last; an entry of several lines has them null and its lines in _LINES.
_DECISION_COLUMNS = ("id", "uei", "entry_number", "port_code", "ior_number", "organization_id", "enrollment_id",
                     "requested_by_id", "source", "screen_job_id", "outcome", "rules_version", "facts_used",
                     "line_count", "decided_at", "shipment",
                     *(INLINE_COLUMNS[name] for name in LINE_COLUMNS if name != "reason_set_id"), "line_reason_set_id")
_NO_LINE = (None,) * (len(LINE_COLUMNS) - 1)  # the line columns of a decision of several lines
_LINE_COLUMNS = ("decision_id", "line_no", "description", "hts_code", "quantity", "value_usd", "sector", "condition",
                 "recordation_number", "lever_label", "blank_declaration_id", "blank_line_no", "country_of_origin",
                 "outcome", "reason_set_id")
_compact_json = json.JSONEncoder(separators=(",", ":")).encode  # what json.dumps(…, separators=…) makes
_json_string = json.encoder.encode_basestring_ascii  # how that encoder writes a string (ensure_ascii)


class PreparedChunk(NamedTuple):
    """A chunk's rows as :meth:`ChunkStore.prepare` builds them, before its transaction."""

    groups: list[EntryRows]
    ueis: list[str]
    decisions: list[EntryDecision]
    now: datetime
    decision_tails: list[tuple]  # each decision's row between its id and the id of its one line's reasons
    one_line_reasons: list[tuple | None]  # each decision's one line's reasons (None: several lines)
    line_items: list[tuple[int, tuple, tuple]]  # of entries of several lines: (index of the line's decision, its row
    # between the ids, its reasons)
    counts: Counter


class ChunkStore:
    """Stores chunks of one run's decisions for ``job_id`` (may be None) on behalf of ``actor``."""

    def __init__(self, *, job_id: int | None, actor: Any, enrollments: dict, acting_for: int | None = None) -> None:
        self.job_id = job_id
        self.actor = actor
        self.acting_for = acting_for  # the importer a broker screens for (named on the audit entries)
        self.enrollments = enrollments
        self.reasons_cache: dict[tuple, tuple[ReasonKey, str]] = {}
        self._facts_cache: dict[tuple, str] = {}
        self._shipment_cache: dict[tuple[str, ...], str] = {}
        dialect = db.engine.dialect
        self.postgres = dialect.name == "postgresql"
        self._when = _bind_processor(_DECISIONS.c.decided_at, dialect)
        self._ledger_processors = (_bind_processor(_LEDGER.c.quantity, dialect),
                                   _bind_processor(_LEDGER.c.created_at, dialect))

    def tune_connection(self) -> None:
        """SQLite: the connection the chunk's transaction runs on gets the settings for bulk writes
        (core.sqlite_checkpoints.for_bulk_writes) until it goes back to the pool."""
        if not self.postgres:
            for_bulk_writes(db.session.connection())

    def reason_texts(self, reasons: tuple) -> tuple[ReasonKey, str]:
        """The reasons as the key of their stored list and as ``;``-joined codes (cached per distinct tuple)."""
        texts = self.reasons_cache.get(reasons)
        return texts if texts is not None else _reason_texts(reasons, self.reasons_cache)

    def progress_row(self, rows: int, decided: int, bad_rows: int, *, connection: Any = None) -> None:
        """Add a chunk's counts to the job's progress (several processes may share the job). On SQLite the
        chunk's first write, so that it takes the write lock for the whole chunk; on PostgreSQL its last
        (on ``connection``, the transaction's, from the background thread), so that partitions do not queue on the row."""
        if self.job_id is None:
            return
        (connection or db.session).execute(update(_JOBS).where(_JOBS.c.id == self.job_id).values(
            rows_done=_JOBS.c.rows_done + rows, entries_decided=_JOBS.c.entries_decided + decided,
            bad_rows=_JOBS.c.bad_rows + bad_rows))

    def live_decisions(self, entry_numbers: Iterable[str]) -> dict[str, tuple[str, str, dict[int, str]]]:
        """The live decision of each of ``entry_numbers`` that has one: entry number -> (UEI, outcome,
        line outcomes by line number)."""
        numbers = sorted(set(entry_numbers))
        if not numbers:
            return {}
        found: dict[str, tuple[str, str, dict[int, str]]] = {}
        ids: dict[int, str] = {}
        query = select(_DECISIONS.c.id, _DECISIONS.c.entry_number, _DECISIONS.c.uei, _DECISIONS.c.outcome)
        if "status" in _DECISIONS.c:  # decisions superseded by a later one are not live
            query = query.where(status_is(LIVE))  # literally: the partial live-entry index serves the look-up
        # PostgreSQL gets the chunk's numbers as one array (``= ANY``): planning an IN list of a thousand bound
        # values cost more than the look-ups themselves.
        batch = len(numbers) if self.postgres else 1000
        for start in range(0, len(numbers), batch):
            part = numbers[start:start + batch]
            where = (_DECISIONS.c.entry_number == any_(bindparam("numbers", part, type_=ARRAY(String)))
                     if self.postgres else _DECISIONS.c.entry_number.in_(part))
            for decision_id, number, uei, outcome in db.session.execute(query.where(where).order_by(_DECISIONS.c.id)):
                found[number] = (uei, outcome, {})
                ids[decision_id] = number
        keys = sorted(ids)
        lines = line_rows("line_no", "outcome").subquery("decision_line")
        for start in range(0, len(keys), 1000):
            for decision_id, line_no, outcome in db.session.execute(
                    select(lines.c.decision_id, lines.c.line_no, lines.c.outcome)
                    .where(lines.c.decision_id.in_(keys[start:start + 1000]))):
                found[ids[decision_id]][2][line_no] = outcome
        return found

    def prepare(self, groups: list[EntryRows], ueis: list[str], decisions: list[EntryDecision]) -> PreparedChunk:
        """The chunk's decision and line rows but for what its transaction gives (decision ids, the ids of the
        lists of reasons): built without the database, so that a run builds them while the previous chunk is
        still being stored."""
        now = utcnow()
        when = self._when(now)
        postgres = self.postgres
        enrollments = self.enrollments
        requested_by = getattr(self.actor, "id", None)
        job_id = self.job_id
        decision_tails = []
        one_line_reasons: list[tuple | None] = []
        line_items: list[tuple[int, tuple, tuple]] = []  # (index of the decision, the line's row, its reasons)
        add_line = line_items.append
        counts: Counter = Counter()
        for index, (group, uei, decision) in enumerate(zip(groups, ueis, decisions, strict=True)):
            enrollment = enrollments.get(group.ior)
            head = (uei, group.entry_number, group.port, group.ior,
                    enrollment.organization_id if enrollment is not None else None,
                    decision.facts_used["enrollment_id"], requested_by, "screen", job_id, decision.outcome,
                    decision.rules_version, self._facts_json(decision.facts_used),
                    len(decision.lines), when, self._shipment_json(group))
            counts[decision.outcome] += 1
            lines = []
            for line, (_, line_outcome, reasons) in zip(group.lines, decision.lines, strict=True):
                (line_no, description, hts_code, quantity, value, sector, condition, recordation, lever, declaration,
                 declared_line, country) = line
                lines.append(((line_no, description, hts_code,
                               quantity if postgres else str(quantity), value if postgres else str(value),
                               sector, condition, recordation, lever, declaration, declared_line, country,
                               line_outcome), reasons))
            if len(lines) == 1:  # a parcel: one row
                row, reasons = lines[0]
                decision_tails.append(head + row)
                one_line_reasons.append(reasons)
            else:
                decision_tails.append(head + _NO_LINE)
                one_line_reasons.append(None)
                for row, reasons in lines:
                    add_line((index, row, reasons))
        return PreparedChunk(groups, ueis, decisions, now, decision_tails, one_line_reasons, line_items, counts)

    def write(self, prepared: PreparedChunk, attempts: int) -> Callable[[], None]:
        """Insert the chunk's ledger rows and its audit entry; return what inserts its decisions and lines in bulk
        (in the same transaction, on the background thread)."""
        groups, ueis, decisions, now = prepared.groups, prepared.ueis, prepared.decisions, prepared.now
        if not groups:
            return lambda: None
        conn = db.session.connection()
        ids = self.reserve_ids(conn, len(groups))
        # The id of each distinct list of reasons in the chunk, found or stored together.
        distinct = list({reasons: None for reasons in chain(prepared.one_line_reasons,
                                                            (reasons for _, _, reasons in prepared.line_items))
                         if reasons is not None})
        set_of: dict[tuple | None, int | None] = dict(zip(
            distinct, reason_set_ids(conn, [self.reason_texts(reasons)[0] for reasons in distinct]), strict=True))
        set_of[None] = None  # a decision of several lines: no reasons in its row
        decision_rows = [(decision_id, *tail, set_of[reasons]) for decision_id, tail, reasons
                         in zip(ids, prepared.decision_tails, prepared.one_line_reasons, strict=True)]
        stored_lines = [(ids[index], *row, set_of[reasons]) for index, row, reasons in prepared.line_items]
        ledger = [(line_id, quantity, decision_id, uei, now)
                  for decision_id, uei, decision in zip(ids, ueis, decisions, strict=True)
                  for line_id, quantity in decision.consumptions]
        if self.postgres:
            record_blank_consumptions([dict(zip(_LEDGER_COLUMNS, row, strict=True)) for row in ledger])
        else:
            qty, at = self._ledger_processors
            _insert_rows(conn, _LEDGER.name, _LEDGER_COLUMNS,
                         [(line_id, qty(q), decision_id, uei, at(now)) for line_id, q, decision_id, uei, now in ledger])
        audit.record(self.actor, "screen", "release_decision", f"{ids[0]}-{ids[-1]}", after={
            "screen_job_id": self.job_id, "first_id": ids[0], "last_id": ids[-1], "entries": len(groups),
            "lines": len(stored_lines) + sum(r is not None for r in prepared.one_line_reasons),
            "by_outcome": dict(sorted(prepared.counts.items())), "blank_draws": len(ledger),
            "rules_version": RULES_VERSION, "attempts": attempts}, acting_for_organization_id=self.acting_for)
        insert = _copy if self.postgres else _insert_rows

        def store() -> None:
            insert(conn, _DECISIONS.name, _DECISION_COLUMNS, decision_rows)
            if stored_lines:
                insert(conn, _LINES.name, _LINE_COLUMNS, stored_lines)

        return store

    def _facts_json(self, facts_used: dict[str, Any]) -> str:
        """``facts_used`` as stored JSON, serialised once per distinct value (entries repeat a few hundred)."""
        key = (facts_used["as_of"], facts_used["enrollment_id"], *facts_used["mark_ids"], None,
               *facts_used["standard_version_ids"], None, *facts_used["blank_line_ids"])
        text = self._facts_cache.get(key)
        if text is None:
            if len(self._facts_cache) > 20_000:
                self._facts_cache.clear()
            text = self._facts_cache[key] = _compact_json(facts_used)
        return text

    def _shipment_json(self, group: EntryRows) -> str | None:
        """The entry's shipment as stored JSON (None: the entry has none). Parcels share all but their house bill,
        so the text around it is serialised once per distinct other columns and the house bill put between."""
        shipment = group.shipment
        if shipment is None:
            return None
        raw = group.raw_shipment
        key = (raw[0], *raw[2:])  # the shipment columns but the house bill (shipment type first)
        around = self._shipment_cache.get(key)
        if around is None:
            if len(self._shipment_cache) > 20_000:
                self._shipment_cache.clear()
            around = self._shipment_cache[key] = _json_around(shipment, "house_bill")
        if around is _NO_TEMPLATE:
            return _compact_json(shipment)
        bill = shipment["house_bill"]
        return around[0] + ("null" if bill is None else _json_string(bill)) + around[1]

    def reserve_ids(self, conn: Any, n: int) -> list[int]:
        """``n`` decision ids: from the sequence on PostgreSQL; past ``MAX(id)`` under SQLite's write lock."""
        if self.postgres:
            return list(conn.exec_driver_sql(
                "SELECT nextval(pg_get_serial_sequence('release_decision', 'id')) FROM generate_series(1, %s)",
                (n,)).scalars())
        start = conn.exec_driver_sql("SELECT COALESCE(MAX(id), 0) FROM release_decision").scalar_one() + 1
        return list(range(start, start + n))


_NO_TEMPLATE = ("", "")
_PLACEHOLDER = "\x00\x01placeholder\x01\x00"  # no stored text holds a NUL (inputs refuse them)


def _json_around(value: dict[str, Any], key: str) -> tuple[str, str]:
    """The compact JSON of ``value`` cut where ``value[key]`` (a string or None) goes: ``before + JSON of
    value[key] + after`` is ``_compact_json`` of the dict with any such value there (``_NO_TEMPLATE`` if the
    cut is not unique)."""
    parts = _compact_json({**value, key: _PLACEHOLDER}).split(_json_string(_PLACEHOLDER))
    return (parts[0], parts[1]) if len(parts) == 2 else _NO_TEMPLATE


def _bind_processor(column: Any, dialect: Any) -> Callable[[Any], Any]:
    """What SQLAlchemy does to a value of ``column`` before handing it to the driver (rows bypass it here): the
    dialect's own type, so a time goes to SQLite as the text SQLAlchemy writes (``… 12:00:00.000000``), not as
    the driver's default adaptation (``… 12:00:00`` on a whole second, which sorts before it), and costs no
    adaptation per row."""
    return column.type.dialect_impl(dialect).bind_processor(dialect) or (lambda value: value)


def _reason_texts(reasons: tuple, cache: dict[tuple, tuple[ReasonKey, str]]) -> tuple[ReasonKey, str]:
    """The reasons as the key of their stored list and as ``;``-joined codes, once per distinct tuple."""
    if len(cache) > 10_000:
        cache.clear()
    texts = (key_of(reasons), ";".join(r.code for r in reasons))
    cache[reasons] = texts
    return texts


# Table and column names are this module's constants and every value is bound (ruff S608, bandit B608).
@lru_cache(maxsize=256)
def _insert_sql(table: str, columns: tuple[str, ...], rows: int) -> str:
    values = "(" + ", ".join(["?"] * len(columns)) + ")"
    return f"INSERT INTO {table} ({', '.join(columns)}) VALUES {', '.join([values] * rows)}"  # noqa: S608  # nosec B608


def _insert_rows(conn: Any, table: str, columns: tuple[str, ...], rows: list[tuple]) -> None:
    """SQLite: insert ``rows`` many to a statement, as many as the bound-variable limit allows.

    A third less time than one row per ``executemany`` step, and few statements: the background thread
    waits for the GIL after each one. The rest goes in statements of half the size, then a quarter…,
    so only a dozen statement texts are ever prepared.
    """
    width = len(columns)
    flat = list(chain.from_iterable(rows))
    size = max(1, _sqlite_variable_limit(conn) // width)
    done = 0
    while done < len(rows):
        count = (len(rows) - done) // size
        if count:
            step = size * width
            start = done * width
            conn.exec_driver_sql(_insert_sql(table, columns, size),
                                 [tuple(flat[start + i * step:start + (i + 1) * step]) for i in range(count)])
            done += count * size
        size //= 2


def _sqlite_variable_limit(conn: Any) -> int:
    """Bound values one SQLite statement may take (999 before 3.32, 32,766 since), at most 8,192."""
    raw = conn.connection.dbapi_connection
    limit = raw.getlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER) if hasattr(raw, "getlimit") else 999
    return min(limit, MAX_VARIABLES)


def _copy(conn: Any, table: str, columns: tuple[str, ...], rows: list[tuple]) -> None:
    """PostgreSQL binary ``COPY … FROM STDIN`` on the session's own connection (same transaction).

    Binary rather than text: the server takes each value as it is (no parsing of numbers, timestamps and
    booleans from text), and psycopg's C dumpers write them straight from the Python values. JSON columns
    get text already serialised (the binary form of ``json`` is its text).
    """
    if not rows:
        return
    cursor = conn.connection.dbapi_connection.cursor()
    try:
        with cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN (FORMAT BINARY)") as copy:
            copy.set_types(_copy_types(table, columns))
            for row in rows:
                copy.write_row(row)
    finally:
        cursor.close()


_PG_TYPES = ((BigInteger, "int8"), (Integer, "int4"), (Numeric, "numeric"), (Boolean, "bool"),
             (DateTime, "timestamptz"), (String, "text"), (JSON, "text"))


@lru_cache(maxsize=16)
def _copy_types(table: str, columns: tuple[str, ...]) -> list[str]:
    """The PostgreSQL type of each of ``columns`` of ``table`` as binary ``COPY`` sends it."""
    table_columns = db.metadata.tables[table].c
    types = []
    for name in columns:
        column_type = table_columns[name].type
        column_type = getattr(column_type, "impl", column_type)  # type decorators (UTCDateTime)
        column_type = column_type.variant_mapping.get("postgresql", column_type) \
            if hasattr(column_type, "variant_mapping") else column_type
        types.append(next(pg for kind, pg in _PG_TYPES if isinstance(column_type, kind)))
    return types
