"""SQLite: the write-ahead log is checkpointed by a thread of each web process, not by the request that
happens to cross SQLite's threshold.

By default the commit that takes the log past 1,000 pages copies them back into the database file and syncs
it, inside that request: about 15 ms on this project's machine, the slowest one percent of decision requests
in one process (``bench/request_cpu.py``). Once :func:`register`'s thread runs in a web process, the
connections that process opens afterwards stop checkpointing on commit (``wal_autocheckpoint=0``) and the
thread checkpoints every :data:`INTERVAL_SECONDS` instead (``PASSIVE``: it never waits for readers or
writers, and whatever it cannot copy yet is copied next time), on a connection of its own. Several
processes may checkpoint the same database: SQLite lets one at a time and the others skip their turn.
Processes without the thread (commands, tests, the RQ worker) keep SQLite's own checkpoints. PostgreSQL is
untouched.
"""

from __future__ import annotations

import logging
import os
import sqlite3
import threading
from typing import Any

from flask import Flask
from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlalchemy.pool import Pool

log = logging.getLogger(__name__)

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


class Checkpointer:
    """The thread of one process: a passive checkpoint every ``interval`` seconds until stopped."""

    def __init__(self, database: str, interval: float = INTERVAL_SECONDS) -> None:
        self.database = database
        self.interval = interval
        self.stopped = threading.Event()
        self.thread = threading.Thread(target=self._run, name="sqlite-checkpointer", daemon=True)

    def start(self) -> Checkpointer:
        self.thread.start()
        return self

    def stop(self) -> None:
        self.stopped.set()
        self.thread.join()

    def _run(self) -> None:
        while not self.stopped.wait(self.interval):
            try:
                checkpoint(self.database)
            except sqlite3.Error:
                log.exception("sqlite checkpointer: checkpoint failed; trying again in %.1f s", self.interval)


def _database_file(engine: Engine) -> str | None:
    if engine.dialect.name != "sqlite":
        return None
    database = engine.url.database
    if not database or database == ":memory:" or database.startswith("file:"):
        return None
    return database


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

        database = _database_file(db.engine)
    if database is None:
        return

    @app.before_request
    def _checkpointer_running() -> None:
        if os.getpid() not in _running:
            _running[os.getpid()] = Checkpointer(database, INTERVAL_SECONDS).start()
