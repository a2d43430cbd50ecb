"""CBP reviewer pages: the enrollment queue, the decision page, and suspend / reinstate / revoke."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user

from core import navigation, policy
from core.errors import Conflict, ValidationFailed
from core.extensions import db
from core.forms import choices
from core.pagination import page_args_from_request, paginate
from core.timeutil import utcnow
from program.enrollment import policy as perms
from program.enrollment import presenters, queries, services
from program.enrollment.forms import DecisionForm, LifecycleForm
from program.enrollment.models import Enrollment
from program.enrollment.screening import debarred_findings
from program.enrollment.states import STATUS_LABELS, Status, allowed_actions
from program.enrollment.wizard import apply_service_errors

bp = Blueprint("enrollment_review", __name__, url_prefix="/review")

navigation.register("Enrollment queue", "enrollment_review.queue", perms.REVIEW, order=20)


@bp.route("/enrollments")
@policy.require(perms.REVIEW)
def queue() -> ResponseReturnValue:
    """Enrollments awaiting action, submitted first and oldest first, with screening findings at a glance."""
    page, size = page_args_from_request()
    status = request.args.get("status") or None
    if status not in {s.value for s in Status}:
        status = None
    sector = request.args.get("sector") or None
    review_overdue = request.args.get("review_overdue") == "true"
    result = paginate(queries.queue_query(status, sector, review_overdue), page, size)
    return render_template("program/enrollment/queue.html", page=result, status=status, sector=sector,
                           review_overdue=review_overdue,
                           statuses=STATUS_LABELS, sectors=presenters.sector_names(), now=utcnow())


def _decision_form(enrollment: Enrollment, formdata: bool) -> DecisionForm:
    form = DecisionForm() if formdata else DecisionForm(data={
        "sectors": enrollment.requested_sectors, "valid_until": services.one_year_after(utcnow().date())})
    form.sectors.choices = choices((code, presenters.sector_label(code)) for code in enrollment.requested_sectors)
    return form


def _render_decision(enrollment: Enrollment, decision_form: DecisionForm | None = None,
                     lifecycle_form: LifecycleForm | None = None, status: int = 200) -> ResponseReturnValue:
    return render_template(
        "program/enrollment/decision.html", enrollment=enrollment,
        decision_form=decision_form or _decision_form(enrollment, False),
        lifecycle_form=lifecycle_form or LifecycleForm(),
        actions=allowed_actions(enrollment.status, current_user.role),
        debarred_now=debarred_findings(enrollment.legal_name, enrollment.ior_number)
        if enrollment.status == Status.SUBMITTED else [],
        now=utcnow(),
    ), status


def _refused(enrollment: Enrollment, error: Conflict) -> ResponseReturnValue:
    """A move the enrollment's state (or the debarred list) does not allow: say why on the decision page."""
    db.session.rollback()
    flash(error.message, "error")
    return redirect(url_for("enrollment_review.decision_page", enrollment_id=enrollment.id))


def _load(enrollment_id: int) -> Enrollment:
    enrollment = queries.get_enrollment_for(current_user, enrollment_id)
    if services.expire_if_due(enrollment):
        db.session.commit()
    return enrollment


@bp.route("/enrollments/<int:enrollment_id>")
@policy.require(perms.REVIEW)
def decision_page(enrollment_id: int) -> ResponseReturnValue:
    """The whole application, its documents, contacts, findings and history, and the decision to make."""
    return _render_decision(_load(enrollment_id))


@bp.route("/enrollments/<int:enrollment_id>/decision", methods=["POST"])
@policy.require(perms.REVIEW)
def decide(enrollment_id: int) -> ResponseReturnValue:
    """Approve (scoped to sectors, until a date), deny, or request more information — with a reason."""
    enrollment = _load(enrollment_id)
    form = _decision_form(enrollment, True)
    if not form.validate():
        return _render_decision(enrollment, decision_form=form, status=422)
    action, reason = form.action.data, form.reason.data
    try:
        if action == "approve":
            services.approve_enrollment(current_user, enrollment, reason=reason, sectors=form.sectors.data or [],
                                        valid_until=form.valid_until.data)
        elif action == "deny":
            services.deny_enrollment(current_user, enrollment, reason=reason)
        else:
            services.request_information(current_user, enrollment, reason=reason)
    except ValidationFailed as exc:
        db.session.rollback()
        apply_service_errors(form, exc)
        return _render_decision(enrollment, decision_form=form, status=422)
    except Conflict as exc:
        return _refused(enrollment, exc)
    db.session.commit()
    flash({"approve": f"Approved. Program ID {enrollment.program_id}.",
           "deny": "Denied. The importer has been notified.",
           "request_info": "Sent back to the importer with your questions."}[action], "success")
    return redirect(url_for("enrollment_review.decision_page", enrollment_id=enrollment.id))


@bp.route("/enrollments/<int:enrollment_id>/lifecycle", methods=["POST"])
@policy.require(perms.REVIEW)
def lifecycle(enrollment_id: int) -> ResponseReturnValue:
    """Suspend, reinstate or revoke an approved (or suspended) enrollment, with a reason."""
    enrollment = _load(enrollment_id)
    form = LifecycleForm()
    if not form.validate():
        return _render_decision(enrollment, lifecycle_form=form, status=422)
    service = {"suspend": services.suspend_enrollment, "reinstate": services.reinstate_enrollment,
               "revoke": services.revoke_enrollment}[form.action.data]
    try:
        service(current_user, enrollment, reason=form.reason.data)
    except ValidationFailed as exc:
        db.session.rollback()
        apply_service_errors(form, exc)
        return _render_decision(enrollment, lifecycle_form=form, status=422)
    except Conflict as exc:
        return _refused(enrollment, exc)
    db.session.commit()
    flash(f"The enrollment is now {STATUS_LABELS[enrollment.status].lower()}.", "success")
    return redirect(url_for("enrollment_review.decision_page", enrollment_id=enrollment.id))
