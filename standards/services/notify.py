"""Who hears about standards: the active users of the organisations concerned."""

from __future__ import annotations

from collections.abc import Iterable

from flask import url_for
from sqlalchemy import select

from core.accounts.models import User
from core.extensions import db
from core.notifications import queue_notification


def organization_emails(organization_ids: Iterable[int]) -> list[str]:
    """E-mail addresses of the active users of these organisations."""
    ids = sorted(set(organization_ids))
    if not ids:
        return []
    return list(db.session.scalars(
        select(User.email).where(User.organization_id.in_(ids), User.active.is_(True)).order_by(User.email)
    ))


def version_link(version_id: int) -> str:
    """Absolute link to a version's page when a request is active, else its path."""
    try:
        return url_for("standards.view", version_id=version_id, _external=True)
    except RuntimeError:
        return f"/standards/{version_id}"


def notify_organizations(organization_ids: Iterable[int], subject: str, body: str, *, topic: str) -> None:
    """Queue one message to every active user of the organisations."""
    queue_notification(organization_emails(organization_ids), subject, body, topic=topic)
