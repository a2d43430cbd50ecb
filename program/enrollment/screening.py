"""Screening of an application on submit: the suspended/debarred list, prior history, sensitive sectors.

Findings are facts for the reviewer (never shown to the importer): each has a fixed ``code`` and a
plain message. Names are compared after :func:`program.decisions.engine.normalize_name` (case,
accents, punctuation and trailing corporate suffixes such as Inc, LLC, Ltd, Limited, Corp, Co, PLC,
GmbH dropped), with rapidfuzz's ``token_sort_ratio`` at :data:`NAME_MATCH_THRESHOLD` or above.

``PRIOR_HISTORY_CHECKS`` is the hook for "enforcement history in Greenlane": functions
``(enrollment) -> iterable of Finding``. The enrollment domain registers prior denials and revocations;
the cases module, when it lands, appends a check of prior enforcement cases of the same importer.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date
from typing import Any

from rapidfuzz import fuzz, process
from sqlalchemy import or_, select
from sqlalchemy.orm import selectinload

from core.extensions import db
from core.timeutil import today
from program.decisions.engine import normalize_name
from program.enrollment.debarred import in_force
from program.enrollment.models import DebarredParty, Enrollment
from program.enrollment.states import OPEN_STATUSES, Status
from standards.models import Sector

NAME_MATCH_THRESHOLD = 90


@dataclass(frozen=True)
class Finding:
    """One screening result: a fixed code and what the reviewer should know."""

    code: str
    message: str

    def to_dict(self) -> dict[str, str]:
        """The finding as stored with the enrollment and shown to reviewers."""
        return {"code": self.code, "message": self.message}


def name_similarity(first: str, second: str) -> float:
    """``token_sort_ratio`` (0-100) of the two names after normalisation; 0 when either is empty."""
    a, b = normalize_name(first or ""), normalize_name(second or "")
    if not a or not b:
        return 0.0
    return float(fuzz.token_sort_ratio(a, b))


def names_match(first: str, second: str) -> bool:
    """Whether two organisation names are close enough to count as the same party."""
    return name_similarity(first, second) >= NAME_MATCH_THRESHOLD


def names_resembling(candidates: Iterable[str | None], listed: Iterable[str]) -> frozenset[str]:
    """The normalised forms of ``candidates`` that match one of the normalised ``listed`` names at
    :data:`NAME_MATCH_THRESHOLD`, as enrollment screening matches them. The decision engine's facts hold
    these, so an importer whose name resembles a debarred party's (an entry added after its approval) is
    referred just as an exact match is — and the fuzzy matching runs once per facts snapshot, not per line."""
    choices = [name for name in listed if name]
    if not choices:
        return frozenset()
    found = set()
    for name in {normalize_name(c) for c in candidates if c}:
        if name and process.extractOne(name, choices, scorer=fuzz.token_sort_ratio,
                                       score_cutoff=NAME_MATCH_THRESHOLD) is not None:
            found.add(name)
    return frozenset(found)


def debarred_findings(legal_name: str | None, ior_number: str | None, as_of: date | None = None, *,
                      dba_name: str | None = None) -> list[Finding]:
    """Matches of the IOR number (exact) and the legal name and doing-business-as name (fuzzy) against entries
    in force on ``as_of``."""
    as_of = as_of or today()
    findings: list[Finding] = []
    if ior_number:
        for party in db.session.scalars(
            select(DebarredParty).where(in_force(as_of), DebarredParty.ior_number == ior_number)
            .order_by(DebarredParty.id)
        ):
            findings.append(Finding("debarred_ior", (
                f"IOR number {ior_number} is on the suspended/debarred list as {party.name} "
                f"(entry {party.id}, since {party.start_date.isoformat()}): {party.reason}")))
    findings.extend(_name_findings(legal_name, as_of, code="debarred_name", label="Legal name"))
    if dba_name and normalize_name(dba_name) != normalize_name(legal_name or ""):
        findings.extend(_name_findings(dba_name, as_of, code="debarred_dba_name", label="Doing-business-as name"))
    return findings


def _name_findings(name: str | None, as_of: date, *, code: str, label: str) -> list[Finding]:
    findings: list[Finding] = []
    normalized = normalize_name(name or "")
    if normalized:
        rows = db.session.execute(
            select(DebarredParty.id, DebarredParty.normalized_name, DebarredParty.name, DebarredParty.reason,
                   DebarredParty.start_date).where(in_force(as_of)).order_by(DebarredParty.id)
        ).all()
        choices = {row.id: row.normalized_name for row in rows}
        by_id = {row.id: row for row in rows}
        matches = process.extract(normalized, choices, scorer=fuzz.token_sort_ratio,
                                  score_cutoff=NAME_MATCH_THRESHOLD, limit=None)
        for _choice, score, party_id in sorted(matches, key=lambda m: (-m[1], m[2])):
            row = by_id[party_id]
            how = "matches" if score >= 100 else f"resembles (similarity {score:.0f}%)"
            findings.append(Finding(code, (
                f"{label} \u201c{name}\u201d {how} \u201c{row.name}\u201d on the suspended/debarred list "
                f"(entry {row.id}, since {row.start_date.isoformat()}): {row.reason}")))
    return findings


def _last_reason(enrollment: Enrollment, status: str) -> tuple[str, str]:
    for change in reversed(enrollment.history):
        if change.to_status == status:
            return change.at.date().isoformat(), change.reason
    return "", ""


def prior_enrollment_findings(enrollment: Enrollment) -> list[Finding]:
    """Earlier enrollments of the same IOR number or legal name that were denied or revoked."""
    keys = []
    if enrollment.ior_number:
        keys.append(Enrollment.ior_number == enrollment.ior_number)
    if enrollment.legal_name_normalized:
        keys.append(Enrollment.legal_name_normalized == enrollment.legal_name_normalized)
    if not keys:
        return []
    prior = db.session.scalars(
        select(Enrollment).options(selectinload(Enrollment.history))
        .where(Enrollment.id != enrollment.id, Enrollment.status.in_([Status.DENIED, Status.REVOKED]), or_(*keys))
        .order_by(Enrollment.id)
    ).all()
    findings = []
    for other in prior:
        when, reason = _last_reason(other, other.status)
        code, verb = ("prior_denial", "denied") if other.status == Status.DENIED else ("prior_revocation", "revoked")
        findings.append(Finding(code, (
            f"Enrollment {other.id} ({other.legal_name}, IOR {other.ior_number or 'none'}) was {verb}"
            f"{' on ' + when if when else ''}{': ' + reason if reason else ''}")))
    return findings


def ior_in_use_findings(enrollment: Enrollment) -> list[Finding]:
    """Open enrollments of other organisations that give the same IOR number."""
    if not enrollment.ior_number:
        return []
    others = db.session.scalars(
        select(Enrollment).where(
            Enrollment.id != enrollment.id, Enrollment.ior_number == enrollment.ior_number,
            Enrollment.status.in_(OPEN_STATUSES - {Status.DRAFT}),
            Enrollment.organization_id != enrollment.organization_id,
        ).order_by(Enrollment.id)
    ).all()
    return [Finding("ior_in_use", (
        f"IOR number {enrollment.ior_number} is also on enrollment {other.id} of another organisation "
        f"({other.legal_name}, {other.status.replace('_', ' ')})")) for other in others]


def heightened_sector_findings(enrollment: Enrollment) -> list[Finding]:
    """Requested sectors with heightened protection (standards allowed, never expedited release)."""
    codes = enrollment.requested_sectors
    if not codes:
        return []
    sectors = db.session.scalars(
        select(Sector).where(Sector.code.in_(codes), Sector.heightened_protection.is_(True)).order_by(Sector.code)
    ).all()
    return [Finding("heightened_sector", (
        f"Requests {s.name} ({s.code}), a heightened-protection sector: it may be approved, but its goods "
        "never get expedited release.")) for s in sectors]


PriorHistoryCheck = Callable[[Enrollment], Iterable[Finding]]
# Enforcement history in Greenlane; later domains append their checks (e.g. prior enforcement cases).
PRIOR_HISTORY_CHECKS: list[PriorHistoryCheck] = [prior_enrollment_findings, ior_in_use_findings]


def screen_enrollment(enrollment: Enrollment, as_of: date | None = None) -> list[Finding]:
    """Every finding for ``enrollment`` on ``as_of``: debarred list, prior history, heightened sectors."""
    findings = debarred_findings(enrollment.legal_name, enrollment.ior_number, as_of, dba_name=enrollment.dba_name)
    for check in PRIOR_HISTORY_CHECKS:
        findings.extend(check(enrollment))
    findings.extend(heightened_sector_findings(enrollment))
    return findings


def findings_as_dicts(findings: Iterable[Finding]) -> list[dict[str, Any]]:
    """Findings in the stored JSON shape."""
    return [f.to_dict() for f in findings]
