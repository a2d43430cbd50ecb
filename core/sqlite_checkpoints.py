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


def usual_autocheckpoint() -> int:
    """The ``wal_autocheckpoint`` this process's connections have: 0 once its thread checkpoints, else
    SQLite's default of 1,000 pages (for code that changes it for a while and puts it back)."""
    return 0 if os.getpid() in _running else 1000


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
