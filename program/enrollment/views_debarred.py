"""Reviewer pages of the suspended/debarred list: search, add, end an entry."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user

from core import navigation, policy
from core.errors import NotFound, ValidationFailed
from core.extensions import db
from core.pagination import page_args_from_request, paginate
from core.timeutil import today
from program.enrollment import debarred
from program.enrollment import policy as perms
from program.enrollment.forms import DebarredForm, EndDebarredForm
from program.enrollment.models import DebarredParty
from program.enrollment.wizard import apply_service_errors

bp = Blueprint("debarred", __name__, url_prefix="/review/debarred")

navigation.register("Debarred", "debarred.index", perms.DEBARRED, order=25)


def _render(form: DebarredForm, status: int = 200) -> ResponseReturnValue:
    page, size = page_args_from_request()
    q = request.args.get("q", "").strip()
    active_only = request.args.get("active") == "1"
    result = paginate(debarred.debarred_query(q, active_only=active_only), page, size)
    return render_template("program/debarred/index.html", page=result, q=q, active_only=active_only, form=form,
                           end_form=EndDebarredForm(), today=today()), status


@bp.route("")
@policy.require(perms.DEBARRED)
def index() -> ResponseReturnValue:
    """The list, newest first, searchable by name or IOR number, with the form to add an entry."""
    return _render(DebarredForm(data={"start_date": today()}))


@bp.route("", methods=["POST"])
@policy.require(perms.DEBARRED)
def add() -> ResponseReturnValue:
    """Put a party on the list."""
    form = DebarredForm()
    if form.validate():
        try:
            party = debarred.add_debarred(current_user, name=form.name.data, ior_number=form.ior_number.data or None,
                                          reason=form.reason.data, start_date=form.start_date.data,
                                          end_date=form.end_date.data)
        except ValidationFailed as exc:
            db.session.rollback()
            apply_service_errors(form, exc)
        else:
            db.session.commit()
            flash(f"{party.name} is on the suspended/debarred list from {party.start_date.isoformat()}.", "success")
            return redirect(url_for("debarred.index"))
    return _render(form, 422)


@bp.route("/<int:party_id>/end", methods=["POST"])
@policy.require(perms.DEBARRED)
def end(party_id: int) -> ResponseReturnValue:
    """End an entry today: it stops counting at once."""
    party = db.session.get(DebarredParty, party_id)
    if party is None:
        raise NotFound("No such entry.")
    if EndDebarredForm().validate_on_submit():
        debarred.end_debarred(current_user, party)
        db.session.commit()
        flash(f"The entry for {party.name} has ended.", "success")
    return redirect(url_for("debarred.index", q=request.args.get("q") or None))
