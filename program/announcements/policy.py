"""Who may do what with announcements: reviewers publish; everyone signed in reads those meant for them."""

from __future__ import annotations

from core.accounts.roles import Role
from core.policy import AUTHENTICATED, register

PUBLISH = "announcements.publish"
READ = AUTHENTICATED
register(PUBLISH, Role.REVIEWER)
