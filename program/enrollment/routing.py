"""Who hears about what: the one table routing an importer's notifications to its focused contacts by purpose.

Each topic names the contact purposes to try in order; the first purpose with any contact on the
organisation's current enrollment gets the message. When none has one, the primary contacts do, and when
there are none either (a draft without contacts), the organisation's active users.
"""

from __future__ import annotations

from sqlalchemy import select

from core.accounts.models import User
from core.extensions import db
from program.enrollment.models import Enrollment

# topic -> contact purposes, tried in order (PRODUCT.md: focused contacts, not every contact for everything).
ROUTES: dict[str, tuple[str, ...]] = {
    "enrollment": ("primary",),  # applications, decisions, renewals, reviews, notices and appeals
    "detention": ("enforcement", "ipr"),  # detentions and enforcement cases
    "division": ("division",),  # goods of one division or business unit
}
FALLBACK_PURPOSE = "primary"


def recipients(enrollment: Enrollment, topic: str) -> list[str]:
    """E-mail addresses for a ``topic`` notification about ``enrollment``'s organisation (see ``ROUTES``)."""
    for purpose in (*ROUTES.get(topic, ()), FALLBACK_PURPOSE):
        emails = [c.email for c in enrollment.contacts if c.purpose == purpose]
        if emails:
            return list(dict.fromkeys(emails))
    return list(db.session.scalars(select(User.email).where(
        User.organization_id == enrollment.organization_id, User.active.is_(True)).order_by(User.email)))
