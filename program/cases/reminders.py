"""Daily reminders: importers of answers due soon (``cases remind``), reviewers of detention notices due and
detention periods ending (``cases digest``)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from core.accounts.models import User
from core.extensions import db
from core.notifications import queue_notification
from core.timeutil import today
from program.cases import deadlines
from program.cases.deadlines import add_business_days
from program.cases.models import CaseReminder, EnforcementCase
from program.cases.notices import importer_recipients, notify
from program.decisions.engine import REFER_FOR_EXAMINATION
from program.decisions.models import ReleaseDecision
from program.decisions.uei import format_uei


def send_reminders(*, days_before: int = 2, on: date | None = None) -> list[EnforcementCase]:
    """Queue a reminder to the importer's ipr/enforcement contacts (else primary) of every open, unanswered
    case whose response is due within ``days_before`` business days; at most once per case per day."""
    on = on or today()
    horizon = add_business_days(on, days_before)
    due = db.session.scalars(
        select(EnforcementCase).where(
            EnforcementCase.status == "detained", EnforcementCase.responded_on.is_(None),
            EnforcementCase.response_due >= on, EnforcementCase.response_due <= horizon,
            ~select(CaseReminder.id).where(CaseReminder.case_id == EnforcementCase.id,
                                           CaseReminder.sent_on == on).exists())
        .order_by(EnforcementCase.response_due, EnforcementCase.id)
    ).all()
    reminded = []
    for case in due:
        recipients = importer_recipients(case.decision.organization_id)
        try:
            with db.session.begin_nested():
                db.session.add(CaseReminder(case_id=case.id, sent_on=on, recipients=len(recipients)))
                db.session.flush()
        except IntegrityError:  # another run reminded about it today
            continue
        notify(recipients, case, f"response due {case.response_due.isoformat()}", [
            f"Your response to the detention of entry {case.decision.entry_number} is due by "
            f"{case.response_due.isoformat()}.",
            "Sign in to Greenlane to respond with your evidence that the goods are genuine."], topic="case.reminder")
        reminded.append(case)
    return reminded


def reviewer_digest(*, days_before: int = 3, on: date | None = None) -> dict[str, list[dict[str, Any]]]:
    """What reviewers must act on soon: referred entries without a case whose detention notice falls due
    within ``days_before`` business days (goods not released within five business days of presentation are
    detained, 151.16(b)), and open detentions whose period ends within that horizon or has ended."""
    on = on or today()
    horizon = add_business_days(on, days_before)
    earliest = on - timedelta(days=3 * deadlines.DETENTION_DAYS)
    notices = []
    referred = db.session.scalars(
        select(ReleaseDecision).where(
            ReleaseDecision.outcome == REFER_FOR_EXAMINATION, ReleaseDecision.decided_at >= datetime.combine(
                earliest, datetime.min.time(), tzinfo=UTC),
            ~select(EnforcementCase.id).where(EnforcementCase.decision_id == ReleaseDecision.id).exists())
        .order_by(ReleaseDecision.decided_at, ReleaseDecision.id))
    for decision in referred:
        presented = decision.decided_at.date()
        detained = add_business_days(presented, deadlines.NOTICE_BUSINESS_DAYS)
        due = deadlines.notice_due(detained)
        if due <= horizon:
            notices.append({"uei": decision.uei, "entry_number": decision.entry_number, "port_code": decision.port_code,
                            "presented_on": presented, "notice_due": due,
                            "overdue_by": deadlines.overdue_by(due, on)})
    ending = []
    for case in db.session.scalars(
            select(EnforcementCase).where(EnforcementCase.status == "detained", EnforcementCase.detention_ends <= horizon)
            .order_by(EnforcementCase.detention_ends, EnforcementCase.id)):
        ending.append({"uei": case.uei, "entry_number": case.decision.entry_number, "port_code": case.port_code,
                       "detention_ends": case.detention_ends, "deemed_excluded": on > case.detention_ends,
                       "overdue_by": deadlines.overdue_by(case.detention_ends, on)})
    return {"notices_due": notices, "detentions_ending": ending}


def send_reviewer_digest(*, days_before: int = 3, on: date | None = None) -> dict[str, list[dict[str, Any]]]:
    """Queue the daily digest of :func:`reviewer_digest` to every active reviewer (nothing when it is empty)."""
    on = on or today()
    digest = reviewer_digest(days_before=days_before, on=on)
    if not any(digest.values()):
        return digest
    lines = [f"Greenlane detention clock for {on.isoformat()}.", ""]
    if digest["notices_due"]:
        lines.append("Detention notices due (referred entries not yet released or detained):")
        lines += [f"- {format_uei(n['uei'])} entry {n['entry_number']} port {n['port_code']}: notice due "
                  f"{n['notice_due'].isoformat()}" + (f", overdue by {n['overdue_by']} business days" if n["overdue_by"]
                                                     else "") for n in digest["notices_due"]]
        lines.append("")
    if digest["detentions_ending"]:
        lines.append("Detention periods ending (deemed excluded the day after, 19 U.S.C. 1499(c)):")
        lines += [f"- {format_uei(d['uei'])} entry {d['entry_number']} port {d['port_code']}: ends "
                  f"{d['detention_ends'].isoformat()}" + (" (deemed excluded)" if d["deemed_excluded"] else "")
                  for d in digest["detentions_ending"]]
    reviewers = db.session.scalars(select(User.email).where(User.role == "reviewer", User.active.is_(True))
                                   .order_by(User.email))
    queue_notification(reviewers, f"Greenlane: {len(digest['notices_due'])} notices due, "
                                  f"{len(digest['detentions_ending'])} detentions ending", "\n".join(lines),
                       topic="case.reviewer_digest")
    return digest
