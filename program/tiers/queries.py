"""Read side of tiers: tiers, invoices of one organisation or all, and revenue by period."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from sqlalchemy import func, select

from core.extensions import db
from program.tiers.models import Invoice, ServiceTier


def tiers(active_only: bool = False) -> list[ServiceTier]:
    """Every tier, cheapest first."""
    query = select(ServiceTier).order_by(ServiceTier.annual_fee_usd, ServiceTier.code)
    if active_only:
        query = query.where(ServiceTier.active.is_(True))
    return list(db.session.scalars(query))


def invoices(organization_id: int | None = None, period: str | None = None, status: str | None = None) -> list[Invoice]:
    """Invoices newest period first, optionally of one organisation, period or status."""
    query = select(Invoice).order_by(Invoice.period.desc(), Invoice.number)
    if organization_id is not None:
        query = query.where(Invoice.organization_id == organization_id)
    if period:
        query = query.where(Invoice.period == period)
    if status:
        query = query.where(Invoice.status == status)
    return list(db.session.scalars(query))


def revenue_by_period() -> list[dict[str, Any]]:
    """Per period, newest first: invoiced, paid, waived and outstanding amounts (U.S. dollars) and counts."""
    rows = db.session.execute(select(Invoice.period, Invoice.status, func.count(), func.sum(Invoice.amount_usd))
                              .group_by(Invoice.period, Invoice.status)).all()
    periods: dict[str, dict[str, Any]] = {}
    for period, status, count, total in rows:
        entry = periods.setdefault(period, {"period": period, "invoices": 0, "invoiced_usd": Decimal("0.00"),
                                            "paid_usd": Decimal("0.00"), "waived_usd": Decimal("0.00"),
                                            "outstanding_usd": Decimal("0.00")})
        amount = Decimal(total or 0).quantize(Decimal("0.01"))
        entry["invoices"] += count
        entry["invoiced_usd"] += amount
        key = {"paid": "paid_usd", "waived": "waived_usd", "issued": "outstanding_usd"}[status]
        entry[key] += amount
    return [periods[p] for p in sorted(periods, reverse=True)]
