"""Account operations: creating users and organisations, authenticating, issuing and revoking tokens.

Every function changes state inside the caller's transaction and writes the audit log; callers
(views, API, CLI) commit once.
"""

from __future__ import annotations

import hashlib
import secrets
import time
from collections.abc import Callable
from datetime import timedelta
from typing import Any

from email_validator import EmailNotValidError, validate_email
from flask import current_app
from itsdangerous import BadData, URLSafeTimedSerializer
from sqlalchemy import Select, case, event, func, select, update
from sqlalchemy import inspect as sa_inspect
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, make_transient_to_detached
from sqlalchemy.orm.attributes import set_committed_value
from werkzeug.security import check_password_hash, generate_password_hash

from core import audit
from core.accounts import sessions
from core.accounts.models import ApiToken, Organization, User
from core.accounts.roles import ORG_KIND_FOR_ROLE, SELF_REGISTERING_KINDS, OrgKind, Role
from core.errors import Conflict, NotFound, ValidationFailed
from core.extensions import db
from core.notifications import queue_notification
from core.timeutil import utcnow

MIN_PASSWORD_LENGTH = 12
# Shown beside every new-password field before anything is typed (the checks below enforce it).
PASSWORD_RULE = (f"At least {MIN_PASSWORD_LENGTH} characters, with at least 4 different ones. "
                 "A short sentence is easy to remember.")
ORG_NAME_MAX = Organization.__table__.c.name.type.length
# A public prefix that marks Greenlane tokens, not a secret (ruff S105, bandit B105).
TOKEN_PREFIX = "glt_"  # noqa: S105  # nosec B105
# A real hash to compare against when the e-mail is unknown, so timing does not reveal accounts: scrypt of a
# throwaway password with werkzeug's parameters, written out here rather than computed at import (a tenth of a
# second of every process start: each CLI command, gunicorn worker and RQ job). Not a secret.
_DUMMY_HASH = ("scrypt:32768:8:1$7RoHMWAzr2lZMrqg$d056b0bf9bc914ad782b784683da586f793fa64c11a6afd603e6e6cf0a8b9c4f"
               "f0f7b8e741b07cd4747a84ff578d31af284a47335c8c519ef51a228d86d729e2")


def password_problems(password: str | None) -> list[str]:
    """Reasons ``password`` is too weak (empty list when acceptable)."""
    problems = []
    if not password or len(password) < MIN_PASSWORD_LENGTH:
        problems.append(f"Use at least {MIN_PASSWORD_LENGTH} characters.")
    elif password.strip() == "" or len(set(password)) < 4:
        problems.append("Use a password with more variety than repeated characters.")
    return problems


def normalize_email(email: str | None, field: str = "email") -> str:
    """Validate an e-mail address and return it lower-cased, or raise 422 naming ``field``."""
    try:
        result = validate_email((email or "").strip(), check_deliverability=False)
    except EmailNotValidError as exc:
        raise ValidationFailed("That e-mail address is not valid.", fields={field: [str(exc)]}) from exc
    return result.normalized.lower()


def hash_password(password: str) -> str:
    """Hash with scrypt (tests may configure a cheaper method through PASSWORD_HASH_METHOD)."""
    return generate_password_hash(password, method=current_app.config.get("PASSWORD_HASH_METHOD", "scrypt"))


def _user_snapshot(user: User) -> dict[str, Any]:
    return {"email": user.email, "role": user.role, "organization_id": user.organization_id,
            "active": user.active, "full_name": user.full_name}


def get_or_create_organization(actor: Any, name: str, kind: OrgKind) -> Organization:
    """Find the organisation called ``name`` (it must be of ``kind``) or create it."""
    name = (name or "").strip()
    if not name:
        raise ValidationFailed("The organisation name is required.", fields={"org": ["Required."]})
    org = db.session.scalar(select(Organization).where(func.lower(Organization.name) == name.lower()))
    if org is None:
        org = Organization(name=name, kind=str(kind))
        db.session.add(org)
        db.session.flush()
        audit.record(actor, "organization.create", "organization", org.id, after=org.to_dict())
    elif org.kind != kind:
        raise ValidationFailed(
            f"{org.name} is a {org.kind.replace('_', ' ')} organisation; a {kind.replace('_', ' ')} user "
            "cannot join it.",
            fields={"org": ["Organisation kind does not fit the role."]},
        )
    return org


def organizations_with_user_counts(*, q: str = "", kind: str | None = None) -> Select:
    """Organisations by name, each with its active and total user counts, optionally filtered by kind and a
    case-insensitive name search. The counts come from one grouped subquery, so a page of any size costs the
    same queries."""
    counts = (
        select(User.organization_id.label("organization_id"),
               func.sum(case((User.active.is_(True), 1), else_=0)).label("active_users"),
               func.count(User.id).label("total_users"))
        .group_by(User.organization_id)
        .subquery()
    )
    query = (
        select(Organization, func.coalesce(counts.c.active_users, 0).label("active_users"),
               func.coalesce(counts.c.total_users, 0).label("total_users"))
        .outerjoin(counts, counts.c.organization_id == Organization.id)
        .order_by(func.lower(Organization.name), Organization.id)
    )
    if q:
        query = query.where(func.lower(Organization.name).contains(q.lower(), autoescape=True))
    if kind:
        query = query.where(Organization.kind == kind)
    return query


def rename_organization(actor: Any, organization: Organization, name: str | None) -> Organization:
    """Give ``organization`` a new name: required, trimmed, at most the column's length and, as at
    registration, not any other organisation's name whatever its kind or letter case. Audited."""
    name = (name or "").strip()
    if not name:
        raise ValidationFailed("The organisation name is required.",
                               fields={"name": ["Enter the organisation's name."]})
    if len(name) > ORG_NAME_MAX:
        raise ValidationFailed("The organisation name is too long.",
                               fields={"name": [f"Use at most {ORG_NAME_MAX} characters."]})
    if name == organization.name:
        return organization
    taken = select(Organization.id).where(func.lower(Organization.name) == name.lower(),
                                          Organization.id != organization.id)
    if db.session.scalar(taken):
        message = "Another organisation already has this name."
        raise ValidationFailed(message, fields={"name": [message]})
    before = organization.to_dict()
    organization.name = name
    try:
        db.session.flush()
    except IntegrityError as exc:  # the same name taken by a concurrent request since the check above
        message = "Another organisation already has this name."
        raise ValidationFailed(message, fields={"name": [message]}) from exc
    audit.record(actor, "organization.rename", "organization", organization.id, before=before,
                 after=organization.to_dict())
    return organization


def create_user(actor: Any, *, email: str, password: str, role: str, org_name: str | None = None,
                organization: Organization | None = None, full_name: str = "") -> User:
    """Create a user of ``role`` in ``organization`` (or the organisation named, created if new)."""
    errors: dict[str, list[str]] = {}
    try:
        email = normalize_email(email)
    except ValidationFailed as exc:
        errors.update(exc.fields)
    if role not in {r.value for r in Role}:
        errors["role"] = [f"Must be one of: {', '.join(r.value for r in Role)}."]
    if problems := password_problems(password):
        errors["password"] = problems
    if "email" not in errors and db.session.scalar(select(User.id).where(User.email == email)):
        errors["email"] = ["An account with this e-mail already exists."]
    if errors:
        raise ValidationFailed("The account could not be created.", fields=errors)
    kind = ORG_KIND_FOR_ROLE[Role(role)]
    if organization is None:
        organization = get_or_create_organization(actor, org_name or "", kind)
    elif organization.kind != kind:
        raise ValidationFailed("Organisation kind does not fit the role.",
                               fields={"org": ["Organisation kind does not fit the role."]})
    user = User(email=email, password_hash=hash_password(password), role=role,
                organization=organization, full_name=(full_name or "").strip())
    db.session.add(user)
    db.session.flush()
    audit.record(actor, "user.create", "user", user.id, after=_user_snapshot(user))
    return user


CONFIRM_SALT = "greenlane-register-confirm"
CONFIRM_MAX_AGE = 2 * 24 * 3600  # seconds a confirmation link stays valid


def _confirm_serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=CONFIRM_SALT)


def confirmation_token(user: User) -> str:
    """A signed, expiring token confirming ``user``'s address (void once the session version moves on)."""
    return _confirm_serializer().dumps({"u": user.id, "v": user.session_version})


def register_organization(*, email: str, password: str, full_name: str, org_name: str, kind: str,
                          confirm_url: Callable[[str], str]) -> User | None:
    """Self-registration that does not tell which e-mails or organisations exist: the form's own rules are
    checked (422 naming the field), then the answer is always "check your e-mail". A new organisation and its
    first user are created inactive and a confirmation link (``confirm_url(token)``) is e-mailed; an address
    already registered gets an e-mail saying so instead, and a taken organisation name an e-mail asking the
    registrant to have CBP add them. Returns the new user, or None when nothing was created."""
    errors: dict[str, list[str]] = {}
    if kind not in {k.value for k in SELF_REGISTERING_KINDS}:
        errors["kind"] = ["Not a kind you can register."]
    try:
        email = normalize_email(email)
    except ValidationFailed as exc:
        errors.update(exc.fields)
    if problems := password_problems(password):
        errors["password"] = problems
    name = (org_name or "").strip()
    if not name:
        errors["org_name"] = ["Required."]
    if errors:
        raise ValidationFailed("The account could not be created.", fields=errors)
    existing = db.session.scalar(select(User).where(User.email == email))
    if existing is not None:
        if not existing.active and existing.last_login_at is None:  # never confirmed: send the link again
            _send_confirmation(existing, confirm_url)
        else:
            queue_notification([email], "Someone tried to register with your address",
                               "Someone (perhaps you) tried to register a Greenlane account with this e-mail "
                               "address, which already has an account. If it was you, sign in instead; if you "
                               "forgot your password, ask CBP to reset it. If it was not you, ignore this message.",
                               topic="account")
        return None
    taken = select(Organization.id).where(func.lower(Organization.name) == name.lower())
    if db.session.scalar(taken):
        # Joining an existing organisation would expose its data; its admin (CBP) adds colleagues.
        queue_notification([email], "Your organisation is already registered",
                           f"An organisation called {name} is already registered with Greenlane, so no account "
                           "was created. Ask CBP (or your organisation's Greenlane contact) to add you to it.",
                           topic="account")
        return None
    role = {OrgKind.IMPORTER: Role.IMPORTER, OrgKind.RIGHTS_HOLDER: Role.RIGHTS_HOLDER,
            OrgKind.INDUSTRY_GROUP: Role.INDUSTRY_GROUP, OrgKind.BROKER: Role.BROKER}[OrgKind(kind)]
    try:
        user = create_user(None, email=email, password=password, role=role.value, org_name=name,
                           full_name=full_name)
    except ValidationFailed as exc:
        if "org" in exc.fields:
            exc.fields["org_name"] = exc.fields.pop("org")
        raise
    user.org_admin = True  # the one who registers the organisation administers its users
    user.active = False  # until the address is confirmed
    audit.record(user, "user.register", "user", user.id, after={**_user_snapshot(user), "org_admin": True})
    _send_confirmation(user, confirm_url)
    return user


def _send_confirmation(user: User, confirm_url: Callable[[str], str]) -> None:
    queue_notification([user.email], "Confirm your Greenlane account",
                       f"To finish registering {user.organization.name}, open this link within two days:\n\n"
                       f"{confirm_url(confirmation_token(user))}\n\nIf you did not register, ignore this message.",
                       topic="account")


def confirm_registration(token: str) -> User:
    """Activate the account a confirmation link names (once; 404 for a bad, expired or used link)."""
    try:
        data = _confirm_serializer().loads(token, max_age=CONFIRM_MAX_AGE)
    except BadData as exc:
        raise NotFound("This confirmation link is not valid or has expired; register again.") from exc
    user = db.session.get(User, data.get("u")) if isinstance(data, dict) and isinstance(data.get("u"), int) else None
    if user is None or user.active or user.last_login_at is not None or user.session_version != data.get("v"):
        raise NotFound("This confirmation link is not valid or has already been used.")
    before = _user_snapshot(user)
    user.active = True
    audit.record(user, "user.confirm", "user", user.id, before=before, after=_user_snapshot(user))
    return user


def authenticate(email: str | None, password: str | None) -> User | None:
    """The active user with these credentials, or None (same work whether or not the e-mail exists)."""
    email = (email or "").strip().lower()
    user = db.session.scalar(select(User).where(User.email == email)) if email else None
    if user is None:
        check_password_hash(_DUMMY_HASH, password or "")
        return None
    if not check_password_hash(user.password_hash, password or "") or not user.active:
        return None
    return user


def note_login(user: User) -> None:
    """Record a successful web login."""
    user.last_login_at = utcnow()


def hash_token(token: str) -> str:
    """SHA-256 hex digest under which a token is stored and looked up."""
    return hashlib.sha256(token.encode()).hexdigest()


def issue_token(user: User, name: str = "") -> tuple[str, ApiToken]:
    """Create a bearer token for ``user``; returns the plain token (shown once) and its record."""
    plain = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken(user=user, name=(name or "API token").strip()[:100], token_hash=hash_token(plain),
                     prefix=plain[:10])
    db.session.add(token)
    db.session.flush()
    audit.record(user, "api_token.issue", "api_token", token.id,
                 after={"user_id": user.id, "name": token.name})
    return plain, token


# Token look-ups are cached per process for a few seconds: hash -> (expiry, the user's column values).
# A hit costs no query: the user is rebuilt from the values and attached to the request's session as if
# just loaded. Any flush that changes a user or a token in this process (revocation, role change,
# deactivation, password change) empties the cache at once; other worker processes notice within
# API_TOKEN_CACHE_SECONDS (default 5; 0 turns the cache off). Tokens are looked up by hash only.
_token_cache: dict[str, tuple[float, dict[str, Any]]] = {}
_TOKEN_CACHE_MAX = 4096
_USER_ATTRIBUTES = tuple(attr.key for attr in sa_inspect(User).column_attrs)
_new_user = sa_inspect(User).class_manager.new_instance  # an instance with ORM state, __init__ not run


def forget_cached_tokens() -> None:
    """Drop every cached token look-up (called whenever users or tokens change)."""
    _token_cache.clear()


@event.listens_for(Session, "after_flush")
def _forget_on_change(session: Session, _context: Any) -> None:
    if _token_cache and any(isinstance(obj, (User, ApiToken))
                            for obj in (*session.new, *session.dirty, *session.deleted)):
        _token_cache.clear()


def user_for_token(plain: str) -> User | None:
    """The active user owning a live token, or None."""
    if not plain:
        return None
    digest = hash_token(plain)
    now = time.monotonic()
    cached = _token_cache.get(digest)
    if cached is not None and cached[0] > now:
        return _attached_user(cached[1])
    token = db.session.scalar(select(ApiToken).where(ApiToken.token_hash == digest, ApiToken.revoked_at.is_(None)))
    if token is None or not token.user.active:
        _token_cache.pop(digest, None)
        return None
    user = token.user
    _note_use(token)
    ttl = float(current_app.config.get("API_TOKEN_CACHE_SECONDS", 5))
    if ttl > 0:
        if len(_token_cache) >= _TOKEN_CACHE_MAX:
            _token_cache.clear()
        _token_cache[digest] = (now + ttl, {key: getattr(user, key) for key in _USER_ATTRIBUTES})
    return user


# ``last_used_at`` is refreshed when a look-up reaches the database (a cache miss) and the stored time is
# older than this: at most one small write per token per worker every minute, never one per request.
LAST_USED_PRECISION = timedelta(minutes=1)


def _note_use(token: ApiToken) -> None:
    """Record that ``token`` was just used, in its own short transaction: the request's may be read-only
    (never committed) or fail, and a use is a use either way. Not audited: it changes no state anyone acts on."""
    now = utcnow()
    if token.last_used_at is not None and now - token.last_used_at < LAST_USED_PRECISION:
        return
    table = ApiToken.__table__
    with db.engine.begin() as connection:
        connection.execute(update(table).where(table.c.id == token.id).values(last_used_at=now))
    set_committed_value(token, "last_used_at", now)


def _attached_user(values: dict[str, Any]) -> User:
    """The cached user as a persistent instance of this session (no query), or the one already loaded."""
    session = db.session
    existing = session.identity_map.get(session.identity_key(User, values["id"]))
    if existing is not None:
        return existing
    # The values go straight into the instance's __dict__ (as a load would put them) rather than through
    # User(**values), whose instrumented sets record each one as a change only to have it committed away.
    user = _new_user()
    user.__dict__.update(values)
    make_transient_to_detached(user)
    session.add(user)
    return user


def revoke_token(actor: User, token_id: int) -> ApiToken:
    """Revoke one of the actor's own tokens (admins may revoke anyone's)."""
    token = db.session.get(ApiToken, token_id)
    if token is None or (token.user_id != actor.id and actor.role != Role.ADMIN):
        raise NotFound("No such token.")
    if token.revoked_at is not None:
        raise Conflict("This token is already revoked.", code="already_revoked")
    token.revoked_at = utcnow()
    audit.record(actor, "api_token.revoke", "api_token", token.id, before={"revoked": False},
                 after={"revoked": True})
    return token


def tokens_of(user: User) -> list[ApiToken]:
    """The user's tokens, newest first."""
    return list(db.session.scalars(
        select(ApiToken).where(ApiToken.user_id == user.id)
        .order_by(ApiToken.created_at.desc(), ApiToken.id.desc())
    ))


def update_user(actor: User, user: User, *, role: str | None = None, active: bool | None = None,
                full_name: str | None = None) -> User:
    """Admin change to a user's role, name or active flag; ends the user's sessions when access shrinks."""
    before = _user_snapshot(user)
    if role is not None and role != user.role:
        if role not in {r.value for r in Role}:
            raise ValidationFailed("Unknown role.", fields={"role": ["Unknown role."]})
        if ORG_KIND_FOR_ROLE[Role(role)] != user.organization.kind:
            raise ValidationFailed("That role does not fit the user's organisation.",
                                   fields={"role": ["Does not fit the organisation's kind."]})
        user.role = role
        user.session_version += 1
    if active is not None and active != user.active:
        if user.id == actor.id and not active:
            raise Conflict("You cannot deactivate your own account.", code="self_deactivation")
        user.active = active
        user.session_version += 1
        if not active:
            sessions.revoke_all(user)
            forget_cached_tokens()
    if full_name is not None:
        user.full_name = full_name.strip()
    after = _user_snapshot(user)
    if after != before:
        audit.record(actor, "user.update", "user", user.id, before=before, after=after)
    return user


def set_password(actor: Any, user: User, password: str, *, keep_current_session: bool = False) -> None:
    """Replace a user's password (checked for strength), end its other sessions and revoke its API tokens."""
    if problems := password_problems(password):
        raise ValidationFailed("The password is too weak.", fields={"password": problems})
    user.password_hash = hash_password(password)
    user.session_version += 1
    ended = sessions.revoke_all(user, keep_current=keep_current_session)
    forget_cached_tokens()
    audit.record(actor, "user.password", "user", user.id, after={"changed": "password", "sessions_and_tokens_ended": ended})
