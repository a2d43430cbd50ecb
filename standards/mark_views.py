"""Web pages of recorded marks (reviewers register them) and their photographic guides (rights holders)."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user

from core import navigation, policy
from core.accounts.forms import EmptyForm
from core.errors import ValidationFailed
from core.extensions import db
from core.forms import apply_errors, choices
from core.pagination import page_args_from_request, paginate
from core.uploads import send_stored
from standards import lookups
from standards import policy as perms
from standards.forms import GuideForm, MarkEditForm, MarkForm
from standards.models import RecordedMark
from standards.services import guides as guide_services
from standards.services import marks as mark_services

bp = Blueprint("marks", __name__)

navigation.register("Marks", "marks.index", perms.MARKS_READ, order=35)


def _sector_choices():
    return choices((s.code, s.name) for s in lookups.sectors())


def _guide_sector_choices(mark: RecordedMark):
    return choices([("", "- Choose a sector -")] + [(s.code, s.name) for s in mark.sectors])


@bp.route("/marks")
@policy.require(perms.MARKS_READ)
def index() -> ResponseReturnValue:
    """Recorded marks, searchable, filtered by owner and sector."""
    page, size = page_args_from_request()
    q = request.args.get("q", "").strip()
    sector = request.args.get("sector") or None
    owner = request.args.get("owner", type=int)
    query = lookups.marks_query(owner_organization_id=owner, sector=sector, q=q or None)
    return render_template("standards/mark/index.html", page=paginate(query, page, size), q=q, sector=sector,
                           owner=owner, sectors=lookups.sectors(),
                           owners=mark_services.rights_holder_organizations())


@bp.route("/marks/new", methods=["GET", "POST"])
@policy.require(perms.MARKS_MANAGE)
def new() -> ResponseReturnValue:
    """Reviewer: register a recorded mark for a rights-holder organisation."""
    form = MarkForm()
    form.owner_organization_id.choices = choices(
        [(0, "- Choose the owner -")] + [(o.id, o.name) for o in mark_services.rights_holder_organizations()])
    form.sectors.choices = _sector_choices()
    if request.method == "GET" and request.args.get("owner", type=int):
        form.owner_organization_id.data = request.args.get("owner", type=int)
    if form.validate_on_submit():
        try:
            mark = mark_services.register_mark(
                current_user, recordation_number=form.recordation_number.data, mark=form.mark.data,
                owner_organization_id=form.owner_organization_id.data, lever_rule=form.lever_rule.data,
                sectors=form.sectors.data or [], lever_scope=form.lever_scope.data or "",
                expires_on=form.expires_on.data)
        except ValidationFailed as exc:
            db.session.rollback()
            apply_errors(form, exc)
        else:
            db.session.commit()
            flash(f"{mark.recordation_number} registered for {mark.owner.name}.", "success")
            return redirect(url_for("marks.view", mark_id=mark.id))
    return render_template("standards/mark/form.html", form=form, mark=None), 422 if form.errors else 200


@bp.route("/marks/<int:mark_id>")
@policy.require(perms.MARKS_READ)
def view(mark_id: int) -> ResponseReturnValue:
    """A mark: owner, protection, sectors, the standards it is endorsed under, and its guides."""
    mark = mark_services.get_mark(mark_id)
    return _render_mark(mark)


def _render_mark(mark: RecordedMark, guide_form: GuideForm | None = None, status: int = 200):
    show_guides = lookups.can_view_guides(current_user, mark.owner_organization_id)
    owner_here = (current_user.role == "rights_holder"
                  and current_user.organization_id == mark.owner_organization_id)
    if owner_here:
        guide_form = guide_form or GuideForm(formdata=None)
        guide_form.sector.choices = _guide_sector_choices(mark)
    return render_template(
        "standards/mark/view.html", mark=mark, guides=lookups.guides_for_mark(mark.id) if show_guides else [],
        show_guides=show_guides, guide_form=guide_form if owner_here else None, owner_here=owner_here,
        endorsements=lookups.endorsements_of_mark(mark.id), action_form=EmptyForm(),
    ), status


@bp.route("/marks/<int:mark_id>/edit", methods=["GET", "POST"])
@policy.require(perms.MARKS_MANAGE)
def edit(mark_id: int) -> ResponseReturnValue:
    """Reviewer: change a mark's text, Lever-rule protection or sectors."""
    mark = mark_services.get_mark(mark_id)
    form = MarkEditForm(data={"mark": mark.mark, "lever_rule": mark.lever_rule, "sectors": mark.sector_codes,
                              "lever_scope": " ".join(mark.lever_scope or []), "expires_on": mark.expires_on}
                        if request.method == "GET" else None)
    form.sectors.choices = _sector_choices()
    if form.validate_on_submit():
        try:
            mark_services.update_mark(current_user, mark, mark=form.mark.data,
                                      lever_rule=form.lever_rule.data, sectors=form.sectors.data or [],
                                      lever_scope=form.lever_scope.data or "", expires_on=form.expires_on.data)
        except ValidationFailed as exc:
            db.session.rollback()
            apply_errors(form, exc)
        else:
            db.session.commit()
            flash(f"{mark.recordation_number} saved.", "success")
            return redirect(url_for("marks.view", mark_id=mark.id))
    return render_template("standards/mark/form.html", form=form, mark=mark), 422 if form.errors else 200


@bp.route("/marks/<int:mark_id>/guides", methods=["POST"])
@policy.require(perms.GUIDES_UPLOAD)
def upload_guide(mark_id: int) -> ResponseReturnValue:
    """Rights holder: upload a photographic standards guide for one of its marks."""
    mark = mark_services.get_mark(mark_id)
    form = GuideForm()
    form.sector.choices = _guide_sector_choices(mark)
    if form.validate_on_submit():
        try:
            guide_services.upload_guide(current_user, mark, sector=form.sector.data, title=form.title.data,
                                        description=form.description.data, upload=form.file.data)
        except ValidationFailed as exc:
            db.session.rollback()
            apply_errors(form, exc)
        else:
            db.session.commit()
            flash("Guide uploaded. CBP officers see it when they authenticate goods of this mark.", "success")
            return redirect(url_for("marks.view", mark_id=mark.id) + "#guides")
    return _render_mark(mark, guide_form=form, status=422)


@bp.route("/guides/<int:guide_id>/file")
@policy.require(perms.GUIDES_VIEW)
def guide_file(guide_id: int) -> ResponseReturnValue:
    """The guide's image (shown inline) or PDF (downloaded): reviewers, and the owning rights holder."""
    guide = guide_services.viewable_guide(current_user, guide_id)
    return send_stored(guide.file, inline=guide.file.is_image)


@bp.route("/guides/<int:guide_id>/thumbnail")
@policy.require(perms.GUIDES_VIEW)
def guide_thumbnail(guide_id: int) -> ResponseReturnValue:
    """The guide's thumbnail (images only)."""
    guide = guide_services.viewable_guide(current_user, guide_id)
    if guide.thumbnail is None:
        return redirect(url_for("static", filename="uswds/img/file-pdf.svg"))
    return send_stored(guide.thumbnail, inline=True)


@bp.route("/guides/<int:guide_id>/remove", methods=["POST"])
@policy.require(perms.GUIDES_UPLOAD)
def remove_guide(guide_id: int) -> ResponseReturnValue:
    """Rights holder: take one of its guides out of use."""
    guide = guide_services.viewable_guide(current_user, guide_id)
    if EmptyForm().validate_on_submit():
        guide_services.remove_guide(current_user, guide)
        db.session.commit()
        flash("Guide removed.", "success")
    return redirect(url_for("marks.view", mark_id=guide.mark_id) + "#guides")

