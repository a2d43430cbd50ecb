"""Web pages of Report IP theft: the public ``/report`` page and the reviewers' triage queue."""

from __future__ import annotations

import secrets

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, session, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user
from sqlalchemy import select

from core import navigation, policy
from core.accounts.models import Organization
from core.accounts.roles import OrgKind
from core.errors import Conflict, ValidationFailed
from core.extensions import db, limiter
from core.forms import apply_errors
from core.pagination import page_args_from_request
from core.timeutil import utcnow
from core.uploads import send_stored
from program.allegations import queries, services
from program.allegations.api import evidence_of, report_limit
from program.allegations.forms import HONEYPOT, ReportForm, TriageForm
from program.allegations.policy import TRIAGE
from program.allegations.states import REPORT_REQUEST_MAX, STATUS_LABELS, AllegationStatus

bp = Blueprint("allegations", __name__)

navigation.register("Allegations", "allegations.queue", TRIAGE, order=45)


@bp.app_template_global("referred_allegations_for")
def referred_allegations_for(organization_id: int | None, ior_number: str | None = None) -> list:
    """Referred allegations about an importer, for its record — CBP reviewers only; [] for anyone else."""
    if not current_user.is_authenticated or not policy.can(current_user, TRIAGE):
        return []
    return queries.referred_about(organization_id, [ior_number])


PUBLIC_ENDPOINTS = frozenset({"allegations.report", "allegations.received"})


@bp.after_request
def _never_stored(response):
    """The public report page, what it answers after a submission and the receipt: no browser or proxy keeps
    them (a shared computer's back button must not show someone's report or receipt number); the API's
    answers are never stored either (core.web)."""
    if request.endpoint in PUBLIC_ENDPOINTS:
        response.headers["Cache-Control"] = "no-store"
        response.headers.setdefault("Pragma", "no-cache")
    return response


@bp.route("/report", methods=["GET", "POST"])
@policy.public
@limiter.limit(report_limit, methods=["POST"])
def report() -> ResponseReturnValue:
    """Report IP theft: anyone, no sign-in, optional contact and evidence; answers with a receipt number."""
    if request.method == "POST" and (request.content_length or 0) > current_app.config.get(
            "ALLEGATION_REQUEST_MAX_BYTES", REPORT_REQUEST_MAX):
        abort(413)
    form = ReportForm()
    if not form.validate_on_submit():
        return render_template("program/allegations/report.html", form=form), 422 if request.method == "POST" else 200
    if (request.form.get(HONEYPOT) or "").strip():
        # A bot filled in the field people cannot see: thank it as usual, with a receipt-shaped number, keep nothing.
        session["allegation_receipt"] = f"AL-{utcnow().year}-{secrets.randbelow(1_000_000):06d}"
        return redirect(url_for("allegations.received"))
    try:
        allegation = services.receive_allegation(form.report_data(), channel="web", files=form.evidence.data)
    except ValidationFailed as exc:
        db.session.rollback()
        for dotted, field in (("suspect.name", "suspect_name"), ("suspect.website", "suspect_website"),
                              ("suspect.marketplace", "suspect_marketplace"), ("suspect.country", "suspect_country"),
                              ("reporter.name", "reporter_name"), ("reporter.email", "reporter_email")):
            if dotted in exc.fields:
                exc.fields[field] = exc.fields.pop(dotted)
        apply_errors(form, exc)
        return render_template("program/allegations/report.html", form=form), 422
    db.session.commit()
    session["allegation_receipt"] = allegation.receipt
    return redirect(url_for("allegations.received"))


@bp.route("/report/received")
@policy.public
def received() -> ResponseReturnValue:
    """The thank-you page with the receipt number (once, from the session)."""
    if "allegation_receipt" not in session:
        return redirect(url_for("allegations.report"))
    receipt = session.pop("allegation_receipt")
    return render_template("program/allegations/received.html", receipt=receipt)


@bp.route("/allegations")
@policy.require(TRIAGE)
def queue() -> ResponseReturnValue:
    """The triage queue: newest first, by status, searchable by receipt, summary or suspect."""
    status = request.args.get("status", "new")
    status = status if status in {s.value for s in AllegationStatus} else ""
    q = request.args.get("q", "").strip()[:200]
    page, size = page_args_from_request()
    return render_template("program/allegations/queue.html", page=queries.queue(status or None, page, size, q),
                           status=status, q=q, counts=queries.counts_by_status(), labels=STATUS_LABELS)


def _render_allegation(allegation_id: int, form: TriageForm | None = None, status: int = 200) -> ResponseReturnValue:
    allegation = services.get_allegation(allegation_id)
    form = form or TriageForm(formdata=None)
    form.set_importers(db.session.scalars(select(Organization).where(Organization.kind == OrgKind.IMPORTER)
                                          .order_by(Organization.name)))
    if form.organization_id.data in (None, "") and allegation.organization_id:
        form.organization_id.data = str(allegation.organization_id)
    return render_template("program/allegations/show.html", a=allegation, form=form, labels=STATUS_LABELS,
                           open_=allegation.status in (AllegationStatus.NEW, AllegationStatus.TRIAGED)), status


@bp.route("/allegations/<int:allegation_id>")
@policy.require(TRIAGE)
def show(allegation_id: int) -> ResponseReturnValue:
    """One allegation: the report, evidence, reporter (CBP only), links, history and the triage form."""
    return _render_allegation(allegation_id)


@bp.route("/allegations/<int:allegation_id>/triage", methods=["POST"])
@policy.require(TRIAGE)
def triage(allegation_id: int) -> ResponseReturnValue:
    """Record a triage step (triaged, referred or closed) with a note and links."""
    allegation = services.get_allegation(allegation_id)
    form = TriageForm()
    if not form.validate():
        return _render_allegation(allegation_id, form, 422)
    try:
        services.triage_allegation(current_user, allegation, status=form.status.data, note=form.note.data,
                                   organization_id=form.organization_id.data, ior_number=form.ior_number.data,
                                   case_uei=form.case_uei.data)
    except ValidationFailed as exc:
        db.session.rollback()
        apply_errors(form, exc)
        return _render_allegation(allegation_id, form, 422)
    except Conflict as exc:
        db.session.rollback()
        flash(exc.message, "error")
        return redirect(url_for("allegations.show", allegation_id=allegation_id))
    db.session.commit()
    flash(f"Allegation {allegation.receipt} marked {STATUS_LABELS[allegation.status].lower()}.", "success")
    return redirect(url_for("allegations.show", allegation_id=allegation_id))


@bp.route("/allegations/<int:allegation_id>/evidence/<int:file_id>")
@policy.require(TRIAGE)
def evidence_file(allegation_id: int, file_id: int) -> ResponseReturnValue:
    """Download an evidence file (reviewers only)."""
    return send_stored(evidence_of(allegation_id, file_id))
