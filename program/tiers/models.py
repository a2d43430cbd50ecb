"""Tables of service tiers: the tiers, each organisation's tier and the invoices."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import JSON, Boolean, CheckConstraint, ForeignKey, Numeric, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from core.accounts.models import Organization
from core.extensions import db
from core.timeutil import UTCDateTime, utcnow
from program.tiers.states import InvoiceStatus

_STATUSES = ", ".join(f"'{s.value}'" for s in InvoiceStatus)


class ServiceTier(db.Model):
    """A service tier admins define: its yearly fee and the paid features it grants."""

    __tablename__ = "service_tier"
    __table_args__ = (
        CheckConstraint("annual_fee_usd >= 0", name="fee_not_negative"),
        {"comment": "Rights-holder service tiers and their annual fees (COAC 2023 item 9)"},
    )

    code: Mapped[str] = mapped_column(String(30), primary_key=True, comment="Stable code, e.g. free, standard")
    name: Mapped[str] = mapped_column(String(100), comment="Display name")
    annual_fee_usd: Mapped[Decimal] = mapped_column(Numeric(12, 2), comment="Yearly fee in U.S. dollars (0 = free)")
    features: Mapped[list[str]] = mapped_column(JSON, default=list, comment="Paid features the tier grants")
    active: Mapped[bool] = mapped_column(Boolean, default=True, comment="Offered to organisations")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, comment="When defined")

    def snapshot(self) -> dict[str, Any]:
        """What the audit log keeps."""
        return {"code": self.code, "name": self.name, "annual_fee_usd": self.annual_fee_usd,
                "features": sorted(self.features), "active": self.active}


class OrganizationTier(db.Model):
    """The tier an organisation is on (no row: the free tier)."""

    __tablename__ = "organization_tier"

    organization_id: Mapped[int] = mapped_column(
        ForeignKey("organization.id", ondelete="CASCADE"), primary_key=True, comment="The organisation")
    tier_code: Mapped[str] = mapped_column(
        ForeignKey("service_tier.code", ondelete="RESTRICT"), index=True, comment="Its tier")
    since: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, comment="When the tier was set")
    set_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="RESTRICT"), comment="Admin who set it")

    tier: Mapped[ServiceTier] = relationship(lazy="joined")


class Invoice(db.Model):
    """One organisation's fee for one period (a calendar year), issued, then paid or waived."""

    __tablename__ = "invoice"
    __table_args__ = (
        UniqueConstraint("organization_id", "period"),
        CheckConstraint(f"status IN ({_STATUSES})", name="status"),
        CheckConstraint("status <> 'paid' OR payment_reference <> ''", name="paid_reference"),
        CheckConstraint("(status = 'issued') = (settled_at IS NULL)", name="settled_at"),
        CheckConstraint("amount_usd >= 0", name="amount_not_negative"),
        {"comment": "Invoices of rights-holder service tiers, one per organisation and period"},
    )

    id: Mapped[int] = mapped_column(primary_key=True, comment="Surrogate key")
    number: Mapped[str] = mapped_column(String(20), unique=True, comment="Invoice number INV-YYYY-NNNNN")
    organization_id: Mapped[int] = mapped_column(
        ForeignKey("organization.id", ondelete="RESTRICT"), index=True, comment="Organisation invoiced")
    period: Mapped[str] = mapped_column(String(4), index=True, comment="The calendar year invoiced, e.g. 2026")
    tier_code: Mapped[str] = mapped_column(
        ForeignKey("service_tier.code", ondelete="RESTRICT"), comment="Tier invoiced (as at issue)")
    amount_usd: Mapped[Decimal] = mapped_column(Numeric(12, 2), comment="Amount in U.S. dollars")
    status: Mapped[str] = mapped_column(String(10), default=InvoiceStatus.ISSUED.value, comment="issued, paid or waived")
    payment_reference: Mapped[str] = mapped_column(String(100), default="", comment="Payment reference (paid)")
    waiver_reason: Mapped[str] = mapped_column(Text, default="", comment="Why it was waived (waived)")
    issued_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, comment="When issued")
    settled_at: Mapped[datetime | None] = mapped_column(UTCDateTime, comment="When marked paid or waived")
    settled_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="RESTRICT"), comment="Who marked it paid or waived")

    organization: Mapped[Organization] = relationship(lazy="joined")
    tier: Mapped[ServiceTier] = relationship(lazy="joined")

    def snapshot(self) -> dict[str, Any]:
        """What the audit log keeps."""
        return {"number": self.number, "organization_id": self.organization_id, "period": self.period,
                "tier": self.tier_code, "amount_usd": self.amount_usd, "status": self.status,
                "payment_reference": self.payment_reference, "waiver_reason": self.waiver_reason}
