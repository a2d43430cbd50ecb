"""Program facts for the engine: loaded in a handful of queries, cached per process, invalidated by version.

Every write that changes what the rules look at (enrollments, the debarred list, sectors, marks,
standards and endorsements, blank declarations) bumps the single ``facts_version`` counter in its own
transaction: the ORM listener below does it for every flush that touches a watched table, and
:func:`bump_facts_version` is there for Core writes. :func:`snapshot` reads the counter (one primary-key
look-up) and reuses the cached snapshot while it is unchanged and the day has not turned. The decision
endpoint saves even that look-up: it decides on :func:`cached_snapshot` and reads the counter as part
of the statement that stores the decision (:data:`VERSION_NOW` in its ``RETURNING``), deciding again on
a fresh snapshot when the counter has moved — so a decision is never stored on facts older than the
moment it is written.

Blank lines are the exception: their remaining quantities fall with every release decision (a Core
``UPDATE`` that deliberately does not bump the counter), so a request reads the lines it cites fresh
(:func:`with_fresh_blank_lines`), and the consumption itself is a conditional update that can never
overdraw whatever the snapshot said.
"""

from __future__ import annotations

import threading
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import date, timedelta
from typing import Any

from sqlalchemy import event, select, update
from sqlalchemy.orm import Session

from core.extensions import db
from core.timeutil import today
from program.decisions.engine import BlankLineFact, EnrollmentFact, Facts, MarkFact, PriorViolationFact, normalize_name
from program.decisions.models import FactsVersion

_WATCHED: set[type] = set()


def watch(*classes: type) -> None:
    """Have flushes that add, change or delete instances of ``classes`` bump the facts version."""
    _WATCHED.update(classes)


def bump_facts_version() -> None:
    """Mark program facts changed, inside the caller's transaction (for writes the ORM does not see)."""
    db.session.execute(update(FactsVersion).where(FactsVersion.id == 1).values(version=FactsVersion.version + 1))


@event.listens_for(Session, "after_flush")
def _bump_on_flush(session: Session, _context: Any) -> None:
    """Bump the counter once per flush that touched a watched table (pre-flush lists are still visible)."""
    if not _WATCHED:
        return
    for obj in (*session.new, *session.dirty, *session.deleted):
        if type(obj) in _WATCHED:
            session.connection().execute(
                update(FactsVersion).where(FactsVersion.id == 1).values(version=FactsVersion.version + 1)
            )
            return


_VERSION = FactsVersion.__table__
_READ_VERSION = select(_VERSION.c.version).where(_VERSION.c.id == 1)  # built once: read on every request
# The counter as a scalar subquery, for a write's RETURNING clause: read in the same statement, no round trip.
VERSION_NOW = _READ_VERSION.scalar_subquery()


def current_version() -> int:
    """The facts version as committed (or as bumped in this transaction)."""
    return db.session.execute(_READ_VERSION).scalar_one()


@dataclass(frozen=True, slots=True)
class Snapshot:
    """Facts for one day and version, plus who may ask about which IOR numbers."""

    version: int
    facts: Facts
    iors_by_organization: dict[int, frozenset[str]]
    sectors: frozenset[str]

    def iors_of(self, organization_id: int | None) -> frozenset[str]:
        """IOR numbers on any enrollment of ``organization_id`` (empty when it never applied)."""
        return self.iors_by_organization.get(organization_id, frozenset()) if organization_id else frozenset()


_lock = threading.Lock()
_cached: Snapshot | None = None


def clear_cache() -> None:
    """Forget the cached snapshot (tests; a new process starts empty anyway)."""
    global _cached
    _cached = None


def cached_snapshot() -> Snapshot | None:
    """Today's cached snapshot without checking the counter (None when there is none): the caller must
    check ``version`` against the counter before relying on what it decided (see :data:`VERSION_NOW`)."""
    cached = _cached
    if cached is not None and cached.facts.as_of == today():
        return cached
    return None


def snapshot(as_of: date | None = None) -> Snapshot:
    """The facts for ``as_of`` (default today): cached while the version and day are unchanged."""
    global _cached
    as_of = as_of or today()
    version = current_version()
    cached = _cached
    if cached is not None and cached.version == version and cached.facts.as_of == as_of:
        return cached
    with _lock:
        fresh = load_snapshot(as_of, version)
        if as_of == today():
            _cached = fresh
    return fresh


def load_snapshot(as_of: date, version: int = 0) -> Snapshot:
    """Read every fact the rules use, in one query per kind of fact.

    The ids of stored reason lists a process remembers are dropped too: facts are read afresh when their
    version moved, and whatever moved it may have removed rows behind the process's back (tests empty the
    database; a demo is seeded again)."""
    from program.decisions.reason_sets import forget_all

    forget_all()
    from program.blanks.queries import blank_line_facts
    from program.enrollment.debarred import debarred_snapshot
    from program.enrollment.screening import names_resembling
    from standards.queries import endorsed_index, heightened_sectors, marks_index, sector_facts

    enrollments, iors_by_org = _enrollment_facts()
    debarred = debarred_snapshot(as_of)
    sector_names, hts_sectors = sector_facts()
    days = prior_violation_days()
    by_ior, by_org = prior_violations(as_of, days)
    facts = Facts(
        as_of=as_of,
        debarred_iors=debarred.iors,
        # The listed names, and the enrolled names that resemble one (fuzzy, as enrollment screening).
        debarred_names=debarred.names | names_resembling((e.legal_name for e in enrollments.values()),
                                                         debarred.names),
        enrollments=enrollments,
        heightened_sectors=heightened_sectors(),
        marks={number: MarkFact(row.mark_id, row.owner_organization_id, row.lever_rule, row.lever_scope, row.expires_on)
               for number, row in marks_index().items()},
        endorsed=endorsed_index(),
        blank_lines=blank_line_facts(as_of),
        sector_names=sector_names,
        hts_sectors=hts_sectors,
        prior_violations_by_ior=by_ior,
        prior_violations_by_org=by_org,
        prior_violation_days=days,
        violative_shippers=violative_shipper_facts(),
    )
    return Snapshot(version=version, facts=facts, iors_by_organization=iors_by_org, sectors=_sector_codes())


def prior_violation_days() -> int:
    """The look-back of rule ``prior_violation`` in days (``PRIOR_VIOLATION_DAYS``, default 365)."""
    from flask import current_app

    return int(current_app.config.get("PRIOR_VIOLATION_DAYS", 365))


def prior_violations(as_of: date, days: int) -> tuple[dict[str, PriorViolationFact], dict[int, PriorViolationFact]]:
    """Seizures in cases closed within ``days`` before ``as_of`` (inclusive), by IOR number and by organisation."""
    from program.cases.models import EnforcementCase
    from program.decisions.models import ReleaseDecision

    since = as_of - timedelta(days=days)
    rows = db.session.execute(
        select(ReleaseDecision.ior_number, ReleaseDecision.organization_id, EnforcementCase.outcome_date)
        .join(EnforcementCase, EnforcementCase.decision_id == ReleaseDecision.id)
        .where(EnforcementCase.status == "seized", EnforcementCase.outcome_date >= since,
               EnforcementCase.outcome_date <= as_of))
    by_ior: dict[Any, list[date]] = defaultdict(list)
    by_org: dict[Any, list[date]] = defaultdict(list)
    for ior, org, on in rows:
        by_ior[ior].append(on)
        if org is not None:
            by_org[org].append(on)
    return ({ior: PriorViolationFact(len(dates), max(dates)) for ior, dates in by_ior.items()},
            {org: PriorViolationFact(len(dates), max(dates)) for org, dates in by_org.items()})


def violative_shipper_facts() -> frozenset[tuple[str, str | None, str]]:
    """The known violative shippers as ``(normalised name, country, name)``."""
    from program.decisions.models import ViolativeShipper

    return frozenset((normal or normalize_name(name), country, name) for name, normal, country in db.session.execute(
        select(ViolativeShipper.name, ViolativeShipper.normalized_name, ViolativeShipper.country)))


def _sector_codes() -> frozenset[str]:
    from standards.models import Sector

    return frozenset(db.session.scalars(select(Sector.code)))


def _enrollment_facts() -> tuple[dict[str, EnrollmentFact], dict[int, frozenset[str]]]:
    """For each IOR number the enrollment that speaks for it (approved, else suspended, else the newest
    submitted-or-later), and every IOR number each organisation has used on any enrollment."""
    from program.enrollment.models import Enrollment, EnrollmentSector

    rank = {"approved": 0, "suspended": 1}
    rows = db.session.execute(
        select(Enrollment.id, Enrollment.organization_id, Enrollment.ior_number, Enrollment.legal_name,
               Enrollment.status, Enrollment.valid_until)
        .where(Enrollment.ior_number.is_not(None)).order_by(Enrollment.id.desc())
    ).all()
    approved_sectors: dict[int, set[str]] = defaultdict(set)
    for enrollment_id, code in db.session.execute(
        select(EnrollmentSector.enrollment_id, EnrollmentSector.sector_code).where(EnrollmentSector.approved.is_(True))
    ):
        approved_sectors[enrollment_id].add(code)
    best: dict[str, tuple[int, Any]] = {}
    iors: dict[int, set[str]] = defaultdict(set)
    for enrollment_id, org_id, ior, name, status, valid_until in rows:  # newest first
        iors[org_id].add(ior)
        if status == "draft":
            continue
        key = rank.get(status, 2)
        if ior not in best or key < best[ior][0]:
            best[ior] = (key, EnrollmentFact(enrollment_id, org_id, name, status, valid_until,
                                             frozenset(approved_sectors.get(enrollment_id, ()))))
    return ({ior: fact for ior, (_, fact) in best.items()},
            {org: frozenset(values) for org, values in iors.items()})


def with_fresh_blank_lines(facts: Facts, keys: Iterable[tuple[str, int]]) -> Facts:
    """``facts`` with the cited declaration lines re-read now (their remaining quantities move constantly)."""
    wanted = {key for key in keys if key[0] is not None and key[1] is not None}
    if not wanted:
        return facts
    from program.blanks.queries import blank_line_facts

    fresh: dict[tuple[str, int], BlankLineFact] = blank_line_facts(facts.as_of, keys=wanted)
    return replace(facts, blank_lines=fresh)
