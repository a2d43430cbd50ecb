"""Tables of Report IP theft: the allegation, its evidence files and its triage history."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, CheckConstraint, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from core.accounts.models import Organization, User
from core.extensions import db
from core.timeutil import UTCDateTime, utcnow
from core.uploads import StoredFile
from program.allegations.states import AllegationStatus

_STATUSES = ", ".join(f"'{s.value}'" for s in AllegationStatus)


class Allegation(db.Model):
    """A report of suspected IP theft from anyone (rights holder, consumer, competitor), possibly anonymous."""

    __tablename__ = "allegation"
    __table_args__ = (
        CheckConstraint(f"status IN ({_STATUSES})", name="status"),
        CheckConstraint("channel IN ('web', 'api')", name="channel"),
        # A referral always names whom it is about, so it can reach the importer's record and screening.
        CheckConstraint("status <> 'referred' OR (referred_at IS NOT NULL AND "
                        "(organization_id IS NOT NULL OR ior_number IS NOT NULL))", name="referred_target"),
        CheckConstraint("(status = 'closed') = (closed_at IS NOT NULL)", name="closed_at"),
        CheckConstraint("(status = 'new') = (triaged_at IS NULL)", name="triaged_at"),
        Index("ix_allegation_status_received", "status", "received_at"),
        {"comment": "Report IP theft: allegations from the public; never shown to the party they accuse"},
    )

    id: Mapped[int] = mapped_column(primary_key=True, comment="Surrogate key")
    receipt: Mapped[str] = mapped_column(String(14), unique=True, comment="Receipt number AL-YYYY-NNNNNN given to the reporter")
    status: Mapped[str] = mapped_column(String(10), default=AllegationStatus.NEW.value,
        comment="new, triaged, referred or closed")
    channel: Mapped[str] = mapped_column(String(3), default="web", comment="Where it came in: web (the /report page) or api")
    summary: Mapped[str] = mapped_column(String(200), comment="One-line summary written by the reporter")
    details: Mapped[str] = mapped_column(Text, default="", comment="What the reporter saw, in their words")
    suspect_name: Mapped[str] = mapped_column(String(200), default="",
        comment="Name of the suspected seller or importer, if given")
    suspect_website: Mapped[str] = mapped_column(String(500), default="", comment="Website or listing address, if given")
    suspect_marketplace: Mapped[str] = mapped_column(String(200), default="",
        comment="Marketplace the goods are sold on, if given")
    suspect_country: Mapped[str] = mapped_column(String(100), default="", comment="Country of the suspect, if given")
    ports: Mapped[list[str]] = mapped_column(JSON, default=list,
        comment="Four-digit CBP port codes the goods come through, if known")
    reporter_name: Mapped[str] = mapped_column(String(200), default="",
        comment="Reporter's name; empty when anonymous (never shown to the accused)")
    reporter_email: Mapped[str] = mapped_column(String(254), default="",
        comment="Reporter's e-mail for the acknowledgement; empty when anonymous")
    received_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True, comment="When it was received")
    organization_id: Mapped[int | None] = mapped_column(
        ForeignKey("organization.id", ondelete="RESTRICT"), index=True,
        comment="Importer organisation the reviewer linked it to (its record shows referrals to reviewers only)")
    ior_number: Mapped[str | None] = mapped_column(String(13), index=True, comment="IOR number the reviewer linked it to")
    case_uei: Mapped[str | None] = mapped_column(String(15), comment="Enforcement case (UEI) the reviewer linked it to")
    triage_note: Mapped[str] = mapped_column(Text, default="", comment="The reviewer's latest triage note")
    triaged_at: Mapped[datetime | None] = mapped_column(UTCDateTime, comment="When a reviewer first acted on it")
    triaged_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="RESTRICT"), comment="Reviewer who acted on it last")
    referred_at: Mapped[datetime | None] = mapped_column(UTCDateTime, comment="When it was referred for enforcement")
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime, comment="When it was closed")

    organization: Mapped[Organization | None] = relationship(lazy="joined")
    triaged_by: Mapped[User | None] = relationship(lazy="joined")
    evidence: Mapped[list[AllegationEvidence]] = relationship(
        order_by=lambda: AllegationEvidence.id, back_populates="allegation")
    history: Mapped[list[AllegationStatusChange]] = relationship(
        order_by=lambda: AllegationStatusChange.id, back_populates="allegation")

    @property
    def anonymous(self) -> bool:
        """Whether the reporter left no name and no e-mail."""
        return not (self.reporter_name or self.reporter_email)

    def snapshot(self) -> dict[str, Any]:
        """What the audit log keeps (never the reporter's identity: the audit log is read more widely)."""
        return {"receipt": self.receipt, "status": self.status, "organization_id": self.organization_id,
                "ior_number": self.ior_number, "case_uei": self.case_uei, "evidence": len(self.evidence)}


class AllegationEvidence(db.Model):
    """A file the reporter sent with the allegation (images or PDF, checked by content)."""

    __tablename__ = "allegation_evidence"

    id: Mapped[int] = mapped_column(primary_key=True, comment="Surrogate key")
    allegation_id: Mapped[int] = mapped_column(
        ForeignKey("allegation.id", ondelete="CASCADE"), index=True, comment="The allegation")
    stored_file_id: Mapped[int] = mapped_column(
        ForeignKey("stored_file.id", ondelete="RESTRICT"), unique=True, comment="The uploaded file")

    allegation: Mapped[Allegation] = relationship(back_populates="evidence")
    file: Mapped[StoredFile] = relationship(lazy="joined")


class AllegationStatusChange(db.Model):
    """One triage step: from which status to which, by whom, with the reviewer's note."""

    __tablename__ = "allegation_status_change"

    id: Mapped[int] = mapped_column(primary_key=True, comment="Surrogate key")
    allegation_id: Mapped[int] = mapped_column(
        ForeignKey("allegation.id", ondelete="CASCADE"), index=True, comment="The allegation")
    from_status: Mapped[str] = mapped_column(String(10), comment="Status before")
    to_status: Mapped[str] = mapped_column(String(10), comment="Status after")
    note: Mapped[str] = mapped_column(Text, default="", comment="The reviewer's note")
    actor_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="RESTRICT"), comment="Reviewer")
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, comment="When")

    allegation: Mapped[Allegation] = relationship(back_populates="history")
    actor: Mapped[User] = relationship(lazy="joined")
