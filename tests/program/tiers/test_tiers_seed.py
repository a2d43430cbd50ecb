"""The demo seeder puts the demo rights holders on paid tiers and runs this year's invoices (one paid)."""

from __future__ import annotations

from sqlalchemy import select

from core.extensions import db
from program.seed import seed_demo
from program.tiers.models import Invoice


def test_demo_tiers_and_invoices(app):
    with app.app_context():
        lines = seed_demo()
        db.session.commit()
        assert any("service tiers" in line for line in lines)
        assert sorted(i.status for i in db.session.scalars(select(Invoice))) == ["issued", "paid"]
        db.session.remove()
