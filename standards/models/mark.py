"""Trademarks recorded with CBP, their owners and the sectors their goods are traded in."""

from __future__ import annotations

import re
from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, Boolean, CheckConstraint, Column, Date, ForeignKey, Index, String, Table
from sqlalchemy.orm import Mapped, mapped_column, relationship

from core.accounts.models import Organization
from core.extensions import db
from core.timeutil import UTCDateTime, utcnow
from standards.models.sector import Sector

# 19 CFR 133 recordations: "TMK YY-NNNNN" (copyright recordations "COP …" are not marks).
RECORDATION_PATTERN = re.compile(r"^TMK \d{2}-\d{5}$")

mark_sector = Table(
    "mark_sector",
    db.metadata,
    Column("mark_id", ForeignKey("recorded_mark.id", ondelete="CASCADE"), primary_key=True,
           comment="The recorded mark"),
    Column("sector_code", ForeignKey("sector.code", ondelete="RESTRICT"), primary_key=True,
           comment="A sector the mark's goods are traded in"),
    # "Standards covering the sectors of my marks" starts from the sector.
    Index("ix_mark_sector_sector_mark", "sector_code", "mark_id"),
    comment="Sectors a recorded mark is used in (set by the reviewer who registers it)",
)


class RecordedMark(db.Model):
    """A trademark recorded with CBP, owned by one rights-holder organisation."""

    __tablename__ = "recorded_mark"
    __table_args__ = (
        CheckConstraint("recordation_number LIKE 'TMK __-_____'", name="recordation_number_format"),
        {"comment": "Trademarks recorded with CBP (19 CFR 133), registered in Greenlane by reviewers"},
    )

    id: Mapped[int] = mapped_column(primary_key=True, comment="Surrogate key")
    recordation_number: Mapped[str] = mapped_column(
        String(12), unique=True, comment="CBP recordation number, TMK YY-NNNNN"
    )
    mark: Mapped[str] = mapped_column(String(200), comment="The mark as recorded (word mark or description)")
    owner_organization_id: Mapped[int] = mapped_column(
        ForeignKey("organization.id", ondelete="RESTRICT"), index=True,
        comment="Rights-holder organisation that owns the mark",
    )
    lever_rule: Mapped[bool] = mapped_column(
        Boolean, default=False, comment="Lever-rule protection (19 CFR 133.23) granted for the mark"
    )
    lever_scope: Mapped[list[str]] = mapped_column(
        JSON, default=list, server_default="[]",
        comment="HTS prefixes of the products Lever-rule protection is granted for; empty = all the mark's goods")
    expires_on: Mapped[date | None] = mapped_column(
        Date, comment="Last day of the recordation; past it the mark counts as not recorded (None: open-ended)")
    registered_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="RESTRICT"), comment="Reviewer who registered it"
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, comment="When registered")
    updated_at: Mapped[datetime | None] = mapped_column(UTCDateTime, comment="Last change by a reviewer")

    owner: Mapped[Organization] = relationship(lazy="joined")
    sectors: Mapped[list[Sector]] = relationship(secondary=mark_sector, order_by=Sector.name, lazy="selectin")

    @property
    def sector_codes(self) -> list[str]:
        """Codes of the sectors the mark is used in, sorted."""
        return sorted(s.code for s in self.sectors)

    def to_dict(self) -> dict[str, Any]:
        """The mark as the API shows it."""
        return {
            "id": self.id,
            "recordation_number": self.recordation_number,
            "mark": self.mark,
            "owner_organization_id": self.owner_organization_id,
            "owner_organization": {"id": self.owner.id, "name": self.owner.name},
            "lever_rule": self.lever_rule,
            "lever_scope": list(self.lever_scope or []),
            "expires_on": self.expires_on,
            "sectors": self.sector_codes,
            "created_at": self.created_at,
        }

    def snapshot(self) -> dict[str, Any]:
        """What the audit log keeps of the mark."""
        return {"recordation_number": self.recordation_number, "mark": self.mark,
                "owner_organization_id": self.owner_organization_id, "lever_rule": self.lever_rule,
                "lever_scope": list(self.lever_scope or []),
                "expires_on": self.expires_on.isoformat() if self.expires_on else None,
                "sectors": self.sector_codes}
