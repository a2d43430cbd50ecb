"""Structured product identification guides (CBP's "PIGs"): sections officers read to tell genuine goods
from counterfeits, images with captions, and who authenticates within what time — versioned, linked to marks,
sectors and HTS prefixes. The older one-file photographic guides (``PhotoGuide``) stay as they are."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, CheckConstraint, Column, ForeignKey, Index, Integer, String, Table, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from core.accounts.models import Organization, User
from core.extensions import db
from core.timeutil import UTCDateTime, utcnow
from core.uploads import StoredFile
from standards.models.mark import RecordedMark
from standards.models.sector import Sector

# The sections of a guide, in the order officers read them: (column, heading, hint).
GUIDE_SECTIONS: tuple[tuple[str, str, str], ...] = (
    ("genuine_features", "Genuine features", "What every genuine item has: materials, finishes, markings and where they sit."),
    ("packaging_labels", "Packaging and labels", "Boxes, tags, labels and inserts of genuine goods."),
    ("serial_formats", "Serial number and UPC formats", "Formats of serial numbers, UPC/EAN and date codes, and where they are."),
    ("counterfeit_tells", "Common counterfeit tells", "What counterfeits seized so far got wrong."),
)
SECTION_KEYS: tuple[str, ...] = tuple(key for key, _h, _t in GUIDE_SECTIONS)
IMAGE_SECTIONS: tuple[str, ...] = (*SECTION_KEYS, "general")

guide_version_mark = Table(
    "guide_version_mark",
    db.metadata,
    Column("version_id", ForeignKey("guide_version.id", ondelete="CASCADE"), primary_key=True,
           comment="The guide version"),
    Column("mark_id", ForeignKey("recorded_mark.id", ondelete="RESTRICT"), primary_key=True,
           comment="A recorded mark the guide helps authenticate"),
    Index("ix_guide_version_mark_mark", "mark_id", "version_id"),
    comment="Recorded marks a product identification guide version covers",
)

guide_version_sector = Table(
    "guide_version_sector",
    db.metadata,
    Column("version_id", ForeignKey("guide_version.id", ondelete="CASCADE"), primary_key=True,
           comment="The guide version"),
    Column("sector_code", ForeignKey("sector.code", ondelete="RESTRICT"), primary_key=True,
           comment="A sector of the goods the guide covers"),
    comment="Sectors a product identification guide version covers",
)


class IdentificationGuide(db.Model):
    """A rights holder's product identification guide; its content lives in numbered versions."""

    __tablename__ = "identification_guide"
    __table_args__ = (
        CheckConstraint("(withdrawn_at IS NULL) = (withdrawn_by_id IS NULL)", name="withdrawn_state"),
        {"comment": "Structured product identification guides of rights holders (versions hold the content)"},
    )

    id: Mapped[int] = mapped_column(primary_key=True, comment="Surrogate key")
    organization_id: Mapped[int] = mapped_column(
        ForeignKey("organization.id", ondelete="RESTRICT"), index=True, comment="Rights-holder organisation that owns it")
    current_version: Mapped[int] = mapped_column(Integer, default=1, comment="Number of the version in force")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, comment="When first written")
    withdrawn_at: Mapped[datetime | None] = mapped_column(UTCDateTime, comment="When its owner withdrew it")
    withdrawn_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="RESTRICT"), comment="User who withdrew it")

    organization: Mapped[Organization] = relationship(lazy="joined")
    versions: Mapped[list[GuideVersion]] = relationship(back_populates="guide", order_by=lambda: GuideVersion.version)

    @property
    def current(self) -> GuideVersion:
        """The version in force."""
        return next(v for v in self.versions if v.version == self.current_version)

    @property
    def is_live(self) -> bool:
        """Not withdrawn."""
        return self.withdrawn_at is None


class GuideVersion(db.Model):
    """One version of a guide: title, the sections, the authentication contact, and its links."""

    __tablename__ = "guide_version"
    __table_args__ = (
        UniqueConstraint("guide_id", "version"),
        CheckConstraint("version >= 1", name="version_positive"),
        CheckConstraint("service_hours IS NULL OR (service_hours >= 1 AND service_hours <= 720)", name="service_hours"),
        {"comment": "Versions of product identification guides; a new version never changes an earlier one"},
    )

    id: Mapped[int] = mapped_column(primary_key=True, comment="Surrogate key")
    guide_id: Mapped[int] = mapped_column(
        ForeignKey("identification_guide.id", ondelete="CASCADE"), index=True, comment="The guide")
    version: Mapped[int] = mapped_column(Integer, comment="1, 2, … within the guide")
    title: Mapped[str] = mapped_column(String(200), comment="What the guide covers, e.g. Acme Diver watches (2026 line)")
    genuine_features: Mapped[str] = mapped_column(Text, default="", comment="Section: genuine features")
    packaging_labels: Mapped[str] = mapped_column(Text, default="", comment="Section: packaging and labels")
    serial_formats: Mapped[str] = mapped_column(Text, default="", comment="Section: serial number and UPC formats")
    counterfeit_tells: Mapped[str] = mapped_column(Text, default="", comment="Section: common counterfeit tells")
    contact_name: Mapped[str] = mapped_column(String(200), default="", comment="Who authenticates goods for officers")
    contact_email: Mapped[str] = mapped_column(String(254), default="", comment="Authentication contact's e-mail")
    contact_phone: Mapped[str] = mapped_column(String(40), default="", comment="Authentication contact's telephone")
    service_hours: Mapped[int | None] = mapped_column(
        Integer, comment="Hours within which the owner answers an authentication request (e.g. 24 or 48)")
    hts_prefixes: Mapped[list[str]] = mapped_column(
        JSON, default=list, comment="HTS prefixes (2-10 digits) of the goods covered; search matches codes starting with one")
    change_note: Mapped[str] = mapped_column(Text, default="", comment="What changed from the previous version")
    created_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="RESTRICT"), comment="User who wrote this version")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, comment="When this version was written")

    guide: Mapped[IdentificationGuide] = relationship(back_populates="versions")
    created_by: Mapped[User | None] = relationship(lazy="joined")
    marks: Mapped[list[RecordedMark]] = relationship(secondary=guide_version_mark, order_by=RecordedMark.recordation_number)
    sectors: Mapped[list[Sector]] = relationship(secondary=guide_version_sector, order_by=Sector.name)
    images: Mapped[list[GuideImage]] = relationship(back_populates="version", order_by=lambda: GuideImage.id)

    def sections(self) -> list[tuple[str, str, str]]:
        """(key, heading, text) of every section, in reading order."""
        return [(key, heading, getattr(self, key)) for key, heading, _hint in GUIDE_SECTIONS]

    def snapshot(self) -> dict[str, Any]:
        """What the audit log keeps of the version."""
        return {"guide_id": self.guide_id, "version": self.version, "title": self.title,
                "marks": [m.recordation_number for m in self.marks], "sectors": [s.code for s in self.sectors],
                "hts_prefixes": self.hts_prefixes, "service_hours": self.service_hours,
                "images": [i.file_id for i in self.images]}


class GuideImage(db.Model):
    """A picture in a guide version, with its caption and the section it illustrates."""

    __tablename__ = "guide_image"
    __table_args__ = (
        CheckConstraint(f"section IN ({', '.join(repr(s) for s in IMAGE_SECTIONS)})", name="section"),
    )

    id: Mapped[int] = mapped_column(primary_key=True, comment="Surrogate key")
    version_id: Mapped[int] = mapped_column(
        ForeignKey("guide_version.id", ondelete="CASCADE"), index=True, comment="The guide version")
    section: Mapped[str] = mapped_column(String(20), default="general", comment="Section it illustrates, or general")
    caption: Mapped[str] = mapped_column(String(300), comment="What the picture shows")
    file_id: Mapped[int] = mapped_column(
        ForeignKey("stored_file.id", ondelete="RESTRICT"), index=True, comment="The image (later versions share it)")
    thumbnail_id: Mapped[int | None] = mapped_column(
        ForeignKey("stored_file.id", ondelete="RESTRICT"), comment="Generated thumbnail")

    version: Mapped[GuideVersion] = relationship(back_populates="images")
    file: Mapped[StoredFile] = relationship(foreign_keys=[file_id], lazy="joined")
    thumbnail: Mapped[StoredFile | None] = relationship(foreign_keys=[thumbnail_id], lazy="joined")
