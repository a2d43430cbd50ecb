"""Server-side web sessions: the signed cookie carries a random key whose digest must name a live
``web_session`` row on every request. Signing out ends the row, so a copied cookie no longer works; a password
change or deactivation ends every row of the user (the current one excepted for a password change).
"""

from __future__ import annotations

import hashlib
import secrets

from flask import session
from flask_login import login_user, logout_user
from sqlalchemy import select, update

from core.accounts.models import ApiToken, User, WebSession
from core.extensions import db
from core.timeutil import utcnow

SESSION_KEY = "_sid"


def _digest(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def begin(user: User) -> WebSession:
    """Renew the cookie session and sign ``user`` in under a new server-side session (caller commits)."""
    session.clear()  # nothing from before sign-in survives
    key = secrets.token_urlsafe(32)
    row = WebSession(user_id=user.id, key_hash=_digest(key))
    db.session.add(row)
    db.session.flush()
    session[SESSION_KEY] = key
    login_user(user)
    return row


def current_key_hash() -> str | None:
    """The digest of this request's session key, if it has one."""
    key = session.get(SESSION_KEY)
    return _digest(key) if isinstance(key, str) and key else None


def load(user_id: int, version: int) -> User | None:
    """The user of a live server-side session of this request (and this session version), else None."""
    digest = current_key_hash()
    if digest is None:
        return None
    return db.session.scalar(
        select(User).join(WebSession, WebSession.user_id == User.id)
        .where(User.id == user_id, User.session_version == version, User.active.is_(True),
               WebSession.key_hash == digest, WebSession.ended_at.is_(None))
    )


def end() -> None:
    """Sign out: end this request's server-side session and clear the cookie (caller commits)."""
    digest = current_key_hash()
    if digest is not None:
        db.session.execute(update(WebSession).where(WebSession.key_hash == digest, WebSession.ended_at.is_(None))
                           .values(ended_at=utcnow()))
    logout_user()
    session.clear()


def revoke_all(user: User, *, keep_current: bool = False) -> int:
    """End every web session of ``user`` (but this request's, with ``keep_current``) and revoke all of its API
    tokens; returns how many sessions and tokens were ended. Inside the caller's transaction."""
    now = utcnow()
    sessions = update(WebSession).where(WebSession.user_id == user.id, WebSession.ended_at.is_(None))
    digest = current_key_hash() if keep_current else None
    if digest is not None:
        sessions = sessions.where(WebSession.key_hash != digest)
    ended = db.session.execute(sessions.values(ended_at=now)).rowcount or 0
    tokens = db.session.execute(update(ApiToken).where(ApiToken.user_id == user.id, ApiToken.revoked_at.is_(None))
                                .values(revoked_at=now)).rowcount or 0
    return ended + tokens
