"""Photographic standards guides: images or PDFs that help officers authenticate a mark's goods."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from core.extensions import db
from core.timeutil import UTCDateTime, utcnow
from core.uploads import StoredFile
from standards.models.mark import RecordedMark
from standards.models.sector import Sector


class PhotoGuide(db.Model):
    """A guide a rights holder uploaded for one of its marks in one sector."""

    __tablename__ = "photo_guide"
    __table_args__ = (
        CheckConstraint(
            "(removed_at IS NULL AND removed_by_id IS NULL) OR "
            "(removed_at IS NOT NULL AND removed_by_id IS NOT NULL)",
            name="removed_state",
        ),
        # Officers look guides up by sector (standard page) and by mark (case page).
        Index("ix_photo_guide_sector_mark", "sector_code", "mark_id"),
        Index("ix_photo_guide_mark_sector", "mark_id", "sector_code"),
        {"comment": "Photographic/product-identification guides uploaded by rights holders"},
    )

    id: Mapped[int] = mapped_column(primary_key=True, comment="Surrogate key")
    mark_id: Mapped[int] = mapped_column(
        ForeignKey("recorded_mark.id", ondelete="RESTRICT"), comment="Mark the guide helps authenticate"
    )
    sector_code: Mapped[str] = mapped_column(
        ForeignKey("sector.code", ondelete="RESTRICT"), comment="Sector of the goods shown"
    )
    organization_id: Mapped[int] = mapped_column(
        ForeignKey("organization.id", ondelete="RESTRICT"), index=True,
        comment="Rights-holder organisation that uploaded it (the mark's owner at the time)",
    )
    title: Mapped[str] = mapped_column(String(200), comment="What the guide shows")
    description: Mapped[str] = mapped_column(Text, default="", comment="Notes for officers")
    file_id: Mapped[int] = mapped_column(
        ForeignKey("stored_file.id", ondelete="RESTRICT"), unique=True, comment="The uploaded image or PDF"
    )
    thumbnail_id: Mapped[int | None] = mapped_column(
        ForeignKey("stored_file.id", ondelete="RESTRICT"), comment="Generated thumbnail (images only)"
    )
    uploaded_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="RESTRICT"), comment="User who uploaded it"
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, comment="When uploaded")
    removed_at: Mapped[datetime | None] = mapped_column(UTCDateTime, comment="When its owner removed it")
    removed_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="RESTRICT"), comment="User who removed it"
    )

    mark: Mapped[RecordedMark] = relationship(lazy="joined")
    sector: Mapped[Sector] = relationship(lazy="joined")
    file: Mapped[StoredFile] = relationship(foreign_keys=[file_id], lazy="joined")
    thumbnail: Mapped[StoredFile | None] = relationship(foreign_keys=[thumbnail_id], lazy="joined")

    @property
    def is_live(self) -> bool:
        """Not removed."""
        return self.removed_at is None

    def snapshot(self) -> dict:
        """What the audit log keeps of the guide."""
        return {"mark_id": self.mark_id, "sector": self.sector_code, "title": self.title,
                "file_id": self.file_id, "sha256": self.file.sha256, "content_type": self.file.content_type}
