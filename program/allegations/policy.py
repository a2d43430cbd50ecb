"""Who may do what with allegations: anyone reports (no sign-in); reviewers triage. Nobody else reads them."""

from __future__ import annotations

from core.accounts.roles import Role
from core.policy import register

TRIAGE = "allegations.triage"
register(TRIAGE, Role.REVIEWER)
