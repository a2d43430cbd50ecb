"""Tables of release decisions: the decision (one per entry), its lines, screening jobs, the facts version.

Decisions are records: inputs, the facts relied on and the rules version are stored with the outcome,
and a row is never updated after it is written (a new request gives a new decision and a new UEI).
Lines are written with Core bulk inserts by the screening job, so nothing here relies on ORM events.

**A one-line entry is one row.** Most of a border day is de minimis parcels: entries of one line. Such an
entry's line is kept in its decision's own row (the ``line_*`` columns, since migration 0016) rather than in a
``release_decision_line`` row beside it, so a parcel costs one row and one set of index entries. An entry of
several lines (and any decision stored before 0016) keeps its lines in ``release_decision_line``.
:attr:`ReleaseDecision.lines` gives a decision's lines either way; SQL that reads lines goes through
:func:`line_rows` (lines of given decisions) or :func:`with_lines` (lines joined to other rows).
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    CheckConstraint,
    ColumnElement,
    CompoundSelect,
    ForeignKey,
    Index,
    Integer,
    Numeric,
    Select,
    String,
    Text,
    UniqueConstraint,
    literal_column,
    null,
    select,
    text,
    union_all,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship, selectinload

from core.extensions import db
from core.schema import one_of
from core.timeutil import UTCDateTime, utcnow
from program.decisions.engine import OUTCOMES

CONDITIONS = ("new_parallel", "used", "refurbished", "recycled", "blank")
SOURCES = ("api", "batch", "web", "screen")
LIVE, SUPERSEDED = "live", "superseded"
DECISION_STATUSES = (LIVE, SUPERSEDED)
SHIPMENT_TYPES = ("formal", "section_321")
JOB_STATUSES = ("queued", "running", "finished", "failed")


def status_is(status: str) -> ColumnElement[bool]:
    """``release_decision.status = '<status>'`` with the value written into the SQL, not bound: a query that
    relies on a partial index over one status must say it literally, or a prepared statement's generic plan
    (psycopg prepares a statement after five runs) cannot use the index and scans the table."""
    if status not in DECISION_STATUSES:
        raise ValueError(status)
    return ReleaseDecision.__table__.c.status == literal_column(f"'{status}'")


_SPARSE_REFERENCES = ("screen_job_id", "supersedes_id")  # null on every decision asked for through the API
# What a one-line entry's row must hold of its line (the rest may be null, as on a line row).
_ONE_LINE_REQUIRED = ("line_no", "line_description", "line_hts_code", "line_quantity", "line_value_usd", "line_sector",
                      "line_condition", "line_lever_label", "line_reason_set_id")


class ReleaseDecision(db.Model):
    """The decision for one entry: outcome, UEI, rules version and the facts it relied on."""

    __tablename__ = "release_decision"
    __table_args__ = (
        CheckConstraint(one_of("outcome", OUTCOMES), name="outcome"),
        CheckConstraint(one_of("source", SOURCES), name="source"),
        CheckConstraint("(idempotency_key IS NULL) = (request_hash IS NULL)", name="idempotency"),
        # One decision per (caller, Idempotency-Key): a replay finds it, a race loses on this index.
        Index("uq_release_decision_idempotency", "requested_by_id", "idempotency_key", unique=True,
              sqlite_where=text("idempotency_key IS NOT NULL"),
              postgresql_where=text("idempotency_key IS NOT NULL")),
        # One live decision per entry number (API.md): a second request is 409 unless it supersedes this one.
        Index("uq_release_decision_live_entry", "entry_number", unique=True,
              sqlite_where=text("status = 'live'"), postgresql_where=text("status = 'live'")),
        # With the one above, every decision of an entry number is found by index: the superseded ones (few) here.
        # No index on every row's entry number: each decision would write a third entry for it.
        Index("ix_release_decision_superseded_entry", "entry_number",
              sqlite_where=text("status = 'superseded'"), postgresql_where=text("status = 'superseded'")),
        CheckConstraint(one_of("status", DECISION_STATUSES), name="status"),
        # A line in the decision's row is its entry's only line, and a whole one.
        CheckConstraint("line_outcome IS NULL OR (line_count = 1 AND "
                        + " AND ".join(f"{c} IS NOT NULL" for c in _ONE_LINE_REQUIRED) + ")", name="one_line"),
        CheckConstraint(one_of("line_outcome", OUTCOMES), name="line_outcome"),
        CheckConstraint(one_of("line_condition", CONDITIONS), name="line_condition"),
        Index("ix_release_decision_ior_decided", "ior_number", "decided_at"),
        Index("ix_release_decision_org_decided", "organization_id", "decided_at"),
        Index("ix_release_decision_outcome_decided", "outcome", "decided_at"),
        # Partial: an API decision (no screening job, superseding nothing) writes neither index.
        *(Index(f"ix_release_decision_{column}", column, sqlite_where=text(f"{column} IS NOT NULL"),
                postgresql_where=text(f"{column} IS NOT NULL")) for column in _SPARSE_REFERENCES),
    )

    id: Mapped[int] = mapped_column(primary_key=True, comment="Surrogate key")
    uei: Mapped[str] = mapped_column(String(15), unique=True,
                                     comment="Unique enforcement identifier: 14 Crockford base32 + check character")
    entry_number: Mapped[str] = mapped_column(String(13), comment="Entry number FFF-NNNNNNN-C")
    port_code: Mapped[str] = mapped_column(String(4), comment="Port of entry (Schedule D, 4 digits)")
    ior_number: Mapped[str] = mapped_column(String(16), comment="Importer of Record number as presented")
    organization_id: Mapped[int | None] = mapped_column(
        ForeignKey("organization.id", ondelete="RESTRICT"),
        comment="Importer organisation whose enrollment speaks for the IOR number (None: not enrolled)",
    )
    enrollment_id: Mapped[int | None] = mapped_column(
        ForeignKey("enrollment.id", ondelete="RESTRICT"), comment="Enrollment the decision relied on, if any"
    )
    requested_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="RESTRICT"), comment="User (or token owner) who asked; None for CLI"
    )
    source: Mapped[str] = mapped_column(String(8), comment="api, batch, web or screen (bulk CSV)")
    screen_job_id: Mapped[int | None] = mapped_column(
        ForeignKey("screen_job.id", ondelete="RESTRICT"), comment="Bulk screening job that decided it"
    )
    outcome: Mapped[str] = mapped_column(String(24), comment="Entry outcome: the most restrictive line outcome")
    rules_version: Mapped[str] = mapped_column(String(16), comment="Version of the rule set that decided")
    facts_used: Mapped[dict[str, Any]] = mapped_column(
        JSON, comment="Facts relied on: as_of, enrollment id, mark ids, standard version ids, blank line ids"
    )
    line_count: Mapped[int] = mapped_column(Integer, comment="Number of lines")
    idempotency_key: Mapped[str | None] = mapped_column(String(200), comment="Caller's Idempotency-Key, if given")
    request_hash: Mapped[str | None] = mapped_column(
        String(64), comment="SHA-256 of the canonical request body (same key, other body -> 409)"
    )
    decided_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True, comment="When decided")
    status: Mapped[str] = mapped_column(String(12), default=LIVE, server_default=LIVE,
                                        comment="live, or superseded by a later decision for the same entry")
    supersedes_id: Mapped[int | None] = mapped_column(
        ForeignKey("release_decision.id", ondelete="SET NULL"),
        comment="The earlier decision for the same entry that this one superseded")
    superseded_at: Mapped[datetime | None] = mapped_column(UTCDateTime, comment="When a later decision superseded it")
    shipment: Mapped[dict[str, Any] | None] = mapped_column(
        JSON, comment="Shipment as presented: type (formal, section_321), house_bill, seller {name, country}, marketplace")
    # The entry's one line, when it has one (a parcel): the columns of a DecisionLine, null on other decisions.
    line_no: Mapped[int | None] = mapped_column(Integer, comment="One-line entry: its line number")
    line_description: Mapped[str | None] = mapped_column(String(500), comment="One-line entry: goods description")
    line_hts_code: Mapped[str | None] = mapped_column(String(10), comment="One-line entry: HTS code, 10 digits")
    line_quantity: Mapped[Decimal | None] = mapped_column(Numeric(18, 3), comment="One-line entry: quantity")
    line_value_usd: Mapped[Decimal | None] = mapped_column(Numeric(16, 2), comment="One-line entry: value in USD")
    line_sector: Mapped[str | None] = mapped_column(String(40), comment="One-line entry: sector code")
    line_condition: Mapped[str | None] = mapped_column(String(16), comment="One-line entry: condition of the goods")
    line_recordation_number: Mapped[str | None] = mapped_column(String(12), comment="One-line entry: recorded mark")
    line_lever_label: Mapped[bool | None] = mapped_column(Boolean, comment="One-line entry: Lever-rule label declared")
    line_blank_declaration_id: Mapped[str | None] = mapped_column(String(20),
                                                                  comment="One-line entry: cited blank declaration")
    line_blank_line_no: Mapped[int | None] = mapped_column(Integer, comment="One-line entry: cited declared line")
    line_country_of_origin: Mapped[str | None] = mapped_column(String(2), comment="One-line entry: country of origin")
    line_outcome: Mapped[str | None] = mapped_column(
        String(24), comment="One-line entry: its line's outcome (null: the lines are release_decision_line rows)")
    line_reason_set_id: Mapped[int | None] = mapped_column(
        BigInteger().with_variant(Integer, "sqlite"), ForeignKey("decision_reason_set.id", ondelete="RESTRICT"),
        comment="One-line entry: its line's reasons")

    stored_lines: Mapped[list[DecisionLine]] = relationship(
        back_populates="decision", order_by="DecisionLine.line_no", cascade="all, delete-orphan"
    )
    line_reason_set: Mapped[DecisionReasonSet | None] = relationship()

    @property
    def lines(self) -> list[DecisionLine]:
        """The entry's lines in line order: its ``release_decision_line`` rows, or the one line its own row holds
        (a DecisionLine not in any session, made on each call; read it, don't change it)."""
        if self.line_outcome is None:
            return self.stored_lines
        return [DecisionLine(
            decision_id=self.id, line_no=self.line_no, description=self.line_description, hts_code=self.line_hts_code,
            quantity=self.line_quantity, value_usd=self.line_value_usd, sector=self.line_sector,
            condition=self.line_condition, recordation_number=self.line_recordation_number,
            lever_label=self.line_lever_label, blank_declaration_id=self.line_blank_declaration_id,
            blank_line_no=self.line_blank_line_no, country_of_origin=self.line_country_of_origin,
            outcome=self.line_outcome, reason_set_id=self.line_reason_set_id, reason_set=self.line_reason_set)]

    @lines.setter
    def lines(self, lines: list[DecisionLine]) -> None:
        """Give a decision made through the ORM (seeds, tests) its lines as every writer stores them: the one line
        of a one-line entry in the decision's own row, several as ``release_decision_line`` rows."""
        lines = list(lines)
        one = lines[0] if len(lines) == 1 else None
        for name in LINE_COLUMNS:
            setattr(self, INLINE_COLUMNS[name], getattr(one, name) if one is not None else None)
        if one is not None:
            self.line_lever_label = bool(one.lever_label)  # the line's default applies on insert only
        self.line_reason_set = one.reason_set if one is not None else None
        self.stored_lines = [] if one is not None else lines

    def __repr__(self) -> str:
        return f"<ReleaseDecision {self.uei} {self.outcome}>"


class DecisionLine(db.Model):
    """One line of a decided entry: what was presented and its outcome with every reason."""

    __tablename__ = "release_decision_line"
    __table_args__ = (
        UniqueConstraint("decision_id", "line_no"),
        CheckConstraint(one_of("outcome", OUTCOMES), name="outcome"),
        CheckConstraint(one_of("condition", CONDITIONS), name="condition"),
        Index("ix_release_decision_line_recordation", "recordation_number"),
    )

    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True,
                                    comment="Surrogate key")
    decision_id: Mapped[int] = mapped_column(
        ForeignKey("release_decision.id", ondelete="CASCADE"), comment="The decision this line belongs to"
    )
    line_no: Mapped[int] = mapped_column(Integer, comment="Line number on the entry")
    description: Mapped[str] = mapped_column(String(500), comment="Goods description as presented")
    hts_code: Mapped[str] = mapped_column(String(10), comment="HTS code, 10 digits without dots")
    quantity: Mapped[Decimal] = mapped_column(Numeric(18, 3), comment="Quantity presented")
    value_usd: Mapped[Decimal] = mapped_column(Numeric(16, 2), comment="Declared value in U.S. dollars")
    sector: Mapped[str] = mapped_column(String(40), comment="Sector code")
    condition: Mapped[str] = mapped_column(String(16), comment="new_parallel, used, refurbished, recycled or blank")
    recordation_number: Mapped[str | None] = mapped_column(String(12), comment="Recorded mark the goods bear")
    lever_label: Mapped[bool] = mapped_column(Boolean, default=False, comment="Lever-rule label declared on goods")
    blank_declaration_id: Mapped[str | None] = mapped_column(String(20), comment="Cited blank declaration (BGD id)")
    blank_line_no: Mapped[int | None] = mapped_column(Integer, comment="Cited line of that declaration")
    country_of_origin: Mapped[str | None] = mapped_column(String(2), comment="ISO 3166-1 alpha-2 country of origin")
    outcome: Mapped[str] = mapped_column(String(24), comment="Line outcome")
    reason_set_id: Mapped[int] = mapped_column(
        ForeignKey("decision_reason_set.id", ondelete="RESTRICT"),
        comment="Every rule that fired, in rule order: the line's set of reasons (lines share them)",
    )

    decision: Mapped[ReleaseDecision] = relationship(back_populates="stored_lines")
    reason_set: Mapped[DecisionReasonSet] = relationship(lazy="joined", innerjoin=True)

    @property
    def reasons(self) -> list[dict[str, str]]:
        """Every rule that fired, in rule order: ``[{code, message}]``."""
        return self.reason_set.reasons

    @reasons.setter
    def reasons(self, reasons: list[dict[str, str]]) -> None:
        from program.decisions.reason_sets import reason_set_for  # the ORM path (seeds, tests); writes use ids

        self.reason_set = reason_set_for(reasons)


def lines_loaded() -> tuple:
    """Loader options that load the decisions a query gives with their lines, either kind (``.options(*…)``)."""
    return selectinload(ReleaseDecision.stored_lines), selectinload(ReleaseDecision.line_reason_set)


# The columns of a line as line_rows() gives them, and where a one-line entry's row keeps each.
LINE_COLUMNS = ("line_no", "description", "hts_code", "quantity", "value_usd", "sector", "condition",
                "recordation_number", "lever_label", "blank_declaration_id", "blank_line_no", "country_of_origin",
                "outcome", "reason_set_id")
INLINE_COLUMNS = {name: f"line_{name}" if name != "line_no" else name for name in LINE_COLUMNS}


def line_rows(*columns: str) -> Select:
    """``SELECT decision_id, <columns>`` over every stored line: the ``release_decision_line`` rows and the lines
    one-line entries keep in their decision's row (``UNION ALL``). Filter it in the outer query on ``decision_id``
    with values (both databases push such a filter into each half: a primary-key look-up in the second); to join
    lines to other rows, use :func:`with_lines`, which PostgreSQL plans from those rows."""
    lines, decisions = DecisionLine.__table__, ReleaseDecision.__table__
    names = columns or LINE_COLUMNS
    return union_all(
        select(lines.c.decision_id, *(lines.c[name] for name in names)),
        select(decisions.c.id.label("decision_id"), *(decisions.c[INLINE_COLUMNS[name]].label(name) for name in names))
        .where(decisions.c.line_outcome.is_not(null())),
    )


def with_lines(query: Select, decision_id: ColumnElement, *columns: str) -> CompoundSelect:
    """``query`` once per line of the decision its ``decision_id`` names, each with the line's ``columns``
    added: ``query`` joined to the line rows, ``UNION ALL`` ``query`` joined to the rows of one-line entries —
    each half driven by ``query``'s own rows through an index (a join to :func:`line_rows` lets PostgreSQL scan
    every decision instead)."""
    lines, one_line = DecisionLine.__table__, ReleaseDecision.__table__.alias("one_line_decision")
    return union_all(
        query.add_columns(*(lines.c[name] for name in columns))
        .join(lines, lines.c.decision_id == decision_id),
        query.add_columns(*(one_line.c[INLINE_COLUMNS[name]].label(name) for name in columns))
        .join(one_line, one_line.c.id == decision_id).where(one_line.c.line_outcome.is_not(null())),
    )


class DecisionReasonSet(db.Model):
    """One list of reasons, stored once and shared by every decision line that got it.

    A border day decides millions of parcels whose reasons repeat a few hundred lists; each line stores the id
    of its list (its reasons word for word, as the rules of the decision's version wrote them) rather than a
    copy of the messages. Rows are immutable and found by the SHA-256 of the list's canonical JSON.
    """

    __tablename__ = "decision_reason_set"

    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True,
                                    comment="Surrogate key")
    digest: Mapped[str] = mapped_column(String(64), unique=True,
                                        comment="SHA-256 of the reasons' canonical JSON (hex)")
    codes: Mapped[str] = mapped_column(String(1000), comment="The reasons' codes in order, joined with ';'")
    reasons: Mapped[list[dict[str, str]]] = mapped_column(
        JSON, comment="Every rule that fired, in rule order: [{code, message}]"
    )


class ScreenJob(db.Model):
    """A bulk screening run of a CSV file (CLI, or the web upload run in-process or on an RQ worker)."""

    __tablename__ = "screen_job"
    __table_args__ = (
        CheckConstraint(f"status IN ({', '.join(repr(s) for s in JOB_STATUSES)})", name="status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True, comment="Surrogate key")
    status: Mapped[str] = mapped_column(String(10), default="queued", comment="queued, running, finished, failed")
    filename: Mapped[str] = mapped_column(String(255), comment="Name of the uploaded or given input file")
    input_file_id: Mapped[int | None] = mapped_column(
        ForeignKey("stored_file.id", ondelete="RESTRICT"), comment="Uploaded input (web uploads)"
    )
    output_file_id: Mapped[int | None] = mapped_column(
        ForeignKey("stored_file.id", ondelete="RESTRICT"), comment="Result CSV (web uploads)"
    )
    created_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="RESTRICT"), comment="Who started it; None for the CLI"
    )
    acting_for_organization_id: Mapped[int | None] = mapped_column(
        ForeignKey("organization.id", ondelete="RESTRICT"),
        comment="Importer a broker screened for (its decisions delegation); null for CBP",
    )
    rows_total: Mapped[int | None] = mapped_column(Integer, comment="Data rows in the input, when known")
    rows_done: Mapped[int] = mapped_column(Integer, default=0, comment="Rows read so far")
    entries_decided: Mapped[int] = mapped_column(Integer, default=0, comment="Entries decided so far")
    bad_rows: Mapped[int] = mapped_column(Integer, default=0, comment="Rows rejected (reported, not fatal)")
    summary: Mapped[dict[str, Any] | None] = mapped_column(JSON, comment="Outcome counts when finished")
    errors: Mapped[list[dict[str, Any]] | None] = mapped_column(
        JSON, comment="First rejected rows [{row, field, message}] (capped)"
    )
    failure: Mapped[str | None] = mapped_column(Text, comment="Why the job failed, if it did")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, comment="When started")
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime, comment="When finished or failed")


class FactsVersion(db.Model):
    """One row whose counter every write that changes program facts bumps, so caches know to reload."""

    __tablename__ = "facts_version"

    id: Mapped[int] = mapped_column(primary_key=True, comment="Always 1")
    version: Mapped[int] = mapped_column(BigInteger, default=0, comment="Bumped by every change to program facts")


class DecisionBatch(db.Model):
    """A batch request sent with an ``Idempotency-Key``: a replay of the same body returns the same decisions."""

    __tablename__ = "release_decision_batch"
    __table_args__ = (UniqueConstraint("requested_by_id", "idempotency_key"),)

    id: Mapped[int] = mapped_column(primary_key=True, comment="Surrogate key")
    requested_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="RESTRICT"), comment="User (token owner) who sent the batch")
    idempotency_key: Mapped[str] = mapped_column(String(200), comment="The batch's Idempotency-Key header")
    request_hash: Mapped[str] = mapped_column(String(64), comment="SHA-256 of the canonical batch body")
    items: Mapped[int] = mapped_column(Integer, comment="Number of items in the batch")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, comment="When first received")


class ViolativeShipper(db.Model):
    """A known violative shipper (DHS strategy): a seller whose parcels are referred for examination."""

    __tablename__ = "violative_shipper"

    id: Mapped[int] = mapped_column(primary_key=True, comment="Surrogate key")
    name: Mapped[str] = mapped_column(String(200), comment="Shipper's name as listed")
    normalized_name: Mapped[str] = mapped_column(String(200), index=True,
                                                 comment="Name after engine.normalize_name, for matching")
    country: Mapped[str | None] = mapped_column(String(2), comment="ISO 3166-1 alpha-2 country, if known")
    reason: Mapped[str] = mapped_column(Text, comment="Why the shipper is listed (seizures, intelligence, referral)")
    created_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="RESTRICT"), comment="Reviewer who listed it; None for imports by CLI")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, comment="When listed")

    def to_dict(self) -> dict[str, Any]:
        """The shipper as the API shows it."""
        return {"id": self.id, "name": self.name, "country": self.country, "reason": self.reason,
                "created_at": self.created_at}
