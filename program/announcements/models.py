"""The announcement table."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from core.accounts.models import User
from core.extensions import db
from core.timeutil import UTCDateTime, utcnow
from standards.models import Sector


class Announcement(db.Model):
    """A notice CBP published to all participants, or to those of one sector."""

    __tablename__ = "announcement"
    __table_args__ = ({"comment": "Program announcements published by CBP reviewers"},)

    id: Mapped[int] = mapped_column(primary_key=True, comment="Surrogate key")
    title: Mapped[str] = mapped_column(String(200), comment="Headline")
    body: Mapped[str] = mapped_column(Text, comment="The notice")
    sector_code: Mapped[str | None] = mapped_column(
        ForeignKey("sector.code", ondelete="RESTRICT"), index=True, comment="Sector it is for; null = every participant")
    published_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True, comment="When published")
    published_by_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="RESTRICT"), comment="Reviewer")
    emailed: Mapped[int] = mapped_column(Integer, default=0, comment="How many e-mails were queued")

    sector: Mapped[Sector | None] = relationship(lazy="joined")
    published_by: Mapped[User] = relationship(lazy="joined")

    def snapshot(self) -> dict[str, Any]:
        """What the audit log keeps."""
        return {"title": self.title, "sector": self.sector_code, "emailed": self.emailed}
