"""Brokers acting for importers: delegations granted and revoked by the importer, and the one check every
route a broker token may use goes through (``authorize``).

A delegation names the importer organisation, the broker organisation, its scopes (``decisions``,
``blank_declarations``, ``enrollment_read``) and optionally its last valid day. Revocation takes effect at
once: the check reads the delegation row in the request's own transaction (on PostgreSQL with ``FOR
SHARE``, so a revocation waits for decisions already authorised to commit, and every request that starts
after it committed is refused). When a broker acts, the audit entries of the request name the importer
it acted for (``core.audit.set_acting_for``).
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import Select, select, update
from sqlalchemy.exc import IntegrityError

from core import audit
from core.accounts.models import DELEGATION_SCOPES, Delegation, Organization
from core.accounts.roles import OrgKind, Role
from core.errors import Conflict, NotAllowed, NotFound, ValidationFailed
from core.extensions import db
from core.timeutil import today, utcnow


def _snapshot(delegation: Delegation) -> dict[str, Any]:
    return {"importer_organization_id": delegation.importer_organization_id,
            "broker_organization_id": delegation.broker_organization_id, "scopes": sorted(delegation.scopes),
            "valid_until": delegation.valid_until, "revoked_at": delegation.revoked_at}


def grant_delegation(actor: Any, *, broker_organization_id: int, scopes: list[str], valid_until: date | None = None,
                     now: datetime | None = None) -> Delegation:
    """The actor's importer organisation grants a broker organisation authority in ``scopes`` (201); one live
    delegation per pair (409 ``delegation_exists``: revoke it and grant anew to change it)."""
    now = now or utcnow()
    if getattr(actor, "role", None) != Role.IMPORTER:
        raise NotAllowed("Only an importer grants authority to a broker.")
    errors: dict[str, list[str]] = {}
    chosen = list(dict.fromkeys(scopes or []))
    if not chosen:
        errors["scopes"] = [f"Choose at least one of: {', '.join(DELEGATION_SCOPES)}."]
    elif unknown := [s for s in chosen if s not in DELEGATION_SCOPES]:
        errors["scopes"] = [f"Unknown scope(s): {', '.join(unknown)}; use {', '.join(DELEGATION_SCOPES)}."]
    if valid_until is not None and valid_until < now.date():
        errors["valid_until"] = ["Must be today or later."]
    broker = db.session.get(Organization, broker_organization_id)
    if broker is None or broker.kind != OrgKind.BROKER:
        errors["broker_organization_id"] = ["No customs broker organisation has this id."]
    if errors:
        raise ValidationFailed("The delegation could not be granted.", fields=errors)
    delegation = Delegation(importer_organization_id=actor.organization_id, broker_organization_id=broker.id,
                            scopes=sorted(chosen), valid_until=valid_until, created_by_id=actor.id, created_at=now)
    try:
        with db.session.begin_nested():
            db.session.add(delegation)
            db.session.flush()
    except IntegrityError as exc:
        raise Conflict(f"{broker.name} already holds a delegation from your organisation; revoke it to grant "
                       "a different one.", code="delegation_exists") from exc
    audit.record(actor, "delegation.grant", "organization", actor.organization_id, after={
        "delegation_id": delegation.id, **_snapshot(delegation)})
    return delegation


def revoke_delegation(actor: Any, delegation_id: int, *, now: datetime | None = None) -> Delegation:
    """The importer revokes a delegation at once (404 for another organisation's; 409 when already revoked)."""
    now = now or utcnow()
    delegation = db.session.get(Delegation, delegation_id)
    if delegation is None or delegation.importer_organization_id != getattr(actor, "organization_id", None):
        raise NotFound("No such delegation.")
    result = db.session.execute(
        update(Delegation).where(Delegation.id == delegation.id, Delegation.revoked_at.is_(None))
        .values(revoked_at=now, revoked_by_id=actor.id).execution_options(synchronize_session="evaluate"))
    if result.rowcount != 1:
        raise Conflict("This delegation is already revoked.", code="already_revoked")
    audit.record(actor, "delegation.revoke", "organization", actor.organization_id,
                 before={"delegation_id": delegation.id, "revoked_at": None},
                 after={"delegation_id": delegation.id, **_snapshot(delegation)})
    return delegation


def visible_delegations(user: Any) -> Select:
    """Delegations ``user`` may list, newest first: an importer's grants, a broker's received ones."""
    query = select(Delegation).order_by(Delegation.created_at.desc(), Delegation.id.desc())
    if getattr(user, "role", None) == Role.BROKER:
        return query.where(Delegation.broker_organization_id == user.organization_id)
    return query.where(Delegation.importer_organization_id == user.organization_id)


def _live(as_of: date) -> Any:
    return (Delegation.revoked_at.is_(None)) & (Delegation.valid_until.is_(None) | (Delegation.valid_until >= as_of))


def principals(broker_organization_id: int, scope: str, as_of: date | None = None) -> list[int]:
    """Importer organisations that give ``broker_organization_id`` authority in ``scope`` today."""
    rows = db.session.execute(select(Delegation.importer_organization_id, Delegation.scopes).where(
        Delegation.broker_organization_id == broker_organization_id, _live(as_of or today()))).all()
    return sorted(org for org, scopes in rows if scope in (scopes or []))


def live_delegation(broker_organization_id: int, importer_organization_id: int, scope: str, *,
                    lock: bool = False) -> int | None:
    """The id of the delegation in force today from the importer to the broker that covers ``scope``, if any;
    with ``lock``, its row is held (``FOR SHARE``) until the transaction ends, so a revocation waits for it."""
    query = select(Delegation.id, Delegation.scopes).where(
        Delegation.broker_organization_id == broker_organization_id,
        Delegation.importer_organization_id == importer_organization_id, _live(today()))
    if lock:
        query = query.with_for_update(read=True)
    row = db.session.execute(query).first()
    return row[0] if row is not None and scope in (row[1] or []) else None


def is_broker(user: Any) -> bool:
    """Whether ``user`` is a customs broker's user."""
    return getattr(user, "role", None) == Role.BROKER


def authorize(user: Any, importer_organization_id: int | None, scope: str) -> int:
    """403 unless broker ``user`` holds a live ``scope`` delegation from the importer; records the importer as
    the organisation acted for on this request's audit entries and returns its id."""
    if importer_organization_id is None or live_delegation(user.organization_id, importer_organization_id, scope,
                                                           lock=True) is None:
        raise NotAllowed(f"Your organisation holds no {scope.replace('_', ' ')} delegation from this importer.",
                         code="no_delegation")
    audit.set_acting_for(importer_organization_id)
    return importer_organization_id


class ActingFor:
    """A broker user acting as its principal importer would, for the services of one request: the broker's
    identity (id, e-mail, audit), the importer's organisation and role."""

    def __init__(self, user: Any, organization_id: int) -> None:
        self.broker = user
        self.id, self.email, self.full_name = user.id, user.email, getattr(user, "full_name", "")
        self.active = user.active
        self.organization_id = organization_id
        self.role = Role.IMPORTER.value

    @property
    def display_name(self) -> str:
        """The broker's name."""
        return self.full_name or self.email


def payload(delegation: Delegation) -> dict[str, Any]:
    """A delegation as API clients see it."""
    return {"id": delegation.id, "importer_organization": delegation.importer.to_dict(),
            "broker_organization": delegation.broker.to_dict(),
            "importer_organization_id": delegation.importer_organization_id,
            "broker_organization_id": delegation.broker_organization_id, "scopes": list(delegation.scopes or []),
            "valid_until": delegation.valid_until, "created_at": delegation.created_at,
            "revoked_at": delegation.revoked_at, "live": delegation.is_live(today())}
