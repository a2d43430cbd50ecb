"""Read side of cases: filtered lists (scoped by ``policy.visible_cases``), deadlines due soon, the
decision page's lookup and the enrollment-screening check of prior cases."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import Any

from sqlalchemy import Select, func, select
from sqlalchemy.orm import selectinload

from core.extensions import db
from core.timeutil import today
from program.cases import policy
from program.cases.deadlines import add_business_days
from program.cases.models import EnforcementCase
from program.cases.states import OUTCOMES, STATUS_LABELS, Status
from program.decisions.models import ReleaseDecision, lines_loaded

LIST_STATUSES = ("open", *Status)


def case_list_query(user: Any, *, status: str | None = None, port: str | None = None, overdue: bool = False,
                    on: date | None = None) -> Select:
    """The cases ``user`` may see, newest notice first, filtered by status (``open`` for any detained),
    port and overdue (open, unanswered and past the response deadline)."""
    on = on or today()
    query = policy.visible_cases(user).options(
        selectinload(EnforcementCase.decision).options(*lines_loaded()))
    if status == "open":
        query = query.where(EnforcementCase.status == Status.DETAINED)
    elif status:
        query = query.where(EnforcementCase.status == status)
    if port:
        query = query.where(EnforcementCase.port_code == port)
    if overdue:
        query = query.where(EnforcementCase.status == Status.DETAINED, EnforcementCase.responded_on.is_(None),
                            EnforcementCase.response_due < on)
    return query.order_by(EnforcementCase.notice_date.desc(), EnforcementCase.id.desc())


def ports_in_use() -> list[str]:
    """Ports with at least one case (for the reviewer's filter)."""
    return list(db.session.scalars(select(EnforcementCase.port_code).distinct().order_by(EnforcementCase.port_code)))


def due_soon(user: Any, *, within: int = 3, limit: int = 10, on: date | None = None) -> list[EnforcementCase]:
    """Open cases ``user`` may see whose importer has not answered, due within ``within`` business days
    (overdue ones included), soonest first."""
    on = on or today()
    horizon = add_business_days(on, within)
    query = (policy.visible_cases(user)
             .where(EnforcementCase.status == Status.DETAINED, EnforcementCase.responded_on.is_(None),
                    EnforcementCase.response_due <= horizon)
             .order_by(EnforcementCase.response_due, EnforcementCase.id).limit(limit))
    return list(db.session.scalars(query))


def open_cases(user: Any, *, limit: int = 20) -> list[EnforcementCase]:
    """Open cases ``user`` may see, soonest deadline first."""
    query = (policy.visible_cases(user).where(EnforcementCase.status == Status.DETAINED)
             .order_by(EnforcementCase.response_due, EnforcementCase.id).limit(limit))
    return list(db.session.scalars(query))


def case_for_decision(decision_id: int) -> EnforcementCase | None:
    """The case opened for a decision, if any."""
    return db.session.scalar(select(EnforcementCase).where(EnforcementCase.decision_id == decision_id))


def counts_by_status(user: Any) -> dict[str, int]:
    """Cases ``user`` may see, by status (every status present, zeros included)."""
    sub = policy.visible_cases(user).subquery()
    rows = db.session.execute(select(sub.c.status, func.count()).group_by(sub.c.status)).all()
    found = dict(rows)
    return {status: found.get(status, 0) for status in STATUS_LABELS}


def prior_cases_for_ior(ior_numbers: Iterable[str]) -> list[EnforcementCase]:
    """Closed Greenlane cases of entries presented under any of ``ior_numbers``, oldest first."""
    iors = sorted({i for i in ior_numbers if i})
    if not iors:
        return []
    return list(db.session.scalars(
        select(EnforcementCase).join(ReleaseDecision, ReleaseDecision.id == EnforcementCase.decision_id)
        .where(ReleaseDecision.ior_number.in_(iors), EnforcementCase.status.in_(OUTCOMES))
        .order_by(EnforcementCase.outcome_date, EnforcementCase.id)))


BULK_LIMIT = 200


def bulk_candidates(*, port: str | None = None, importer_id: int | None = None, presented_from: date | None = None,
                    presented_to: date | None = None) -> list[EnforcementCase]:
    """Open cases for the reviewer's bulk page, oldest presentation first, filtered by port, importer
    organisation and presentation dates (at most :data:`BULK_LIMIT`)."""
    query = (select(EnforcementCase).join(ReleaseDecision, ReleaseDecision.id == EnforcementCase.decision_id)
             .where(EnforcementCase.status == Status.DETAINED)
             .options(selectinload(EnforcementCase.decision).options(*lines_loaded())))
    if port:
        query = query.where(EnforcementCase.port_code == port)
    if importer_id:
        query = query.where(ReleaseDecision.organization_id == importer_id)
    if presented_from:
        query = query.where(EnforcementCase.presented_on >= presented_from)
    if presented_to:
        query = query.where(EnforcementCase.presented_on <= presented_to)
    return list(db.session.scalars(query.order_by(EnforcementCase.presented_on, EnforcementCase.id).limit(BULK_LIMIT)))


def importers_with_open_cases() -> list[tuple[int, str]]:
    """(organisation id, name) of importers with open cases, for the bulk page's filter."""
    from core.accounts.models import Organization

    return [tuple(row) for row in db.session.execute(
        select(Organization.id, Organization.name).join(ReleaseDecision, ReleaseDecision.organization_id == Organization.id)
        .join(EnforcementCase, EnforcementCase.decision_id == ReleaseDecision.id)
        .where(EnforcementCase.status == Status.DETAINED).distinct().order_by(Organization.name))]


def open_detentions(user: Any) -> list[EnforcementCase]:
    """Every open detention ``user`` may see, soonest deadline first (the importer's home page lists them all)."""
    query = (policy.visible_cases(user).where(EnforcementCase.status == Status.DETAINED)
             .order_by(EnforcementCase.response_due, EnforcementCase.detention_ends, EnforcementCase.id))
    return list(db.session.scalars(query))


REPEATED_SEIZURES = 2  # seizures within the look-back after which a reviewer is told to consider a suspension


def seizures_of_importer(organization_id: int | None, ior_numbers: Iterable[str]) -> list[EnforcementCase]:
    """Cases closed as seized whose entry was decided for ``organization_id`` or under one of ``ior_numbers``,
    newest first (the reviewer's enrollment page; rule ``prior_violation`` counts the same seizures)."""
    from sqlalchemy import or_

    iors = sorted({i for i in ior_numbers if i})
    who = [ReleaseDecision.ior_number.in_(iors)] if iors else []
    if organization_id is not None:
        who.append(ReleaseDecision.organization_id == organization_id)
    if not who:
        return []
    return list(db.session.scalars(
        select(EnforcementCase).join(ReleaseDecision, ReleaseDecision.id == EnforcementCase.decision_id)
        .where(or_(*who), EnforcementCase.status == "seized")
        .order_by(EnforcementCase.outcome_date.desc(), EnforcementCase.id.desc())))
