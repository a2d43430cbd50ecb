"""Pages and forms of an enrollment's life after the decision: the importer keeps its consent current, answers
a notice, appeals, confirms the annual review; the reviewer proposes action, decides appeals, suspends or
reinstates sectors and verifies other programs. Thin handlers: check access, call one service, commit."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import Blueprint, flash, redirect, render_template, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user
from sqlalchemy import select

from core import policy
from core.accounts.models import Organization
from core.errors import Conflict, NotAllowed, ValidationFailed
from core.extensions import db
from core.forms import choices
from core.timeutil import today
from program.enrollment import application, lifecycle, presenters, queries, services
from program.enrollment import policy as perms
from program.enrollment.forms import (
    AnnualReviewForm,
    AppealDecisionForm,
    ConsentForm,
    LiftBarForm,
    ProposeForm,
    SectorsActionForm,
    TextForm,
    VerifyProgramForm,
)
from program.enrollment.models import Enrollment
from program.enrollment.states import Action, Status

bp = Blueprint("enrollment_lifecycle", __name__)


def _load(enrollment_id: int, *, own: bool) -> Enrollment:
    enrollment = queries.get_enrollment_for(current_user, enrollment_id)
    if services.expire_if_due(enrollment):
        db.session.commit()
    if own:
        queries.require_owner(current_user, enrollment)
    return enrollment


def _act(form: Any, call: Callable[[], Any], done: str | Callable[[], str], back: str) -> ResponseReturnValue:
    """Validate ``form``, then :func:`_run` ``call``; a form in error flashes its first message per field."""
    if not form.validate_on_submit():
        for messages in form.errors.values():
            flash(messages[0], "error")
        return redirect(back)
    return _run(call, done, back)


def _run(call: Callable[[], Any], done: str | Callable[[], str], back: str) -> ResponseReturnValue:
    """Run ``call`` and commit; flash ``done`` (or what it returns, read after the call) or the refusal, and go
    ``back``. Every action of these pages ends here."""
    try:
        call()
    except (Conflict, ValidationFailed, NotAllowed) as exc:
        db.session.rollback()
        fields = getattr(exc, "fields", None) or {}
        flash(" ".join(m[0] for m in fields.values()) or exc.message, "error")
        return redirect(back)
    db.session.commit()
    flash(done() if callable(done) else done, "success")
    return redirect(back)


def _overview(enrollment: Enrollment) -> str:
    return url_for("enrollment.show", enrollment_id=enrollment.id)


def _decision_page(enrollment: Enrollment) -> str:
    return url_for("enrollment_review.decision_page", enrollment_id=enrollment.id)


# --------------------------------------------------------------------------- importer

@bp.route("/enrollment/<int:enrollment_id>/consent", methods=["POST"])
@policy.require(perms.APPLY)
def consent(enrollment_id: int) -> ResponseReturnValue:
    """Give or withdraw the consent to be listed publicly (while approved; CBP is told)."""
    enrollment = _load(enrollment_id, own=True)
    form = ConsentForm()
    return _act(form, lambda: application.update_application(
        current_user, enrollment, {"publish_consent": bool(form.publish_consent.data)}),
        "Your choice about the public listing is saved.", _overview(enrollment))


@bp.route("/enrollment/<int:enrollment_id>/reply", methods=["POST"])
@policy.require(perms.APPLY)
def reply(enrollment_id: int) -> ResponseReturnValue:
    """Answer CBP's notice of proposed action."""
    enrollment = _load(enrollment_id, own=True)
    form = TextForm()
    return _act(form, lambda: lifecycle.reply_to_notice(current_user, enrollment, text=form.text.data),
                "Your reply was sent to CBP.", _overview(enrollment))


@bp.route("/enrollment/<int:enrollment_id>/appeal", methods=["POST"])
@policy.require(perms.APPLY)
def appeal(enrollment_id: int) -> ResponseReturnValue:
    """Appeal the denial, suspension, revocation or sector-level suspension (within 30 days)."""
    enrollment = _load(enrollment_id, own=True)
    form = TextForm()
    return _act(form, lambda: lifecycle.file_appeal(current_user, enrollment, grounds=form.text.data),
                "Your appeal is filed. A reviewer other than the one who decided will answer it.",
                _overview(enrollment))


@bp.route("/enrollment/<int:enrollment_id>/annual-review", methods=["GET", "POST"])
@policy.require(perms.APPLY)
def annual_review(enrollment_id: int) -> ResponseReturnValue:
    """The short annual review: check the profile, note changes, attest."""
    enrollment = _load(enrollment_id, own=True)
    form = AnnualReviewForm()
    if form.validate_on_submit():
        return _run(lambda: lifecycle.confirm_annual_review(current_user, enrollment, attestation=True,
                                                            changes=form.changes.data or ""),
                    lambda: f"Thank you: the review is recorded. The next one is due on "
                            f"{enrollment.review_due:%-d %B %Y}.", _overview(enrollment))
    return render_template("program/enrollment/annual_review.html", enrollment=enrollment, form=form), \
        (422 if form.errors else 200)


# --------------------------------------------------------------------------- reviewer

@bp.route("/review/enrollments/<int:enrollment_id>/propose", methods=["POST"])
@policy.require(perms.REVIEW)
def propose(enrollment_id: int) -> ResponseReturnValue:
    """Send the importer a notice of proposed denial, suspension or revocation."""
    enrollment = _load(enrollment_id, own=False)
    form = ProposeForm()
    return _act(form, lambda: lifecycle.propose_action(
        current_user, enrollment, action=form.action.data, reason=form.reason.data, respond_by=form.respond_by.data),
        "The notice is recorded and the importer told.", _decision_page(enrollment))


@bp.route("/review/enrollments/<int:enrollment_id>/appeal", methods=["POST"])
@policy.require(perms.REVIEW)
def decide_appeal(enrollment_id: int) -> ResponseReturnValue:
    """Uphold or overturn the open appeal (not the reviewer who made the decision)."""
    enrollment = _load(enrollment_id, own=False)
    form = AppealDecisionForm()
    return _act(form, lambda: lifecycle.decide_appeal(
        current_user, enrollment, action=form.action.data, reason=form.reason.data),
        "The appeal is decided and the importer told.", _decision_page(enrollment))


@bp.route("/review/enrollments/<int:enrollment_id>/sectors", methods=["POST"])
@policy.require(perms.REVIEW)
def sectors(enrollment_id: int) -> ResponseReturnValue:
    """Suspend or reinstate some sectors of the approval."""
    enrollment = _load(enrollment_id, own=False)
    form = SectorsActionForm()
    form.sectors.choices = choices((code, presenters.sector_label(code)) for code in enrollment.requested_sectors)
    service = lifecycle.suspend_sectors if form.action.data == "suspend" else lifecycle.reinstate_sectors
    return _act(form, lambda: service(current_user, enrollment, sectors=form.sectors.data or [],
                                                  reason=form.reason.data),
                "The sectors are updated and the importer told.", _decision_page(enrollment))


@bp.route("/review/enrollments/<int:enrollment_id>/other-programs/<int:index>", methods=["POST"])
@policy.require(perms.REVIEW)
def verify_program(enrollment_id: int, index: int) -> ResponseReturnValue:
    """Record whether a listed other program checks out."""
    enrollment = _load(enrollment_id, own=False)
    form = VerifyProgramForm()
    return _act(form, lambda: lifecycle.verify_other_program(
        current_user, enrollment, index, verified=form.verified.data == "yes", note=form.note.data or ""),
        "The verification is recorded.", _decision_page(enrollment))


# --------------------------------------------------------------------------- admin

@bp.route("/admin/enrollments/<int:enrollment_id>/lift-bar", methods=["POST"])
@policy.require(perms.LIFT_BAR)
def lift_bar(enrollment_id: int) -> ResponseReturnValue:
    """Lift the 3-year re-application bar of a revoked enrollment (a reason and a confirmation required)."""
    enrollment = _load(enrollment_id, own=False)
    form = LiftBarForm()
    return _act(form, lambda: lifecycle.lift_reapplication_bar(current_user, enrollment,
                                                                           reason=form.reason.data),
                "The re-application bar is lifted and the importer told.",
                url_for("accounts.admin_organization", org_id=enrollment.organization_id) + "#reapplication-bar")


def reapplication_bar_panel(organization: Organization) -> tuple[str, dict[str, Any]] | None:
    """The admin's organisation page: its revoked enrollments, the bar each puts on applying again, and the form
    to lift it (registered with ``core.accounts.views.register_organization_panel`` by ``program.wiring``)."""
    revoked = db.session.scalars(select(Enrollment).where(
        Enrollment.organization_id == organization.id, Enrollment.status == Status.REVOKED)
        .order_by(Enrollment.id.desc())).all()
    if not revoked:
        return None
    rows = [{"enrollment": e, "barred_until": presenters.barred_until(e),
             "lifted": next((h for h in reversed(e.history) if h.action == Action.LIFT_BAR), None)} for e in revoked]
    return "program/enrollment/_admin_bar.html", {"rows": rows, "form": LiftBarForm(formdata=None)}


def lifecycle_forms(enrollment: Enrollment) -> dict[str, Any]:
    """The forms the enrollment pages show for its life after the decision (template global)."""
    sectors_form = SectorsActionForm()
    sectors_form.sectors.choices = choices((code, presenters.sector_label(code))
                                           for code in enrollment.requested_sectors)
    return {"text": TextForm(formdata=None), "consent": ConsentForm(formdata=None,
                                                                     publish_consent=enrollment.publish_consent),
            "propose": ProposeForm(formdata=None), "appeal_decision": AppealDecisionForm(formdata=None),
            "sectors": sectors_form, "verify": VerifyProgramForm(formdata=None)}


@bp.record_once
def _template_globals(state: Any) -> None:
    state.app.jinja_env.globals.update(lifecycle_forms=lifecycle_forms, lifecycle_view=lifecycle_view)


def lifecycle_view(enrollment: Enrollment) -> dict[str, Any]:
    """What the pages show of an enrollment's life after the decision (template global)."""
    body = presenters.lifecycle_payload(enrollment, current_user)
    decision = lifecycle.appealable_decision(enrollment)
    appeal_open = lifecycle.open_appeal(enrollment)
    in_time = bool(body["appeal_until"] and body["appeal_until"] >= today())
    body.update(review_overdue=bool(enrollment.review_due and enrollment.review_due < today()),
                open_notice=lifecycle.open_notice(enrollment), open_appeal=appeal_open,
                can_appeal=bool(decision and in_time and not appeal_open
                                and not any(a.decision_change_id == decision.id for a in enrollment.appeals)),
                appealed_by=appeal_open.decision_change.actor_id if appeal_open else None,
                appeal_sectors=(decision.sectors or []) if decision is not None and decision.action == "suspend_sectors"
                else [])
    return body
