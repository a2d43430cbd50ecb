"""Organisation administrators: one user per party organisation invites colleagues (an e-mailed one-time link),
deactivates them and hands the role on. CBP admins keep their powers (``core.accounts.views``' admin pages).

Every function works in the caller's transaction and writes the audit log; callers commit once.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select

from core import audit
from core.accounts import services
from core.accounts.models import Invitation, User
from core.accounts.roles import CBP_ROLES, OrgKind, Role
from core.errors import Conflict, NotAllowed, NotFound, ValidationFailed
from core.extensions import db
from core.notifications import queue_notification
from core.timeutil import utcnow

INVITATION_DAYS = 7
ROLE_OF_KIND = {OrgKind.IMPORTER: Role.IMPORTER, OrgKind.RIGHTS_HOLDER: Role.RIGHTS_HOLDER,
                OrgKind.INDUSTRY_GROUP: Role.INDUSTRY_GROUP, OrgKind.BROKER: Role.BROKER}


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def require_org_admin(actor: Any) -> None:
    """403 unless ``actor`` is the active administrator of a party organisation."""
    if not getattr(actor, "org_admin", False) or not actor.active or actor.role in CBP_ROLES:
        raise NotAllowed("Only your organisation's administrator can do this.")


def _colleague(actor: Any, user_id: int) -> User:
    user = db.session.get(User, user_id)
    if user is None or user.organization_id != actor.organization_id:
        raise NotFound("No such colleague.")
    return user


def colleagues(actor: Any) -> list[User]:
    """The users of the actor's organisation, by e-mail."""
    return list(db.session.scalars(select(User).where(User.organization_id == actor.organization_id)
                                   .order_by(User.email)))


def pending_invitations(actor: Any, now: datetime | None = None) -> list[Invitation]:
    """Invitations of the actor's organisation not yet used and not expired."""
    now = now or utcnow()
    return list(db.session.scalars(select(Invitation).where(
        Invitation.organization_id == actor.organization_id, Invitation.accepted_at.is_(None),
        Invitation.expires_at > now).order_by(Invitation.created_at.desc())))


def invite_colleague(actor: Any, email: str, *, link_for: Any, now: datetime | None = None) -> tuple[Invitation, str]:
    """E-mail a one-time link (valid INVITATION_DAYS) to join the actor's organisation; returns it and the token.
    ``link_for(token)`` builds the link."""
    require_org_admin(actor)
    now = now or utcnow()
    address = services.normalize_email(email)
    if db.session.scalar(select(User.id).where(User.email == address)):
        raise ValidationFailed("This address already has an account.",
                               fields={"email": ["Already has an account; ask CBP to move it if needed."]})
    token = secrets.token_urlsafe(32)
    invitation = Invitation(organization_id=actor.organization_id, email=address, token_hash=_digest(token),
                            invited_by_id=actor.id, created_at=now, expires_at=now + timedelta(days=INVITATION_DAYS))
    db.session.add(invitation)
    db.session.flush()
    audit.record(actor, "user.invite", "organization", actor.organization_id,
                 after={"invitation_id": invitation.id, "email": address, "expires_at": invitation.expires_at})
    queue_notification([address], f"Join {actor.organization.name} on Greenlane",
                       f"{actor.display_name} invites you to join {actor.organization.name} on Greenlane, the CBP "
                       f"trusted-importer program.\n\nChoose your password with this link (it works once, for "
                       f"{INVITATION_DAYS} days):\n{link_for(token)}\n\n"
                       "If you did not expect this, ignore the message.", topic="user.invite")
    return invitation, token


def invitation_for(token: str, now: datetime | None = None) -> Invitation:
    """The usable invitation behind ``token`` (404 when unknown, used or expired)."""
    now = now or utcnow()
    invitation = db.session.scalar(select(Invitation).where(Invitation.token_hash == _digest(token or "")))
    if invitation is None or invitation.accepted_at is not None or invitation.expires_at <= now:
        raise NotFound("This invitation link is not valid any more. Ask your administrator for a new one.")
    return invitation


def accept_invitation(token: str, *, full_name: str, password: str, now: datetime | None = None) -> User:
    """Create the invited user in the organisation (role of its kind) and use the link up."""
    now = now or utcnow()
    invitation = invitation_for(token, now)
    role = ROLE_OF_KIND[OrgKind(invitation.organization.kind)]
    user = services.create_user(None, email=invitation.email, password=password, role=role.value,
                                org_name=invitation.organization.name, full_name=full_name)
    invitation.accepted_at, invitation.user_id = now, user.id
    audit.record(user, "user.accept_invitation", "user", user.id,
                 after={"invitation_id": invitation.id, "organization_id": invitation.organization_id})
    return user


def deactivate_colleague(actor: Any, user_id: int) -> User:
    """The administrator deactivates a colleague (sessions and tokens end at once); not itself."""
    require_org_admin(actor)
    user = _colleague(actor, user_id)
    if user.id == actor.id:
        raise Conflict("Hand the administrator role on before leaving.", code="self_deactivation")
    return services.update_user(actor, user, active=False)


def hand_on_admin(actor: Any, user_id: int) -> User:
    """The administrator makes an active colleague the organisation's administrator instead of itself."""
    require_org_admin(actor)
    user = _colleague(actor, user_id)
    if user.id == actor.id or not user.active:
        raise Conflict("Choose another, active colleague.", code="invalid_successor")
    actor.org_admin, user.org_admin = False, True
    audit.record(actor, "user.hand_on_admin", "organization", actor.organization_id,
                 before={"org_admin": actor.id}, after={"org_admin": user.id})
    return user
