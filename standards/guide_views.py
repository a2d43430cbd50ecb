"""Web pages of product identification guides: officers search and read them; rights holders write,
revise, illustrate and withdraw their own."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user

from core import navigation, policy
from core.accounts.roles import Role
from core.errors import Conflict, NotFound, ValidationFailed
from core.extensions import db
from core.forms import apply_errors
from core.inputs import whole_number
from core.uploads import send_stored
from standards import lookups
from standards import policy as perms
from standards.forms_guides import SECTION_LABELS, GuideImageForm, IdentificationGuideForm
from standards.models.identification_guide import GUIDE_SECTIONS
from standards.services import identification_guides as guides
from standards.services.marks import normalize_recordation_number

bp = Blueprint("guides", __name__, url_prefix="/product-guides")

navigation.register("Guides", "guides.search", perms.GUIDES_VIEW, order=33)


@bp.app_template_global("identification_guides_for_marks")
def identification_guides_for_marks(recordation_numbers) -> list:
    """Guides in force for these marks — CBP reviewers only ([] for anyone else); used on the case page."""
    if not lookups.can_view_guides(current_user):
        return []
    return guides.guides_for_marks(list(recordation_numbers or []))


@bp.route("")
@policy.require(perms.GUIDES_VIEW)
def search() -> ResponseReturnValue:
    """Search guides by mark, HTS code, sector and title words."""
    args = {k: request.args.get(k, "").strip()[:200] for k in ("recordation_number", "hts", "sector", "q")}
    error = None
    number = args["recordation_number"]
    if number:
        try:
            number = normalize_recordation_number(number)
        except ValidationFailed as exc:
            error = exc.fields["recordation_number"][0]
    if args["hts"] and not guides.HTS_PREFIX.fullmatch(guides.normalize_hts(args["hts"])):
        error = "An HTS code is 2 to 10 digits (dots allowed)."
    found = [] if error else guides.search_guides(current_user, recordation_number=number or None,
                                                  hts=args["hts"] or None, sector=args["sector"] or None, q=args["q"])
    return render_template("standards/guide/search.html", found=found, args=args, error=error,
                           sectors=lookups.sectors(), searched=any(args.values()),
                           can_write=policy.can(current_user, perms.GUIDES_UPLOAD)), 422 if error else 200


def _form_page(form: IdentificationGuideForm, guide=None, status: int = 200) -> ResponseReturnValue:
    form.set_choices(lookups.marks_of(current_user.organization_id), lookups.sectors())
    return render_template("standards/guide/edit.html", form=form, guide=guide, sections=GUIDE_SECTIONS), status


@bp.route("/new", methods=["GET", "POST"])
@policy.require(perms.GUIDES_UPLOAD)
def new() -> ResponseReturnValue:
    """Write a new guide for some of your marks."""
    form = IdentificationGuideForm()
    form.set_choices(lookups.marks_of(current_user.organization_id), lookups.sectors())
    if request.method == "GET" or not form.validate():
        return _form_page(form, status=422 if request.method == "POST" else 200)
    try:
        guide = guides.write_guide(current_user, form.content())
    except ValidationFailed as exc:
        db.session.rollback()
        apply_errors(form, exc)
        return _form_page(form, status=422)
    db.session.commit()
    flash("Guide saved (version 1). CBP officers find it by mark, sector and HTS code.", "success")
    return redirect(url_for("guides.show", guide_id=guide.id))


@bp.route("/<int:guide_id>")
@policy.require(perms.GUIDES_VIEW)
def show(guide_id: int) -> ResponseReturnValue:
    """The guide as in force (or an earlier version with ``?version=N``)."""
    guide = guides.viewable_guide(current_user, guide_id)
    wanted = request.args.get("version", "")
    version = guide.current
    if wanted.isdigit():  # any digits: a version that cannot exist is a 404 like one that does not
        number = whole_number(wanted)
        version = next((v for v in guide.versions if v.version == number), None)
        if version is None:
            raise NotFound("No such version of this guide.")
    owner = current_user.role == Role.RIGHTS_HOLDER and guide.organization_id == current_user.organization_id
    return render_template("standards/guide/show.html", guide=guide, version=version, owner=owner and guide.is_live,
                           image_form=GuideImageForm(formdata=None), section_labels=SECTION_LABELS)


@bp.route("/<int:guide_id>/revise", methods=["GET", "POST"])
@policy.require(perms.GUIDES_UPLOAD)
def revise(guide_id: int) -> ResponseReturnValue:
    """Write the next version of your guide (pre-filled with the current one)."""
    guide = guides.viewable_guide(current_user, guide_id)
    form = IdentificationGuideForm()
    form.set_choices(lookups.marks_of(current_user.organization_id), lookups.sectors())
    if request.method == "GET":
        form.fill_from(guide.current)
        return _form_page(form, guide)
    if not form.validate():
        return _form_page(form, guide, 422)
    try:
        version = guides.revise_guide(current_user, guide, form.content())
    except ValidationFailed as exc:
        db.session.rollback()
        apply_errors(form, exc)
        return _form_page(form, guide, 422)
    except Conflict as exc:
        db.session.rollback()
        flash(exc.message, "error")
        return redirect(url_for("guides.show", guide_id=guide.id))
    db.session.commit()
    flash(f"Version {version.version} saved; earlier versions are kept.", "success")
    return redirect(url_for("guides.show", guide_id=guide.id))


@bp.route("/<int:guide_id>/images", methods=["POST"])
@policy.require(perms.GUIDES_UPLOAD)
def add_image(guide_id: int) -> ResponseReturnValue:
    """Add a captioned picture to your guide."""
    guide = guides.viewable_guide(current_user, guide_id)
    form = GuideImageForm()
    try:
        if not form.validate():
            raise ValidationFailed("The image could not be added.", fields=dict(form.errors))
        guides.add_image(current_user, guide, form.file.data, caption=form.caption.data, section=form.section.data)
    except (ValidationFailed, Conflict) as exc:
        db.session.rollback()
        if isinstance(exc, ValidationFailed):
            apply_errors(form, exc)
        return render_template("standards/guide/show.html", guide=guide, version=guide.current, owner=True,
                               image_form=form, section_labels=SECTION_LABELS, image_error=exc.message), 422
    db.session.commit()
    flash("Image added.", "success")
    return redirect(url_for("guides.show", guide_id=guide.id) + "#images")


@bp.route("/<int:guide_id>/withdraw", methods=["POST"])
@policy.require(perms.GUIDES_UPLOAD)
def withdraw(guide_id: int) -> ResponseReturnValue:
    """Take your guide out of use."""
    guide = guides.viewable_guide(current_user, guide_id)
    try:
        guides.withdraw_guide(current_user, guide)
    except Conflict as exc:
        flash(exc.message, "error")
    else:
        db.session.commit()
        flash("Guide withdrawn; officers no longer see it.", "success")
    return redirect(url_for("guides.show", guide_id=guide.id))


@bp.route("/images/<int:image_id>")
@policy.require(perms.GUIDES_VIEW)
def image_file(image_id: int) -> ResponseReturnValue:
    """A guide picture, shown inline."""
    return send_stored(guides.viewable_image(current_user, image_id).file, inline=True)


@bp.route("/images/<int:image_id>/thumbnail")
@policy.require(perms.GUIDES_VIEW)
def image_thumbnail(image_id: int) -> ResponseReturnValue:
    """A guide picture's thumbnail."""
    image = guides.viewable_image(current_user, image_id)
    return send_stored(image.thumbnail or image.file, inline=True)
