"""SQLite: writers take turns on a file lock, so a waiting writer starts the moment the last one ends.

SQLite lets one transaction write at a time. A writer that finds the database locked sleeps in SQLite's
busy handler, in growing steps (1, 2, 5, 10, 15, 20, 25, 25, 25, 50, 50, 100 ms), and Python's
``sqlite3`` offers no way to change that: under a few concurrent writers (gunicorn workers, the
screen's threads) the waits, not the work, set the slowest requests' latency. So before a transaction's
first write, a connection takes an exclusive ``flock`` on ``<database>-writer.lock`` and holds it until
the transaction ends (released as SQLAlchemy commits or rolls back). Waiting for it polls every half
millisecond, without holding the GIL, for at most :data:`WAIT_SECONDS`; after that (or when this thread
already holds the lock through another connection, which could never be released while it waits) the
write goes ahead and SQLite's own busy timeout applies, exactly as without this module. Reads take no
lock (write-ahead log: readers never wait). PostgreSQL is untouched.
"""

from __future__ import annotations

import fcntl
import os
import threading
import time
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlalchemy.pool import Pool

WAIT_SECONDS = 15.0
POLL_SECONDS = 0.0005
_WRITES = ("INSERT", "UPDATE", "DELETE", "REPLACE", "CREATE", "DROP", "ALTER")
_HELD, _FD = "greenlane_writer_lock", "greenlane_writer_lock_fd"

_registry = threading.Lock()
_held_by_thread: dict[int, int] = {}  # thread id -> writer locks it holds (through any connection)


def lock_path(database: str) -> str:
    """The lock file beside a database file."""
    return f"{database}-writer.lock"


def database_file(conn: Any) -> str | None:
    """The SQLite file behind ``conn`` (a connection or an engine); None for PostgreSQL or an in-memory database."""
    if conn.dialect.name != "sqlite":
        return None
    database = conn.engine.url.database
    if not database or database == ":memory:" or database.startswith("file:"):
        return None
    return database


def _acquire(info: dict, database: str) -> None:
    fd = info.get(_FD)
    if fd is None:
        fd = info[_FD] = os.open(lock_path(database), os.O_RDWR | os.O_CREAT, 0o600)
    me = threading.get_ident()
    with _registry:
        this_thread_writes = _held_by_thread.get(me, 0) > 0
    deadline = None
    while True:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            break
        except BlockingIOError:
            if this_thread_writes:
                return  # another of this thread's connections holds it: waiting could never end
            now = time.monotonic()
            deadline = deadline or now + WAIT_SECONDS
            if now >= deadline:
                return  # fall back on SQLite's busy timeout, as without this module
            time.sleep(POLL_SECONDS)
    info[_HELD] = me
    with _registry:
        _held_by_thread[me] = _held_by_thread.get(me, 0) + 1


def _release(info: dict) -> None:
    owner = info.pop(_HELD, None)
    if owner is None:
        return
    fcntl.flock(info[_FD], fcntl.LOCK_UN)
    with _registry:
        left = _held_by_thread.get(owner, 1) - 1
        if left > 0:
            _held_by_thread[owner] = left
        else:
            _held_by_thread.pop(owner, None)


@event.listens_for(Engine, "before_cursor_execute")
def _before_write(conn, _cursor, statement, _parameters, _context, _executemany) -> None:
    """Take the writer lock before the first write of a transaction on a SQLite file."""
    if conn.dialect.name != "sqlite":
        return
    info = conn.info
    if _HELD in info or not statement.lstrip()[:7].upper().startswith(_WRITES):
        return
    database = database_file(conn)
    if database is not None:
        _acquire(info, database)


@event.listens_for(Engine, "commit")
@event.listens_for(Engine, "rollback")
def _transaction_end(conn) -> None:
    """The transaction ends (SQLAlchemy is about to commit or roll back): the next writer may go."""
    info = conn.info
    if _HELD in info:
        _release(info)


@event.listens_for(Pool, "reset")
def _reset(_dbapi_connection, record, _reset_state) -> None:
    """A connection rolled back on its way to the pool holds no transaction, so no lock either."""
    if record is not None and _HELD in record.info:
        _release(record.info)


@event.listens_for(Pool, "checkin")
def _returned(_dbapi_connection, record) -> None:
    """A connection back in the pool holds no transaction, so no lock either."""
    if record is not None and _HELD in record.info:
        _release(record.info)


@event.listens_for(Pool, "close")
def _closed(_dbapi_connection, record) -> None:
    """Closing the connection closes its lock file (releasing any lock it still held)."""
    if record is None:
        return
    _release(record.info)
    fd = record.info.pop(_FD, None)
    if fd is not None:
        os.close(fd)
