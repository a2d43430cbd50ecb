"""Sectors: reference data that standards, marks and enrollments refer to by code."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, String
from sqlalchemy.orm import Mapped, mapped_column

from core.extensions import db
from core.timeutil import UTCDateTime, utcnow


class Sector(db.Model):
    """A goods sector; heightened-protection sectors never get expedited release."""

    __tablename__ = "sector"

    code: Mapped[str] = mapped_column(
        String(40), primary_key=True, comment="Stable code, e.g. consumer_electronics"
    )
    name: Mapped[str] = mapped_column(String(120), comment="Display name")
    heightened_protection: Mapped[bool] = mapped_column(
        default=False, comment="Health-and-safety sector: standards allowed, expedited release never"
    )
    hts_prefixes: Mapped[list[str]] = mapped_column(
        JSON, default=list, server_default="[]",
        comment="HTS code prefixes (2 to 10 digits) of the goods that belong to the sector; kept by admins")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, comment="When added")

    def to_dict(self) -> dict:
        """The sector as ``GET /api/v1/sectors`` shows it."""
        return {"code": self.code, "name": self.name, "heightened_protection": self.heightened_protection,
                "hts_prefixes": list(self.hts_prefixes or [])}
