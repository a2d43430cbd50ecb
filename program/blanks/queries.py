"""Read side of the blank-goods domain: the facts the release-decision engine uses, access guards,
and the lists the pages and the API show."""

from __future__ import annotations

from collections.abc import Collection
from datetime import date
from typing import Any

from sqlalchemy import Select, case, literal, select, tuple_
from sqlalchemy.orm import joinedload, selectinload

from core import policy
from core.errors import NotAllowed, NotFound
from core.extensions import db
from core.timeutil import today
from program.blanks import policy as perms
from program.blanks.models import BlankDeclaration, BlankLine, BlankParty
from program.blanks.states import LIVE_STATUSES, Status
from program.decisions.engine import BlankLineFact
from standards.models import RecordedMark

_LIVE = [s.value for s in LIVE_STATUSES]


def blank_line_facts(as_of: date | None = None, *,
                     keys: Collection[tuple[str, int]] | None = None) -> dict[tuple[str, int], BlankLineFact]:
    """Every line of every declaration (or only the ``(public id, line_no)`` ``keys``), as the engine sees it.

    One Core query over plain columns (no ORM objects), so it stays fast for 100k+ lines. A live
    declaration whose validity ended before ``as_of`` (default today) shows as ``expired`` even before
    the expiry command has run.
    """
    as_of = as_of or today()
    d, line = BlankDeclaration.__table__.c, BlankLine.__table__.c
    status = case((d.status.in_(_LIVE) & (d.valid_until < literal(as_of)), literal(Status.EXPIRED.value)),
                  else_=d.status)
    query = (
        select(line.id, d.public_id, d.organization_id, status, d.valid_from, d.valid_until, line.line_no,
               line.hts_code, line.remaining_quantity, line.licence_status)
        .select_from(BlankLine.__table__.join(BlankDeclaration.__table__, line.declaration_id == d.id))
        .where(d.public_id.is_not(None))
    )
    if keys is not None:
        query = query.where(tuple_(d.public_id, line.line_no).in_(sorted(keys)))
    rows = db.session.execute(query)
    return {
        (public_id, line_no): BlankLineFact(line_id=line_id, declaration_id=public_id, organization_id=org_id,
                                            status=st, valid_from=valid_from, valid_until=valid_until,
                                            hts_code=hts, remaining=remaining, licence_status=licence)
        for line_id, public_id, org_id, st, valid_from, valid_until, line_no, hts, remaining, licence in rows
    }


def sees_all(user: Any) -> bool:
    """CBP staff see every importer's declarations."""
    return policy.can(user, perms.READ_ALL)


def get_declaration(public_id: str) -> BlankDeclaration | None:
    """The declaration with ``public_id`` (case-insensitive), parts loaded; None if there is none."""
    return db.session.scalar(
        select(BlankDeclaration)
        .options(selectinload(BlankDeclaration.parties), selectinload(BlankDeclaration.lines),
                 selectinload(BlankDeclaration.queries), joinedload(BlankDeclaration.organization))
        .where(BlankDeclaration.public_id == (public_id or "").strip().upper())
    )


def get_declaration_for(user: Any, public_id: str) -> BlankDeclaration:
    """The declaration if ``user`` may see it; 404 for another importer's (its existence must not leak)."""
    declaration = get_declaration(public_id)
    if declaration is None or not (sees_all(user) or declaration.organization_id == user.organization_id):
        raise NotFound("No such blank-goods declaration.")
    return declaration


def get_declaration_for_mark_owner(user: Any, public_id: str) -> BlankDeclaration:
    """The declaration if one of its licensed lines names a mark ``user``'s organisation owns; 404 otherwise."""
    declaration = get_declaration(public_id)
    org = getattr(user, "organization_id", None)
    if declaration is None or not any(line.mark is not None and line.mark.owner_organization_id == org
                                      for line in declaration.lines if line.intended_marking == "licensed"):
        raise NotFound("No such blank-goods declaration.")
    return declaration


def require_owner(user: Any, declaration: BlankDeclaration) -> None:
    """Only the importer organisation that filed may withdraw or answer."""
    if declaration.organization_id != getattr(user, "organization_id", None):
        if sees_all(user):
            raise NotAllowed("Only the importer that filed can do this.")
        raise NotFound("No such blank-goods declaration.")


def visible_declarations(user: Any) -> Select:
    """Declarations ``user`` may list, newest first: all for CBP, the own organisation's for importers."""
    query = (select(BlankDeclaration)
             .options(joinedload(BlankDeclaration.organization), selectinload(BlankDeclaration.lines),
                      selectinload(BlankDeclaration.parties))
             .order_by(BlankDeclaration.filed_at.desc(), BlankDeclaration.id.desc()))
    if not sees_all(user):
        query = query.where(BlankDeclaration.organization_id == user.organization_id)
    return query


def filter_declarations(query: Select, *, status: str | None = None, hts_chapter: str | None = None,
                        country: str | None = None, organization_id: int | None = None,
                        importer: str | None = None) -> Select:
    """Narrow a declaration list by status, HTS chapter (2 digits), country (of origin or of a party)
    and importer (organisation id or a piece of its name)."""
    if status:
        query = query.where(BlankDeclaration.status == status)
    if hts_chapter:
        query = query.where(BlankDeclaration.lines.any(BlankLine.hts_code.startswith(hts_chapter[:2])))
    if country:
        code = country.strip().upper()
        query = query.where(BlankDeclaration.lines.any(BlankLine.country_of_origin == code)
                            | BlankDeclaration.parties.any(BlankParty.country == code))
    if organization_id:
        query = query.where(BlankDeclaration.organization_id == organization_id)
    if importer:
        from core.accounts.models import Organization

        query = query.where(BlankDeclaration.organization.has(Organization.name.ilike(f"%{importer.strip()}%")))
    return query


def licensed_lines_for_owner(organization_id: int) -> Select:
    """Licensed declaration lines naming a mark ``organization_id`` owns (for the rights holder's page): those
    awaiting the owner's confirmation first, then the newest."""
    from sqlalchemy import case

    return (select(BlankLine)
            .join(BlankLine.mark).join(BlankLine.declaration)
            .options(joinedload(BlankLine.declaration), joinedload(BlankLine.mark))
            .where(RecordedMark.owner_organization_id == organization_id, BlankLine.intended_marking == "licensed")
            .order_by(case((BlankLine.licence_status == "pending", 0), else_=1), BlankDeclaration.filed_at.desc(),
                      BlankDeclaration.id.desc(), BlankLine.line_no))


def pending_licences_for_owner(organization_id: int, limit: int = 5,
                               as_of: date | None = None) -> tuple[int, list[BlankLine]]:
    """Licensed lines of live, unexpired declarations naming a mark ``organization_id`` owns and awaiting its
    confirmation: how many there are, and the ``limit`` filed longest ago (for the rights holder's dashboard)."""
    from sqlalchemy import func

    as_of = as_of or today()
    where = (RecordedMark.owner_organization_id == organization_id, BlankLine.intended_marking == "licensed",
             BlankLine.licence_status == "pending", BlankDeclaration.status.in_(_LIVE),
             BlankDeclaration.valid_until >= as_of)
    count = db.session.scalar(select(func.count(BlankLine.id)).join(BlankLine.mark).join(BlankLine.declaration)
                              .where(*where)) or 0
    oldest = list(db.session.scalars(
        select(BlankLine).join(BlankLine.mark).join(BlankLine.declaration)
        .options(joinedload(BlankLine.declaration), joinedload(BlankLine.mark)).where(*where)
        .order_by(BlankDeclaration.filed_at, BlankDeclaration.id, BlankLine.line_no).limit(limit)).unique())
    return count, oldest


def utilisation(organization_id: int | None = None, as_of: date | None = None) -> list[dict[str, Any]]:
    """Live, unexpired declarations with declared and drawn quantities per unit (an importer's own when
    ``organization_id`` is given), most used first — for the program dashboard."""
    from sqlalchemy import func

    as_of = as_of or today()
    d, line = BlankDeclaration.__table__.c, BlankLine.__table__.c
    query = (select(d.public_id, d.valid_until, line.unit, func.sum(line.quantity), func.sum(line.remaining_quantity))
             .select_from(BlankLine.__table__.join(BlankDeclaration.__table__, line.declaration_id == d.id))
             .where(d.status.in_(_LIVE), d.valid_until >= as_of)
             .group_by(d.public_id, d.valid_until, line.unit))
    if organization_id is not None:
        query = query.where(d.organization_id == organization_id)
    rows = []
    for public_id, valid_until, unit, declared, remaining in db.session.execute(query):
        drawn = declared - remaining
        rows.append({"public_id": public_id, "valid_until": valid_until, "unit": unit, "declared": declared,
                     "drawn": drawn, "share": float(drawn / declared) if declared else 0.0})
    return sorted(rows, key=lambda r: (-r["share"], r["public_id"]))
