"""Genuineness standards: a standard has versions; each version has conditions and requirements."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, Text, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from core.accounts.models import Organization, User
from core.extensions import db
from core.timeutil import UTCDateTime, utcnow
from standards.models.sector import Sector
from standards.reference import CONDITIONS
from standards.states import OPEN_STATUSES, PUBLISHED_STATUSES, VersionStatus, sql_in

if TYPE_CHECKING:
    from standards.models.endorsement import Endorsement

_STATUSES = sql_in(VersionStatus)
_PUBLISHED = sql_in(PUBLISHED_STATUSES)
_OPEN = sql_in(OPEN_STATUSES)
_ONE_PUBLISHED = text("status = 'published'")
_ONE_OPEN = text(f"status IN ({_OPEN})")


class Standard(db.Model):
    """A sector genuineness standard: the thread that ties its versions together."""

    __tablename__ = "standard"
    __table_args__ = ({"comment": "Genuineness standards; their content lives in standard_version"},)

    id: Mapped[int] = mapped_column(primary_key=True, comment="Surrogate key")
    author_organization_id: Mapped[int] = mapped_column(
        ForeignKey("organization.id", ondelete="RESTRICT"), index=True,
        comment="Organisation that writes the standard; its users propose, withdraw and revise",
    )
    created_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="RESTRICT"), comment="User who started it"
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, comment="When started")

    author_organization: Mapped[Organization] = relationship(lazy="joined")
    versions: Mapped[list[StandardVersion]] = relationship(
        back_populates="standard", order_by="StandardVersion.version",
        foreign_keys="StandardVersion.standard_id",
    )


class StandardVersion(db.Model):
    """One version of a standard: its content, its state and when each state was reached."""

    __tablename__ = "standard_version"
    __table_args__ = (
        UniqueConstraint("standard_id", "version"),
        CheckConstraint(f"status IN ({_STATUSES})", name="status"),
        CheckConstraint("version >= 1", name="version_positive"),
        CheckConstraint(
            "(status = 'draft' AND proposed_at IS NULL) OR "
            "(status IN ('proposed', 'published', 'superseded') AND proposed_at IS NOT NULL) OR "
            "status = 'withdrawn'",
            name="proposed_at_state",
        ),
        CheckConstraint(
            f"(status IN ({_PUBLISHED}) AND published_at IS NOT NULL AND published_by_id IS NOT NULL) OR "
            f"(status NOT IN ({_PUBLISHED}) AND published_at IS NULL AND published_by_id IS NULL)",
            name="published_at_state",
        ),
        CheckConstraint(
            "(status = 'superseded' AND superseded_at IS NOT NULL AND superseded_by_id IS NOT NULL) OR "
            "(status <> 'superseded' AND superseded_at IS NULL AND superseded_by_id IS NULL)",
            name="superseded_state",
        ),
        CheckConstraint(
            "(status = 'withdrawn' AND withdrawn_at IS NOT NULL) OR "
            "(status <> 'withdrawn' AND withdrawn_at IS NULL)",
            name="withdrawn_state",
        ),
        # The decision engine looks up published versions by sector.
        Index("ix_standard_version_sector_status", "sector_code", "status"),
        # At most one published and one open (draft or proposed) version per standard.
        Index("uq_standard_version_one_published", "standard_id", unique=True,
              sqlite_where=_ONE_PUBLISHED, postgresql_where=_ONE_PUBLISHED),
        Index("uq_standard_version_one_open", "standard_id", unique=True,
              sqlite_where=_ONE_OPEN, postgresql_where=_ONE_OPEN),
        {"comment": "Versions of genuineness standards; API ids of standards are these ids"},
    )

    id: Mapped[int] = mapped_column(
        primary_key=True, comment="Surrogate key; the id the API calls a standard's id"
    )
    standard_id: Mapped[int] = mapped_column(
        ForeignKey("standard.id", ondelete="RESTRICT"),
        comment="The standard this is a version of (indexed by the unique (standard_id, version))",
    )
    version: Mapped[int] = mapped_column(comment="Version number within the standard, from 1")
    sector_code: Mapped[str] = mapped_column(
        ForeignKey("sector.code", ondelete="RESTRICT"), comment="Sector the version applies to"
    )
    title: Mapped[str] = mapped_column(String(200), comment="Title")
    change_note: Mapped[str] = mapped_column(
        Text, default="", comment="What changed from the previous version"
    )
    status: Mapped[str] = mapped_column(
        String(12), default=VersionStatus.DRAFT.value, index=True,
        comment="draft, proposed, published, superseded or withdrawn",
    )
    created_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="RESTRICT"), comment="User who created the version"
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, comment="When created")
    updated_at: Mapped[datetime | None] = mapped_column(UTCDateTime, comment="Last edit of the draft")
    proposed_at: Mapped[datetime | None] = mapped_column(UTCDateTime, comment="When proposed for endorsement")
    published_at: Mapped[datetime | None] = mapped_column(
        UTCDateTime, comment="When published; set exactly for published and superseded versions"
    )
    published_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="RESTRICT"), comment="Reviewer who published it"
    )
    superseded_at: Mapped[datetime | None] = mapped_column(
        UTCDateTime, comment="When a newer version replaced it"
    )
    superseded_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("standard_version.id", ondelete="RESTRICT"), comment="The version that replaced it"
    )
    withdrawn_at: Mapped[datetime | None] = mapped_column(UTCDateTime, comment="When its authors withdrew it")
    withdrawn_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="RESTRICT"), comment="User who withdrew it"
    )
    withdrawal_reason: Mapped[str] = mapped_column(Text, default="", comment="Why it was withdrawn")

    standard: Mapped[Standard] = relationship(
        back_populates="versions", foreign_keys=[standard_id], lazy="joined"
    )
    sector: Mapped[Sector] = relationship(lazy="joined")
    created_by: Mapped[User | None] = relationship(foreign_keys=[created_by_id])
    published_by: Mapped[User | None] = relationship(foreign_keys=[published_by_id])
    conditions: Mapped[list[VersionCondition]] = relationship(
        cascade="all, delete-orphan", order_by="VersionCondition.condition", lazy="selectin"
    )
    requirements: Mapped[list[Requirement]] = relationship(
        cascade="all, delete-orphan", order_by="Requirement.position", lazy="selectin"
    )
    endorsements: Mapped[list[Endorsement]] = relationship(
        back_populates="version", order_by="Endorsement.created_at", lazy="selectin"
    )

    @property
    def condition_codes(self) -> list[str]:
        """Covered goods conditions in the program's canonical order."""
        held = {c.condition for c in self.conditions}
        return [c for c in CONDITIONS if c in held]

    @property
    def author_organization_id(self) -> int:
        """The organisation whose users may edit, propose, withdraw and revise."""
        return self.standard.author_organization_id

    @property
    def live_endorsements(self) -> list[Endorsement]:
        """Endorsements (not declines) that have not been withdrawn."""
        return [e for e in self.endorsements if e.decision == "endorse" and e.withdrawn_at is None]

    def snapshot(self) -> dict[str, Any]:
        """What the audit log keeps of the version's content and state."""
        return {
            "standard_id": self.standard_id,
            "version": self.version,
            "status": self.status,
            "sector": self.sector_code,
            "title": self.title,
            "conditions": self.condition_codes,
            "requirements": [[r.code, r.text, r.evidence] for r in self.requirements],
        }


class VersionCondition(db.Model):
    """A goods condition a version covers (a child table, so the engine's lookup can use an index)."""

    __tablename__ = "standard_version_condition"
    __table_args__ = (
        CheckConstraint(f"condition IN ({sql_in(CONDITIONS)})", name="condition"),
        Index("ix_standard_version_condition_condition_version", "condition", "version_id"),
        {"comment": "Goods conditions covered by each standard version"},
    )

    version_id: Mapped[int] = mapped_column(
        ForeignKey("standard_version.id", ondelete="CASCADE"), primary_key=True, comment="The version"
    )
    condition: Mapped[str] = mapped_column(
        String(20), primary_key=True, comment="new_parallel, used, refurbished or recycled"
    )


class Requirement(db.Model):
    """A numbered requirement of a version: what evidence shows the goods are genuine."""

    __tablename__ = "standard_requirement"
    __table_args__ = (
        UniqueConstraint("version_id", "position"),
        UniqueConstraint("version_id", "code"),
        CheckConstraint("position >= 1", name="position_positive"),
        {"comment": "Requirements of standard versions, in order"},
    )

    id: Mapped[int] = mapped_column(primary_key=True, comment="Surrogate key")
    version_id: Mapped[int] = mapped_column(
        ForeignKey("standard_version.id", ondelete="CASCADE"), comment="The version"
    )
    position: Mapped[int] = mapped_column(comment="Order within the version, from 1")
    code: Mapped[str] = mapped_column(String(20), comment="Short reference, unique in the version, e.g. R1")
    text: Mapped[str] = mapped_column(Text, comment="The requirement")
    evidence: Mapped[str] = mapped_column(Text, default="", comment="Evidence expected to show it is met")

    def to_dict(self) -> dict[str, Any]:
        """The requirement as the API shows it."""
        return {"code": self.code, "text": self.text, "evidence": self.evidence}
