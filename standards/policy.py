"""Permissions of the standards domain (role level; object-level guards live in the services)."""

from __future__ import annotations

from core import policy
from core.accounts.roles import Role

# Reading standards, marks and sectors: every signed-in role (marks are public CBP recordations).
STANDARDS_READ = "standards.read"
MARKS_READ = "marks.read"
# Drafting, editing, proposing, withdrawing and revising (the author organisation is checked per object).
STANDARDS_AUTHOR = "standards.author"
STANDARDS_PUBLISH = "standards.publish"
STANDARDS_ENDORSE = "standards.endorse"
MARKS_MANAGE = "marks.manage"
SECTORS_MANAGE = "sectors.manage"
GUIDES_UPLOAD = "guides.upload"
GUIDES_VIEW = "guides.view"

policy.register(STANDARDS_READ, *Role)
policy.register(MARKS_READ, *Role)
policy.register(STANDARDS_AUTHOR, Role.INDUSTRY_GROUP, Role.RIGHTS_HOLDER, Role.REVIEWER)
policy.register(STANDARDS_PUBLISH, Role.REVIEWER)
policy.register(STANDARDS_ENDORSE, Role.RIGHTS_HOLDER)
policy.register(MARKS_MANAGE, Role.REVIEWER)
policy.register(SECTORS_MANAGE, Role.ADMIN)
policy.register(GUIDES_UPLOAD, Role.RIGHTS_HOLDER)
policy.register(GUIDES_VIEW, Role.RIGHTS_HOLDER, Role.REVIEWER)
