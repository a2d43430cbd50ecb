"""Web pages of genuineness standards: list, draft/edit, version page with its actions, compare, catalogue."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user

from core import navigation, policy
from core.accounts.forms import EmptyForm
from core.errors import NotFound, ValidationFailed
from core.extensions import db
from core.forms import apply_errors, choices
from core.inputs import whole_number
from core.pagination import page_args_from_request, paginate
from standards import lookups
from standards import policy as perms
from standards.diff import compare_versions
from standards.forms import DeclineForm, EndorseForm, StandardForm, WithdrawForm
from standards.guards import available_actions
from standards.models import StandardVersion
from standards.services import endorsements as endorsement_services
from standards.services import versions as version_services
from standards.states import STATUS_LABELS, VersionStatus

bp = Blueprint("standards", __name__, url_prefix="/standards")

navigation.register("Standards", "standards.index", perms.STANDARDS_READ, order=30)


def _stale_form() -> None:
    flash("Your session expired or the form was sent twice. Please try again.", "error")


# --- lists -------------------------------------------------------------------------------------------


@bp.route("")
@policy.require(perms.STANDARDS_READ)
def index() -> ResponseReturnValue:
    """Standards the user may see, filtered by sector and status (superseded versions hidden by default)."""
    page, size = page_args_from_request()
    sector = request.args.get("sector") or None
    status = request.args.get("status") or None
    if status not in {s.value for s in VersionStatus} | {"all", None}:
        status = None
    mine = request.args.get("mine") == "1"
    query = lookups.versions_query(current_user, sector=sector, status=None if status == "all" else status,
                                   hide_superseded=status is None, mine=mine)
    awaiting = (lookups.awaiting_decision(current_user.organization_id)
                if current_user.role == "rights_holder" else [])
    ready = lookups.ready_to_publish() if policy.can(current_user, perms.STANDARDS_PUBLISH) else []
    return render_template("standards/standard/index.html", page=paginate(query, page, size),
                           sectors=lookups.sectors(), sector=sector, status=status, mine=mine,
                           statuses=STATUS_LABELS, awaiting_ids={v.id for v in awaiting}, ready=ready)


@bp.route("/catalogue")
@policy.public
def catalogue() -> ResponseReturnValue:
    """Public, read-only catalogue of published standards by sector (no sign-in)."""
    sector = request.args.get("sector") or None
    return render_template("standards/standard/catalogue.html", groups=lookups.published_catalogue(sector),
                           sectors=lookups.sectors(), sector=sector)


# --- drafting ----------------------------------------------------------------------------------------


def _row_buttons(form: StandardForm) -> bool:
    """The no-JavaScript row buttons: add an empty row or drop one, then show the form again unsaved."""
    if "add_row" in request.form:
        form.requirements.append_entry()
        return True
    remove = request.form.get("remove_row")
    index = whole_number(remove)
    if index is not None:
        entries = form.requirements.entries
        if index < len(entries):
            entries.pop(index)
        if not entries:
            form.requirements.append_entry()
        form.requirements._compact_indices()  # renumber names 0..n-1 so the page posts a tidy list
        return True
    return False


def _render_form(form: StandardForm, version: StandardVersion | None, status: int = 200):
    return render_template("standards/standard/form.html", form=form, version=version,
                           next_index=len(form.requirements.entries)), status


def _apply_requirement_errors(form: StandardForm, error: ValidationFailed) -> None:
    fields = dict(error.fields)
    for message in fields.pop("requirements", []):
        form.form_errors.append(message)
    if fields:
        apply_errors(form, ValidationFailed(error.message, fields=fields))


@bp.route("/new", methods=["GET", "POST"])
@policy.require(perms.STANDARDS_AUTHOR)
def new() -> ResponseReturnValue:
    """Draft a new standard for the user's organisation."""
    form = StandardForm()
    form.set_sector_choices(lookups.sectors())
    if request.method == "GET" and request.args.get("sector"):
        form.sector.data = request.args["sector"]
    if request.method == "POST" and _row_buttons(form):
        return _render_form(form, None)
    if form.validate_on_submit():
        try:
            version = version_services.create_standard(current_user, **form.content())
        except ValidationFailed as exc:
            db.session.rollback()
            _apply_requirement_errors(form, exc)
        else:
            db.session.commit()
            flash("Draft saved. Propose it when it is ready for rights holders to endorse.", "success")
            return redirect(url_for("standards.view", version_id=version.id))
    return _render_form(form, None, 422 if form.errors else 200)


@bp.route("/<int:version_id>/edit", methods=["GET", "POST"])
@policy.require(perms.STANDARDS_AUTHOR)
def edit(version_id: int) -> ResponseReturnValue:
    """Edit a draft (its authors)."""
    version = lookups.visible_version(current_user, version_id)
    if "edit" not in available_actions(current_user, version):
        flash("Only a draft can be edited, by the organisation that wrote it.", "error")
        return redirect(url_for("standards.view", version_id=version.id))
    if request.method == "GET":
        form = StandardForm(data={"sector": version.sector_code, "title": version.title,
                                  "conditions": version.condition_codes, "change_note": version.change_note,
                                  "requirements": [r.to_dict() for r in version.requirements] or [{}]})
    else:
        form = StandardForm()
    form.set_sector_choices(lookups.sectors())
    if request.method == "POST" and _row_buttons(form):
        return _render_form(form, version)
    if form.validate_on_submit():
        try:
            version_services.update_draft(current_user, version, **form.content())
        except ValidationFailed as exc:
            db.session.rollback()
            _apply_requirement_errors(form, exc)
        else:
            db.session.commit()
            flash("Draft saved.", "success")
            return redirect(url_for("standards.view", version_id=version.id))
    return _render_form(form, version, 422 if form.errors else 200)


# --- the version page and its actions -----------------------------------------------------------------


def _endorse_form(version: StandardVersion, form: EndorseForm | None = None) -> EndorseForm:
    form = form or EndorseForm(formdata=None)
    taken = endorsement_services.endorsed_mark_ids(version.id)
    mine = [m for m in lookups.marks_of(current_user.organization_id) if m.id not in taken]
    mine.sort(key=lambda m: version.sector_code not in m.sector_codes)  # marks used in the sector first
    form.marks.choices = choices((m.recordation_number, f"{m.recordation_number} \u2014 {m.mark}")
                                 for m in mine)
    return form


def _render_view(version: StandardVersion, *, endorse_form: EndorseForm | None = None,
                 decline_form: DeclineForm | None = None, status: int = 200):
    offer = available_actions(current_user, version)
    guides = lookups.guides_for_sector(version.sector_code) if lookups.can_view_guides(current_user) else []
    return render_template(
        "standards/standard/view.html", version=version, offer=offer,
        history=lookups.history(current_user, version),
        previous=lookups.previous_version(current_user, version), guides=guides,
        endorse_form=_endorse_form(version, endorse_form) if "endorse" in offer else None,
        decline_form=decline_form or DeclineForm(formdata=None), withdraw_form=WithdrawForm(formdata=None),
        action_form=EmptyForm(), my_marks=lookups.marks_of(current_user.organization_id)
        if current_user.role == "rights_holder" else [],
    ), status


@bp.route("/<int:version_id>")
@policy.require(perms.STANDARDS_READ)
def view(version_id: int) -> ResponseReturnValue:
    """A version: requirements, endorsements, guides, history, and the actions open to the user."""
    return _render_view(lookups.visible_version(current_user, version_id))


def _act(version_id: int, service, done: str, form=None):
    """Run one transition from a CSRF-protected button; 422s become a message naming what is missing."""
    version = lookups.visible_version(current_user, version_id)
    form = form or EmptyForm()
    if not form.validate_on_submit():
        _stale_form()
        return redirect(url_for("standards.view", version_id=version.id))
    try:
        result = service(current_user, version)
    except ValidationFailed as exc:
        db.session.rollback()
        problems = " ".join(m for messages in exc.fields.values() for m in messages)
        flash(f"{exc.message} {problems}".strip(), "error")
        return redirect(url_for("standards.view", version_id=version.id))
    db.session.commit()
    flash(done, "success")
    return redirect(url_for("standards.view", version_id=result.id))


@bp.route("/<int:version_id>/propose", methods=["POST"])
@policy.require(perms.STANDARDS_AUTHOR)
def propose(version_id: int) -> ResponseReturnValue:
    """Propose a draft for endorsement."""
    return _act(version_id, version_services.propose_version,
                "Proposed. Rights holders with marks in this sector can now endorse it.")


@bp.route("/<int:version_id>/withdraw", methods=["POST"])
@policy.require(perms.STANDARDS_AUTHOR)
def withdraw(version_id: int) -> ResponseReturnValue:
    """Withdraw a draft or proposal, with an optional reason."""
    form = WithdrawForm()
    def service(user, version):
        return version_services.withdraw_version(user, version, form.reason.data or "")

    return _act(version_id, service, "Withdrawn.", form=form)


@bp.route("/<int:version_id>/publish", methods=["POST"])
@policy.require(perms.STANDARDS_PUBLISH)
def publish(version_id: int) -> ResponseReturnValue:
    """Publish an endorsed proposal (supersedes the published version of the same standard)."""
    return _act(version_id, version_services.publish_version,
                "Published. Release decisions use it from now on; any earlier version is superseded.")


@bp.route("/<int:version_id>/revise", methods=["POST"])
@policy.require(perms.STANDARDS_AUTHOR)
def revise(version_id: int) -> ResponseReturnValue:
    """Start a new draft version copied from this one."""
    return _act(version_id, version_services.revise_version,
                "New draft version created from the previous one. Endorsements do not carry over.")


@bp.route("/<int:version_id>/endorse", methods=["POST"])
@policy.require(perms.STANDARDS_ENDORSE)
def endorse(version_id: int) -> ResponseReturnValue:
    """Endorse the version for some of the user's organisation's marks."""
    version = lookups.visible_version(current_user, version_id)
    form = _endorse_form(version, EndorseForm())
    if form.validate_on_submit():
        try:
            endorsement_services.endorse_version(current_user, version, marks=form.marks.data,
                                                 statement=form.statement.data)
        except ValidationFailed as exc:
            db.session.rollback()
            apply_errors(form, exc)
        else:
            db.session.commit()
            flash(f"Endorsed for {', '.join(form.marks.data)}.", "success")
            return redirect(url_for("standards.view", version_id=version.id))
    return _render_view(version, endorse_form=form, status=422)


@bp.route("/<int:version_id>/decline", methods=["POST"])
@policy.require(perms.STANDARDS_ENDORSE)
def decline(version_id: int) -> ResponseReturnValue:
    """Decline the version with a reason."""
    version = lookups.visible_version(current_user, version_id)
    form = DeclineForm()
    if form.validate_on_submit():
        try:
            endorsement_services.decline_version(current_user, version, reason=form.reason.data)
        except ValidationFailed as exc:
            db.session.rollback()
            apply_errors(form, exc)
        else:
            db.session.commit()
            flash("Declined. The authors and CBP can read your reason.", "success")
            return redirect(url_for("standards.view", version_id=version.id))
    return _render_view(version, decline_form=form, status=422)


@bp.route("/<int:version_id>/decisions/<int:endorsement_id>/withdraw", methods=["POST"])
@policy.require(perms.STANDARDS_ENDORSE)
def withdraw_decision(version_id: int, endorsement_id: int) -> ResponseReturnValue:
    """Withdraw the organisation's endorsement or decline."""
    version = lookups.visible_version(current_user, version_id)
    if not EmptyForm().validate_on_submit():
        _stale_form()
    else:
        decision = endorsement_services.get_decision(version.id, endorsement_id)
        endorsement_services.withdraw_decision(current_user, decision)
        db.session.commit()
        flash("Withdrawn. Release decisions no longer count it." if decision.decision == "endorse"
              else "Your decline is withdrawn.", "success")
    return redirect(url_for("standards.view", version_id=version.id))


@bp.route("/<int:version_id>/compare")
@policy.require(perms.STANDARDS_READ)
def compare(version_id: int) -> ResponseReturnValue:
    """Side by side: this version against another of the same standard (the previous one by default)."""
    new_version = lookups.visible_version(current_user, version_id)
    other_id = request.args.get("with", type=int)
    old_version = (lookups.visible_version(current_user, other_id) if other_id
                   else lookups.previous_version(current_user, new_version))
    if old_version is None or old_version.standard_id != new_version.standard_id:
        raise NotFound("There is no other version of this standard to compare with.")
    if old_version.version > new_version.version:
        old_version, new_version = new_version, old_version
    return render_template("standards/standard/compare.html", diff=compare_versions(old_version, new_version),
                           history=lookups.history(current_user, new_version))
