"""``flask --app app cases remind``: due-soon, unanswered open cases; once per case per day; contacts."""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import select

from core.extensions import db
from core.notifications import OutboxMessage
from core.timeutil import today
from program.cases.deadlines import add_business_days


def _notice_for_due_in(days: int) -> date:
    """A notice date whose response is due ``days`` business days from today (searching back)."""
    notice = today()
    target = add_business_days(today(), days)
    while add_business_days(notice, 7) > target:
        notice -= timedelta(days=1)
    return notice


def _reminders(app) -> list[str]:
    with app.app_context():
        return sorted(db.session.scalars(select(OutboxMessage.recipient).where(OutboxMessage.topic == "case.reminder")))


def test_remind_is_idempotent_and_skips_answered_and_distant(app, runner, api_as, world, open_case):
    due = open_case(notice_date=_notice_for_due_in(1))
    answered = open_case(notice_date=_notice_for_due_in(1))
    open_case(notice_date=today())  # due in seven business days: not yet
    api_as(world.importer).post(f"/api/v1/cases/{answered['uei']}/events", json={"type": "importer_response"})
    first = runner.invoke(args=["cases", "remind", "--days-before", "2"])
    assert first.exit_code == 0, first.output
    assert due["uei"] in first.output and answered["uei"] not in first.output
    assert "1 reminder queued." in first.output
    recipients = _reminders(app)
    assert recipients == sorted([world.importer.email, world.colleague.email])  # no contacts at all: its users
    again = runner.invoke(args=["cases", "remind", "--days-before", "2"])
    assert "0 reminders queued." in again.output
    assert _reminders(app) == recipients


def test_remind_prefers_enforcement_then_ipr_then_primary(app, runner, world, open_case):
    from program.enrollment.models import Enrollment, EnrollmentContact

    with app.app_context():
        enrollment = Enrollment(organization_id=world.importer.organization_id, legal_name="Entry Imports LLC")
        enrollment.contacts = [EnrollmentContact(position=0, purpose="primary", name="P", email="primary@entry.example")]
        db.session.add(enrollment)
        db.session.commit()
        enrollment_id = enrollment.id
    open_case(notice_date=_notice_for_due_in(0))
    runner.invoke(args=["cases", "remind"])
    assert _reminders(app) == ["primary@entry.example"]  # fallback: no ipr/enforcement contact
    with app.app_context():
        db.session.add(EnrollmentContact(enrollment_id=enrollment_id, position=1, purpose="ipr", name="I",
                                         email="ipr@entry.example"))
        db.session.add(EnrollmentContact(enrollment_id=enrollment_id, position=2, purpose="enforcement", name="E",
                                         email="enf@entry.example"))
        db.session.commit()
    from program.cases import notices

    with app.app_context():
        assert notices.importer_recipients(world.importer.organization_id) == ["enf@entry.example"]
