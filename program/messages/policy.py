"""Who may do what with messages. Object-level isolation (a party sees only its own organisation's
threads) is the guard ``program.messages.services.get_thread``."""

from __future__ import annotations

from core.accounts.roles import Role
from core.policy import register

# Every role reads and writes threads: parties their own organisation's, CBP (reviewers, admins) all.
register("messages.read", *Role)
register("messages.write", *Role)
# Closing and reopening a conversation is CBP's call.
register("messages.manage", Role.REVIEWER, Role.ADMIN)
