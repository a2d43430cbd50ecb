"""The audit log: append-only, hash-chained, one ``record`` function every service calls.

Each entry's ``hash`` is SHA-256 over the previous entry's hash and the entry's canonical JSON.
Writers are serialised through the single ``audit_head`` row, so two transactions can never read the
same previous hash and fork the chain. On SQLite the UPDATE that advances it takes the database's write
lock, then the entry is inserted and the head's hash set (three statements). On PostgreSQL a
``SELECT … FOR UPDATE`` takes the row lock (and, in READ COMMITTED, returns the row as the previous
holder committed it), then one statement inserts the entry and moves the head (a data-modifying CTE):
two round trips while the lock is held, and one new version of the hot head row per entry, not two.

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
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

from flask import g, has_app_context
from sqlalchemy import JSON, BigInteger, ForeignKey, Index, String, bindparam, insert, select, text, update
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
    __table_args__ = (Index("ix_audit_entry_entity", "entity_type", "entity_id"),)

    id: Mapped[int] = mapped_column(primary_key=True, comment="Surrogate key")
    seq: Mapped[int] = mapped_column(BigInteger, unique=True, comment="Position in the chain, from 1")
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
    prev_hash: Mapped[str] = mapped_column(String(64), comment="Hash of the previous entry")
    hash: Mapped[str] = mapped_column(String(64), unique=True, comment="SHA-256(prev_hash + canonical JSON)")

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
    get = entry.get if isinstance(entry, dict) else lambda name: getattr(entry, name)
    return entry_hash(prev_hash, **{name: get(name) for name in HASHED})


_HEAD = AuditHead.__table__
_ADVANCE_HEAD = (update(_HEAD).where(_HEAD.c.id == 1).values(seq=_HEAD.c.seq + 1)
                 .returning(_HEAD.c.seq, _HEAD.c.last_hash))
_SET_HEAD_HASH = update(_HEAD).where(_HEAD.c.id == 1).values(last_hash=bindparam("digest"))
_INSERT_ENTRY = insert(AuditEntry.__table__)
_ENTRY = AuditEntry.__table__
# PostgreSQL: lock and read the head, then insert the entry and move the head in one statement.
_LOCK_HEAD = select(_HEAD.c.seq, _HEAD.c.last_hash).where(_HEAD.c.id == 1).with_for_update()
_INSERT_ENTRY_MOVE_HEAD = (
    update(_HEAD).where(_HEAD.c.id == 1).values(seq=bindparam("head_seq"), last_hash=bindparam("head_hash"))
    .add_cte(insert(_ENTRY).values({c.key: bindparam(c.key) for c in _ENTRY.columns if c.key != "id"})
             .cte("new_entry")))
_new_entry = AuditEntry._sa_class_manager.new_instance  # an instance with ORM state, __init__ not run


def set_acting_for(organization_id: int | None) -> None:
    """Record ``organization_id`` as the organisation acted for on every entry of this request (a broker's
    principal); cleared with the application context."""
    g.audit_acting_for = organization_id


def record(actor: Any, action: str, entity_type: str, entity_id: Any, *, before: Any = None,
           after: Any = None, acting_for_organization_id: int | None = None) -> AuditEntry:
    """Append one entry to the chain inside the caller's transaction (flushes, never commits); returns it
    (not added to the session). ``acting_for_organization_id`` (default: :func:`set_acting_for`'s) names the
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
    connection = session.connection(bind_arguments={"clause": _ADVANCE_HEAD})
    postgres = connection.dialect.name == "postgresql"
    row = connection.execute(_LOCK_HEAD if postgres else _ADVANCE_HEAD).one_or_none()
    if row is None:
        raise RuntimeError("audit_head row is missing: run `flask --app app db upgrade`")
    seq, prev_hash = row
    if postgres:
        seq += 1  # read under the lock, moved below together with the entry's insert
    at = utcnow()
    actor_label = getattr(actor, "email", None) or "system"
    if acting_for_organization_id is None and has_app_context():
        acting_for_organization_id = g.get("audit_acting_for")
    values = {"seq": seq, "at": at, "actor_id": getattr(actor, "id", None), "actor": actor_label,
              "organization_id": getattr(actor, "organization_id", None),
              "acting_for_organization_id": acting_for_organization_id, "hash_version": HASH_VERSION,
              "action": action, "entity_type": entity_type, "entity_id": str(entity_id), "before": before,
              "after": after, "prev_hash": prev_hash}
    values["hash"] = digest = hash_of(prev_hash, values)
    # Core statements built once: an ORM object and ORM-enabled updates per entry cost a unit-of-work
    # flush and statement construction on every request that writes.
    if postgres:
        connection.execute(_INSERT_ENTRY_MOVE_HEAD, {**values, "head_seq": seq, "head_hash": digest})
    else:
        connection.execute(_INSERT_ENTRY, values)
        connection.execute(_SET_HEAD_HASH, {"digest": digest})
    # The values go straight into a new instance's __dict__: AuditEntry(**values) would run eleven
    # instrumented sets for an object nobody adds to the session.
    entry = _new_entry()
    entry.__dict__.update(values)
    return entry


@dataclass(frozen=True)
class VerifyResult:
    """Outcome of ``verify_chain``: ok, entries checked and the first broken entry's sequence number."""

    ok: bool
    checked: int
    broken_seq: int | None = None
    problem: str = ""


def verify_chain(batch: int = 5000) -> VerifyResult:
    """Recompute every hash in order and report the first entry that does not match."""
    prev = GENESIS_HASH
    checked = 0
    last_seq = 0
    expected_seq = 1
    while True:
        rows = db.session.scalars(
            select(AuditEntry).where(AuditEntry.seq > last_seq).order_by(AuditEntry.seq).limit(batch)
        ).all()
        if not rows:
            break
        for entry in rows:
            if entry.seq != expected_seq:
                return VerifyResult(False, checked, expected_seq, f"entry {expected_seq} is missing")
            if entry.prev_hash != prev:
                return VerifyResult(False, checked, entry.seq, "prev_hash does not match the previous entry")
            if hash_of(prev, entry) != entry.hash:
                return VerifyResult(False, checked, entry.seq, "content does not match its hash")
            prev = entry.hash
            checked += 1
            last_seq = entry.seq
            expected_seq += 1
        db.session.expunge_all()
    head = db.session.execute(text("SELECT seq, last_hash FROM audit_head WHERE id = 1")).one_or_none()
    if head is not None and (head[0] != last_seq or head[1] != prev):
        return VerifyResult(False, checked, last_seq + 1, "the chain head does not match the last entry")
    return VerifyResult(True, checked)


def _signature(key: str, payload: dict[str, Any]) -> str:
    return hmac.new(key.encode(), canonical_json(payload).encode(), hashlib.sha256).hexdigest()


def make_checkpoint(key: str) -> dict[str, Any]:
    """The chain's head (last entry's sequence number and hash) and when, signed with ``key`` (``AUDIT_KEY``)."""
    if not key:
        raise ValueError("AUDIT_KEY is not set: checkpoints are signed with a key kept apart from the database")
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
