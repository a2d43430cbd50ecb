"""Facts the release-decision engine reads from the standards domain.

``endorsed_standard_version`` answers one question with one indexed query; ``endorsed_index`` and
``marks_index`` load the whole relation in one query each, for the engine's in-memory snapshot.
"An endorsement by the mark's owner" is a join condition (endorsement organisation = the mark's
current owner), so an endorsement stops counting the moment it is withdrawn or the mark changes hands.
"""

from __future__ import annotations

from datetime import date
from typing import NamedTuple

from sqlalchemy import Select, and_, select

from core.extensions import db
from standards.models import (
    Endorsement,
    RecordedMark,
    Sector,
    StandardVersion,
    VersionCondition,
    endorsement_mark,
)
from standards.states import Decision, VersionStatus


class MarkRow(NamedTuple):
    """A recorded mark as the engine needs it."""

    mark_id: int
    owner_organization_id: int
    lever_rule: bool
    lever_scope: tuple[str, ...] = ()
    expires_on: date | None = None


def _endorsed_relation() -> Select:
    """(sector, condition, recordation number, version id, published at) for every live owner endorsement
    of a published version. Walks mark → endorsement_mark → endorsement → version → condition, each step
    on an index (see the models)."""
    return (
        select(StandardVersion.sector_code, VersionCondition.condition, RecordedMark.recordation_number,
               StandardVersion.id, StandardVersion.published_at)
        .select_from(RecordedMark)
        .join(endorsement_mark, endorsement_mark.c.mark_id == RecordedMark.id)
        .join(Endorsement, and_(Endorsement.id == endorsement_mark.c.endorsement_id,
                                Endorsement.organization_id == RecordedMark.owner_organization_id,
                                Endorsement.decision == Decision.ENDORSE,
                                Endorsement.withdrawn_at.is_(None)))
        .join(StandardVersion, and_(StandardVersion.id == Endorsement.version_id,
                                    StandardVersion.status == VersionStatus.PUBLISHED))
        .join(VersionCondition, VersionCondition.version_id == StandardVersion.id)
    )


def endorsed_standard_version(sector: str, condition: str, recordation_number: str) -> int | None:
    """Id of the published version for this sector covering this condition with a live endorsement of
    this mark by its owner (the most recently published when several qualify); None when there is none."""
    query = (_endorsed_relation()
             .where(RecordedMark.recordation_number == recordation_number,
                    StandardVersion.sector_code == sector,
                    VersionCondition.condition == condition)
             .order_by(StandardVersion.published_at.desc(), StandardVersion.id.desc())
             .limit(1))
    row = db.session.execute(query).first()
    return row[3] if row else None


def endorsed_index() -> dict[tuple[str, str, str], int]:
    """Every ``(sector, condition, recordation_number) → version id`` that ``endorsed_standard_version``
    would answer, loaded in one query."""
    index: dict[tuple[str, str, str], int] = {}
    rows = db.session.execute(
        _endorsed_relation().order_by(StandardVersion.published_at, StandardVersion.id))
    for sector, condition, number, version_id, _published_at in rows:
        index[(sector, condition, number)] = version_id  # later publications win, as in the single lookup
    return index


def marks_index() -> dict[str, MarkRow]:
    """Every recorded mark, ``recordation_number → (mark_id, owner_organization_id, lever_rule)``, in one
    query."""
    rows = db.session.execute(select(RecordedMark.recordation_number, RecordedMark.id,
                                      RecordedMark.owner_organization_id, RecordedMark.lever_rule,
                                      RecordedMark.lever_scope, RecordedMark.expires_on))
    return {number: MarkRow(mark_id, owner, bool(lever), tuple(scope or ()), expires)
            for number, mark_id, owner, lever, scope, expires in rows}


def heightened_sectors() -> frozenset[str]:
    """Codes of the sectors that never get expedited release."""
    return frozenset(db.session.scalars(select(Sector.code).where(Sector.heightened_protection.is_(True))))


def sector_facts() -> tuple[dict[str, str], dict[str, frozenset[str]]]:
    """Every sector's name by code, and each HTS prefix with the sectors that list it."""
    names: dict[str, str] = {}
    prefixes: dict[str, set[str]] = {}
    for code, name, hts in db.session.execute(select(Sector.code, Sector.name, Sector.hts_prefixes)):
        names[code] = name
        for prefix in hts or ():
            prefixes.setdefault(prefix, set()).add(code)
    return names, {prefix: frozenset(codes) for prefix, codes in prefixes.items()}
