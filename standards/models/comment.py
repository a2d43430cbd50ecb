"""Public comment on proposed standards: the comment period the drafter sets, and the comments (with the
drafter's answers), kept with the version they were made on."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import CheckConstraint, Date, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from core.accounts.models import Organization, User
from core.extensions import db
from core.timeutil import UTCDateTime, utcnow


class CommentPeriod(db.Model):
    """When comments on a proposed version are accepted (set by its drafter)."""

    __tablename__ = "comment_period"
    __table_args__ = (
        CheckConstraint("closes_on >= opens_on", name="dates"),
        {"comment": "Comment periods of proposed standard versions"},
    )

    version_id: Mapped[int] = mapped_column(
        ForeignKey("standard_version.id", ondelete="CASCADE"), primary_key=True, comment="The standard version")
    opens_on: Mapped[date] = mapped_column(Date, comment="First day comments are accepted")
    closes_on: Mapped[date] = mapped_column(Date, comment="Last day comments are accepted")
    set_by_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="RESTRICT"), comment="Drafter who set it")
    set_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, comment="When it was set")

    def is_open(self, on: date) -> bool:
        """Whether comments are accepted on ``on``."""
        return self.opens_on <= on <= self.closes_on


class StandardComment(db.Model):
    """A comment on a proposed version, from a signed-in party or a member of the public, and the answer."""

    __tablename__ = "standard_comment"
    __table_args__ = (
        CheckConstraint("(responded_at IS NULL) = (responded_by_id IS NULL)", name="responded"),
        CheckConstraint("author_id IS NOT NULL OR public_name IS NOT NULL", name="author"),
        {"comment": "Comments on proposed standard versions and the drafters' answers"},
    )

    id: Mapped[int] = mapped_column(primary_key=True, comment="Surrogate key")
    version_id: Mapped[int] = mapped_column(
        ForeignKey("standard_version.id", ondelete="CASCADE"), index=True, comment="The version commented on")
    author_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="RESTRICT"), comment="Signed-in author; null for the public")
    organization_id: Mapped[int | None] = mapped_column(
        ForeignKey("organization.id", ondelete="RESTRICT"), comment="Author's organisation; null for the public")
    public_name: Mapped[str | None] = mapped_column(
        String(200), comment="Name a member of the public gave ('' = anonymous); null for signed-in authors")
    text: Mapped[str] = mapped_column(Text, comment="The comment")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, comment="When written")
    response: Mapped[str] = mapped_column(Text, default="", comment="The drafter's answer")
    responded_at: Mapped[datetime | None] = mapped_column(UTCDateTime, comment="When answered")
    responded_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="RESTRICT"), comment="Drafter who answered")

    organization: Mapped[Organization | None] = relationship(lazy="joined")
    author: Mapped[User | None] = relationship(foreign_keys=[author_id], lazy="joined")

    @property
    def by(self) -> str:
        """Who wrote it, as shown beside the comment."""
        if self.organization is not None:
            return self.organization.name
        return f"{self.public_name} (public)" if self.public_name else "Anonymous (public)"

    def snapshot(self) -> dict[str, Any]:
        """What the audit log keeps."""
        return {"version_id": self.version_id, "organization_id": self.organization_id,
                "public": self.author_id is None, "length": len(self.text), "answered": self.responded_at is not None}
