"""The demo seeder files three reports: one new, one triaged, one referred to Bluewater (audit chain intact)."""

from __future__ import annotations

from sqlalchemy import select

from core.audit import verify_chain
from core.extensions import db
from program.allegations.models import Allegation
from program.allegations.queries import referred_about
from program.seed import seed_demo


def test_demo_allegations(app):
    with app.app_context():
        lines = seed_demo()
        db.session.commit()
        assert any("allegations" in line for line in lines)
        assert sorted(a.status for a in db.session.scalars(select(Allegation))) == ["new", "referred", "triaged"]
        assert [a.ior_number for a in referred_about(None, ["45-6789012"])] == ["45-6789012"]
        assert verify_chain().ok
        db.session.remove()
