"""SQLite: the write-ahead log is checkpointed by a thread of each web process, not by the request that
happens to cross SQLite's threshold.

By default the commit that takes the log past 1,000 pages copies them back into the database file and syncs
it, inside that request: about 15 ms on this project's machine, the slowest one percent of decision requests
in one process (``bench/request_cpu.py``). Once :func:`register`'s thread runs in a web process, that
process's connections stop checkpointing on commit (``wal_autocheckpoint=0``, set at each one's next
checkout) and the thread checkpoints every :data:`INTERVAL_SECONDS` instead (``PASSIVE``: it never waits for readers or
writers, and whatever it cannot copy yet is copied next time), on a connection of its own. Several
processes may checkpoint the same database: SQLite lets one at a time and the others skip their turn.
Processes without the thread (commands, tests, the RQ worker) keep SQLite's own checkpoints. PostgreSQL is
untouched.
"""

from __future__ import annotations

import os
import sqlite3
from typing import Any

from flask import Flask
from sqlalchemy import event
from sqlalchemy.pool import Pool

from core.periodic import Periodic
from core.sqlite_writers import database_file

INTERVAL_SECONDS = 1.0

_running: dict[int, Checkpointer] = {}  # process id -> its thread
_HANDED_OVER = "greenlane_checkpoints_by_thread"


# Bulk writes (the screen's chunks), per connection until it goes back to the pool: a page cache that keeps the
# growing indexes in memory (32 MB, allocated as used; it stays with the pooled connection), and a checkpoint
# every 20,000 pages (80 MB) rather than every 1,000 — each one writes back and syncs every page changed since
# the last, and bulk writes change the same index pages over and over (measured: 10-17% faster on 200,000
# parcels, paired runs; docs/performance.md, "Fourth pass"). Temporary storage in memory: a chunk's many-row
# INSERTs each get a statement journal, which SQLite otherwise creates as a file, writes and deletes (a chunk's
# worth of pages at most; 0.7 s less system time per 200,000 parcels). Back to the default in the pool: a web
# request's big sort may still spill to disk.
_BULK_PRAGMAS = ("PRAGMA cache_size=-32768", "PRAGMA wal_autocheckpoint=20000", "PRAGMA temp_store=MEMORY")
_BULK = "greenlane_bulk_writes"


def usual_autocheckpoint() -> int:
    """The ``wal_autocheckpoint`` this process's connections have: 0 once its thread checkpoints, else
    SQLite's default of 1,000 pages."""
    return 0 if os.getpid() in _running else 1000


def for_bulk_writes(connection: Any) -> None:
    """SQLite: settings for bulk writes (above) on ``connection`` (a SQLAlchemy connection) until it goes back to
    the pool, where its checkpoints return to what the process's connections have: a web request committing
    on it later should not pay for a checkpoint of a bulk run's size. Nothing on PostgreSQL."""
    if connection.dialect.name != "sqlite" or connection.info.get(_BULK):
        return
    for pragma in _BULK_PRAGMAS:
        connection.exec_driver_sql(pragma)
    connection.info[_BULK] = True


def checkpoint(database: str) -> tuple[int, int, int]:
    """One passive checkpoint of ``database`` on a short-lived connection: (busy, log pages, pages copied)."""
    connection = sqlite3.connect(database, timeout=0)
    try:
        busy, pages, copied = connection.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchone()
    finally:
        connection.close()
    return busy, pages, copied


class Checkpointer(Periodic):
    """The thread of one process: a passive checkpoint of ``database`` every ``interval`` seconds until stopped."""

    def __init__(self, database: str, interval: float = INTERVAL_SECONDS) -> None:
        super().__init__("sqlite-checkpointer", interval, lambda: checkpoint(database), sqlite3.Error)


@event.listens_for(Pool, "checkout")
def _no_checkpoint_on_commit(dbapi_connection: Any, record: Any, _proxy: Any) -> None:
    """In a checkpointing process, a connection leaves the checkpoints to the thread (once per connection,
    including those opened before the thread started)."""
    if (os.getpid() in _running and isinstance(dbapi_connection, sqlite3.Connection)
            and not record.info.get(_HANDED_OVER)):
        dbapi_connection.execute("PRAGMA wal_autocheckpoint=0")
        record.info[_HANDED_OVER] = True


@event.listens_for(Pool, "checkin")
def _end_of_bulk_writes(dbapi_connection: Any, record: Any) -> None:
    """A connection back in the pool after bulk writes checkpoints as the process's others do."""
    if record is not None and record.info.pop(_BULK, False) and dbapi_connection is not None:
        dbapi_connection.execute(f"PRAGMA wal_autocheckpoint={usual_autocheckpoint()}")
        dbapi_connection.execute("PRAGMA temp_store=DEFAULT")


def register(app: Flask) -> None:
    """Start the thread with the process's first request, on a SQLite file, unless the app is under test.

    The first request: gunicorn forks its workers after loading the app, and a thread does not survive a fork.
    """
    if app.testing:
        return
    with app.app_context():
        from core.extensions import db

        database = database_file(db.engine)  # an Engine is its own .engine
    if database is None:
        return

    @app.before_request
    def _checkpointer_running() -> None:
        if os.getpid() not in _running:
            _running[os.getpid()] = Checkpointer(database, INTERVAL_SECONDS).start()
