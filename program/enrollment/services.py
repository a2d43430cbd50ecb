"""Every move of an enrollment from one state to another: one function per transition.

Each checks the move against ``states.TRANSITIONS`` (from-state and role), then, in the caller's
transaction: locks the row (``SELECT ... FOR UPDATE`` on PostgreSQL), changes it with a conditional
``UPDATE ... WHERE id = :id AND status = :from`` whose row count proves no one moved it meanwhile
(which also holds on SQLite), writes the history row and the audit entry, and queues a notification to
the importer's contacts. Illegal moves raise ``Conflict`` (409). Callers commit once.

``now`` defaults to the current time; tests and the demo seed pass a fixed clock.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError

from core import audit, labels
from core.errors import Conflict, NotAllowed, ValidationFailed
from core.extensions import db
from core.notifications import queue_notification
from core.timeutil import utcnow
from program.enrollment import routing
from program.enrollment.application import check_reapplication_bar, missing_items, record_status_change
from program.enrollment.models import Enrollment
from program.enrollment.screening import debarred_findings, findings_as_dicts, screen_enrollment
from program.enrollment.states import ACTION_LABELS, STATUS_LABELS, SYSTEM, TRANSITIONS, Action, Status

MAX_VALIDITY_YEARS = 4  # CTPAT revalidates at least every four years
APPEAL_DAYS = 30  # an importer may appeal a denial, suspension or revocation within 30 days (CTPAT)
BAR_YEARS = 3  # a revoked organisation may not apply again for 3 years (EU AEO, UCC art. 28)
REASON_MAX = 5000
_AUDITED = ("program_id", "valid_until", "attestation", "review_due")  # the rest is in the history row or the audit entry's time


# Every role that may make each move from some state (from the one table).
_ROLES_OF: dict[Action, frozenset[str]] = {
    action: frozenset().union(*(roles for (_frm, a), (_to, roles) in TRANSITIONS.items() if a == action))
    for action in Action
}


def _label(status: str) -> str:
    return STATUS_LABELS.get(status, status).lower()


def _begin(enrollment: Enrollment, action: Action, actor: Any) -> tuple[Status, Status]:
    """Lock the row, then check the move is in the table from its current state and for the actor's role."""
    current = db.session.execute(
        select(Enrollment.status).where(Enrollment.id == enrollment.id).with_for_update()
    ).scalar_one()
    if current != enrollment.status:
        db.session.refresh(enrollment)
    role = getattr(actor, "role", None) or SYSTEM
    if role not in _ROLES_OF[action]:  # a role that can never do this: 403 before any talk of states
        raise NotAllowed("Your role cannot make this change to an enrollment.")
    move = TRANSITIONS.get((Status(current), action))
    if move is None or role not in move[1]:
        raise Conflict(f"An enrollment that is {_label(current)} cannot be {_past(action)}.",
                       code="invalid_transition")
    return Status(current), move[0]


def _past(action: Action) -> str:
    return {Action.SUBMIT: "submitted", Action.WITHDRAW: "withdrawn", Action.APPROVE: "approved",
            Action.DENY: "denied", Action.REQUEST_INFO: "sent back for more information",
            Action.SUSPEND: "suspended", Action.REINSTATE: "reinstated", Action.REVOKE: "revoked",
            Action.EXPIRE: "expired", Action.RENEW: "handed over to a renewal",
            Action.OVERTURN: "restored on appeal"}.get(action, str(action))


def _finish(enrollment: Enrollment, action: Action, actor: Any, frm: Status, to: Status, *, now: datetime,
            reason: str = "", values: dict[str, Any] | None = None, audit_extra: dict[str, Any] | None = None
            ) -> Enrollment:
    """Apply the move with a conditional UPDATE, then write history, audit and the notification."""
    values = dict(values or {})
    version = enrollment.version
    result = db.session.execute(
        update(Enrollment)
        .where(Enrollment.id == enrollment.id, Enrollment.status == frm.value)
        .values(status=to.value, version=Enrollment.version + 1, updated_at=now, **values)
        .execution_options(synchronize_session="evaluate")
    )
    if result.rowcount != 1:
        raise Conflict("Someone else changed this enrollment at the same moment; reload it and try again.",
                       code="invalid_transition")
    record_status_change(enrollment, actor, action=action, frm=frm, to=to, at=now, reason=reason)
    db.session.flush()
    audit.record(actor, f"enrollment.{action}", "enrollment", enrollment.id,
                 before={"status": frm.value, "version": version},
                 after={"status": to.value, "version": version + 1, "reason": reason,
                        **{k: v for k, v in values.items() if k in _AUDITED}, **(audit_extra or {})})
    _notify(enrollment, action, to, reason)
    return enrollment


def _recipients(enrollment: Enrollment) -> list[str]:
    return routing.recipients(enrollment, "enrollment")


def _notify(enrollment: Enrollment, action: Action, to: Status, reason: str) -> None:
    name = enrollment.legal_name or enrollment.organization.name
    subject = f"Greenlane enrollment {enrollment.program_id or enrollment.id}: {ACTION_LABELS[action].lower()}"
    lines = [f"The Greenlane enrollment of {name} is now {_label(to)}."]
    if reason:
        lines += ["", f"Reason: {reason}"]
    if action == Action.APPROVE:
        lines += ["", f"Program ID: {enrollment.program_id}",
                  f"Approved sectors: {', '.join(labels.label('sector', s) for s in enrollment.approved_sectors)}",
                  f"Valid until: {enrollment.valid_until.isoformat() if enrollment.valid_until else ''}"]
    elif action == Action.REQUEST_INFO:
        lines += ["", "Please sign in, update the application and submit it again."]
    elif action in (Action.EXPIRE, Action.DENY):
        lines += ["", "You may apply again; a renewal starts pre-filled from this application."]
    if action in (Action.DENY, Action.SUSPEND, Action.REVOKE):
        lines += ["", f"You may appeal this decision within {APPEAL_DAYS} days; a reviewer other than the one who "
                      "decided will answer the appeal."]
    if action == Action.REVOKE:
        lines += [f"After a revocation the organisation may not apply again for {BAR_YEARS} years."]
    lines += ["", "Sign in to Greenlane to see the details and the full history.",
              "This is an automated message from the Greenlane trusted-importer program (CBP)."]
    queue_notification(_recipients(enrollment), subject, "\n".join(lines), topic=f"enrollment.{action}")


def _reason(reason: str | None, *, required: bool = True) -> str:
    text = (reason or "").strip()
    if required and not text:
        raise ValidationFailed("Give a reason; the importer sees it.", fields={"reason": ["A reason is required."]})
    if len(text) > REASON_MAX:
        raise ValidationFailed("The reason is too long.", fields={"reason": [f"Use at most {REASON_MAX} characters."]})
    return text


def one_year_after(day: date) -> date:
    """The same day a year later (28 February for 29 February)."""
    try:
        return day.replace(year=day.year + 1)
    except ValueError:
        return day.replace(year=day.year + 1, day=28)


def program_id_for(enrollment: Enrollment, at: datetime) -> str:
    """The program ID an approval gives: ``GL-<year>-<enrollment id, 6+ digits>`` (unique with the id)."""
    return f"GL-{at.year}-{enrollment.id:06d}"


def submit_enrollment(actor: Any, enrollment: Enrollment, *, now: datetime | None = None) -> Enrollment:
    """Send a complete draft (or an answered information request) to CBP; screens it (422 when incomplete)."""
    now = now or utcnow()
    frm, to = _begin(enrollment, Action.SUBMIT, actor)
    check_reapplication_bar(enrollment.organization_id, now)
    if missing := missing_items(enrollment):
        raise ValidationFailed("The application is not complete: " + "; ".join(m[0] for m in missing.values()),
                               code="incomplete", fields=missing)
    findings = findings_as_dicts(screen_enrollment(enrollment, now.date()))
    return _finish(enrollment, Action.SUBMIT, actor, frm, to, now=now, values={
        "screening": findings, "screened_at": now, "submitted_at": enrollment.submitted_at or now,
        "last_submitted_at": now, "attested_at": now, "attested_by_id": actor.id,
    }, audit_extra={"findings": [f["code"] for f in findings]})


def approve_enrollment(actor: Any, enrollment: Enrollment, *, reason: str, sectors: list[str] | None = None,
                       valid_until: date | None = None, now: datetime | None = None) -> Enrollment:
    """Approve a submitted enrollment for ``sectors`` (default all requested) until ``valid_until`` (default a year)."""
    now = now or utcnow()
    frm, to = _begin(enrollment, Action.APPROVE, actor)
    today = now.date()
    # The list may have changed since submit: check it again now, not only the stored findings.
    if hits := debarred_findings(enrollment.legal_name, enrollment.ior_number, today, dba_name=enrollment.dba_name):
        raise Conflict("This importer is on the suspended/debarred list and cannot be approved: "
                       + " ".join(f.message for f in hits), code="debarred")
    reason = _reason(reason)
    requested = enrollment.requested_sectors
    chosen = requested if sectors is None else list(dict.fromkeys(sectors))
    errors: dict[str, list[str]] = {}
    if not chosen:
        errors["sectors"] = ["Approve at least one sector, or deny the application."]
    elif stray := [code for code in chosen if code not in requested]:
        errors["sectors"] = [f"Not requested by the importer: {', '.join(stray)}. "
                             f"Approve a subset of: {', '.join(requested)}."]
    previous = _renewed_enrollment(enrollment)
    # A renewal continues the earlier approval: by default a year on from its end, not from today.
    valid_until = valid_until or one_year_after(max(today, previous.valid_until) if previous else today)
    if valid_until <= today:
        errors["valid_until"] = ["Must be after today."]
    elif valid_until > today + timedelta(days=366 * MAX_VALIDITY_YEARS):
        errors["valid_until"] = [f"Must be within {MAX_VALIDITY_YEARS} years."]
    if errors:
        raise ValidationFailed("The approval could not be recorded.", fields=errors)
    if previous is not None:  # hand over first: the organisation holds one active enrollment at any moment
        old_frm, old_to = _begin(previous, Action.RENEW, actor)
        _finish(previous, Action.RENEW, actor, old_frm, old_to, now=now,
                reason=f"Renewed by enrollment {enrollment.id}, approved from {now.date().isoformat()}.")
    for sector in enrollment.sectors:
        sector.approved = sector.sector_code in chosen
        sector.suspended = False
    return _finish(enrollment, Action.APPROVE, actor, frm, to, now=now, reason=reason, values={
        "program_id": program_id_for(enrollment, now), "valid_until": valid_until, "decided_at": now,
        "decided_by_id": actor.id, "review_due": one_year_after(today),
    }, audit_extra={"approved_sectors": sorted(chosen), "renews": previous.id if previous else None})


def _renewed_enrollment(enrollment: Enrollment) -> Enrollment | None:
    """The approved enrollment that ``enrollment`` renews (None when it is not a renewal of a live one);
    409 ``renewal_blocked`` while that one is suspended."""
    if enrollment.previous_id is None:
        return None
    previous = db.session.get(Enrollment, enrollment.previous_id)
    if previous is None or previous.status not in (Status.APPROVED, Status.SUSPENDED):
        return None
    if previous.status == Status.SUSPENDED:
        raise Conflict("The enrollment this application renews is suspended; reinstate or revoke it first.",
                       code="renewal_blocked")
    return previous


def deny_enrollment(actor: Any, enrollment: Enrollment, *, reason: str, now: datetime | None = None) -> Enrollment:
    """Deny a submitted enrollment (the organisation may apply again)."""
    now = now or utcnow()
    frm, to = _begin(enrollment, Action.DENY, actor)
    return _finish(enrollment, Action.DENY, actor, frm, to, now=now, reason=_reason(reason),
                   values={"decided_at": now, "decided_by_id": actor.id})


def request_information(actor: Any, enrollment: Enrollment, *, reason: str,
                        now: datetime | None = None) -> Enrollment:
    """Send a submitted enrollment back to the importer with questions; it must attest again to resubmit."""
    now = now or utcnow()
    frm, to = _begin(enrollment, Action.REQUEST_INFO, actor)
    return _finish(enrollment, Action.REQUEST_INFO, actor, frm, to, now=now, reason=_reason(reason),
                   values={"attestation": False})


def suspend_enrollment(actor: Any, enrollment: Enrollment, *, reason: str,
                       now: datetime | None = None) -> Enrollment:
    """Suspend an approved enrollment (its program ID stays; no expedited release meanwhile)."""
    now = now or utcnow()
    frm, to = _begin(enrollment, Action.SUSPEND, actor)
    return _finish(enrollment, Action.SUSPEND, actor, frm, to, now=now, reason=_reason(reason))


def reinstate_enrollment(actor: Any, enrollment: Enrollment, *, reason: str,
                         now: datetime | None = None) -> Enrollment:
    """Lift a suspension: the enrollment is approved again (and expires at once if its validity has passed)."""
    now = now or utcnow()
    frm, to = _begin(enrollment, Action.REINSTATE, actor)
    _finish(enrollment, Action.REINSTATE, actor, frm, to, now=now, reason=_reason(reason))
    expire_if_due(enrollment, now=now)
    return enrollment


def revoke_enrollment(actor: Any, enrollment: Enrollment, *, reason: str, now: datetime | None = None) -> Enrollment:
    """Revoke an approved or suspended enrollment for good (the organisation may apply again)."""
    now = now or utcnow()
    frm, to = _begin(enrollment, Action.REVOKE, actor)
    return _finish(enrollment, Action.REVOKE, actor, frm, to, now=now, reason=_reason(reason))


def restore_enrollment(actor: Any, enrollment: Enrollment, restore: Status, *, reason: str,
                       now: datetime | None = None) -> Enrollment:
    """Overturn a denial, suspension or revocation on appeal: back to ``restore``, the state before it (and
    expired at once if the approval's validity has passed meanwhile)."""
    now = now or utcnow()
    frm, _to = _begin(enrollment, Action.OVERTURN, actor)
    values: dict[str, Any] = {"decided_at": None, "decided_by_id": None} if frm == Status.DENIED else {}
    try:
        with db.session.begin_nested():
            _finish(enrollment, Action.OVERTURN, actor, frm, restore, now=now, reason=_reason(reason), values=values)
    except IntegrityError as exc:  # the organisation opened another application meanwhile
        raise Conflict("The organisation has another enrollment open now; the decision cannot be undone.",
                       code="open_enrollment") from exc
    if restore == Status.APPROVED:
        expire_if_due(enrollment, now=now)
    return enrollment


def withdraw_enrollment(actor: Any, enrollment: Enrollment, *, reason: str = "",
                        now: datetime | None = None) -> Enrollment:
    """The importer takes back a draft, submitted or information-requested application."""
    now = now or utcnow()
    frm, to = _begin(enrollment, Action.WITHDRAW, actor)
    return _finish(enrollment, Action.WITHDRAW, actor, frm, to, now=now, reason=_reason(reason, required=False))


def _expire(enrollment: Enrollment, now: datetime) -> bool:
    try:
        frm, to = _begin(enrollment, Action.EXPIRE, None)
    except Conflict:  # another request expired (or suspended) it first: nothing left to do
        return False
    _finish(enrollment, Action.EXPIRE, None, frm, to, now=now,
            reason=f"The approval was valid until {enrollment.valid_until.isoformat()}.")
    return True


def expire_if_due(enrollment: Enrollment, *, now: datetime | None = None) -> bool:
    """Expire ``enrollment`` when it is approved and its validity ended before today; True when it did."""
    now = now or utcnow()
    if enrollment.status != Status.APPROVED or enrollment.valid_until is None or enrollment.valid_until >= now.date():
        return False
    return _expire(enrollment, now)


def expire_enrollments(as_of: date | None = None, *, organization_id: int | None = None,
                       now: datetime | None = None) -> list[Enrollment]:
    """Expire every approved enrollment (of one organisation, if given) whose ``valid_until`` is before
    ``as_of`` (default today); returns those expired."""
    now = now or utcnow()
    as_of = as_of or now.date()
    query = select(Enrollment).where(Enrollment.status == Status.APPROVED, Enrollment.valid_until < as_of)
    if organization_id is not None:
        query = query.where(Enrollment.organization_id == organization_id)
    due = db.session.scalars(query.order_by(Enrollment.id)).all()
    return [enrollment for enrollment in due if _expire(enrollment, now)]
