"""Read-side of allegations: the triage queue, and the referrals about one importer (reviewers only)."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import or_, select

from core.extensions import db
from core.pagination import Page, paginate
from program.allegations.models import Allegation
from program.allegations.states import AllegationStatus


def queue(status: str | None = None, page: int = 1, page_size: int = 50, q: str = "") -> Page:
    """Allegations newest first, optionally of one status or matching ``q`` (receipt, summary or suspect)."""
    query = select(Allegation).order_by(Allegation.received_at.desc(), Allegation.id.desc())
    if status:
        query = query.where(Allegation.status == status)
    if q:
        like = f"%{q}%"
        query = query.where(or_(Allegation.receipt.ilike(like), Allegation.summary.ilike(like),
                                Allegation.suspect_name.ilike(like)))
    return paginate(query, page, page_size)


def referred_about(organization_id: int | None, ior_numbers: Iterable[str | None] = ()) -> list[Allegation]:
    """Referred allegations linked to the organisation or to one of the IOR numbers, newest referral first."""
    iors = sorted({i for i in ior_numbers if i})
    conditions = []
    if organization_id is not None:
        conditions.append(Allegation.organization_id == organization_id)
    if iors:
        conditions.append(Allegation.ior_number.in_(iors))
    if not conditions:
        return []
    return list(db.session.scalars(select(Allegation).where(
        Allegation.status == AllegationStatus.REFERRED, or_(*conditions))
        .order_by(Allegation.referred_at.desc(), Allegation.id.desc())))


def counts_by_status() -> dict[str, int]:
    """How many allegations are in each status (for the queue's filter tabs)."""
    from sqlalchemy import func

    rows = dict(db.session.execute(select(Allegation.status, func.count()).group_by(Allegation.status)).all())
    return {s.value: rows.get(s.value, 0) for s in AllegationStatus}
