"""Who may do what with tiers and invoices."""

from __future__ import annotations

from core.accounts.roles import Role
from core.policy import register

MANAGE = "tiers.manage"  # define tiers, set an organisation's tier, issue, mark paid, waive
REVENUE = "tiers.revenue"  # see every invoice and revenue by period
OWN = "tiers.own"  # a rights holder sees its tier and invoices
register(MANAGE, Role.ADMIN)
register(REVENUE, Role.REVIEWER, Role.ADMIN)
register(OWN, Role.RIGHTS_HOLDER)
