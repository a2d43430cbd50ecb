"""An enrollment's life after approval, beyond the moves of ``services``: the right to be heard (notice of
proposed action and reply), appeals decided by another reviewer, sector-level suspension, the annual
review, lifting the re-application bar, verifying other programs, and renewal reminders.

Every function works in the caller's transaction: it checks the state, writes a history row (the steps
that leave the status as it is have from and to alike), the audit entry and the notification to the
focused contact the routing table names. Illegal moves raise ``Conflict`` (409).
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import select, update

from core import audit
from core.accounts.roles import Role
from core.errors import Conflict, NotAllowed, ValidationFailed
from core.extensions import db
from core.notifications import queue_notification
from core.timeutil import utcnow
from program.enrollment import routing, services
from program.enrollment.application import RENEWAL_WINDOW_DAYS, record_status_change
from program.enrollment.models import (
    Enrollment,
    EnrollmentAppeal,
    EnrollmentNotice,
    EnrollmentReminder,
    EnrollmentStatusChange,
)
from program.enrollment.queries import renewal_of
from program.enrollment.states import ACTION_LABELS, APPEALABLE_ACTIONS, TRANSITIONS, Action, Status

NOTICE_DAYS = 30  # default time to answer a notice of proposed action
REMINDER_DAYS = (90, 30, 7)  # renewal reminders before valid_until
_PROPOSABLE = {"deny": (Status.SUBMITTED,), "suspend": (Status.APPROVED,),
               "revoke": (Status.APPROVED, Status.SUSPENDED)}


def _tell_importer(enrollment: Enrollment, action: Action, lines: list[str]) -> None:
    name = enrollment.legal_name or enrollment.organization.name
    subject = f"Greenlane enrollment {enrollment.program_id or enrollment.id}: {ACTION_LABELS[action].lower()}"
    body = [f"Greenlane enrollment of {name}:", "", *lines, "",
            "Sign in to Greenlane to see the details and the full history.",
            "This is an automated message from the Greenlane trusted-importer program (CBP)."]
    queue_notification(routing.recipients(enrollment, "enrollment"), subject, "\n".join(body),
                       topic=f"enrollment.{action}")


def _step(enrollment: Enrollment, actor: Any, action: Action, *, reason: str, now: datetime,
          before: dict[str, Any] | None = None, after: dict[str, Any] | None = None,
          sectors: list[str] | None = None) -> None:
    """A history step that keeps the status: bump the version (the row's write lock), history, audit."""
    db.session.execute(update(Enrollment).where(Enrollment.id == enrollment.id)
                       .values(version=Enrollment.version + 1, updated_at=now)
                       .execution_options(synchronize_session="evaluate"))
    record_status_change(enrollment, actor, action=action, frm=enrollment.status, to=enrollment.status, at=now,
                         reason=reason, sectors=sectors)
    db.session.flush()
    audit.record(actor, f"enrollment.{action}", "enrollment", enrollment.id, before=before,
                 after={"status": enrollment.status, "reason": reason, **(after or {})})


def _text(value: str | None, field: str, *, limit: int = services.REASON_MAX) -> str:
    text = (value or "").strip()
    if not text:
        raise ValidationFailed(f"{field.capitalize()} is required.", fields={field: ["Required."]})
    if len(text) > limit:
        raise ValidationFailed(f"{field.capitalize()} is too long.", fields={field: [f"Use at most {limit} characters."]})
    return text


# --------------------------------------------------------------------------- right to be heard

def propose_action(actor: Any, enrollment: Enrollment, *, action: str, reason: str, respond_by: date | None = None,
                   now: datetime | None = None) -> EnrollmentNotice:
    """Record a notice of proposed denial, suspension or revocation; the importer is told and may reply."""
    now = now or utcnow()
    if action not in _PROPOSABLE:
        raise ValidationFailed("Propose deny, suspend or revoke.", fields={"action": ["Must be deny, suspend or revoke."]})
    reason = _text(reason, "reason")
    if enrollment.status not in _PROPOSABLE[action]:
        raise Conflict(f"An enrollment that is {enrollment.status.replace('_', ' ')} cannot be proposed for {action}.",
                       code="invalid_transition")
    respond_by = respond_by or now.date() + timedelta(days=NOTICE_DAYS)
    if respond_by <= now.date():
        raise ValidationFailed("The reply date must be after today.", fields={"respond_by": ["Must be after today."]})
    notice = EnrollmentNotice(enrollment=enrollment, action=action, reason=reason, respond_by=respond_by,
                              proposed_by_id=actor.id, proposed_at=now, reply="")
    db.session.add(notice)
    _step(enrollment, actor, Action.PROPOSE, reason=f"Proposed {action}: {reason} (reply by {respond_by.isoformat()})",
          now=now, after={"proposed": action, "respond_by": respond_by})
    _tell_importer(enrollment, Action.PROPOSE, [
        f"CBP proposes to {action} this enrollment.", "", f"Reason: {reason}", "",
        f"You may answer until {respond_by.isoformat()}; CBP decides after reading your reply."])
    return notice


def open_notice(enrollment: Enrollment) -> EnrollmentNotice | None:
    """The latest notice of proposed action still waiting for the importer's reply, if any."""
    pending = [n for n in enrollment.notices if not n.replied_at]
    return pending[-1] if pending else None


def reply_to_notice(actor: Any, enrollment: Enrollment, *, text: str, now: datetime | None = None) -> EnrollmentNotice:
    """The importer answers the open notice of proposed action (409 ``no_open_notice`` when there is none)."""
    now = now or utcnow()
    text = _text(text, "text")
    notice = open_notice(enrollment)
    if notice is None:
        raise Conflict("There is no notice of proposed action waiting for a reply.", code="no_open_notice")
    notice.reply, notice.replied_at, notice.replied_by_id = text, now, actor.id
    _step(enrollment, actor, Action.REPLY, reason=text, now=now, after={"notice_id": notice.id})
    return notice


# --------------------------------------------------------------------------- appeals

def appealable_decision(enrollment: Enrollment) -> EnrollmentStatusChange | None:
    """The decision an appeal would be against: the history step that put the enrollment in its current denied,
    suspended or revoked state, or — while approved — the latest sector-level suspension some of whose sectors
    are still suspended."""
    for change in reversed(enrollment.history):
        if change.from_status != change.to_status:
            if change.action in APPEALABLE_ACTIONS and change.to_status == enrollment.status:
                return change
            return None
        if (change.action == Action.SUSPEND_SECTORS and enrollment.status == Status.APPROVED
                and _still_suspended(enrollment, change)):
            return change
    return None


def _still_suspended(enrollment: Enrollment, change: EnrollmentStatusChange) -> list[str]:
    """The sectors a sector-level suspension named that are suspended now."""
    suspended = set(enrollment.suspended_sectors)
    return [code for code in change.sectors or [] if code in suspended]


def appeal_deadline(change: EnrollmentStatusChange) -> date:
    """The last day to appeal the decision recorded by ``change``."""
    return change.at.date() + timedelta(days=services.APPEAL_DAYS)


def open_appeal(enrollment: Enrollment) -> EnrollmentAppeal | None:
    """The enrollment's appeal awaiting a decision, if any."""
    return next((a for a in enrollment.appeals if a.outcome is None), None)


def file_appeal(actor: Any, enrollment: Enrollment, *, grounds: str, now: datetime | None = None) -> EnrollmentAppeal:
    """The owner appeals its denial, suspension, revocation or sector-level suspension within 30 days (409
    otherwise)."""
    now = now or utcnow()
    grounds = _text(grounds, "grounds")
    change = appealable_decision(enrollment)
    if change is None:
        raise Conflict(f"An enrollment that is {enrollment.status.replace('_', ' ')} has no decision to appeal.",
                       code="not_appealable")
    if now.date() > appeal_deadline(change):
        raise Conflict(f"The appeal period ended on {appeal_deadline(change).isoformat()} "
                       f"({services.APPEAL_DAYS} days after the decision).", code="appeal_period_over")
    if any(a.decision_change_id == change.id for a in enrollment.appeals):
        raise Conflict("This decision has already been appealed.", code="already_appealed")
    appeal = EnrollmentAppeal(enrollment=enrollment, decision_change_id=change.id, grounds=grounds,
                              filed_by_id=actor.id, filed_at=now, reason="")
    db.session.add(appeal)
    _step(enrollment, actor, Action.APPEAL, reason=grounds, now=now, after={"appealed": change.action})
    return appeal


def decide_appeal(actor: Any, enrollment: Enrollment, *, action: str, reason: str,
                  now: datetime | None = None) -> EnrollmentAppeal:
    """A reviewer other than the one who decided upholds or overturns the open appeal; overturn restores the
    state before the decision — for a sector-level suspension, the approval of those of its sectors still
    suspended (403 for the deciding reviewer, 409 when no appeal is open or nothing is left to restore)."""
    now = now or utcnow()
    if action not in ("uphold", "overturn"):
        raise ValidationFailed("Uphold or overturn.", fields={"action": ["Must be uphold or overturn."]})
    reason = _text(reason, "reason")
    appeal = open_appeal(enrollment)
    if appeal is None:
        raise Conflict("There is no open appeal on this enrollment.", code="no_open_appeal")
    change = appeal.decision_change
    if change.actor_id == actor.id:
        raise NotAllowed("The reviewer who made the decision cannot decide its appeal; another reviewer must.",
                         code="own_decision")
    if action == "overturn" and change.action == Action.SUSPEND_SECTORS:
        sectors = _still_suspended(enrollment, change) if enrollment.status == Status.APPROVED else []
        if not sectors:
            raise Conflict("The sectors have moved on since the suspension; there is nothing to restore.",
                           code="invalid_transition")
        _restore_sectors(actor, enrollment, Action.OVERTURN, sectors, reason=reason, now=now,
                         lines=[f"Your appeal was allowed: these sectors are approved again: {', '.join(sectors)}."])
    elif action == "overturn":
        restore = Status(change.from_status)
        if enrollment.status != change.to_status or (Status(enrollment.status), Action.OVERTURN) not in TRANSITIONS:
            raise Conflict("The enrollment has moved on since the decision; it cannot be restored.",
                           code="invalid_transition")
        services.restore_enrollment(actor, enrollment, restore, reason=reason, now=now)
    else:
        _step(enrollment, actor, Action.UPHOLD, reason=reason, now=now, after={"appeal_id": appeal.id})
        _tell_importer(enrollment, Action.UPHOLD, ["Your appeal was dismissed; the decision stands.", "",
                                                    f"Reason: {reason}"])
    appeal.outcome, appeal.reason, appeal.decided_by_id, appeal.decided_at = action, reason, actor.id, now
    db.session.flush()
    return appeal


# --------------------------------------------------------------------------- sector-level suspension

def _sector_codes(enrollment: Enrollment, codes: list[str] | None, *, field: str = "sectors") -> list[str]:
    chosen = list(dict.fromkeys(codes or []))
    if not chosen:
        raise ValidationFailed("Name at least one sector.", fields={field: ["Name at least one sector."]})
    return chosen


def suspend_sectors(actor: Any, enrollment: Enrollment, *, sectors: list[str], reason: str,
                    now: datetime | None = None) -> Enrollment:
    """Suspend some approved sectors of an approved enrollment (at least one stays approved; else suspend it)."""
    now = now or utcnow()
    reason = _text(reason, "reason")
    chosen = _sector_codes(enrollment, sectors)
    if enrollment.status != Status.APPROVED:
        raise Conflict(f"Sectors of an enrollment that is {enrollment.status.replace('_', ' ')} cannot be suspended.",
                       code="invalid_transition")
    approved = set(enrollment.approved_sectors)
    if stray := [c for c in chosen if c not in approved]:
        raise ValidationFailed("Only approved sectors can be suspended.",
                               fields={"sectors": [f"Not approved now: {', '.join(stray)}."]})
    if approved <= set(chosen):
        raise ValidationFailed("To suspend every approved sector, suspend the enrollment.",
                               fields={"sectors": ["Leave at least one sector approved, or suspend the enrollment."]})
    for sector in enrollment.sectors:
        if sector.sector_code in chosen:
            sector.approved, sector.suspended = False, True
    _step(enrollment, actor, Action.SUSPEND_SECTORS, reason=f"{', '.join(chosen)}: {reason}", now=now,
          after={"suspended_sectors": sorted(chosen)}, sectors=sorted(chosen))
    _tell_importer(enrollment, Action.SUSPEND_SECTORS, [
        f"CBP suspended these sectors of your approval: {', '.join(chosen)}.", "", f"Reason: {reason}", "",
        f"You may appeal within {services.APPEAL_DAYS} days: sign in and choose File the appeal (or POST "
        "/api/v1/enrollments/<id>/appeal); a reviewer other than the one who decided answers it."])
    return enrollment


def reinstate_sectors(actor: Any, enrollment: Enrollment, *, sectors: list[str], reason: str,
                      now: datetime | None = None) -> Enrollment:
    """Reinstate suspended sectors of an approved or suspended enrollment."""
    now = now or utcnow()
    reason = _text(reason, "reason")
    chosen = _sector_codes(enrollment, sectors)
    if enrollment.status not in (Status.APPROVED, Status.SUSPENDED):
        raise Conflict(f"Sectors of an enrollment that is {enrollment.status.replace('_', ' ')} cannot be reinstated.",
                       code="invalid_transition")
    if stray := [c for c in chosen if c not in enrollment.suspended_sectors]:
        raise ValidationFailed("Only suspended sectors can be reinstated.",
                               fields={"sectors": [f"Not suspended: {', '.join(stray)}."]})
    _restore_sectors(actor, enrollment, Action.REINSTATE_SECTORS, chosen, reason=reason, now=now,
                     lines=[f"CBP reinstated these sectors of your approval: {', '.join(chosen)}."])
    return enrollment


def _restore_sectors(actor: Any, enrollment: Enrollment, action: Action, chosen: list[str], *, reason: str,
                     now: datetime, lines: list[str]) -> None:
    """Approve suspended sectors again (a reinstatement, or an appeal against their suspension allowed)."""
    for sector in enrollment.sectors:
        if sector.sector_code in chosen:
            sector.approved, sector.suspended = True, False
    _step(enrollment, actor, action, reason=f"{', '.join(chosen)}: {reason}", now=now,
          after={"reinstated_sectors": sorted(chosen)}, sectors=sorted(chosen))
    _tell_importer(enrollment, action, [*lines, "", f"Reason: {reason}"])


# --------------------------------------------------------------------------- annual review, bar, other programs

def confirm_annual_review(actor: Any, enrollment: Enrollment, *, attestation: bool, changes: str = "",
                          now: datetime | None = None) -> Enrollment:
    """The owner confirms (or notes changes to) its profile and attests; ``review_due`` moves a year on."""
    now = now or utcnow()
    if attestation is not True:
        raise ValidationFailed("Attest that the profile is current.", fields={"attestation": ["Must be true."]})
    changes = (changes or "").strip()
    if len(changes) > services.REASON_MAX:
        raise ValidationFailed("Too long.", fields={"changes": [f"Use at most {services.REASON_MAX} characters."]})
    if enrollment.status != Status.APPROVED:
        raise Conflict(f"An enrollment that is {enrollment.status.replace('_', ' ')} has no annual review.",
                       code="invalid_transition")
    before = enrollment.review_due
    base = before if before and before > now.date() else now.date()
    enrollment.review_due = services.one_year_after(base)
    _step(enrollment, actor, Action.ANNUAL_REVIEW, now=now,
          reason=("Profile confirmed as current." if not changes else f"Profile confirmed; changes noted: {changes}"),
          before={"review_due": before}, after={"review_due": enrollment.review_due, "changes": changes})
    return enrollment


def lift_reapplication_bar(actor: Any, enrollment: Enrollment, *, reason: str,
                           now: datetime | None = None) -> Enrollment:
    """An admin lifts the 3-year re-application bar of a revoked enrollment, with a reason."""
    now = now or utcnow()
    if getattr(actor, "role", None) != Role.ADMIN:
        raise NotAllowed("Only a CBP administrator can lift a re-application bar.")
    reason = _text(reason, "reason")
    if enrollment.status != Status.REVOKED or enrollment.bar_lifted_at is not None:
        raise Conflict("Only a revoked enrollment whose bar is in force can have it lifted.", code="invalid_transition")
    enrollment.bar_lifted_at, enrollment.bar_lifted_by_id = now, actor.id
    _step(enrollment, actor, Action.LIFT_BAR, reason=reason, now=now)
    _tell_importer(enrollment, Action.LIFT_BAR, ["CBP lifted the bar on applying again; you may apply now.", "",
                                                 f"Reason: {reason}"])
    return enrollment


def verify_other_program(actor: Any, enrollment: Enrollment, index: int, *, verified: bool, note: str = "",
                         now: datetime | None = None) -> Enrollment:
    """A reviewer records whether the ``index``-th other program listed on the application checks out."""
    now = now or utcnow()
    programs = [dict(p) for p in enrollment.other_programs or []]
    if not 0 <= index < len(programs):
        raise ValidationFailed("No such program on the application.", fields={"index": ["No such program."]})
    note = (note or "").strip()[:500]
    programs[index].update(verified=bool(verified), verified_by=actor.email, verified_at=now.isoformat(), note=note)
    enrollment.other_programs = programs
    item = programs[index]
    _step(enrollment, actor, Action.VERIFY_PROGRAM, now=now,
          reason=f"{item['program']} {item['account_number']}: {'verified' if verified else 'not verified'}"
                 f"{' — ' + note if note else ''}",
          after={"index": index, "verified": bool(verified)})
    return enrollment


# --------------------------------------------------------------------------- renewal reminders

def renewal_status(enrollment: Enrollment, today: date) -> dict[str, Any] | None:
    """For an approved enrollment: days left, when renewal opens, whether it is open and the renewal under way."""
    if enrollment.status != Status.APPROVED or enrollment.valid_until is None:
        return None
    opens = enrollment.valid_until - timedelta(days=RENEWAL_WINDOW_DAYS)
    renewal = renewal_of(enrollment)
    return {"days_left": (enrollment.valid_until - today).days, "opens_on": opens, "open": today >= opens,
            "renewal_id": renewal.id if renewal else None, "renewal_status": renewal.status if renewal else None}


def send_renewal_reminders(now: datetime | None = None) -> list[tuple[Enrollment, int]]:
    """Queue a reminder to the primary contact of each approved enrollment 90, 30 and 7 days before its
    ``valid_until`` (once per threshold; a missed day sends the nearest one only); skips enrollments whose
    renewal is already with CBP. Returns what was sent."""
    now = now or utcnow()
    today = now.date()
    horizon = today + timedelta(days=max(REMINDER_DAYS))
    due = db.session.scalars(select(Enrollment).where(
        Enrollment.status == Status.APPROVED, Enrollment.valid_until >= today, Enrollment.valid_until <= horizon)
        .order_by(Enrollment.valid_until, Enrollment.id)).all()
    sent: list[tuple[Enrollment, int]] = []
    for enrollment in due:
        days_left = (enrollment.valid_until - today).days
        reached = [d for d in REMINDER_DAYS if days_left <= d]
        done = set(db.session.scalars(select(EnrollmentReminder.days_before)
                                      .where(EnrollmentReminder.enrollment_id == enrollment.id)))
        todo = [d for d in reached if d not in done]
        if not todo:
            continue
        for days in todo:  # the larger thresholds passed unsent are marked too: one message, the nearest
            db.session.add(EnrollmentReminder(enrollment_id=enrollment.id, days_before=days, sent_at=now))
        renewal = renewal_of(enrollment)
        if renewal is not None and renewal.status != Status.DRAFT:
            continue
        threshold = min(todo)
        lines = [f"The Greenlane approval {enrollment.program_id} of {enrollment.legal_name} ends on "
                 f"{enrollment.valid_until.isoformat()} ({days_left} days from today).", "",
                 "Renew now to stay in the program without a gap: sign in and choose Renew (or "
                 "POST /api/v1/enrollments/renew); the renewal starts pre-filled, and when CBP approves it the "
                 "new approval takes over at once."]
        if renewal is not None:
            lines += ["", f"Your renewal (enrollment {renewal.id}) is still a draft: submit it to CBP."]
        queue_notification(routing.recipients(enrollment, "enrollment"),
                           f"Greenlane enrollment {enrollment.program_id}: renew within {days_left} days",
                           "\n".join([*lines, "", "This is an automated message from the Greenlane trusted-importer "
                                      "program (CBP)."]), topic=f"enrollment.remind_{threshold}")
        audit.record(None, "enrollment.remind", "enrollment", enrollment.id,
                     after={"days_before": threshold, "valid_until": enrollment.valid_until})
        sent.append((enrollment, threshold))
    db.session.flush()
    return sent
