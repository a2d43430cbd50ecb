"""Read side of the enrollment domain: access guards, lookups other domains use, the reviewer queue,
the home-page summaries and the public register."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import Select, case, func, or_, select
from sqlalchemy.orm import joinedload, selectinload

from core import policy
from core.accounts import delegations
from core.errors import NotAllowed, NotFound
from core.extensions import db
from core.timeutil import today, utcnow
from program.enrollment import policy as perms
from program.enrollment.formats import contains_pattern
from program.enrollment.models import Enrollment, EnrollmentSector
from program.enrollment.states import ACTIVE_STATUSES, AWAITING_STATUSES, OPEN_STATUSES, PENDING_STATUSES, Status

SERVICE_TARGET_DAYS = 90  # CBP aims to decide an application within 90 days of its first submission


def sees_all(user: Any) -> bool:
    """CBP staff see every organisation's enrollments and their screening findings."""
    return policy.can(user, perms.READ_ALL)


def get_enrollment_for(user: Any, enrollment_id: int) -> Enrollment:
    """The enrollment if ``user`` may see it; 404 for another organisation's (its existence must not leak)."""
    enrollment = db.session.get(Enrollment, enrollment_id)
    if enrollment is not None and delegations.is_broker(user):  # a broker reads its principals' only (else 403)
        delegations.authorize(user, enrollment.organization_id, "enrollment_read")
        return enrollment
    if enrollment is None or not (sees_all(user) or enrollment.organization_id == user.organization_id):
        raise NotFound("No such enrollment.")
    return enrollment


def require_owner(user: Any, enrollment: Enrollment) -> None:
    """Only the importer organisation that applied may change its application."""
    if enrollment.organization_id != getattr(user, "organization_id", None):
        if sees_all(user):
            raise NotAllowed("Only the importer that applied can change its application.")
        raise NotFound("No such enrollment.")


def visible_enrollments(user: Any) -> Select:
    """Enrollments ``user`` may list: all for CBP, the own organisation's for importers."""
    query = select(Enrollment)
    if delegations.is_broker(user):
        return query.where(Enrollment.organization_id.in_(delegations.principals(user.organization_id,
                                                                                 "enrollment_read")))
    if not sees_all(user):
        query = query.where(Enrollment.organization_id == user.organization_id)
    return query


def current_enrollment(organization_id: int) -> Enrollment | None:
    """The organisation's enrollment in the program (approved or suspended), else its open one, else its most
    recent one (None if it never applied)."""
    return db.session.scalar(
        select(Enrollment).where(Enrollment.organization_id == organization_id)
        .order_by(Enrollment.status.in_(ACTIVE_STATUSES).desc(), Enrollment.status.in_(OPEN_STATUSES).desc(),
                  Enrollment.id.desc()).limit(1)
    )


def renewal_of(enrollment: Enrollment) -> Enrollment | None:
    """The renewal application started from ``enrollment`` that is still on its way, if any."""
    return db.session.scalar(select(Enrollment).where(Enrollment.previous_id == enrollment.id,
                                                      Enrollment.status.in_(PENDING_STATUSES)))


def contact_emails(organization_id: int, purpose: str) -> list[str] | None:
    """E-mails of the ``purpose`` focused contacts on the organisation's current enrollment (None: none),
    in the shape of the messages domain's contact resolvers."""
    enrollment = current_enrollment(organization_id)
    if enrollment is None:
        return None
    emails = [c.email for c in enrollment.contacts if c.purpose == purpose]
    return emails or None


def active_enrollment_for_organization(organization_id: int, as_of: date | None = None) -> Enrollment | None:
    """The organisation's approved enrollment that is valid on ``as_of`` (default today), if any."""
    as_of = as_of or today()
    return db.session.scalar(select(Enrollment).where(
        Enrollment.organization_id == organization_id, Enrollment.status == Status.APPROVED,
        Enrollment.valid_until >= as_of))


def active_enrollment_for_ior(ior_number: str, as_of: date | None = None) -> Enrollment | None:
    """The approved enrollment valid on ``as_of`` that gives ``ior_number``, if any."""
    as_of = as_of or today()
    return db.session.scalar(select(Enrollment).where(
        Enrollment.ior_number == ior_number, Enrollment.status == Status.APPROVED, Enrollment.valid_until >= as_of
    ).order_by(Enrollment.id.desc()).limit(1))


# Which enrollment speaks for an IOR number when several exist: the live one first, then the newest.
_IOR_PRECEDENCE = case((Enrollment.status == Status.APPROVED, 0), (Enrollment.status == Status.SUSPENDED, 1),
                       else_=2)


def enrollments_by_ior(ior_numbers: Iterable[str]) -> dict[str, Enrollment]:
    """For each IOR number, the enrollment that speaks for it (approved, else suspended, else the newest
    submitted-or-later one); sectors loaded. One query, for the release-decision snapshot."""
    iors = sorted({i for i in ior_numbers if i})
    if not iors:
        return {}
    rows = db.session.scalars(
        select(Enrollment).options(selectinload(Enrollment.sectors))
        .where(Enrollment.ior_number.in_(iors), Enrollment.status != Status.DRAFT)
        .order_by(Enrollment.ior_number, _IOR_PRECEDENCE, Enrollment.id.desc())
    ).all()
    found: dict[str, Enrollment] = {}
    for enrollment in rows:
        found.setdefault(enrollment.ior_number or "", enrollment)
    return found


def queue_query(status: str | None = None, sector: str | None = None, review_overdue: bool = False) -> Select:
    """The reviewer queue: awaiting enrollments (submitted first), oldest submission first, with what
    the rows show eager-loaded so a page costs the same few queries whatever its length; with
    ``review_overdue``, approved enrollments whose annual review is overdue instead."""
    statuses = [status] if status else list(AWAITING_STATUSES)
    if review_overdue:
        statuses = [Status.APPROVED]
    query = (
        select(Enrollment)
        .options(joinedload(Enrollment.organization), selectinload(Enrollment.sectors),
                 selectinload(Enrollment.history))
        .where(Enrollment.status.in_(statuses))
        .order_by(case((Enrollment.status == Status.SUBMITTED, 0), else_=1), Enrollment.submitted_at.is_(None),
                  Enrollment.submitted_at, Enrollment.id)
    )
    if sector:
        query = query.where(Enrollment.sectors.any(EnrollmentSector.sector_code == sector))
    if review_overdue:
        query = query.where(Enrollment.review_due < today())
    return query


def age_in_days(enrollment: Enrollment, now: datetime | None = None) -> int | None:
    """Whole days since the first submission (None before it)."""
    if enrollment.submitted_at is None:
        return None
    return ((now or utcnow()) - enrollment.submitted_at).days


def past_target(enrollment: Enrollment, now: datetime | None = None) -> bool:
    """Whether an awaiting enrollment was first submitted more than the service target's days ago."""
    if enrollment.submitted_at is None or enrollment.status not in AWAITING_STATUSES:
        return False
    return (now or utcnow()) - enrollment.submitted_at > timedelta(days=SERVICE_TARGET_DAYS)


@dataclass(frozen=True)
class QueueSummary:
    """Counts for the reviewer home card."""

    submitted: int
    info_requested: int
    past_target: int

    @property
    def awaiting(self) -> int:
        """Every enrollment in the queue."""
        return self.submitted + self.info_requested


def queue_summary(now: datetime | None = None) -> QueueSummary:
    """How many enrollments await a decision or an answer, and how many are past the 90-day target."""
    cutoff = (now or utcnow()) - timedelta(days=SERVICE_TARGET_DAYS)
    rows = db.session.execute(
        select(Enrollment.status, func.count(),
               func.coalesce(func.sum(case((Enrollment.submitted_at < cutoff, 1), else_=0)), 0))
        .where(Enrollment.status.in_(AWAITING_STATUSES)).group_by(Enrollment.status)
    ).all()
    counts = {status: (n, late) for status, n, late in rows}
    return QueueSummary(submitted=counts.get(Status.SUBMITTED, (0, 0))[0],
                        info_requested=counts.get(Status.INFO_REQUESTED, (0, 0))[0],
                        past_target=sum(late for _n, late in counts.values()))


def public_enrollment(program_id: str) -> Enrollment | None:
    """The approved enrollment with ``program_id`` whose importer consented to publication, if any."""
    return db.session.scalar(
        select(Enrollment).options(selectinload(Enrollment.sectors))
        .where(Enrollment.program_id == (program_id or "").strip().upper(), Enrollment.status == Status.APPROVED,
               Enrollment.publish_consent.is_(True))
    )


def public_search(q: str, limit: int = 25) -> list[Enrollment]:
    """Published, approved, unexpired enrollments whose legal name or program ID matches ``q``."""
    q = (q or "").strip()
    if len(q) < 2:
        return []
    return list(db.session.scalars(
        select(Enrollment).options(selectinload(Enrollment.sectors))
        .where(Enrollment.status == Status.APPROVED, Enrollment.publish_consent.is_(True),
               Enrollment.valid_until >= today(),
               or_(func.lower(Enrollment.legal_name).like(contains_pattern(q.lower()), escape="\\"),
                   Enrollment.program_id == q.upper()))
        .order_by(Enrollment.legal_name).limit(limit)
    ))
