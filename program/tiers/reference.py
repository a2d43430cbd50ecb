"""The tiers the program starts with (also inserted by migration 0011c)."""

from __future__ import annotations

from decimal import Decimal

# (code, name, annual fee, paid features)
TIERS: tuple[tuple[str, str, Decimal, list[str]], ...] = (
    ("free", "Free", Decimal("0.00"), []),
    ("standard", "Standard", Decimal("2500.00"), ["analytics_exports", "email_detention_notices"]),
    ("premium", "Premium", Decimal("10000.00"), ["analytics_exports", "email_detention_notices"]),
)
