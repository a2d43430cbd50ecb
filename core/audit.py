"""The audit log: append-only, hash-chained, one ``record`` function every service calls.

Each entry's ``hash`` is SHA-256 over the previous entry's hash and the entry's canonical JSON; ``seq``
numbers the chain from 1 and ``audit_head`` holds the last sequence number and hash. How an entry joins
the chain depends on the database:

- **SQLite** serialises writers anyway (a transaction holds the database's write lock from its first write
  to its end), so the entry is linked inline: the UPDATE that advances the head, the entry's insert and the
  head's hash (three statements), at no extra cost in concurrency.
- **PostgreSQL** (transactional outbox): ``record`` inserts the entry with its transaction's id
  (``pg_current_xact_id()``) and no ``seq``/``prev_hash``/``hash`` — one statement, no lock, so writers
  never queue on the head. The chainer (:mod:`core.audit_chain`) links committed entries in
  ``(xid, id)`` order, every half second and before
  anything that reads hashes (``audit verify``, ``audit checkpoint``); the chain stays total and
  gap-free.

What is hashed is decided in one place, :func:`entry_hash`: since hash version 2 every field that says who
did what (``actor_id``, ``actor``, ``organization_id``, ``acting_for_organization_id``) is in it; entries
written before keep version 1 (their ``hash_version`` is itself checked: a version 1 hash cannot be
recomputed for an entry stored as version 2). A chain rebuilt from scratch still verifies on its own, so
``checkpoint`` signs (HMAC-SHA256 with ``AUDIT_KEY``) the head's sequence number and hash, to be kept
outside the database; :func:`check_checkpoint` then catches a chain truncated or rebuilt since.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

from flask import g, has_app_context
from sqlalchemy import JSON, BigInteger, ForeignKey, Index, String, Text, bindparam, cast, func, insert, select, text, update
from sqlalchemy.orm import Mapped, mapped_column

from core.extensions import db
from core.timeutil import UTCDateTime, utcnow

GENESIS_HASH = "0" * 64
HASH_VERSION = 2  # 1: before who-did-it fields were hashed (migration 0012)

ENTITY_TYPES = (
    "user",
    "organization",
    "enrollment",
    "debarred",
    "mark",
    "sector",
    "standard",
    "endorsement",
    "guide",
    "blank_declaration",
    "release_decision",
    "violative_shipper",
    "case",
    "thread",
    "api_token",
    "allegation",
    "identification_guide",
    "standard_comment",
    "announcement",
    "service_tier",
    "invoice",
)


class AuditHead(db.Model):
    """The chain's head: one row holding the last sequence number and hash."""

    __tablename__ = "audit_head"

    id: Mapped[int] = mapped_column(primary_key=True, comment="Always 1")
    seq: Mapped[int] = mapped_column(BigInteger, default=0, comment="Sequence number of the last entry")
    last_hash: Mapped[str] = mapped_column(String(64), default=GENESIS_HASH, comment="Hash of the last entry")


class AuditEntry(db.Model):
    """One state change: who did what to which entity, before and after."""

    __tablename__ = "audit_entry"
    __table_args__ = (
        Index("ix_audit_entry_entity", "entity_type", "entity_id"),
        # The chainer's queue: entries not linked yet, in the order they will be linked.
        Index("ix_audit_entry_pending", "xid", "id", postgresql_where=text("seq IS NULL"),
              sqlite_where=text("seq IS NULL")),
    )

    id: Mapped[int] = mapped_column(primary_key=True, comment="Surrogate key")
    seq: Mapped[int | None] = mapped_column(
        BigInteger, unique=True, comment="Position in the chain, from 1; null while the entry waits to be linked",
    )
    xid: Mapped[int | None] = mapped_column(
        BigInteger, nullable=True,
        comment="Id of the transaction that wrote the entry (PostgreSQL): entries are linked in (xid, id) order",
    )
    at: Mapped[datetime] = mapped_column(UTCDateTime, comment="When the change was made (UTC)")
    actor_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="RESTRICT"), index=True,
        comment="User who acted; null for the system",
    )
    actor: Mapped[str] = mapped_column(String(254), comment="Actor's e-mail or 'system', kept as written")
    organization_id: Mapped[int | None] = mapped_column(
        ForeignKey("organization.id", ondelete="RESTRICT"), index=True,
        comment="The actor's organisation when it acted (hashed from hash version 2)",
    )
    acting_for_organization_id: Mapped[int | None] = mapped_column(
        ForeignKey("organization.id", ondelete="RESTRICT"), index=True,
        comment="Organisation a broker acted for (on behalf of); null otherwise (hashed from hash version 2)",
    )
    hash_version: Mapped[int] = mapped_column(
        default=HASH_VERSION, server_default="1",
        comment="Which fields the hash covers: 1 = before actor_id and organisations were hashed, 2 = all",
    )
    action: Mapped[str] = mapped_column(String(80), comment="Domain verb, e.g. enrollment.approve")
    entity_type: Mapped[str] = mapped_column(String(40), comment="Kind of object changed")
    entity_id: Mapped[str] = mapped_column(String(64), comment="Identifier of the object changed")
    before: Mapped[Any] = mapped_column(JSON, nullable=True, comment="State before (canonical JSON)")
    after: Mapped[Any] = mapped_column(JSON, nullable=True, comment="State after (canonical JSON)")
    prev_hash: Mapped[str | None] = mapped_column(
        String(64), comment="Hash of the previous entry; null while the entry waits to be linked",
    )
    hash: Mapped[str | None] = mapped_column(
        String(64), unique=True, comment="SHA-256(prev_hash + canonical JSON); null while the entry waits to be linked",
    )

    def to_dict(self) -> dict[str, Any]:
        """The entry as ``GET /api/v1/audit`` shows it."""
        return {
            "seq": self.seq,
            "at": self.at.isoformat(),
            "actor": self.actor,
            "actor_id": self.actor_id,
            "organization_id": self.organization_id,
            "acting_for_organization_id": self.acting_for_organization_id,
            "action": self.action,
            "entity_type": self.entity_type,
            "entity_id": self.entity_id,
            "before": self.before,
            "after": self.after,
            "hash": self.hash,
            "prev_hash": self.prev_hash,
        }


def _default(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.astimezone(UTC).isoformat() if value.tzinfo else value.isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, (set, frozenset, tuple)):
        return sorted(value) if isinstance(value, (set, frozenset)) else list(value)
    return str(value)


def canonical_json(value: Any) -> str:
    """Deterministic JSON: sorted keys, no spaces, dates ISO, decimals as strings."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), default=_default, ensure_ascii=False)


def _timestamp(at: datetime) -> str:
    return at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def entry_hash(prev_hash: str, *, seq: int, at: datetime, actor: str, action: str, entity_type: str,
               entity_id: str, before: Any, after: Any, actor_id: int | None = None,
               organization_id: int | None = None, acting_for_organization_id: int | None = None,
               hash_version: int = HASH_VERSION) -> str:
    """SHA-256 over the previous hash and the entry's canonical JSON (the one definition of what is hashed)."""
    fields: dict[str, Any] = {
        "seq": seq,
        "at": _timestamp(at),
        "actor": actor,
        "action": action,
        "entity_type": entity_type,
        "entity_id": entity_id,
        "before": before,
        "after": after,
    }
    if hash_version != 1:
        fields.update(v=hash_version, actor_id=actor_id, organization_id=organization_id,
                      acting_for_organization_id=acting_for_organization_id)
    elif acting_for_organization_id is not None:
        # Version 1 entries a broker made before version 2 existed hashed the principal as "acting_for".
        fields["acting_for"] = acting_for_organization_id
    return hashlib.sha256((prev_hash + canonical_json(fields)).encode()).hexdigest()


HASHED = ("seq", "at", "actor", "action", "entity_type", "entity_id", "before", "after", "actor_id",
          "organization_id", "acting_for_organization_id", "hash_version")


def hash_of(prev_hash: str, entry: Any) -> str:
    """:func:`entry_hash` of a stored entry or of the values about to be stored (a mapping)."""
    get = entry.get if isinstance(entry, Mapping) else lambda name: getattr(entry, name)
    return entry_hash(prev_hash, **{name: get(name) for name in HASHED})


_HEAD = AuditHead.__table__
_ADVANCE_HEAD = (update(_HEAD).where(_HEAD.c.id == 1).values(seq=_HEAD.c.seq + 1)
                 .returning(_HEAD.c.seq, _HEAD.c.last_hash))
_SET_HEAD_HASH = update(_HEAD).where(_HEAD.c.id == 1).values(last_hash=bindparam("digest"))
_ENTRY = AuditEntry.__table__
_INSERT_ENTRY = insert(_ENTRY)
# PostgreSQL: the entry waits for the chainer, marked with its transaction's id (xid8 as a bigint).
# Inline: without the ``RETURNING id`` SQLAlchemy would add for ``inserted_primary_key`` — a result nobody
# reads, which inside core.pipeline's block could not be waited for.
_INSERT_PENDING = insert(_ENTRY).inline().values(xid=cast(cast(func.pg_current_xact_id(), Text), BigInteger))
_NOT_LINKED = {"seq": None, "prev_hash": None, "hash": None, "xid": None}
_new_entry = AuditEntry._sa_class_manager.new_instance  # an instance with ORM state, __init__ not run


def set_acting_for(organization_id: int | None) -> None:
    """Record ``organization_id`` as the organisation acted for on every entry of this request (a broker's
    principal); cleared with the application context."""
    g.audit_acting_for = organization_id


def record(actor: Any, action: str, entity_type: str, entity_id: Any, *, before: Any = None,
           after: Any = None, acting_for_organization_id: int | None = None) -> AuditEntry:
    """Append one entry to the log inside the caller's transaction (flushes, never commits); returns it
    (not added to the session; on PostgreSQL without ``seq`` and hashes, which the chainer sets once the
    transaction has committed). ``acting_for_organization_id`` (default: :func:`set_acting_for`'s) names the
    organisation a broker acted for."""
    if entity_type not in ENTITY_TYPES:
        raise ValueError(f"unknown audit entity type {entity_type!r}")
    session = db.session
    session.flush()  # the caller's pending changes go first, as before
    # Normalise to what the JSON column will give back, so verify recomputes the same bytes.
    before = json.loads(canonical_json(before)) if before is not None else None
    after = json.loads(canonical_json(after)) if after is not None else None
    # The statements go straight to the transaction's connection: nothing changes in the session
    # between them, so the Session's per-statement bind look-up and autoflush would only repeat the above.
    connection = session.connection(bind_arguments={"clause": _INSERT_ENTRY})
    if acting_for_organization_id is None and has_app_context():
        acting_for_organization_id = g.get("audit_acting_for")
    values = {"at": utcnow(), "actor_id": getattr(actor, "id", None),
              "actor": getattr(actor, "email", None) or "system",
              "organization_id": getattr(actor, "organization_id", None),
              "acting_for_organization_id": acting_for_organization_id, "hash_version": HASH_VERSION,
              "action": action, "entity_type": entity_type, "entity_id": str(entity_id), "before": before,
              "after": after}
    # Core statements built once: an ORM object and ORM-enabled updates per entry cost a unit-of-work
    # flush and statement construction on every request that writes.
    if connection.dialect.name == "postgresql":
        connection.execute(_INSERT_PENDING, values)  # linked by core.audit_chain once committed
        values.update(_NOT_LINKED)
    else:
        row = connection.execute(_ADVANCE_HEAD).one_or_none()
        if row is None:
            raise RuntimeError("audit_head row is missing: run `flask --app app db upgrade`")
        values["seq"], values["prev_hash"] = row
        values["hash"] = digest = hash_of(values["prev_hash"], values)
        connection.execute(_INSERT_ENTRY, values)
        connection.execute(_SET_HEAD_HASH, {"digest": digest})
    # The values go straight into a new instance's __dict__: AuditEntry(**values) would run eleven
    # instrumented sets for an object nobody adds to the session.
    entry = _new_entry()
    entry.__dict__.update(values)
    return entry


def newest_first() -> tuple[Any, ...]:
    """ORDER BY terms listing the log newest first: entries waiting to be linked (no ``seq`` yet) before the
    chain, and among themselves by id."""
    return AuditEntry.seq.desc().nulls_first(), AuditEntry.id.desc()


@dataclass(frozen=True)
class VerifyResult:
    """Outcome of ``verify_chain``: ok, entries checked, the first broken entry's sequence number, and how many
    committed entries still wait for the chainer's next round (PostgreSQL)."""

    ok: bool
    checked: int
    broken_seq: int | None = None
    problem: str = ""
    pending: int = 0


_CHAIN_PAGE = select(_ENTRY).where(_ENTRY.c.seq > bindparam("after"), _ENTRY.c.seq <= bindparam("upto")).order_by(
    _ENTRY.c.seq).limit(bindparam("size"))
_READ_HEAD = select(_HEAD.c.seq, _HEAD.c.last_hash).where(_HEAD.c.id == 1)


def verify_chain(batch: int = 5000) -> VerifyResult:
    """Link what is waiting (:func:`core.audit_chain.link_all`), then recompute every hash in order up to the
    head and report the first entry that does not match. Reads one snapshot (REPEATABLE READ on PostgreSQL),
    so entries linked meanwhile do not make the head look out of step."""
    from core.audit_chain import link_all, pending_count

    link_all()
    connection = db.engine.connect()
    if connection.dialect.name == "postgresql":
        connection = connection.execution_options(isolation_level="REPEATABLE READ")
    with connection:
        head = connection.execute(_READ_HEAD).one_or_none()
        head_seq, head_hash = head if head is not None else (0, GENESIS_HASH)
        overrun = connection.scalar(select(func.max(_ENTRY.c.seq)))
        result = _walk(connection, head_seq, batch)
        if result.ok and result.checked != head_seq:
            result = VerifyResult(False, result.checked, result.checked + 1, f"entry {result.checked + 1} is missing")
        elif result.ok and (overrun or 0) > head_seq:
            result = VerifyResult(False, result.checked, head_seq + 1, "the chain head does not match the last entry")
        elif result.ok and head is not None and result.checked and head_hash != _last_hash(connection, head_seq):
            result = VerifyResult(False, result.checked, head_seq, "the chain head does not match the last entry")
        return VerifyResult(result.ok, result.checked, result.broken_seq, result.problem, pending_count(connection))


def _walk(connection: Any, upto: int, batch: int) -> VerifyResult:
    prev = GENESIS_HASH
    expected_seq = 1
    while True:
        rows = connection.execute(_CHAIN_PAGE, {"after": expected_seq - 1, "upto": upto, "size": batch}).mappings().all()
        if not rows:
            return VerifyResult(True, expected_seq - 1)
        for entry in rows:
            if entry["seq"] != expected_seq:
                return VerifyResult(False, expected_seq - 1, expected_seq, f"entry {expected_seq} is missing")
            if entry["prev_hash"] != prev:
                return VerifyResult(False, expected_seq - 1, expected_seq, "prev_hash does not match the previous entry")
            if hash_of(prev, entry) != entry["hash"]:
                return VerifyResult(False, expected_seq - 1, expected_seq, "content does not match its hash")
            prev = entry["hash"]
            expected_seq += 1


def _last_hash(connection: Any, seq: int) -> str | None:
    return connection.scalar(select(_ENTRY.c.hash).where(_ENTRY.c.seq == seq))


def _signature(key: str, payload: dict[str, Any]) -> str:
    return hmac.new(key.encode(), canonical_json(payload).encode(), hashlib.sha256).hexdigest()


def make_checkpoint(key: str) -> dict[str, Any]:
    """The chain's head (last entry's sequence number and hash) and when, signed with ``key`` (``AUDIT_KEY``)."""
    if not key:
        raise ValueError("AUDIT_KEY is not set: checkpoints are signed with a key kept apart from the database")
    from core.audit_chain import link_all

    link_all()
    last = db.session.execute(select(AuditEntry.seq, AuditEntry.hash).order_by(AuditEntry.seq.desc()).limit(1)).first()
    seq, digest = (last[0], last[1]) if last else (0, GENESIS_HASH)
    payload = {"seq": seq, "hash": digest, "at": _timestamp(utcnow())}
    return {**payload, "signature": _signature(key, payload)}


def check_checkpoint(checkpoint: Any, key: str) -> VerifyResult:
    """Whether the chain still holds the checkpoint's entry with the same hash: a bad signature, a chain that
    ends before the entry (truncated) or a different hash there (rebuilt) is reported."""
    if not isinstance(checkpoint, dict) or not {"seq", "hash", "at", "signature"} <= set(checkpoint):
        return VerifyResult(False, 0, None, "the checkpoint is not a signed checkpoint")
    payload = {name: checkpoint[name] for name in ("seq", "hash", "at")}
    if not key or not hmac.compare_digest(_signature(key, payload), str(checkpoint["signature"])):
        return VerifyResult(False, 0, None, "the checkpoint's signature does not match AUDIT_KEY")
    seq = checkpoint["seq"]
    if not isinstance(seq, int) or seq < 0:
        return VerifyResult(False, 0, None, "the checkpoint's entry number is not valid")
    if seq == 0:
        return VerifyResult(True, 0)
    stored = db.session.scalar(select(AuditEntry.hash).where(AuditEntry.seq == seq))
    if stored is None:
        return VerifyResult(False, 0, seq, f"the chain was truncated: entry {seq} of the checkpoint of "
                                           f"{checkpoint['at']} is missing")
    if not hmac.compare_digest(stored, str(checkpoint["hash"])):
        return VerifyResult(False, 0, seq, f"the chain was rewritten: entry {seq} no longer has the hash "
                                           f"signed in the checkpoint of {checkpoint['at']}")
    return VerifyResult(True, seq)
