"""Test harness: one database per test session (per xdist worker), built by the real migrations,
emptied after every test; app, client, CLI runner and factories for users and tokens.

With ``DATABASE_URL`` pointing at PostgreSQL, each worker creates its own database next to it and
drops it at the end, so runs never see each other's rows and leave the server clean.
"""

from __future__ import annotations

import os
import re
import uuid
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from pathlib import Path

import pytest
import time_machine
from flask import Flask
from flask_migrate import upgrade
from sqlalchemy import create_engine, event, text
from sqlalchemy.engine import make_url

from app import create_app
from core.accounts import services as accounts
from core.extensions import db, limiter
from program.decisions import reason_sets
from standards.reference import HTS_PREFIXES, SECTORS
from tests.clocks import DEFAULT_NOW

DEMO_PASSWORD = "correct horse battery staple"
KEEP_TABLES = {"alembic_version", "facts_version"}


def _worker() -> str:
    return os.environ.get("PYTEST_XDIST_WORKER", "main")


@pytest.fixture(scope="session")
def database_url(tmp_path_factory) -> Iterator[str]:
    """A fresh, empty database for this worker: a SQLite file, or a new PostgreSQL database."""
    base = os.environ.get("DATABASE_URL", "")
    if not base.startswith("postgres"):
        path = tmp_path_factory.mktemp("db") / "greenlane-test.db"
        yield f"sqlite:///{path}"
        return
    url = make_url(base if "+psycopg" in base else base.replace("postgresql://", "postgresql+psycopg://", 1))
    name = f"gl_test_{_worker()}_{os.getpid()}_{uuid.uuid4().hex[:6]}"
    admin = create_engine(url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield url.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture(scope="session")
def test_config(database_url, tmp_path_factory) -> dict:
    """Configuration shared by the test app and the browser tests' live server."""
    instance = tmp_path_factory.mktemp("instance")
    return {
        "TESTING": True,
        "SECRET_KEY": "test-secret-key",
        "SQLALCHEMY_DATABASE_URI": database_url,
        "WTF_CSRF_ENABLED": False,
        "SESSION_COOKIE_SECURE": False,
        "REMEMBER_COOKIE_SECURE": False,
        "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000",
        "UPLOAD_FOLDER": str(instance / "uploads"),
        "RATELIMIT_STORAGE_URI": "memory://",
        "VERIFICATION_SAMPLE_RATE": 0.0,
    }


@pytest.fixture(scope="session")
def app(test_config) -> Iterator[Flask]:
    """The app on the test database, schema built once by running every migration."""
    application = create_app(test_config)
    with application.app_context():
        upgrade(directory=str(Path(__file__).resolve().parent.parent / "migrations"))
    yield application
    with application.app_context():
        db.session.remove()
        db.engine.dispose()


def _empty_database() -> None:
    """Remove every row (keeping the schema), then restore reference data."""
    tables = [t for t in reversed(db.metadata.sorted_tables) if t.name not in KEEP_TABLES]
    if db.engine.dialect.name == "postgresql":
        names = ", ".join(f'"{t.name}"' for t in tables)
        db.session.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
    else:
        for table in tables:
            db.session.execute(table.delete())
    db.session.execute(
        db.metadata.tables["sector"].insert(),
        [{"code": c, "name": n, "heightened_protection": h, "hts_prefixes": list(HTS_PREFIXES.get(c, ())),
          "created_at": DEFAULT_NOW.replace(month=1, day=1, hour=0)} for c, n, h in SECTORS],
    )
    db.session.execute(text("INSERT INTO audit_head (id, seq, last_hash) VALUES (1, 0, :h)"), {"h": "0" * 64})
    # Rows vanished behind the ORM's back: caches of program facts (here and in a live server) must reload.
    db.session.execute(text("UPDATE facts_version SET version = version + 1"))
    db.session.commit()
    reason_sets.forget_all()  # the ids of stored reason lists this process remembers are gone with the rows


@pytest.fixture(autouse=True)
def clock(request) -> Iterator[time_machine.Coordinates]:
    """The test's clock: every test starts at a fixed instant (``tests.clocks.DEFAULT_NOW``, or the
    instant given by indirect parametrisation) and time ticks on from there, so no test reads the
    real date. ``clock.move_to(...)`` jumps. The live server's thread shares it."""
    start = getattr(request, "param", DEFAULT_NOW)
    with time_machine.travel(start, tick=True) as traveller:
        yield traveller


@pytest.fixture(autouse=True)
def _isolated(request) -> Iterator[None]:
    """Each test starts from an empty database and empty rate-limit counters."""
    if "app" not in request.fixturenames:
        yield
        return
    application = request.getfixturevalue("app")
    yield
    with application.app_context():
        db.session.rollback()
        _empty_database()
        db.session.remove()
    limiter.reset()


@pytest.fixture
def ctx(app) -> Iterator[None]:
    """An application context for service-level tests."""
    with app.app_context():
        yield
        db.session.rollback()


@pytest.fixture
def sql_log(app) -> Callable[[], AbstractContextManager[list[str]]]:
    """Factory: ``with sql_log() as statements:`` lists every SQL statement sent while the block runs."""

    @contextmanager
    def capture() -> Iterator[list[str]]:
        statements: list[str] = []
        with app.app_context():
            engine = db.engine

        def collect(_conn, _cursor, statement, *_args) -> None:
            statements.append(statement)

        event.listen(engine, "before_cursor_execute", collect)
        try:
            yield statements
        finally:
            event.remove(engine, "before_cursor_execute", collect)

    return capture


@pytest.fixture
def client(app):
    """A test client (CSRF off; see test_csrf for CSRF on)."""
    return app.test_client()


@pytest.fixture
def runner(app):
    """The Flask CLI runner."""
    return app.test_cli_runner()


def _slug(text_: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text_.lower()).strip("-")


@pytest.fixture
def make_user(app):
    """Factory: ``make_user("importer", org="Acme")`` creates and commits a user; returns a UserRef."""
    counter = {"n": 0}

    def factory(role: str, org: str | None = None, email: str | None = None, password: str = DEMO_PASSWORD):
        counter["n"] += 1
        org = org or f"{role.replace('_', ' ').title()} Org {counter['n']}"
        if role in {"reviewer", "admin"}:
            org = "U.S. Customs and Border Protection"
        email = email or f"{role}{counter['n']}@{_slug(org)}.example"
        with app.app_context():
            user = accounts.create_user(None, email=email, password=password, role=role, org_name=org)
            db.session.commit()
            result = UserRef(user.id, user.email, user.role, user.organization_id, password)
            db.session.remove()
        return result

    return factory


class UserRef:
    """What tests need to know about a user, detached from any session."""

    def __init__(self, id_: int, email: str, role: str, organization_id: int, password: str):
        self.id, self.email, self.role = id_, email, role
        self.organization_id, self.password = organization_id, password

    def __repr__(self) -> str:
        return f"<UserRef {self.email} {self.role}>"


@pytest.fixture
def token_for(app):
    """Factory: a bearer token for a ``UserRef``."""

    def factory(user: UserRef) -> str:
        with app.app_context():
            from core.accounts.models import User

            plain, _ = accounts.issue_token(db.session.get(User, user.id), "test")
            db.session.commit()
            db.session.remove()
        return plain

    return factory


class ApiClient:
    """A test client that sends a bearer token with every request."""

    def __init__(self, client, token: str | None):
        self.client = client
        self.headers = {"Authorization": f"Bearer {token}"} if token else {}

    def _call(self, method: str, path: str, **kwargs):
        headers = {**self.headers, **kwargs.pop("headers", {})}
        return getattr(self.client, method)(path, headers=headers, **kwargs)

    def get(self, path, **kw):
        return self._call("get", path, **kw)

    def post(self, path, **kw):
        return self._call("post", path, **kw)

    def patch(self, path, **kw):
        return self._call("patch", path, **kw)

    def delete(self, path, **kw):
        return self._call("delete", path, **kw)


@pytest.fixture
def api_as(client, make_user, token_for):
    """Factory: ``api_as("reviewer")`` (or a UserRef) gives an ApiClient with that user's token."""

    def factory(who) -> ApiClient:
        user = make_user(who) if isinstance(who, str) else who
        api = ApiClient(client, token_for(user))
        api.user = user
        return api

    return factory


@pytest.fixture
def login(client):
    """Factory: sign ``user`` in on the shared test client through the real login form."""

    def factory(user: UserRef):
        response = client.post("/login", data={"email": user.email, "password": user.password})
        assert response.status_code == 302, response.text
        return client

    return factory


def _is_postgres() -> bool:
    return os.environ.get("DATABASE_URL", "").startswith("postgres")


def pytest_collection_modifyitems(config, items):
    """Skip PostgreSQL-only tests on SQLite; keep every browser test on one xdist worker."""
    skip_pg = pytest.mark.skip(reason="needs PostgreSQL (set DATABASE_URL)")
    for item in items:
        if "postgres" in item.keywords and not _is_postgres():
            item.add_marker(skip_pg)
        if "browser" in item.keywords:
            item.add_marker(pytest.mark.xdist_group("browser"))
