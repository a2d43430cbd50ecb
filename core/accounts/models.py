"""Organisation, user and API token tables."""

from __future__ import annotations

from datetime import date, datetime

from flask_login import UserMixin
from sqlalchemy import JSON, CheckConstraint, Date, ForeignKey, Index, String, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from core.accounts.roles import OrgKind, Role
from core.extensions import db
from core.timeutil import UTCDateTime, utcnow

_ROLES = ", ".join(f"'{r.value}'" for r in Role)
_KINDS = ", ".join(f"'{k.value}'" for k in OrgKind)


class Organization(db.Model):
    """A company, association or agency; every user belongs to exactly one."""

    __tablename__ = "organization"
    __table_args__ = (CheckConstraint(f"kind IN ({_KINDS})", name="kind"),)

    id: Mapped[int] = mapped_column(primary_key=True, comment="Surrogate key")
    name: Mapped[str] = mapped_column(String(200), unique=True, comment="Display and legal name")
    kind: Mapped[str] = mapped_column(
        String(20), index=True, comment="importer, rights_holder, industry_group, broker, cbp"
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, comment="When created")

    users: Mapped[list[User]] = relationship(back_populates="organization", order_by="User.email")

    def to_dict(self) -> dict:
        """The organisation as API clients see it."""
        return {"id": self.id, "name": self.name, "kind": self.kind}


class User(UserMixin, db.Model):
    """A person who logs in; one role each (PRODUCT.md)."""

    __tablename__ = "user_account"
    __table_args__ = (CheckConstraint(f"role IN ({_ROLES})", name="role"),)

    id: Mapped[int] = mapped_column(primary_key=True, comment="Surrogate key")
    email: Mapped[str] = mapped_column(String(254), unique=True, comment="Login name, stored lower-case")
    full_name: Mapped[str] = mapped_column(String(200), default="", comment="Name shown to colleagues")
    password_hash: Mapped[str] = mapped_column(
        String(255), comment="Werkzeug scrypt hash; never the password"
    )
    role: Mapped[str] = mapped_column(
        String(20), index=True, comment="importer, rights_holder, industry_group, broker, reviewer, admin"
    )
    organization_id: Mapped[int] = mapped_column(
        ForeignKey("organization.id", ondelete="RESTRICT"), index=True, comment="The user's organisation"
    )
    active: Mapped[bool] = mapped_column(default=True, comment="False blocks login and tokens")
    org_admin: Mapped[bool] = mapped_column(default=False, server_default=text("false"),
                                            comment="Administers the organisation's users (one per party organisation)")
    session_version: Mapped[int] = mapped_column(default=1, comment="Bumped to end every session of the user")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, comment="When created")
    last_login_at: Mapped[datetime | None] = mapped_column(UTCDateTime, comment="Last successful web login")

    organization: Mapped[Organization] = relationship(back_populates="users", lazy="joined")

    @property
    def is_active(self) -> bool:  # Flask-Login reads this
        """Deactivated users cannot log in."""
        return bool(self.active)

    def get_id(self) -> str:
        """Session identifier: id plus session version, so deactivation ends live sessions."""
        return f"{self.id}:{self.session_version}"

    @property
    def display_name(self) -> str:
        """Name when known, else e-mail."""
        return self.full_name or self.email

    def to_dict(self) -> dict:
        """The user as ``GET /api/v1/me`` shows it."""
        return {
            "id": self.id,
            "email": self.email,
            "full_name": self.full_name,
            "role": self.role,
            "active": self.active,
            "org_admin": self.org_admin,
            "organization": self.organization.to_dict(),
        }


class ApiToken(db.Model):
    """A bearer token; only its SHA-256 digest is stored, the token is shown once."""

    __tablename__ = "api_token"

    id: Mapped[int] = mapped_column(primary_key=True, comment="Surrogate key")
    user_id: Mapped[int] = mapped_column(
        ForeignKey("user_account.id", ondelete="CASCADE"), index=True, comment="Owner of the token"
    )
    name: Mapped[str] = mapped_column(String(100), default="", comment="Label chosen by the user")
    token_hash: Mapped[str] = mapped_column(
        String(64), unique=True, comment="SHA-256 hex digest of the token"
    )
    prefix: Mapped[str] = mapped_column(String(12), comment="First characters, to recognise it in lists")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, comment="When issued")
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime, comment="Last request made with it")
    revoked_at: Mapped[datetime | None] = mapped_column(
        UTCDateTime, comment="Set when revoked; never cleared"
    )

    user: Mapped[User] = relationship(lazy="joined")

    @property
    def is_live(self) -> bool:
        """A token works until it is revoked."""
        return self.revoked_at is None


DELEGATION_SCOPES = ("decisions", "blank_declarations", "enrollment_read")


class Delegation(db.Model):
    """Authority an importer grants a customs broker organisation to act for it, in named scopes."""

    __tablename__ = "delegation"
    __table_args__ = (
        Index("uq_delegation_live_pair", "importer_organization_id", "broker_organization_id", unique=True,
              sqlite_where=text("revoked_at IS NULL"), postgresql_where=text("revoked_at IS NULL")),
    )

    id: Mapped[int] = mapped_column(primary_key=True, comment="Surrogate key")
    importer_organization_id: Mapped[int] = mapped_column(
        ForeignKey("organization.id", ondelete="RESTRICT"), index=True, comment="Importer granting authority"
    )
    broker_organization_id: Mapped[int] = mapped_column(
        ForeignKey("organization.id", ondelete="RESTRICT"), index=True, comment="Broker receiving it"
    )
    scopes: Mapped[list[str]] = mapped_column(
        JSON, default=list, comment="decisions, blank_declarations and/or enrollment_read"
    )
    valid_until: Mapped[date | None] = mapped_column(Date, comment="Last day in force; null until revoked")
    created_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="RESTRICT"), comment="Importer user who granted it"
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, comment="When granted")
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime, comment="When revoked; never cleared")
    revoked_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="RESTRICT"), comment="Importer user who revoked it"
    )

    importer: Mapped[Organization] = relationship(foreign_keys=[importer_organization_id], lazy="joined")
    broker: Mapped[Organization] = relationship(foreign_keys=[broker_organization_id], lazy="joined")

    def is_live(self, as_of: date) -> bool:
        """In force on ``as_of``: not revoked and not past its last valid day."""
        return self.revoked_at is None and (self.valid_until is None or as_of <= self.valid_until)


class Invitation(db.Model):
    """A one-time link an organisation administrator sends a colleague to join; only its digest is stored."""

    __tablename__ = "invitation"

    id: Mapped[int] = mapped_column(primary_key=True, comment="Surrogate key")
    organization_id: Mapped[int] = mapped_column(
        ForeignKey("organization.id", ondelete="CASCADE"), index=True, comment="Organisation to join"
    )
    email: Mapped[str] = mapped_column(String(254), comment="Invited address, lower-case")
    token_hash: Mapped[str] = mapped_column(String(64), unique=True, comment="SHA-256 hex digest of the link token")
    invited_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="RESTRICT"), comment="Administrator who invited"
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, comment="When sent")
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime, comment="Link unusable after this")
    accepted_at: Mapped[datetime | None] = mapped_column(UTCDateTime, comment="When used (a link works once)")
    user_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL"), comment="User created by accepting it"
    )

    organization: Mapped[Organization] = relationship(lazy="joined")


class WebSession(db.Model):
    """A signed-in web session, checked on every request: signing out or a password change ends it here, so a
    copy of the session cookie stops working (the cookie holds only the session's random key)."""

    __tablename__ = "web_session"

    id: Mapped[int] = mapped_column(primary_key=True, comment="Surrogate key")
    user_id: Mapped[int] = mapped_column(
        ForeignKey("user_account.id", ondelete="CASCADE"), index=True, comment="Who signed in"
    )
    key_hash: Mapped[str] = mapped_column(
        String(64), unique=True, comment="SHA-256 hex digest of the session key kept in the signed cookie"
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, comment="When the user signed in")
    ended_at: Mapped[datetime | None] = mapped_column(
        UTCDateTime, comment="When signed out or revoked (password change, deactivation); never cleared"
    )


class SignInFailure(db.Model):
    """Failed sign-ins of one account from one address, web and API together: each failure past the first few
    doubles the wait before the next attempt (no lockout another address can impose)."""

    __tablename__ = "sign_in_failure"

    id: Mapped[int] = mapped_column(primary_key=True, comment="Surrogate key")
    email: Mapped[str] = mapped_column(String(254), comment="E-mail address tried, lower-cased")
    address: Mapped[str] = mapped_column(String(64), comment="Client address the attempts came from")
    failures: Mapped[int] = mapped_column(default=0, comment="Consecutive failures since the last success")
    last_failed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, comment="When the last one failed")
    blocked_until: Mapped[datetime | None] = mapped_column(
        UTCDateTime, comment="No attempt is checked before this instant (progressive delay)"
    )

    __table_args__ = (UniqueConstraint("email", "address"),)
