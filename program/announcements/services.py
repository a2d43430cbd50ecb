"""Publishing announcements and working out who they are for (audited in the caller's transaction)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import or_, select

from core import audit
from core.accounts.models import Organization, User
from core.accounts.roles import CBP_ROLES, OrgKind
from core.errors import ValidationFailed
from core.extensions import db
from core.notifications import queue_notification
from core.timeutil import utcnow
from program.announcements.models import Announcement
from program.enrollment import queries as enrollment_queries
from program.enrollment.models import EnrollmentSector
from standards.models import RecordedMark, Sector, Standard, StandardVersion, mark_sector

PARTY_KINDS = (OrgKind.IMPORTER, OrgKind.RIGHTS_HOLDER, OrgKind.INDUSTRY_GROUP)


def _text(raw: Any, field: str, max_len: int, errors: dict[str, list[str]]) -> str:
    value = raw.strip() if isinstance(raw, str) else ""
    if raw is not None and not isinstance(raw, str):
        errors[field] = ["Must be text."]
    elif "\x00" in value:
        errors[field] = ["Contains a NUL character."]
    elif not value:
        errors[field] = ["Required."]
    elif len(value) > max_len:
        errors[field] = [f"At most {max_len:,} characters."]
    return value


def organization_sectors(organization: Organization) -> set[str]:
    """The sectors an organisation takes part in: an importer's current enrollment's, a rights holder's marks',
    an industry group's standards'."""
    if organization.kind == OrgKind.IMPORTER:
        enrollment = enrollment_queries.current_enrollment(organization.id)
        if enrollment is None:
            return set()
        return set(db.session.scalars(select(EnrollmentSector.sector_code)
                                      .where(EnrollmentSector.enrollment_id == enrollment.id)))
    if organization.kind == OrgKind.RIGHTS_HOLDER:
        return set(db.session.scalars(select(mark_sector.c.sector_code).join(
            RecordedMark, RecordedMark.id == mark_sector.c.mark_id).where(RecordedMark.owner_organization_id == organization.id)))
    if organization.kind == OrgKind.INDUSTRY_GROUP:
        return set(db.session.scalars(select(StandardVersion.sector_code).join(Standard).where(
            Standard.author_organization_id == organization.id)))
    return set()


def audience(sector_code: str | None) -> list[Organization]:
    """Party organisations an announcement reaches: all, or those taking part in the sector."""
    organizations = list(db.session.scalars(select(Organization).where(Organization.kind.in_(PARTY_KINDS))
                                            .order_by(Organization.name)))
    if sector_code is None:
        return organizations
    return [o for o in organizations if sector_code in organization_sectors(o)]


def primary_contacts(organization: Organization) -> list[str]:
    """Where an organisation's notices go: an importer's primary contacts on its enrollment, otherwise (or when
    it has none) its active users."""
    emails = enrollment_queries.contact_emails(organization.id, "primary") if organization.kind == OrgKind.IMPORTER else None
    if emails:
        return emails
    return [u.email for u in db.session.scalars(select(User).where(User.organization_id == organization.id,
                                                                   User.active.is_(True)))]


def publish_announcement(actor: Any, *, title: Any, body: Any, sector: Any = None) -> Announcement:
    """A reviewer publishes a notice to everyone or to one sector's participants; their primary contacts are
    e-mailed through the outbox."""
    errors: dict[str, list[str]] = {}
    title = _text(title, "title", 200, errors)
    body = _text(body, "body", 20_000, errors)
    sector_code = sector or None
    if sector_code is not None and (not isinstance(sector_code, str) or db.session.get(Sector, sector_code) is None):
        errors["sector"] = ["No such sector."]
    if errors:
        raise ValidationFailed("The announcement could not be published.", fields=errors)
    announcement = Announcement(title=title, body=body, sector_code=sector_code, published_at=utcnow(),
                                published_by_id=actor.id)
    db.session.add(announcement)
    db.session.flush()
    scope = f"{announcement.sector.name} participants" if announcement.sector else "all Greenlane participants"
    recipients = [email for organization in audience(sector_code) for email in primary_contacts(organization)]
    queued = queue_notification(recipients, f"Greenlane announcement: {title}",
                                f"{body}\n\n— CBP Greenlane program, to {scope}.\n", topic="announcement.publish")
    announcement.emailed = len(queued)
    db.session.flush()
    audit.record(actor, "announcement.publish", "announcement", announcement.id, after=announcement.snapshot())
    return announcement


def announcements_for(user: Any, limit: int | None = None) -> list[Announcement]:
    """Announcements ``user`` should see, newest first: CBP all; a party those for everyone or its sectors."""
    query = select(Announcement).order_by(Announcement.published_at.desc(), Announcement.id.desc())
    if str(getattr(user, "role", "")) not in CBP_ROLES:
        sectors = sorted(organization_sectors(user.organization))
        query = query.where(or_(Announcement.sector_code.is_(None), Announcement.sector_code.in_(sectors)))
    if limit:
        query = query.limit(limit)
    return list(db.session.scalars(query))


