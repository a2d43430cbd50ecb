"""The chainer: links the audit entries PostgreSQL writers leave unlinked (the transactional outbox).

``core.audit.record`` inserts an entry on PostgreSQL with its transaction's id (``xid``) and without
``seq``/``prev_hash``/``hash``, so no request waits on the chain's head. :func:`link_pending` then, in a
transaction of its own and one process at a time (``pg_try_advisory_lock``):

1. reads the head (last sequence number and hash),
2. takes every committed entry not linked yet, in ``(xid, id)`` order, all in one snapshot (REPEATABLE READ,
   so a round's batches see the same entries: a transaction's entries stay together), and
3. numbers and hashes them with :func:`core.audit.hash_of`, as ``record`` does inline on SQLite, and moves
   the head.

The chain is therefore total and gap-free, and causal: a transaction that committed before another began
has the lower transaction id and is visible to every snapshot that sees the later one, so it comes first.
Entries of a rolled-back transaction never exist. A transaction still running holds nothing back (its
entries join a later round), so an entry waits one interval at most, however long other transactions —
a bulk-screen chunk, another database's migration on the same server — stay open. It runs every
``AUDIT_CHAIN_SECONDS`` (default 0.5) in a background thread of each web process (started by its first
request), in the ``flask audit chain`` loop operators may run instead, and through :func:`link_all` before
anything that reads hashes (``audit verify``, ``audit checkpoint``). SQLite links inline and has nothing to do
here: its writers already take turns on the database's write lock.
"""

from __future__ import annotations

import os
import time
from typing import Any

from flask import Flask
from sqlalchemy import BigInteger, Text, bindparam, cast, func, select, update
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import SQLAlchemyError

from core.audit import HASHED, AuditEntry, AuditHead, hash_of
from core.extensions import db
from core.periodic import Periodic

LOCK_KEY = 0x474C_4143  # "GLAC": the advisory lock one chainer at a time holds
BATCH = 2000

_ENTRY = AuditEntry.__table__
_HEAD = AuditHead.__table__
_XMAX = cast(cast(func.pg_snapshot_xmax(func.pg_current_snapshot()), Text), BigInteger)
_TRY_LOCK = select(func.pg_try_advisory_lock(LOCK_KEY))
_UNLOCK = select(func.pg_advisory_unlock(LOCK_KEY))
_HEAD_ROW = select(_HEAD.c.seq, _HEAD.c.last_hash).where(_HEAD.c.id == 1)
_LINKABLE = (select(_ENTRY.c.id, *(_ENTRY.c[name] for name in HASHED if name != "seq"))
             .where(_ENTRY.c.seq.is_(None))
             .order_by(_ENTRY.c.xid, _ENTRY.c.id).limit(BATCH))
# A batch is linked by one set-based UPDATE: the new columns go as four arrays, joined back to the entries by id
# (an UPDATE per entry cost a bind, an execution and an index probe each, on both sides of the connection).
_LINKS = func.unnest(
    bindparam("ids", type_=ARRAY(_ENTRY.c.id.type)), bindparam("seqs", type_=ARRAY(_ENTRY.c.seq.type)),
    bindparam("prevs", type_=ARRAY(Text)), bindparam("hashes", type_=ARRAY(Text)),
).table_valued("id", "seq", "prev_hash", "hash").render_derived(name="link")
_LINK = (update(_ENTRY).where(_ENTRY.c.id == _LINKS.c.id)
         .values(seq=_LINKS.c.seq, prev_hash=_LINKS.c.prev_hash, hash=_LINKS.c.hash))
_MOVE_HEAD = update(_HEAD).where(_HEAD.c.id == 1).values(seq=bindparam("new_seq"), last_hash=bindparam("new_hash"))


def _engine(engine: Engine | None) -> Engine:
    return engine if engine is not None else db.engine


def link_pending(engine: Engine | None = None) -> int:
    """Link every entry that can be linked now; return how many (0 when another process is linking, or on
    SQLite)."""
    engine = _engine(engine)
    if engine.dialect.name != "postgresql":
        return 0
    with engine.connect() as connection:
        # The lock first (session level), then the round's snapshot: a snapshot taken before the lock could
        # predate the previous round's commit and miss its links.
        got = connection.scalar(_TRY_LOCK)
        connection.commit()
        if not got:
            return 0
        try:
            connection.execution_options(isolation_level="REPEATABLE READ")
            with connection.begin():
                return _link_round(connection)
        finally:
            connection.execution_options(isolation_level="READ COMMITTED")
            connection.execute(_UNLOCK)
            connection.commit()


def _link_round(connection: Connection) -> int:
    head = connection.execute(_HEAD_ROW).one_or_none()
    if head is None:
        raise RuntimeError("audit_head row is missing: run `flask --app app db upgrade`")
    seq, prev = head
    linked = 0
    while True:
        # One snapshot for the round: the batches page through the same entries; newer ones wait a round.
        rows = connection.execute(_LINKABLE).mappings().all()
        if not rows:
            break
        ids, seqs, prevs, hashes = [], [], [], []
        for row in rows:
            seq += 1
            digest = hash_of(prev, {**row, "seq": seq})
            ids.append(row["id"])
            seqs.append(seq)
            prevs.append(prev)
            hashes.append(digest)
            prev = digest
        connection.execute(_LINK, {"ids": ids, "seqs": seqs, "prevs": prevs, "hashes": hashes})
        linked += len(ids)
        if len(rows) < BATCH:
            break
    if linked:
        connection.execute(_MOVE_HEAD, {"new_seq": seq, "new_hash": prev})
    return linked


def pending_count(connection: Connection) -> int:
    """Committed entries not linked yet (always 0 on SQLite)."""
    return connection.scalar(select(func.count()).select_from(_ENTRY).where(_ENTRY.c.seq.is_(None))) or 0


def link_all(timeout: float = 30.0, engine: Engine | None = None) -> int:
    """Link every entry committed before the call (waiting up to ``timeout`` seconds for another process
    that holds the chainer's lock); return how many this call linked. Entries of transactions still running
    stay pending (``verify_chain`` reports them)."""
    engine = _engine(engine)
    if engine.dialect.name != "postgresql":
        return 0
    with engine.connect() as connection:
        horizon = connection.scalar(select(_XMAX))  # every transaction begun before now has a lower id
    # Entries of transactions that committed before the call are visible now; those still unlinked wait for
    # another process that holds the lock to finish its round.
    waiting = select(func.count()).select_from(_ENTRY).where(_ENTRY.c.seq.is_(None), _ENTRY.c.xid < horizon)
    linked = 0
    deadline = time.monotonic() + timeout
    while True:
        linked += link_pending(engine)
        with engine.connect() as connection:
            left = connection.scalar(waiting)
        if not left or time.monotonic() >= deadline:
            return linked
        time.sleep(0.02)


class Chainer(Periodic):
    """The background thread of one process: :func:`link_pending` every ``interval`` seconds until stopped."""

    def __init__(self, app: Flask, interval: float) -> None:
        with app.app_context():
            engine = db.engine
        super().__init__("audit-chainer", interval, lambda: link_pending(engine), SQLAlchemyError)


_started: dict[int, Chainer] = {}  # process id -> its chainer (a forked worker starts its own)


def _start_in_this_process(app: Flask) -> None:
    if os.getpid() not in _started:
        _started[os.getpid()] = Chainer(app, float(app.config["AUDIT_CHAIN_SECONDS"])).start()


def stop_in_this_process() -> None:
    """Stop this process's chainer thread, if it started one (before its database goes away, say)."""
    chainer = _started.pop(os.getpid(), None)
    if chainer is not None:
        chainer.stop()


def register(app: Flask) -> None:
    """Start the chainer with the process's first request, on PostgreSQL, unless ``AUDIT_CHAIN_SECONDS`` is 0
    or the app is under test (tests link explicitly, or start a :class:`Chainer` themselves)."""
    if app.testing or not float(app.config.get("AUDIT_CHAIN_SECONDS") or 0):
        return
    with app.app_context():
        if db.engine.dialect.name != "postgresql":
            return

    @app.before_request
    def _chainer_running() -> Any:
        if os.getpid() not in _started:
            _start_in_this_process(app)
