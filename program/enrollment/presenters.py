"""Display helpers shared by the enrollment pages and the home page (labels, tags, wizard steps)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from flask import g
from flask_login import current_user
from sqlalchemy import select

from core.extensions import db
from core.timeutil import utcnow
from program.enrollment import formats, lifecycle, queries
from program.enrollment.application import BAR_YEARS, STEP_OF_FIELD, barring_revocation, missing_items
from program.enrollment.countries import country_name
from program.enrollment.models import Enrollment
from program.enrollment.states import ACTION_LABELS, AWAITING_STATUSES, STATUS_LABELS, STATUS_TAG_CLASSES, Status
from standards.models import Sector


@dataclass(frozen=True)
class Step:
    """A step of the application wizard."""

    slug: str
    title: str


STEPS: tuple[Step, ...] = (
    Step("identity", "Identity"),
    Step("contacts", "Contacts"),
    Step("sectors", "Sectors & sourcing"),
    Step("documents", "Documents"),
    Step("review", "Review & submit"),
)
STEP_SLUGS = tuple(step.slug for step in STEPS)

FINDING_LABELS: dict[str, tuple[str, str]] = {  # code -> (label, USWDS tag classes)
    "debarred_ior": ("Debarred IOR number", "bg-secondary-dark"),
    "debarred_name": ("Debarred name match", "bg-secondary-dark"),
    "debarred_dba_name": ("Debarred DBA name match", "bg-secondary-dark"),
    "prior_denial": ("Prior denial", "bg-orange text-ink"),
    "prior_revocation": ("Prior revocation", "bg-orange text-ink"),
    "ior_in_use": ("IOR on another enrollment", "bg-gold text-ink"),
    "heightened_sector": ("Heightened-protection sector", "bg-accent-cool-darker"),
    "allegation_referred": ("Referred allegation", "bg-secondary-dark"),
}


def sector_names() -> dict[str, Sector]:
    """Every sector by code, loaded once per request."""
    if "enrollment_sectors" not in g:
        g.enrollment_sectors = {s.code: s for s in db.session.scalars(select(Sector).order_by(Sector.name))}
    return g.enrollment_sectors


def sector_label(code: str) -> str:
    """A sector's display name."""
    sector = sector_names().get(code)
    return sector.name if sector else code


def incomplete_steps(enrollment: Enrollment) -> set[str]:
    """Wizard steps that still lack something submit requires."""
    return {STEP_OF_FIELD.get(name, "review") for name in missing_items(enrollment)}


def step_state(enrollment: Enrollment, slug: str, current: str, incomplete: set[str]) -> str:
    """``current``, ``complete`` or ``""`` for a wizard step (documents are optional: done once passed)."""
    if slug == current:
        return "current"
    if slug == "review" or slug in incomplete:
        return ""
    if slug == "documents":
        return "complete" if enrollment.documents or STEP_SLUGS.index(current) > STEP_SLUGS.index(slug) else ""
    return "complete"


def file_size(size: int) -> str:
    """A byte count for people: 512 bytes, 14 KB, 2.3 MB."""
    if size < 1024:
        return f"{size} bytes"
    if size < 1024 * 1024:
        return f"{size // 1024} KB"
    return f"{size / (1024 * 1024):.1f} MB"


def finding_counts(enrollment: Enrollment) -> list[tuple[str, int]]:
    """``(code, count)`` of the stored screening findings, in order of first appearance."""
    counts: dict[str, int] = {}
    for finding in enrollment.screening or []:
        counts[finding.get("code", "")] = counts.get(finding.get("code", ""), 0) + 1
    return list(counts.items())


def latest_reason(enrollment: Enrollment, action: str) -> str:
    """The reason given with the latest ``action`` (e.g. the reviewer's information request)."""
    for change in reversed(enrollment.history):
        if change.action == action:
            return change.reason
    return ""


def template_helpers() -> dict[str, Any]:
    """Names every enrollment template (and the home page) may use."""
    return {
        "enrollment_status_label": lambda status: STATUS_LABELS.get(status, status),
        "enrollment_status_tag": lambda status: STATUS_TAG_CLASSES.get(status, "bg-base"),
        "enrollment_action_label": lambda action: ACTION_LABELS.get(action, action),
        "sector_label": sector_label,
        "country_name": country_name,
        "condition_label": lambda code: formats.CONDITIONS.get(code, code),
        "purpose_label": lambda code: formats.CONTACT_PURPOSES.get(code, code),
        "company_type_label": lambda code: formats.COMPANY_TYPES.get(code or "", code or ""),
        "document_kind_label": lambda code: formats.DOCUMENT_KINDS.get(code, code),
        "finding_label": lambda code: FINDING_LABELS.get(code, (code.replace("_", " "), "bg-base"))[0],
        "finding_tag": lambda code: FINDING_LABELS.get(code, ("", "bg-base"))[1],
        "enrollment_age": queries.age_in_days,
        "enrollment_service_clock": service_clock,
        "enrollment_past_target": queries.past_target,
        "SERVICE_TARGET_DAYS": queries.SERVICE_TARGET_DAYS,
        "history_by": lambda change: by_label(change, current_user if current_user.is_authenticated else None),
        "incomplete_steps": incomplete_steps,
        "step_state": step_state,
        "file_size": file_size,
        "finding_counts": finding_counts,
        "EnrollmentStatus": Status,
        "ENROLLMENT_STEPS": STEPS,
    }


def by_label(change: Any, viewer: Any) -> str:
    """Who made a history change, as ``viewer`` may see it."""
    if change.actor_role in ("reviewer", "admin") and not queries.sees_all(viewer):
        return "U.S. Customs and Border Protection"
    if change.actor_role == "system":
        return "Greenlane (automatic)"
    return change.actor


def next_steps(enrollment: Enrollment | None) -> list[tuple[str, str]]:
    """What the importer should do now: ``(kind, message)`` pairs for the home and overview pages."""
    if enrollment is None:
        return [("apply", "Apply for enrollment: it takes about 20 minutes; you can save and come back.")]
    status = enrollment.status
    if status == Status.DRAFT:
        return [("continue", "Finish your application and submit it to CBP.")]
    if status == Status.INFO_REQUESTED:
        return [("answer", "CBP asked for more information: update your application and submit it again.")]
    if status == Status.SUBMITTED:
        return [("wait", "CBP is reviewing your application. We e-mail your contacts when it is decided.")]
    if status == Status.APPROVED:
        return [("approved", "You are enrolled. Quote your program ID when you ask for release decisions.")]
    if status == Status.SUSPENDED:
        return [("suspended", "Your enrollment is suspended; entries get standard processing until CBP lifts it.")]
    return [("renew", "You may apply again; the new application starts pre-filled from this one.")]


def service_clock(enrollment: Enrollment, now: datetime | None = None) -> dict[str, int | None]:
    """Days since the first submission (``total_days``) and CBP's own days of them (``cbp_days``): the
    90-day service clock pauses while information is requested from the importer. Both stop at the decision."""
    if enrollment.submitted_at is None:
        return {"total_days": None, "cbp_days": None}
    end = now or utcnow()
    paused = timedelta()
    waiting_since: datetime | None = None
    for change in enrollment.history:
        if change.at < enrollment.submitted_at:
            continue
        if change.to_status == Status.INFO_REQUESTED and waiting_since is None:
            waiting_since = change.at
        elif change.from_status == Status.INFO_REQUESTED and change.to_status != Status.INFO_REQUESTED \
                and waiting_since is not None:
            paused += change.at - waiting_since
            waiting_since = None
        if change.from_status in AWAITING_STATUSES and change.to_status not in AWAITING_STATUSES:
            end = change.at  # decided or withdrawn: the clock stopped
            break
    if waiting_since is not None:
        paused += end - waiting_since
    total = end - enrollment.submitted_at
    return {"total_days": total.days, "cbp_days": max((total - paused).days, 0)}


def barred_until(enrollment: Enrollment, now: datetime | None = None) -> date | None:
    """For a revoked enrollment whose bar is in force: the first day its organisation may apply again."""
    if enrollment.status != Status.REVOKED:
        return None
    barred = barring_revocation(enrollment.organization_id, now or utcnow())
    if barred is None or barred[0].id != enrollment.id:
        return None
    at = barred[1].date()
    try:
        return at.replace(year=at.year + BAR_YEARS)
    except ValueError:
        return date(at.year + BAR_YEARS, 2, 28)


def lifecycle_payload(enrollment: Enrollment, viewer: Any) -> dict[str, Any]:
    """The after-approval parts of an enrollment's API shape: review, other programs, notices, appeals,
    renewal, service clock and re-application bar (CBP's verification notes only for CBP)."""
    cbp = queries.sees_all(viewer)
    decision = lifecycle.appealable_decision(enrollment)
    today = (utcnow()).date()
    programs = []
    for item in enrollment.other_programs or []:
        shown = {k: item.get(k) for k in ("program", "tier", "account_number", "mutual_recognition_country",
                                           "verified", "verified_at")}
        if cbp:
            shown.update(verified_by=item.get("verified_by"), note=item.get("note"))
        programs.append(shown)
    return {
        "suspended_sectors": enrollment.suspended_sectors,
        "review_due": enrollment.review_due,
        "other_programs": programs,
        "notices": [{"id": n.id, "action": n.action, "reason": n.reason, "respond_by": n.respond_by,
                     "proposed_at": n.proposed_at, "reply": n.reply, "replied_at": n.replied_at}
                    for n in enrollment.notices],
        "appeals": [{"id": a.id, "decision": a.decision_change.action, "decision_at": a.decision_change.at,
                     "sectors": a.decision_change.sectors,
                     "grounds": a.grounds, "filed_at": a.filed_at, "outcome": a.outcome, "reason": a.reason,
                     "decided_at": a.decided_at} for a in enrollment.appeals],
        "appeal_until": lifecycle.appeal_deadline(decision) if decision is not None else None,
        "renewal": lifecycle.renewal_status(enrollment, today),
        "service_clock": service_clock(enrollment),
        "reapplication_barred_until": barred_until(enrollment),
    }
