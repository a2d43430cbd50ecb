"""Reads for pages and the API: who may see which version, lists, and what awaits a rights holder."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy import Select, and_, exists, func, or_, select

from core.accounts.roles import Role
from core.errors import NotFound
from core.extensions import db
from standards.models import (
    Endorsement,
    PhotoGuide,
    RecordedMark,
    Sector,
    Standard,
    StandardVersion,
    endorsement_mark,
    mark_sector,
)
from standards.states import DECIDABLE_STATUSES, OPEN_STATUSES, Decision, VersionStatus


def get_version(version_id: int) -> StandardVersion:
    """The version with this id, whoever asks, or 404 (actions answer 409 for a wrong state)."""
    version = db.session.get(StandardVersion, version_id)
    if version is None:
        raise NotFound("No such standard.")
    return version


def can_view(user: Any, version: StandardVersion) -> bool:
    """Drafts are seen only by their author organisation; every other state by any signed-in user."""
    if version.status != VersionStatus.DRAFT:
        return True
    return user is not None and user.organization_id == version.author_organization_id


def visible_version(user: Any, version_id: int) -> StandardVersion:
    """The version if ``user`` may see it; 404 otherwise (a draft's existence does not leak)."""
    version = db.session.get(StandardVersion, version_id)
    if version is None or not can_view(user, version):
        raise NotFound("No such standard.")
    return version


def _visibility(user: Any):
    """SQL condition: not a draft, or a draft of the user's organisation."""
    org_id = getattr(user, "organization_id", None)
    return or_(StandardVersion.status != VersionStatus.DRAFT, Standard.author_organization_id == org_id)


def versions_query(user: Any, *, sector: str | None = None, status: str | None = None,
                   standard_id: int | None = None, hide_superseded: bool = False,
                   mine: bool = False) -> Select:
    """Versions ``user`` may see, newest first, filtered."""
    query = (select(StandardVersion).join(StandardVersion.standard).where(_visibility(user))
             .order_by(StandardVersion.created_at.desc(), StandardVersion.id.desc()))
    if sector:
        query = query.where(StandardVersion.sector_code == sector)
    if status:
        query = query.where(StandardVersion.status == status)
    elif hide_superseded:
        query = query.where(StandardVersion.status != VersionStatus.SUPERSEDED)
    if standard_id:
        query = query.where(StandardVersion.standard_id == standard_id)
    if mine:
        query = query.where(Standard.author_organization_id == getattr(user, "organization_id", None))
    return query


def history(user: Any, version: StandardVersion) -> list[StandardVersion]:
    """Every version of the same standard the user may see, newest first."""
    return list(db.session.scalars(versions_query(user, standard_id=version.standard_id)
                                   .order_by(None).order_by(StandardVersion.version.desc())))


def previous_version(user: Any, version: StandardVersion) -> StandardVersion | None:
    """The visible version just before this one, to compare against."""
    return db.session.scalar(
        versions_query(user, standard_id=version.standard_id)
        .where(StandardVersion.version < version.version)
        .order_by(None).order_by(StandardVersion.version.desc()).limit(1)
    )


def latest_version_number(standard_id: int) -> int:
    """Highest version number of the standard."""
    return db.session.scalar(
        select(func.max(StandardVersion.version)).where(StandardVersion.standard_id == standard_id)
    ) or 0


def open_version(standard_id: int) -> StandardVersion | None:
    """The standard's draft or proposed version, if any."""
    return db.session.scalar(select(StandardVersion).where(
        StandardVersion.standard_id == standard_id,
        StandardVersion.status.in_([str(s) for s in OPEN_STATUSES])))


def live_decisions(version_id: int, organization_id: int,
                   decision: Decision | None = None) -> list[Endorsement]:
    """The organisation's live endorsements and declines of one version."""
    query = select(Endorsement).where(Endorsement.version_id == version_id,
                                      Endorsement.organization_id == organization_id,
                                      Endorsement.withdrawn_at.is_(None)).order_by(Endorsement.id)
    if decision:
        query = query.where(Endorsement.decision == decision)
    return list(db.session.scalars(query))


def live_endorsement_count(version_id: int) -> int:
    """Live endorsements (not declines) of this version."""
    return db.session.scalar(select(func.count()).select_from(Endorsement).where(
        Endorsement.version_id == version_id, Endorsement.decision == Decision.ENDORSE,
        Endorsement.withdrawn_at.is_(None))) or 0


def marks_of(organization_id: int) -> list[RecordedMark]:
    """The organisation's recorded marks, by recordation number."""
    return list(db.session.scalars(select(RecordedMark).where(
        RecordedMark.owner_organization_id == organization_id).order_by(RecordedMark.recordation_number)))


def marks_query(*, owner_organization_id: int | None = None, sector: str | None = None,
                q: str | None = None) -> Select:
    """Recorded marks, newest first, filtered by owner, sector or text."""
    query = select(RecordedMark).order_by(RecordedMark.created_at.desc(), RecordedMark.id.desc())
    if owner_organization_id:
        query = query.where(RecordedMark.owner_organization_id == owner_organization_id)
    if sector:
        query = query.where(RecordedMark.id.in_(
            select(mark_sector.c.mark_id).where(mark_sector.c.sector_code == sector)))
    if q:
        like = f"%{q.strip().lower()}%"
        query = query.where(or_(func.lower(RecordedMark.mark).like(like),
                                func.lower(RecordedMark.recordation_number).like(like)))
    return query


def awaiting_decision(organization_id: int) -> list[StandardVersion]:
    """Proposed or published versions in its marks' sectors that the organisation has not decided on."""
    my_sectors = (select(mark_sector.c.sector_code)
                  .join(RecordedMark, RecordedMark.id == mark_sector.c.mark_id)
                  .where(RecordedMark.owner_organization_id == organization_id))
    decided = exists().where(and_(Endorsement.version_id == StandardVersion.id,
                                  Endorsement.organization_id == organization_id,
                                  Endorsement.withdrawn_at.is_(None)))
    return list(db.session.scalars(
        select(StandardVersion)
        .where(StandardVersion.status.in_([str(s) for s in DECIDABLE_STATUSES]),
               StandardVersion.sector_code.in_(my_sectors), ~decided)
        .order_by(StandardVersion.status, StandardVersion.proposed_at, StandardVersion.id)  # proposed first
    ))


def ready_to_publish() -> list[StandardVersion]:
    """Proposed versions with at least one live endorsement, oldest proposal first."""
    endorsed = exists().where(and_(Endorsement.version_id == StandardVersion.id,
                                   Endorsement.decision == Decision.ENDORSE,
                                   Endorsement.withdrawn_at.is_(None)))
    return list(db.session.scalars(select(StandardVersion).where(
        StandardVersion.status == VersionStatus.PROPOSED, endorsed).order_by(StandardVersion.proposed_at)))


def can_view_guides(user: Any, organization_id: int | None = None) -> bool:
    """Reviewers see every guide; a rights holder only its own organisation's."""
    if user is None or not getattr(user, "active", False):
        return False
    if user.role == Role.REVIEWER:
        return True
    return (user.role == Role.RIGHTS_HOLDER and organization_id is not None
            and user.organization_id == organization_id)


def guides_for_sector(sector_code: str) -> list[PhotoGuide]:
    """Live guides for a sector (every mark), newest first."""
    return list(db.session.scalars(select(PhotoGuide).where(
        PhotoGuide.sector_code == sector_code, PhotoGuide.removed_at.is_(None))
        .order_by(PhotoGuide.created_at.desc(), PhotoGuide.id.desc())))


def guides_for_mark(mark_id: int) -> list[PhotoGuide]:
    """Live guides of a mark, newest first."""
    return list(db.session.scalars(select(PhotoGuide).where(
        PhotoGuide.mark_id == mark_id, PhotoGuide.removed_at.is_(None))
        .order_by(PhotoGuide.created_at.desc(), PhotoGuide.id.desc())))


def guides_for_lines(lines: Iterable[tuple[str | None, str]]) -> list[tuple[PhotoGuide, bool]]:
    """Live guides of the recorded marks on an entry's ``(recordation_number, sector)`` lines, each with
    whether it is for a line's own sector: those first (they show the goods presented), newest first."""
    pairs = {(number, sector) for number, sector in lines if number}
    numbers = {number for number, _ in pairs}
    if not numbers:
        return []
    marks = select(RecordedMark.id).where(RecordedMark.recordation_number.in_(sorted(numbers)))
    guides = db.session.scalars(  # the mark, sector and files come joined (the model's eager loads)
        select(PhotoGuide).where(PhotoGuide.mark_id.in_(marks), PhotoGuide.removed_at.is_(None))
        .order_by(PhotoGuide.created_at.desc(), PhotoGuide.id.desc()))
    tagged = [(guide, (guide.mark.recordation_number, guide.sector_code) in pairs) for guide in guides]
    return sorted(tagged, key=lambda pair: not pair[1])  # stable: newest first within each group


def sectors() -> list[Sector]:
    """Every sector, heightened-protection ones last."""
    return list(db.session.scalars(select(Sector).order_by(Sector.heightened_protection, Sector.name)))


def published_catalogue(sector: str | None = None) -> list[tuple[Sector, list[StandardVersion]]]:
    """Published versions grouped by sector (sectors without any left out), for the public catalogue."""
    query = (select(StandardVersion).join(StandardVersion.sector)
             .where(StandardVersion.status == VersionStatus.PUBLISHED)
             .order_by(Sector.heightened_protection, Sector.name, StandardVersion.title))
    if sector:
        query = query.where(StandardVersion.sector_code == sector)
    groups: dict[str, tuple[Sector, list[StandardVersion]]] = {}
    for version in db.session.scalars(query):
        groups.setdefault(version.sector_code, (version.sector, []))[1].append(version)
    return list(groups.values())


def endorsements_of_mark(mark_id: int) -> list[Endorsement]:
    """Live endorsements that cover the mark, newest first."""
    return list(db.session.scalars(
        select(Endorsement).join(endorsement_mark, endorsement_mark.c.endorsement_id == Endorsement.id)
        .where(endorsement_mark.c.mark_id == mark_id, Endorsement.withdrawn_at.is_(None))
        .order_by(Endorsement.created_at.desc(), Endorsement.id.desc())))
