"""Reasons stored once: each decision line holds the id of its list of reasons (:class:`DecisionReasonSet`).

A list is found by the SHA-256 of its canonical JSON. Writers ask :func:`reason_set_ids` for the ids of
the lists they are about to store, on their transaction's connection: a list not yet stored is inserted
(``INSERT … ON CONFLICT (digest) DO NOTHING``, then read back if another transaction stored it first, which
on PostgreSQL waits for that transaction to end), so concurrent writers of the same new list end with one
row and no error.

Ids are remembered per process, but only once the transaction that found or stored them has **committed**
(until then they wait in the session's ``info``): an id handed out by a transaction that is rolled back
would otherwise be remembered for a row that does not exist — and SQLite may give that id to another list.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Sequence
from typing import Any

from sqlalchemy import event, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from core.extensions import db
from program.decisions.engine import Reason
from program.decisions.models import DecisionReasonSet

__all__ = ["digest_of", "reason_set_for", "reason_set_ids"]

_TABLE = DecisionReasonSet.__table__
_PENDING = "decision_reason_sets"  # key in Session.info: lists found or stored by the open transaction
_BATCH = 500  # lists per statement
MAX_REMEMBERED = 50_000  # lists whose id a process keeps (a bound, not a tuning knob)
_committed: dict[tuple[tuple[str, str], ...], int] = {}

ReasonKey = tuple[tuple[str, str], ...]  # ((code, message), …): a list of reasons as a dictionary key


def key_of(reasons: Iterable[Reason | dict[str, str]]) -> ReasonKey:
    """The list as a dictionary key: engine ``Reason`` tuples or stored ``{code, message}`` dicts alike (a tuple of
    ``Reason`` is such a key already — a named tuple equals and hashes as the plain tuple — and is used as it is,
    sharing the engine's objects rather than copying them)."""
    if isinstance(reasons, tuple) and all(type(r) is Reason for r in reasons):
        return reasons
    return tuple((r["code"], r["message"]) if isinstance(r, dict) else (r.code, r.message) for r in reasons)


def _as_json(key: ReasonKey) -> list[dict[str, str]]:
    return [{"code": code, "message": message} for code, message in key]


def digest_of(key: ReasonKey) -> str:
    """SHA-256 (hex) of the list's canonical JSON: compact, keys sorted, non-ASCII kept."""
    text = json.dumps(_as_json(key), sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(text.encode()).hexdigest()


def reason_set_ids(connection: Any, keys: Sequence[ReasonKey], *, session: Session | None = None) -> list[int]:
    """The id of the stored list of each of ``keys``, storing those not yet stored, in the transaction of
    ``connection`` (that of ``session``, by default the request's). Lists not remembered are looked up and
    stored together: a few statements however many there are."""
    pending = (session or db.session()).info.setdefault(_PENDING, {})
    missing = [key for key in dict.fromkeys(keys) if key not in _committed and key not in pending]
    if missing:
        pending.update(_store(connection, missing))
    return [_committed.get(key) or pending[key] for key in keys]


def _store(connection: Any, keys: list[ReasonKey]) -> dict[ReasonKey, int]:
    """Ids of the lists ``keys``: those stored already (by anyone), then those inserted now; a list another
    transaction inserts meanwhile is read back (on PostgreSQL the insert waits for that transaction)."""
    by_digest = {digest_of(key): key for key in keys}
    found = _look_up(connection, list(by_digest), by_digest)
    rows = [{"digest": digest, "codes": ";".join(code for code, _ in key), "reasons": _as_json(key)}
            for digest, key in by_digest.items() if key not in found]
    if rows:  # one statement compiled once, its rows sent in batches (SQLAlchemy's "insertmanyvalues")
        statement = _INSERT[connection.dialect.name == "postgresql"]
        for set_id, digest in connection.execute(statement, rows):
            found[by_digest[digest]] = set_id
    if len(found) < len(by_digest):  # stored by another transaction while this one looked
        found.update(_look_up(connection, [d for d, key in by_digest.items() if key not in found], by_digest))
    return found


_INSERT = {postgres: (pg_insert if postgres else sqlite_insert)(_TABLE).on_conflict_do_nothing(index_elements=["digest"])
           .returning(_TABLE.c.id, _TABLE.c.digest) for postgres in (False, True)}


def _look_up(connection: Any, digests: list[str], by_digest: dict[str, ReasonKey]) -> dict[ReasonKey, int]:
    found = {}
    for start in range(0, len(digests), _BATCH):
        for set_id, digest in connection.execute(select(_TABLE.c.id, _TABLE.c.digest)
                                                 .where(_TABLE.c.digest.in_(digests[start:start + _BATCH]))):
            found[by_digest[digest]] = set_id
    return found


def reason_set_for(reasons: list[dict[str, str]]) -> DecisionReasonSet:
    """The ORM object of ``reasons``' list (stored now, in the session's transaction, if it is new): for lines
    made as ORM objects (demo data, tests)."""
    session = db.session()
    key = key_of(reasons)
    with session.no_autoflush:
        [set_id] = reason_set_ids(session.connection(), [key], session=session)
    return session.get(DecisionReasonSet, set_id)


@event.listens_for(Session, "after_commit")
def _remember(session: Session) -> None:
    pending = session.info.pop(_PENDING, None)
    if pending:
        if len(_committed) + len(pending) > MAX_REMEMBERED:
            _committed.clear()
        _committed.update(pending)


@event.listens_for(Session, "after_soft_rollback")
def _forget(session: Session, _previous: Any) -> None:
    session.info.pop(_PENDING, None)


def forget_all() -> None:
    """Drop every remembered id (tests that empty the database between cases)."""
    _committed.clear()
