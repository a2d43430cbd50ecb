"""Who hears about what: the one table routing an importer's notifications to its focused contacts by purpose.

Each topic names the contact purposes to try in order; the first purpose with any contact on the
organisation's current enrollment gets the message. When none has one, the primary contacts do, and when
there are none either (a draft without contacts, or an organisation that never applied, such as a mark
owner), the organisation's active users. Enrollment notices use :func:`recipients`; other domains (the
detention e-mails of ``program.cases.notices``) name the organisation: :func:`organization_recipients`.
"""

from __future__ import annotations

from sqlalchemy import select

from core.accounts.models import User
from core.extensions import db
from program.enrollment.models import Enrollment
from program.enrollment.queries import current_enrollment

# topic -> contact purposes, tried in order (PRODUCT.md: focused contacts, not every contact for everything).
ROUTES: dict[str, tuple[str, ...]] = {
    "enrollment": ("primary",),  # applications, decisions, renewals, reviews, notices and appeals
    "detention": ("enforcement", "ipr"),  # detentions and enforcement cases
    "division": ("division",),  # goods of one division or business unit
    "mark_owner": ("ipr",),  # a mark owner told of detained goods bearing its mark
}
FALLBACK_PURPOSE = "primary"


def recipients(enrollment: Enrollment, topic: str) -> list[str]:
    """E-mail addresses for a ``topic`` notification about ``enrollment``'s organisation (see ``ROUTES``)."""
    return _route(enrollment.organization_id, enrollment, topic)


def organization_recipients(organization_id: int | None, topic: str) -> list[str]:
    """E-mail addresses for a ``topic`` notification to an organisation, by the contacts of its current
    enrollment (``queries.current_enrollment``); its active users when it has none. None: nobody."""
    if organization_id is None:
        return []
    return _route(organization_id, current_enrollment(organization_id), topic)


def _route(organization_id: int, enrollment: Enrollment | None, topic: str) -> list[str]:
    if topic not in ROUTES:
        raise KeyError(f"No route for notification topic {topic!r}.")
    for purpose in (*ROUTES[topic], FALLBACK_PURPOSE) if enrollment is not None else ():
        emails = [c.email for c in enrollment.contacts if c.purpose == purpose]
        if emails:
            return list(dict.fromkeys(emails))
    return list(db.session.scalars(select(User.email).where(
        User.organization_id == organization_id, User.active.is_(True)).order_by(User.email)))
