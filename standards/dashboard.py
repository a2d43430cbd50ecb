"""What the standards domain shows on a signed-in user's home page."""

from __future__ import annotations

from typing import Any

from core.accounts.roles import Role
from core.extensions import db
from standards import lookups


def home_panels(user: Any) -> dict[str, Any]:
    """Template variables for the role's home panels (empty for roles without standards panels)."""
    if user is None:
        return {}
    if user.role == Role.RIGHTS_HOLDER:
        return {"my_marks": lookups.marks_of(user.organization_id),
                "awaiting": lookups.awaiting_decision(user.organization_id)}
    if user.role == Role.INDUSTRY_GROUP:
        query = lookups.versions_query(user, mine=True, hide_superseded=True).limit(10)
        return {"my_standards": list(db.session.scalars(query))}
    return {}
