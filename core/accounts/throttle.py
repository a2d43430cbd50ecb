"""Throttling of *failed* sign-ins, the same for the web form and the token endpoint (API.md, "Auth").

- Per account **and** address (``sign_in_failure`` rows, one counter for web and API): the first
  ``FREE_FAILURES`` failures cost nothing; each later one doubles the wait before the next attempt is even
  checked (1 s, 2 s, 4 s, … at most ``MAX_DELAY``). Someone guessing from elsewhere slows only their own
  address, so nobody can lock a user out; a success clears the counter.
- Per address (Flask-Limiter, shared by both routes): at most ``LOGIN_FAILURE_LIMIT_ADDRESS`` failures, all
  accounts together, so one address cannot walk through many accounts.

Only failures count (``deduct_when``), so a broker's office full of people signing in from one address is
never slowed down. Every failure, delay and success is audited.
"""

from __future__ import annotations

import math
from datetime import timedelta
from typing import Any

from flask import current_app, g, request
from flask_limiter.util import get_remote_address
from sqlalchemy import delete, select
from werkzeug.exceptions import TooManyRequests

from core import audit
from core.accounts.models import SignInFailure, User
from core.extensions import db, limiter
from core.timeutil import utcnow

FREE_FAILURES = 5
BASE_DELAY = timedelta(seconds=1)
MAX_DELAY = timedelta(minutes=15)


def _address() -> str:
    return (get_remote_address() or "unknown")[:64]


def delay_after(failures: int) -> timedelta:
    """The wait imposed after ``failures`` consecutive failures (none for the first few)."""
    if failures < FREE_FAILURES:
        return timedelta(0)
    return min(MAX_DELAY, BASE_DELAY * 2 ** (failures - FREE_FAILURES))


def _row(email: str, address: str) -> SignInFailure | None:
    return db.session.scalar(select(SignInFailure).where(SignInFailure.email == email, SignInFailure.address == address))


def check_allowed(email: str | None) -> None:
    """429 (with ``Retry-After``) while this account+address pair is waiting out its delay; checked before the
    password, so a guess during the delay is never tried."""
    email = (email or "").strip().lower()[:254]
    row = _row(email, _address())
    now = utcnow()
    if row is not None and row.blocked_until is not None and row.blocked_until > now:
        wait = math.ceil((row.blocked_until - now).total_seconds())
        mark_failed()
        raise TooManyRequests(f"Too many failed attempts; try again in {wait} seconds.", retry_after=wait)


def _account(email: str) -> User | None:
    return db.session.scalar(select(User).where(User.email == email)) if email else None


def record_failure(email: str | None, channel: str) -> None:
    """Count a failed attempt (and the delay it earns) and audit it; the caller commits."""
    mark_failed()
    email = (email or "").strip().lower()[:254]
    address = _address()
    row = _row(email, address)
    now = utcnow()
    if row is None:
        row = SignInFailure(email=email, address=address, failures=0)
        db.session.add(row)
    row.failures += 1
    row.last_failed_at = now
    delay = delay_after(row.failures)
    row.blocked_until = now + delay if delay else None
    user = _account(email)
    detail: dict[str, Any] = {"email": email, "address": address, "channel": channel, "failures": row.failures}
    audit.record(None, "user.sign_in_failed", "user", user.id if user else "unknown", after=detail)
    if delay:
        audit.record(None, "user.sign_in_delayed", "user", user.id if user else "unknown",
                     after={**detail, "delay_seconds": int(delay.total_seconds())})


def record_success(user: User, channel: str) -> None:
    """Clear the pair's failures and audit the sign-in; the caller commits."""
    db.session.execute(delete(SignInFailure).where(SignInFailure.email == user.email,
                                                   SignInFailure.address == _address()))
    audit.record(user, "user.sign_in", "user", user.id, after={"address": _address(), "channel": channel})


def mark_failed() -> None:
    """Tell the per-address limiter this request was a failed attempt."""
    g.auth_failed = True


def _failed(_response) -> bool:
    return bool(g.get("auth_failed"))


def _only_posts() -> bool:
    return request.method != "POST"


def throttled(view):
    """Apply the per-address failure limit, shared by every sign-in route (web and API)."""
    return limiter.shared_limit(lambda: current_app.config["LOGIN_FAILURE_LIMIT_ADDRESS"], scope="sign-in-address",
                                key_func=get_remote_address, deduct_when=_failed, exempt_when=_only_posts)(view)
