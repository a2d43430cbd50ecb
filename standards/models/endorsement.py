"""Rights holders' decisions on standard versions: endorsements (for some marks) and declines."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import CheckConstraint, Column, ForeignKey, Index, String, Table, Text, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from core.accounts.models import Organization, User
from core.extensions import db
from core.timeutil import UTCDateTime, utcnow
from standards.models.mark import RecordedMark
from standards.states import Decision, sql_in

if TYPE_CHECKING:
    from standards.models.standard import StandardVersion

_LIVE_DECLINE = text("decision = 'decline' AND withdrawn_at IS NULL")

endorsement_mark = Table(
    "endorsement_mark",
    db.metadata,
    Column("endorsement_id", ForeignKey("endorsement.id", ondelete="CASCADE"), primary_key=True,
           comment="The endorsement"),
    Column("mark_id", ForeignKey("recorded_mark.id", ondelete="RESTRICT"), primary_key=True,
           comment="A mark the endorsement is given for"),
    # The engine's lookup starts from the mark (recordation number) and walks to live endorsements.
    Index("ix_endorsement_mark_mark_endorsement", "mark_id", "endorsement_id"),
    comment="Marks each endorsement covers",
)


class Endorsement(db.Model):
    """A rights holder's live or withdrawn decision on one version: endorse (for marks) or decline."""

    __tablename__ = "endorsement"
    __table_args__ = (
        CheckConstraint(f"decision IN ({sql_in(Decision)})", name="decision"),
        CheckConstraint(
            "(withdrawn_at IS NULL AND withdrawn_by_id IS NULL) OR "
            "(withdrawn_at IS NOT NULL AND withdrawn_by_id IS NOT NULL)",
            name="withdrawn_state",
        ),
        Index("ix_endorsement_version_decision_live", "version_id", "decision", "withdrawn_at"),
        Index("ix_endorsement_organization_version", "organization_id", "version_id"),
        # An organisation declines a version at most once at a time.
        Index("uq_endorsement_one_live_decline", "version_id", "organization_id", unique=True,
              sqlite_where=_LIVE_DECLINE, postgresql_where=_LIVE_DECLINE),
        {"comment": "Rights holders' endorsements and declines of standard versions"},
    )

    id: Mapped[int] = mapped_column(primary_key=True, comment="Surrogate key")
    version_id: Mapped[int] = mapped_column(
        ForeignKey("standard_version.id", ondelete="RESTRICT"), comment="The standard version decided on"
    )
    organization_id: Mapped[int] = mapped_column(
        ForeignKey("organization.id", ondelete="RESTRICT"), comment="Rights-holder organisation deciding"
    )
    decision: Mapped[str] = mapped_column(String(10), comment="endorse or decline")
    statement: Mapped[str] = mapped_column(
        Text, comment="The endorsement statement, or the reason for declining"
    )
    created_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="RESTRICT"), comment="User who recorded the decision"
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, comment="When decided")
    withdrawn_at: Mapped[datetime | None] = mapped_column(
        UTCDateTime, comment="When withdrawn; a withdrawn endorsement no longer counts for release decisions"
    )
    withdrawn_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="RESTRICT"), comment="User who withdrew it"
    )

    version: Mapped[StandardVersion] = relationship(back_populates="endorsements")
    organization: Mapped[Organization] = relationship(lazy="joined")
    created_by: Mapped[User | None] = relationship(foreign_keys=[created_by_id])
    marks: Mapped[list[RecordedMark]] = relationship(
        secondary=endorsement_mark, order_by=RecordedMark.recordation_number, lazy="selectin"
    )

    @property
    def is_live(self) -> bool:
        """Not withdrawn."""
        return self.withdrawn_at is None

    def to_dict(self) -> dict[str, Any]:
        """The endorsement (or decline) as the API shows it."""
        body: dict[str, Any] = {
            "id": self.id,
            "version_id": self.version_id,
            "decision": self.decision,
            "organization": {"id": self.organization.id, "name": self.organization.name},
            "created_at": self.created_at,
            "withdrawn_at": self.withdrawn_at,
            "live": self.is_live,
        }
        if self.decision == Decision.ENDORSE:
            body["marks"] = [m.recordation_number for m in self.marks]
            body["statement"] = self.statement
        else:
            body["reason"] = self.statement
        return body
