"""Demo tiers: Acme on Standard (2026 invoice paid), Lumen on Premium (2026 invoice outstanding)."""

from __future__ import annotations

from sqlalchemy import select

from core.accounts.models import User
from core.extensions import db
from core.timeutil import today
from program.seed import SEEDERS
from program.tiers import services
from program.tiers.models import Invoice, ServiceTier
from program.tiers.reference import TIERS


def seed_tiers(users: dict[str, User]) -> str:
    """Make sure the reference tiers exist, put the demo rights holders on paid tiers and run this year's invoices."""
    admin = users["admin@cbp.example.gov"]
    for code, name, fee, features in TIERS:
        if db.session.get(ServiceTier, code) is None:
            services.define_tier(admin, code=code, name=name, annual_fee_usd=fee, features=features)
    services.set_tier(admin, users["rights@acme-brands.example"].organization_id, "standard")
    services.set_tier(admin, users["rights@lumen.example"].organization_id, "premium")
    issued = services.issue_invoices(admin, str(today().year))
    acme_id = users["rights@acme-brands.example"].organization_id
    acme = db.session.scalar(select(Invoice).where(Invoice.organization_id == acme_id))
    services.mark_paid(admin, acme, "Pay.gov 26TK0001842")
    return f"3 service tiers; {len(issued)} invoices for {today().year} (1 paid)"


SEEDERS.append(("tiers", seed_tiers))
