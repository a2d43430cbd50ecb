"""SQLite writers take turns on a file lock held from a transaction's first write to its end."""

from __future__ import annotations

import fcntl
import os
import threading
import time

import pytest
from sqlalchemy import text

from core import sqlite_writers
from core.extensions import db

pytestmark = pytest.mark.skipif(os.environ.get("DATABASE_URL", "").startswith("postgres"),
                                reason="SQLite only (PostgreSQL uses its own row locks)")


def _lock_is_free(app) -> bool:
    with app.app_context():
        path = sqlite_writers.lock_path(db.engine.url.database)
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return False
    else:
        fcntl.flock(fd, fcntl.LOCK_UN)
        return True
    finally:
        os.close(fd)


def _write(connection, value: str) -> None:
    connection.execute(text("UPDATE sector SET name = name WHERE code = :c"), {"c": value})


def test_held_from_the_first_write_until_commit_or_rollback(app):
    with app.app_context():
        with db.engine.connect() as connection:
            connection.execute(text("SELECT 1")).all()
            assert _lock_is_free(app)  # reads take no lock
            _write(connection, "toys")
            assert not _lock_is_free(app)
            connection.commit()
            assert _lock_is_free(app)
            _write(connection, "toys")
            assert not _lock_is_free(app)
            connection.rollback()
            assert _lock_is_free(app)
            _write(connection, "toys")
        assert _lock_is_free(app)  # returned to the pool without ending: the pool's reset releases it


def test_a_second_writer_waits_for_the_first_and_goes_once_it_commits(app):
    order: list[str] = []
    started = threading.Event()

    def second() -> None:
        with app.app_context(), db.engine.connect() as connection:
            started.set()
            _write(connection, "apparel_footwear")  # blocks on the lock until the first commits
            order.append(f"second wrote {time.monotonic() - released[0]:.3f}")
            connection.commit()

    released: list[float] = []
    with app.app_context(), db.engine.connect() as connection:
        _write(connection, "toys")
        thread = threading.Thread(target=second)
        thread.start()
        started.wait(5)
        time.sleep(0.25)
        assert not order  # still waiting
        released.append(time.monotonic())
        connection.commit()
    thread.join(10)
    assert len(order) == 1
    # Polled every half millisecond (SQLite's own handler would be sleeping in 50-100 ms steps by now);
    # how much sooner that makes writers start is measured by bench/http.py, not timed here.
    assert 0 <= float(order[0].split()[-1]) < 1


def test_a_thread_writing_on_two_connections_does_not_wait_for_itself(app, monkeypatch):
    from sqlalchemy.exc import OperationalError

    monkeypatch.setattr(sqlite_writers, "WAIT_SECONDS", 30.0)
    with app.app_context():
        first = db.engine.connect()
        second = db.engine.connect()
        try:
            _write(first, "toys")
            second.exec_driver_sql("PRAGMA busy_timeout=200")
            began = time.monotonic()
            # The lock is this thread's own: no waiting on it (it could never be released meanwhile); SQLite's
            # busy timeout decides, as it would without the lock.
            with pytest.raises(OperationalError, match="locked"):
                _write(second, "apparel_footwear")
            assert time.monotonic() - began < 5
            second.rollback()
            first.commit()
        finally:
            second.exec_driver_sql("PRAGMA busy_timeout=15000")
            first.close()
            second.close()
    assert sqlite_writers._held_by_thread == {}
