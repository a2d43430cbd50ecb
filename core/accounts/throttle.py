"""Throttling of *failed* sign-ins and token requests, per account and per address (Flask-Limiter).

Only failures are counted (``deduct_when``), so a broker's office full of people signing in from one
address is never slowed down; a flood of wrong passwords is answered 429.
"""

from __future__ import annotations

from flask import current_app, g, request
from flask_limiter.util import get_remote_address

from core.extensions import limiter


def _submitted_email() -> str:
    data = request.get_json(silent=True) if request.is_json else None
    email = (data or {}).get("email") if isinstance(data, dict) else request.form.get("email")
    return f"account:{str(email or '').strip().lower()}"


def mark_failed() -> None:
    """Tell the limiter this request was a failed attempt."""
    g.auth_failed = True


def _failed(_response) -> bool:
    return bool(g.get("auth_failed"))


def _only_posts() -> bool:
    return request.method != "POST"


def throttled(view):
    """Apply the per-account and per-address failure limits to a login-like route."""
    view = limiter.limit(lambda: current_app.config["LOGIN_FAILURE_LIMIT_ACCOUNT"], key_func=_submitted_email,
                         deduct_when=_failed, exempt_when=_only_posts, scope="auth-account")(view)
    view = limiter.limit(lambda: current_app.config["LOGIN_FAILURE_LIMIT_ADDRESS"],
                         key_func=get_remote_address, deduct_when=_failed, exempt_when=_only_posts,
                         scope="auth-address")(view)
    return view
