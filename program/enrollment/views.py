"""Importer pages: "My enrollment", the application wizard (identity → contacts → sectors & sourcing →
documents → review & attest), withdrawal, renewal and document downloads. Handlers are thin: check
access, call one service, commit, redirect or render."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user
from sqlalchemy import select

from core import navigation, policy
from core.errors import Conflict, NotFound, ValidationFailed
from core.extensions import db
from core.uploads import send_stored
from program.dashboards.views import HOME_CONTEXT
from program.enrollment import application, presenters, queries, services
from program.enrollment import policy as perms
from program.enrollment.forms import ContactForm, ContactsForm, DocumentForm, IdentityForm, ReviewForm, SectorsForm, WithdrawForm
from program.enrollment.models import Enrollment
from program.enrollment.states import EDITABLE_STATUSES, Action, Status
from program.enrollment.wizard import apply_service_errors, contacts_payload, field_errors, sector_choices

bp = Blueprint("enrollment", __name__)

navigation.register("My enrollment", "enrollment.overview", perms.APPLY, order=20)


@bp.record_once
def _template_globals(state: Any) -> None:
    """Helpers as Jinja globals, so imported macros see them too."""
    state.app.jinja_env.globals.update(presenters.template_helpers(), wizard_errors=field_errors)


def _load(enrollment_id: int) -> Enrollment:
    """An enrollment the current user may see (404 otherwise), expired first when its validity passed."""
    enrollment = queries.get_enrollment_for(current_user, enrollment_id)
    if services.expire_if_due(enrollment):
        db.session.commit()
    return enrollment


def _own(enrollment_id: int) -> Enrollment:
    enrollment = _load(enrollment_id)
    queries.require_owner(current_user, enrollment)
    return enrollment


def _refused(error: Conflict, endpoint: str, **values: Any) -> ResponseReturnValue:
    """A move the enrollment's state does not allow: say why and go back to where it can be seen."""
    db.session.rollback()
    flash(error.message, "error")
    return redirect(url_for(endpoint, **values))


def current_for(user: Any) -> Enrollment | None:
    """The user's organisation's current enrollment, lazily expired."""
    enrollment = queries.current_enrollment(user.organization_id)
    if enrollment is not None and services.expire_if_due(enrollment):
        db.session.commit()
    return enrollment


def home_context(user: Any) -> dict[str, Any]:
    """What the importer's and the reviewer's home pages show about enrollment."""
    if policy.can(user, perms.APPLY):
        enrollment = current_for(user)
        return {"enrollment": enrollment, "enrollment_next": presenters.next_steps(enrollment),
                "info_request": presenters.latest_reason(enrollment, Action.REQUEST_INFO) if enrollment else ""}
    if policy.can(user, perms.REVIEW):
        return {"queue_summary": queries.queue_summary()}
    return {}


HOME_CONTEXT.append(home_context)


@bp.route("/enrollment")
@policy.require(perms.APPLY)
def overview() -> ResponseReturnValue:
    """The organisation's current enrollment: status, history, what to do next, the application itself."""
    return _render_overview(current_for(current_user))


@bp.route("/enrollment/<int:enrollment_id>")
@policy.require(perms.APPLY)
def show(enrollment_id: int) -> ResponseReturnValue:
    """One of the organisation's enrollments (current or past)."""
    return _render_overview(_own(enrollment_id))


def _render_overview(enrollment: Enrollment | None) -> ResponseReturnValue:
    others = db.session.scalars(
        select(Enrollment).where(Enrollment.organization_id == current_user.organization_id)
        .order_by(Enrollment.id.desc())
    ).all()
    return render_template(
        "program/enrollment/overview.html", enrollment=enrollment, others=others,
        next_steps=presenters.next_steps(enrollment), withdraw_form=WithdrawForm(),
        info_request=presenters.latest_reason(enrollment, Action.REQUEST_INFO) if enrollment else "",
        missing=_missing_before_review(enrollment),
    )


def _missing_before_review(enrollment: Enrollment | None) -> dict[str, list[str]]:
    """What is still missing, leaving out the attestation (given on the last step, at submit)."""
    if enrollment is None or enrollment.status not in EDITABLE_STATUSES:
        return {}
    missing = application.missing_items(enrollment)
    missing.pop("attestation", None)
    return missing


@bp.route("/enrollment/apply", methods=["POST"])
@policy.require(perms.APPLY)
def apply() -> ResponseReturnValue:
    """Start a new application (a draft the importer fills in step by step)."""
    try:
        enrollment = application.create_enrollment(current_user)
    except Conflict as exc:
        return _refused(exc, "enrollment.overview")
    db.session.commit()
    flash("Your application is started. It is saved as a draft at every step.", "success")
    return redirect(url_for("enrollment.step", enrollment_id=enrollment.id, step="identity"))


@bp.route("/enrollment/renew", methods=["POST"])
@policy.require(perms.APPLY)
def renew() -> ResponseReturnValue:
    """Apply again, starting from a copy of the last application."""
    try:
        enrollment = application.renew_enrollment(current_user)
    except Conflict as exc:
        return _refused(exc, "enrollment.overview")
    db.session.commit()
    flash("A new application is started from your last one. Check every step, then submit it."
          + (" Your current approval stays in force until CBP approves the renewal."
             if enrollment.previous_id and db.session.get(Enrollment, enrollment.previous_id).status == Status.APPROVED
             else ""), "success")
    return redirect(url_for("enrollment.step", enrollment_id=enrollment.id, step="identity"))


@bp.route("/enrollment/<int:enrollment_id>/withdraw", methods=["POST"])
@policy.require(perms.APPLY)
def withdraw(enrollment_id: int) -> ResponseReturnValue:
    """Withdraw the application (draft, submitted or information requested)."""
    enrollment = _own(enrollment_id)
    form = WithdrawForm()
    if form.validate_on_submit():
        try:
            services.withdraw_enrollment(current_user, enrollment, reason=form.reason.data or "")
        except Conflict as exc:
            return _refused(exc, "enrollment.show", enrollment_id=enrollment.id)
        db.session.commit()
        flash("Your application is withdrawn. You can apply again at any time.", "success")
    return redirect(url_for("enrollment.show", enrollment_id=enrollment.id))


@bp.route("/enrollment/<int:enrollment_id>/documents/<int:document_id>")
@policy.require(policy.AUTHENTICATED)  # the object check below answers 404 to everyone else, whatever the role
def document(enrollment_id: int, document_id: int) -> ResponseReturnValue:
    """Download a supporting document (the applying organisation and CBP only; 404 for others)."""
    enrollment = queries.get_enrollment_for(current_user, enrollment_id)
    found = next((d for d in enrollment.documents if d.id == document_id), None)
    if found is None:
        raise NotFound("No such document.")
    return send_stored(found.stored_file)


@bp.route("/enrollment/<int:enrollment_id>/documents/<int:document_id>/remove", methods=["POST"])
@policy.require(perms.APPLY)
def remove_document(enrollment_id: int, document_id: int) -> ResponseReturnValue:
    """Detach a document from the application."""
    enrollment = _own(enrollment_id)
    try:
        application.remove_document(current_user, enrollment, document_id)
    except Conflict as exc:
        return _refused(exc, "enrollment.show", enrollment_id=enrollment.id)
    db.session.commit()
    flash("The document was removed from the application.", "success")
    return redirect(url_for("enrollment.step", enrollment_id=enrollment.id, step="documents"))


@bp.route("/enrollment/<int:enrollment_id>/<step>", methods=["GET", "POST"])
@policy.require(perms.APPLY)
def step(enrollment_id: int, step: str) -> ResponseReturnValue:
    """One step of the wizard; every step saves. "Save and continue" checks the step's required answers."""
    if step not in presenters.STEP_SLUGS:
        abort(404)
    enrollment = _own(enrollment_id)
    keeping_current = enrollment.status == Status.APPROVED and step in ("contacts", "documents")
    if enrollment.status not in EDITABLE_STATUSES and not keeping_current:
        flash("This application has been submitted and cannot be changed now.", "info")
        return redirect(url_for("enrollment.show", enrollment_id=enrollment.id))
    return _STEP_HANDLERS[step](enrollment)


def _render_step(enrollment: Enrollment, step: str, form: Any, status: int = 200, **extra: Any) -> ResponseReturnValue:
    index = presenters.STEP_SLUGS.index(step)
    return render_template(
        f"program/enrollment/wizard/{step}.html", enrollment=enrollment, form=form, step=step, step_index=index,
        incomplete=presenters.incomplete_steps(enrollment),
        info_request=presenters.latest_reason(enrollment, Action.REQUEST_INFO),
        prev_step=presenters.STEP_SLUGS[index - 1] if index else None,
        next_step=presenters.STEP_SLUGS[index + 1] if index + 1 < len(presenters.STEP_SLUGS) else None,
        step_of_field=application.STEP_OF_FIELD, sector_map=presenters.sector_names(), **extra,
    ), status


def _save(enrollment: Enrollment, step: str, form: Any, data: dict[str, Any], *, finish_later: bool,
          field_map: Any = None, **extra: Any) -> ResponseReturnValue:
    """Save ``data`` through the service; go on (or back to the overview), or show the errors inline."""
    try:
        application.update_application(current_user, enrollment, data)
    except ValidationFailed as exc:
        db.session.rollback()
        apply_service_errors(form, exc, field_map)
        return _render_step(enrollment, step, form, 422, **extra)
    db.session.commit()
    if enrollment.status == Status.APPROVED:
        flash("Your enrollment is updated; CBP has been told what changed.", "success")
        return redirect(url_for("enrollment.show", enrollment_id=enrollment.id))
    if finish_later:
        flash("Your draft is saved. Come back to it from \u201cMy enrollment\u201d.", "success")
        return redirect(url_for("enrollment.overview"))
    if request.args.get("from") == "review":  # came to fix something the review page pointed at: go back there
        return redirect(url_for("enrollment.step", enrollment_id=enrollment.id, step="review"))
    index = presenters.STEP_SLUGS.index(step)
    return redirect(url_for("enrollment.step", enrollment_id=enrollment.id, step=presenters.STEP_SLUGS[index + 1]))


def _identity(enrollment: Enrollment) -> ResponseReturnValue:
    form = IdentityForm(data={
        "legal_name": enrollment.legal_name, "dba_name": enrollment.dba_name,
        "company_type": enrollment.company_type or "", "ior_number": enrollment.ior_number or "",
        "street": enrollment.address_street, "city": enrollment.address_city, "state": enrollment.address_state,
        "postal_code": enrollment.address_postal_code, "country": enrollment.address_country or "",
    } if request.method == "GET" else None)
    if request.method == "GET":
        return _render_step(enrollment, "identity", form)
    finish_later = "save_draft" in request.form
    if not finish_later and not form.validate():
        return _render_step(enrollment, "identity", form, 422)
    data = {name: getattr(form, name).data for name in ("legal_name", "dba_name", "company_type", "ior_number")}
    data["address"] = {key: getattr(form, key).data for key in application.ADDRESS_FIELDS}
    return _save(enrollment, "identity", form, data, finish_later=finish_later,
                 field_map=lambda name: name.removeprefix("address."))


def _contacts(enrollment: Enrollment) -> ResponseReturnValue:
    extra = {"blank_contact": ContactForm(prefix="contacts-__index__-", data={"purpose": "ipr"})}
    if request.method == "GET":
        form = ContactsForm(data={"contacts": [
            {"purpose": c.purpose, "name": c.name, "email": c.email} for c in enrollment.contacts
        ] or [{"purpose": "primary"}]})
        return _render_step(enrollment, "contacts", form, **extra)
    form = ContactsForm()
    if "add_contact" in request.form:  # without JavaScript: one more empty row, nothing saved yet
        form.contacts.append_entry({"purpose": "ipr" if form.contacts.entries else "primary"})
        return _render_step(enrollment, "contacts", form, **extra)
    if (remove := request.form.get("remove_contact", "")).isdigit():
        form.contacts.entries = [e for e in form.contacts.entries if e.id != f"contacts-{remove}"]
        return _render_step(enrollment, "contacts", form, **extra)
    finish_later = "save_draft" in request.form
    if not finish_later and not form.validate():
        return _render_step(enrollment, "contacts", form, 422, **extra)
    payload, entries = contacts_payload(form)
    return _save(enrollment, "contacts", form, {"contacts": payload}, finish_later=finish_later,
                 field_map=lambda name: (entries, name), **extra)


def _sectors(enrollment: Enrollment) -> ResponseReturnValue:
    form = SectorsForm(data={
        "sectors": enrollment.requested_sectors, "conditions": list(enrollment.conditions or []),
        "sourcing_description": enrollment.sourcing_description,
        "enforcement_history": enrollment.enforcement_history,
    } if request.method == "GET" else None)
    form.sectors.choices = sector_choices()
    if request.method == "GET":
        return _render_step(enrollment, "sectors", form)
    finish_later = "save_draft" in request.form
    if not finish_later and not form.validate():
        return _render_step(enrollment, "sectors", form, 422)
    data = {"sectors": form.sectors.data or [], "conditions": form.conditions.data or [],
            "sourcing_description": form.sourcing_description.data,
            "enforcement_history": form.enforcement_history.data}
    return _save(enrollment, "sectors", form, data, finish_later=finish_later)


def _documents(enrollment: Enrollment) -> ResponseReturnValue:
    form = DocumentForm()
    if request.method == "GET":
        return _render_step(enrollment, "documents", form)
    if form.validate():
        try:
            application.attach_document(current_user, enrollment, request.files.get("file"), kind=form.kind.data,
                                        description=form.description.data or "")
        except ValidationFailed as exc:
            db.session.rollback()
            apply_service_errors(form, exc)
        else:
            db.session.commit()
            flash("The document is attached to your application.", "success")
            return redirect(url_for("enrollment.step", enrollment_id=enrollment.id, step="documents"))
    return _render_step(enrollment, "documents", form, 422)


def _review(enrollment: Enrollment) -> ResponseReturnValue:
    form = ReviewForm(data={"publish_consent": enrollment.publish_consent, "attestation": enrollment.attestation}
                      if request.method == "GET" else None)
    extra = {"missing": _missing_before_review(enrollment)}  # the attestation is answered on this page
    if request.method == "GET":
        return _render_step(enrollment, "review", form, **extra)
    data = {"publish_consent": form.publish_consent.data, "attestation": form.attestation.data}
    if "save_draft" in request.form:
        return _save(enrollment, "review", form, data, finish_later=True, **extra)
    if not form.validate():
        return _render_step(enrollment, "review", form, 422, **extra)
    try:
        application.update_application(current_user, enrollment, data)
        services.submit_enrollment(current_user, enrollment)
    except ValidationFailed as exc:
        db.session.rollback()
        apply_service_errors(form, exc)
        return _render_step(enrollment, "review", form, 422, **extra)
    except Conflict as exc:
        return _refused(exc, "enrollment.show", enrollment_id=enrollment.id)
    db.session.commit()
    flash("Your application is submitted. CBP will review it; we e-mail your contacts at every step.", "success")
    return redirect(url_for("enrollment.show", enrollment_id=enrollment.id))


_STEP_HANDLERS = {"identity": _identity, "contacts": _contacts, "sectors": _sectors, "documents": _documents,
                  "review": _review}
