"""Fixtures of the tiers tests: the reference tiers (the test database is emptied between tests)."""

from __future__ import annotations

import pytest

from core.extensions import db
from program.tiers.models import ServiceTier
from program.tiers.reference import TIERS


@pytest.fixture
def tiers(app):
    """Insert the reference tiers (free, standard, premium)."""
    with app.app_context():
        for code, name, fee, features in TIERS:
            if db.session.get(ServiceTier, code) is None:  # the migration's rows survive until the first test ends
                db.session.add(ServiceTier(code=code, name=name, annual_fee_usd=fee, features=features, active=True))
        db.session.commit()
        db.session.remove()


@pytest.fixture
def admin_api(api_as):
    """An admin with a token."""
    return api_as("admin")
