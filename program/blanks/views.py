"""Blank-goods pages: the importer's declarations (with remaining quantities), the filing form (rows
and CSV), a declaration's page (parties, lines, ledger, queries, conversations), CBP's filtered list
with query and revoke, and the rights holder's licensed lines."""

from __future__ import annotations

from datetime import timedelta

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user

from core import navigation, policy
from core.errors import Conflict, ValidationFailed
from core.extensions import db
from core.inputs import whole_number
from core.pagination import page_args_from_request, paginate
from core.timeutil import today
from program.blanks import csv_import, queries, services
from program.blanks import policy as perms
from program.blanks.forms import DeclarationForm, LineForm, OptionalReasonForm, PartyForm, ReasonForm, error_list, place_errors
from program.blanks.models import BlankDeclaration
from program.blanks.states import STATUS_LABELS, allowed_actions
from program.enrollment.queries import active_enrollment_for_organization

bp = Blueprint("blanks", __name__, url_prefix="/blanks")

navigation.register("Blank goods", "blanks.index", perms.READ, order=35)
navigation.register("Licensed blanks", "blanks.licensed", perms.LICENSED, order=36, current_for=("blanks.licensed",))


@bp.route("/")
@policy.require(perms.READ)
def index() -> ResponseReturnValue:
    """Declarations: the importer's own with remaining quantities; every importer's for CBP, filtered."""
    user = current_user
    cbp = queries.sees_all(user)
    if services.expire_declarations(organization_id=None if cbp else user.organization_id):
        db.session.commit()
    filters = {key: (request.args.get(key) or "").strip() or None
               for key in ("status", "hts_chapter", "country", "importer")}
    if filters["status"] not in STATUS_LABELS:
        filters["status"] = None
    chapter = filters["hts_chapter"]
    if chapter and not (len(chapter) == 2 and whole_number(chapter) is not None):  # ASCII digits, as the API
        flash("An HTS chapter is two digits, e.g. 42.", "error")
        filters["hts_chapter"] = None
    query = queries.filter_declarations(queries.visible_declarations(user), **filters)
    page, size = page_args_from_request()
    result = paginate(query, page, size)
    can_file = (not cbp and policy.can(user, perms.FILE)
                and active_enrollment_for_organization(user.organization_id) is not None)
    return render_template("program/blanks/declaration/index.html", page=result, cbp=cbp, filters=filters,
                           statuses=STATUS_LABELS, can_file=can_file)


def _blank_form() -> DeclarationForm:
    start = today()
    return DeclarationForm(formdata=None, data={"valid_from": start, "valid_until": start + timedelta(days=180)})


def _edit_rows(form: DeclarationForm) -> bool:
    """Server-side add/remove of party and line rows when JavaScript is off; True when a row changed."""
    for name in ("parties", "lines"):
        field = getattr(form, name)
        if request.form.get(f"add_{name}"):
            field.append_entry()
            return True
        removed = request.form.get(f"remove_{name}")
        index = whole_number(removed)
        if index is not None and len(field.entries) > 1:
            kept = [entry.data for i, entry in enumerate(field.entries) if i != index]
            while field.entries:
                field.pop_entry()
            for data in kept:
                field.append_entry(data)
            return True
    return False


@bp.route("/new", methods=["GET", "POST"])
@policy.require(perms.FILE)
def new() -> ResponseReturnValue:
    """File a declaration: parties and lines as rows (add/remove), or the lines as an uploaded CSV."""
    enrollment = active_enrollment_for_organization(current_user.organization_id)
    if enrollment is None:
        return render_template("program/blanks/declaration/not_enrolled.html"), 403
    form = DeclarationForm() if request.method == "POST" else _blank_form()
    loose: list[str] = []
    if request.method == "POST" and not _edit_rows(form) and form.validate():
        try:
            declaration = services.file_declaration(current_user, form.to_data())
        except ValidationFailed as error:
            db.session.rollback()
            loose = place_errors(form, error)
        else:
            db.session.commit()
            flash(f"Declaration {declaration.public_id} filed with {len(declaration.lines)} line(s).", "success")
            return redirect(url_for("blanks.show", public_id=declaration.public_id))
    return render_template("program/blanks/declaration/new.html", form=form, loose_errors=loose,
                           csv_template=csv_import.TEMPLATE, enrollment=enrollment, error_list=error_list,
                           blank_party=PartyForm(prefix="parties-__index__-", data={"role": "seller"}),
                           blank_line=LineForm(prefix="lines-__index__-"))


def _load(public_id: str) -> BlankDeclaration:
    declaration = queries.get_declaration_for(current_user, public_id)
    if services.expire_if_due(declaration):
        db.session.commit()
    return declaration


@bp.route("/<public_id>")
@policy.require(perms.READ)
def show(public_id: str) -> ResponseReturnValue:
    """A declaration: parties, lines with remaining quantities, the ledger, queries, conversations, actions."""
    declaration = _load(public_id)
    ledger = sorted(((line, c) for line in declaration.lines for c in line.consumptions),
                    key=lambda item: item[1].created_at, reverse=True)
    return render_template("program/blanks/declaration/show.html", d=declaration, ledger=ledger,
                           actions=allowed_actions(declaration.status, current_user.role),
                           owner=declaration.organization_id == current_user.organization_id,
                           reason_form=ReasonForm(), optional_form=OptionalReasonForm())


def _act(public_id: str, form_class, move, *, owner_only: bool = False, **labels: str) -> ResponseReturnValue:
    declaration = _load(public_id)
    if owner_only:
        queries.require_owner(current_user, declaration)
    form = form_class()
    if not form.validate():
        flash(labels["missing"], "error")
        return redirect(url_for("blanks.show", public_id=declaration.public_id))
    try:
        move(declaration, form.text.data or "")
    except (Conflict, ValidationFailed) as error:
        db.session.rollback()
        flash(error.message, "error")
    else:
        db.session.commit()
        flash(labels["done"], "success")
    return redirect(url_for("blanks.show", public_id=declaration.public_id))


@bp.route("/<public_id>/query", methods=["POST"])
@policy.require(perms.REVIEW)
def query(public_id: str) -> ResponseReturnValue:
    """CBP asks the importer a question."""
    return _act(public_id, ReasonForm,
                lambda d, text: services.query_declaration(current_user, d, question=text),
                missing="Write the question to ask.", done="Question sent; the declaration is queried.")


@bp.route("/<public_id>/revoke", methods=["POST"])
@policy.require(perms.REVIEW)
def revoke(public_id: str) -> ResponseReturnValue:
    """CBP revokes the declaration, with a reason."""
    return _act(public_id, ReasonForm,
                lambda d, text: services.revoke_declaration(current_user, d, reason=text),
                missing="Give the reason for revoking; the importer sees it.", done="Declaration revoked.")


@bp.route("/<public_id>/answer", methods=["POST"])
@policy.require(perms.FILE)
def answer(public_id: str) -> ResponseReturnValue:
    """The importer answers CBP's question."""
    return _act(public_id, ReasonForm,
                lambda d, text: services.answer_query(current_user, d, answer=text), owner_only=True,
                missing="Write your answer.", done="Answer sent; the declaration is filed again.")


@bp.route("/<public_id>/withdraw", methods=["POST"])
@policy.require(perms.FILE)
def withdraw(public_id: str) -> ResponseReturnValue:
    """The importer withdraws the declaration."""
    return _act(public_id, OptionalReasonForm,
                lambda d, text: services.withdraw_declaration(current_user, d, reason=text), owner_only=True,
                missing="The reason is too long.", done="Declaration withdrawn.")


@bp.route("/licensed")
@policy.require(perms.LICENSED)
def licensed() -> ResponseReturnValue:
    """Rights holders: licensed declaration lines naming one of their marks (and nothing else)."""
    page, size = page_args_from_request()
    result = paginate(queries.licensed_lines_for_owner(current_user.organization_id), page, size)
    return render_template("program/blanks/declaration/licensed.html", page=result, form=OptionalReasonForm())


@bp.route("/<public_id>/lines/<int:line_no>/licence", methods=["POST"])
@policy.require(perms.LICENSED)
def licence(public_id: str, line_no: int) -> ResponseReturnValue:
    """The mark owner confirms or rejects the licence a line cites (a rejection needs a note)."""
    form = OptionalReasonForm()
    action = request.form.get("action", "")
    if not form.validate_on_submit():
        flash("Your session expired or the note is too long. Please try again.", "error")
        return redirect(url_for("blanks.licensed"))
    declaration = queries.get_declaration_for_mark_owner(current_user, public_id)
    try:
        line = services.decide_licence(current_user, declaration, line_no, action=action, note=form.text.data or "")
    except (ValidationFailed, Conflict) as exc:
        db.session.rollback()
        flash(exc.message if isinstance(exc, Conflict) else "Say why you reject the licence (the note).", "error")
        return redirect(url_for("blanks.licensed"))
    db.session.commit()
    flash(f"Licence on {public_id} line {line_no} {line.licence_status}.", "success")
    return redirect(url_for("blanks.licensed"))


@bp.record_once
def _template_globals(state) -> None:
    """Status labels and tag colours for blank-goods templates (and the macros they import)."""
    from program.blanks.states import STATUS_TAG_CLASSES

    state.app.jinja_env.globals.update(blank_status_label=lambda s: STATUS_LABELS.get(s, s),
                                       blank_status_tag=lambda s: STATUS_TAG_CLASSES.get(s, "bg-base"))
