"""Request plumbing shared by every page and API route: who is asking, security headers,
template helpers, and database engine settings."""

from __future__ import annotations

import sqlite3

from flask import Flask, g, request
from flask.sessions import SecureCookieSession, SecureCookieSessionInterface
from flask_login import current_user
from sqlalchemy import event
from sqlalchemy.engine import Engine

from core import labels, navigation, policy
from core.accounts import sessions
from core.accounts.models import User
from core.accounts.roles import ORG_KIND_LABELS, ROLE_LABELS, Role
from core.accounts.services import user_for_token
from core.extensions import login_manager

CONTENT_SECURITY_POLICY = (
    "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; font-src 'self'; "
    "object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'"
)


@event.listens_for(Engine, "connect")
def _sqlite_pragmas(dbapi_connection, _record) -> None:
    """SQLite: enforce foreign keys, write-ahead log for concurrent readers, and wait on locks."""
    if isinstance(dbapi_connection, sqlite3.Connection):
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA busy_timeout=15000")
        cursor.close()


def configure_database_engine() -> None:
    """Engine settings live in the connect listener above and, for SQLite writers, in
    :mod:`core.sqlite_writers` (imported here so its listeners are installed)."""
    from core import sqlite_writers  # noqa: F401


@login_manager.user_loader
def load_user(session_id: str) -> User | None:
    """Load the session's user from its live server-side session (core.accounts.sessions); signing out, a
    bumped session version (role change, deactivation) or a password change ends it."""
    try:
        user_id, version = (int(part) for part in session_id.split(":", 1))
    except ValueError:
        return None
    return sessions.load(user_id, version)


login_manager.login_view = "accounts.login"
login_manager.login_message = "Please sign in to continue."
login_manager.login_message_category = "info"
login_manager.session_protection = "basic"


def _authenticate_api_request() -> None:
    """Bearer-token authentication for /api/ routes (the session cookie never counts there)."""
    if not request.path.startswith("/api/"):
        return
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    g.api_user = user_for_token(token.strip()) if scheme.lower() == "bearer" else None


SECURITY_HEADERS = (
    ("Content-Security-Policy", CONTENT_SECURITY_POLICY),
    ("X-Content-Type-Options", "nosniff"),
    ("X-Frame-Options", "DENY"),
    ("Referrer-Policy", "same-origin"),
    ("Permissions-Policy", "camera=(), microphone=(), geolocation=()"),
    ("Cross-Origin-Opener-Policy", "same-origin"),
)


def _signed_in() -> bool:
    """Whether a user is signed in to this request's session (API tokens do not count)."""
    # Without a cookie, and with nobody signed in during the request (login_user sets g._login_user), there
    # is nobody to load: skip Flask-Login's loader and its session-protection hash on every API call.
    if "_login_user" not in g and not request.cookies:
        return False
    return bool(current_user and getattr(current_user, "is_authenticated", False))


def _security_headers(response):
    headers = response.headers
    present = {key.lower() for key, _ in headers.items()}  # one pass, not one scan per header
    for name, value in SECURITY_HEADERS:
        if name.lower() not in present:
            headers.add(name, value)
    if request.is_secure and "strict-transport-security" not in present:
        headers.add("Strict-Transport-Security", "max-age=31536000; includeSubDomains")
    if request.path.startswith("/api/"):
        # API answers carry tokens and tenant data: no cache, shared or private, may keep them (API.md).
        headers["Cache-Control"] = "no-store"
        headers.setdefault("Pragma", "no-cache")
        return response
    signed_in = _signed_in()  # before the header check: loading the user may touch the session, as before
    if signed_in and "cache-control" not in present and not request.path.startswith("/static/"):
        headers.add("Cache-Control", "private, no-store")
    return response


class CookieSessionInterface(SecureCookieSessionInterface):
    """Flask's signed-cookie sessions, without building the signing serializer for requests that carry no
    session cookie (every API call): they get the same new, empty session either way."""

    def open_session(self, app: Flask, request) -> SecureCookieSession | None:
        """A new empty session when there is no cookie to read (and a key to sign one), else Flask's."""
        if app.secret_key and not request.cookies.get(self.get_cookie_name(app)):
            return self.session_class()
        return super().open_session(app, request)


def register_request_hooks(app: Flask) -> None:
    """Install the session interface, token auth, security headers and template helpers."""
    app.session_interface = CookieSessionInterface()
    app.jinja_env.globals.update(labels.template_helpers())  # globals: imported macros see them too
    app.before_request(_authenticate_api_request)
    app.after_request(_security_headers)

    @app.context_processor
    def template_helpers():
        user = current_user if current_user.is_authenticated else None
        items = navigation.items_for(user)
        return {
            "can": lambda permission: policy.can(user, permission),
            "nav_items": items,
            "current_nav": navigation.current(items, request.endpoint),
            "role_label": lambda role: ROLE_LABELS.get(Role(role), role) if role else "",
            "org_kind_label": lambda kind: ORG_KIND_LABELS.get(kind, kind) if kind else "",
            "Role": Role,
        }
