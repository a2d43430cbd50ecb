"""core.sqlite_checkpoints: a web process's thread checkpoints SQLite's write-ahead log; its requests don't."""

from __future__ import annotations

import os
import sqlite3
import time

import pytest
from sqlalchemy import text

from app import create_app
from core import sqlite_checkpoints
from core.extensions import db


def _wal_pages(path) -> int:
    wal = f"{path}-wal"
    return os.path.getsize(wal) // 4096 if os.path.exists(wal) else 0


def test_a_checkpoint_copies_the_log_into_the_database(tmp_path):
    path = tmp_path / "log.db"
    writer = sqlite3.connect(path, isolation_level=None)
    writer.execute("PRAGMA journal_mode=WAL")
    writer.execute("PRAGMA wal_autocheckpoint=0")  # only the explicit checkpoint below
    writer.execute("CREATE TABLE t (id INTEGER PRIMARY KEY, body TEXT)")
    for _ in range(50):
        writer.execute("INSERT INTO t (body) VALUES (?)", ("x" * 4000,))
    busy, pages, copied = sqlite_checkpoints.checkpoint(str(path))
    assert busy == 0 and pages > 50 and copied == pages
    before = _wal_pages(path)
    for _ in range(50):  # the log starts over from its beginning instead of growing
        writer.execute("INSERT INTO t (body) VALUES (?)", ("x" * 4000,))
    assert _wal_pages(path) == before
    writer.close()
    assert sqlite3.connect(path).execute("SELECT count(*) FROM t").fetchone()[0] == 100


@pytest.fixture
def web_app(tmp_path, test_config):
    """A non-testing app on a SQLite file of its own (whatever database the suite runs on); its thread and
    this process's hand-over are undone afterwards."""
    path = tmp_path / "web.db"
    config = dict(test_config, TESTING=False, SQLALCHEMY_DATABASE_URI=f"sqlite:///{path}")
    app = create_app(config)
    yield app, path
    checkpointer = sqlite_checkpoints._running.pop(os.getpid(), None)
    if checkpointer is not None:
        checkpointer.stop()
    with app.app_context():
        db.engine.dispose()


def test_a_web_process_checkpoints_in_its_thread_not_in_its_requests(web_app, monkeypatch):
    app, path = web_app
    done: list[tuple[int, int, int]] = []
    real = sqlite_checkpoints.checkpoint

    def checkpoint(database: str) -> tuple[int, int, int]:
        result = real(database)
        done.append(result)
        return result

    monkeypatch.setattr(sqlite_checkpoints, "checkpoint", checkpoint)
    monkeypatch.setattr(sqlite_checkpoints, "INTERVAL_SECONDS", 0.05)
    with app.app_context():  # a connection opened before the thread: handed over at its next checkout
        db.session.execute(text("CREATE TABLE t (id INTEGER PRIMARY KEY, body TEXT)"))
        db.session.commit()
        assert db.session.execute(text("PRAGMA wal_autocheckpoint")).scalar() == 1000
        db.session.remove()
    assert sqlite_checkpoints.usual_autocheckpoint() == 1000 and not done
    assert app.test_client().get("/healthz").status_code == 200  # the first request starts the thread
    assert sqlite_checkpoints.usual_autocheckpoint() == 0
    with app.app_context():
        assert db.session.execute(text("PRAGMA wal_autocheckpoint")).scalar() == 0
        for _ in range(1200):  # past SQLite's 1,000 pages: no request checkpoints them
            db.session.execute(text("INSERT INTO t (body) VALUES (:body)"), {"body": "x" * 4000})
        db.session.commit()
        db.session.remove()
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and not any(copied >= 1200 for _, _, copied in done):
        time.sleep(0.05)
    assert any(busy == 0 and copied >= 1200 for busy, _, copied in done), done  # the thread copied them


def test_bulk_writes_checkpoint_rarely_until_the_connection_returns_to_the_pool(web_app):
    """A bulk run's connection checkpoints every 20,000 pages; back in the pool it does what the process's
    connections do: SQLite's 1,000 pages, or nothing once the thread checkpoints."""
    app, _path = web_app

    def autocheckpoint() -> int:
        return db.session.execute(text("PRAGMA wal_autocheckpoint")).scalar()

    for usual in (1000, 0):
        if usual == 0:
            assert app.test_client().get("/healthz").status_code == 200  # the thread starts
        with app.app_context():
            sqlite_checkpoints.for_bulk_writes(db.session.connection())
            assert autocheckpoint() == 20000
            assert db.session.execute(text("PRAGMA cache_size")).scalar() == -32768
            db.session.commit()  # the connection goes back to the pool
            assert autocheckpoint() == usual
            db.session.remove()
