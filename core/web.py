"""Request plumbing shared by every page and API route: who is asking, security headers,
template helpers, and database engine settings."""

from __future__ import annotations

import sqlite3

from flask import Flask, g, request
from flask_login import current_user
from sqlalchemy import event
from sqlalchemy.engine import Engine

from core import navigation, policy
from core.accounts.models import User
from core.accounts.roles import ORG_KIND_LABELS, ROLE_LABELS, Role
from core.accounts.services import user_for_token
from core.extensions import db, login_manager

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
    """Engine settings live in the connect listener above; kept as a named step of the factory."""


@login_manager.user_loader
def load_user(session_id: str) -> User | None:
    """Load the session's user; a bumped session version (role change, deactivation) ends the session."""
    try:
        user_id, version = (int(part) for part in session_id.split(":", 1))
    except ValueError:
        return None
    user = db.session.get(User, user_id)
    if user is None or user.session_version != version or not user.active:
        return None
    return user


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


def _security_headers(response):
    response.headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("X-Frame-Options", "DENY")
    response.headers.setdefault("Referrer-Policy", "same-origin")
    response.headers.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
    response.headers.setdefault("Cross-Origin-Opener-Policy", "same-origin")
    if request.is_secure:
        response.headers.setdefault("Strict-Transport-Security", "max-age=31536000; includeSubDomains")
    signed_in = current_user and getattr(current_user, "is_authenticated", False)
    if signed_in and not request.path.startswith("/static/"):
        response.headers.setdefault("Cache-Control", "private, no-store")
    return response


def register_request_hooks(app: Flask) -> None:
    """Install token auth, security headers and template helpers."""
    app.before_request(_authenticate_api_request)
    app.after_request(_security_headers)

    @app.context_processor
    def template_helpers():
        user = current_user if current_user.is_authenticated else None
        return {
            "can": lambda permission: policy.can(user, permission),
            "nav_items": navigation.items_for(user),
            "role_label": lambda role: ROLE_LABELS.get(Role(role), role) if role else "",
            "org_kind_label": lambda kind: ORG_KIND_LABELS.get(kind, kind) if kind else "",
            "Role": Role,
        }
