"""Reviewer page of the known violative shippers: search, add, load a CSV (all rows or none), remove."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import SelectField, StringField, TextAreaField
from wtforms.validators import InputRequired, Length, Optional

from core import navigation, policy
from core.accounts.forms import EmptyForm
from core.csvio import ImportFailed
from core.errors import ValidationFailed
from core.extensions import db
from core.forms import apply_errors
from core.pagination import page_args_from_request, paginate
from program.decisions import policy as perms
from program.decisions import shippers
from program.enrollment.forms import COUNTRY_CHOICES

bp = Blueprint("shippers", __name__, url_prefix="/review/violative-shippers")

navigation.register("Shippers", "shippers.index", perms.SHIPPERS, order=27)

MAX_CSV_BYTES = 2 * 1024 * 1024


class ShipperForm(FlaskForm):
    """A shipper to add to the list."""

    name = StringField("Shipper's name", validators=[InputRequired("Enter the shipper's name."), Length(max=200)])
    country = SelectField("Country (if known)", choices=COUNTRY_CHOICES, validate_choice=False,
                          validators=[Optional()])  # the service names a bad code
    reason = TextAreaField("Reason", validators=[InputRequired("Say why the shipper is listed."), Length(max=2000)])


class ShipperImportForm(FlaskForm):
    """A CSV of shippers."""

    file = FileField("CSV file", render_kw={"accept": ".csv,text/csv"},
                     description="UTF-8 CSV with a header row: name, country, reason. Every row is loaded, or none.")


def _render(form: ShipperForm, upload: ShipperImportForm, status: int = 200,
            problems: list[tuple[int, str, str]] | None = None) -> ResponseReturnValue:
    page, size = page_args_from_request()
    q = request.args.get("q", "").strip()
    result = paginate(shippers.shippers_query(q), page, size)
    return render_template("program/decisions/shippers/index.html", page=result, q=q, form=form, upload=upload,
                           problems=problems or [], remove_form=EmptyForm()), status


@bp.route("")
@policy.require(perms.SHIPPERS)
def index() -> ResponseReturnValue:
    """The list, newest first, searchable, with the forms to add a shipper or load a CSV."""
    return _render(ShipperForm(), ShipperImportForm())


@bp.route("", methods=["POST"])
@policy.require(perms.SHIPPERS)
def add() -> ResponseReturnValue:
    """Put a shipper on the list."""
    form = ShipperForm()
    if form.validate():
        try:
            shipper = shippers.add_shipper(current_user, name=form.name.data, country=form.country.data or None,
                                           reason=form.reason.data)
        except ValidationFailed as exc:
            db.session.rollback()
            apply_errors(form, exc)
        else:
            db.session.commit()
            flash(f"{shipper.name} is on the list of known violative shippers.", "success")
            return redirect(url_for("shippers.index"))
    return _render(form, ShipperImportForm(), 422)


@bp.route("/import", methods=["POST"])
@policy.require(perms.SHIPPERS)
def import_csv() -> ResponseReturnValue:
    """Load a CSV of shippers: every row, or none with each bad row named."""
    upload = ShipperImportForm()
    if not upload.validate() or upload.file.data is None:
        upload.file.errors = ["Choose a CSV file."]
        return _render(ShipperForm(), upload, 422)
    raw = upload.file.data.read(MAX_CSV_BYTES + 1)
    if len(raw) > MAX_CSV_BYTES:
        upload.file.errors = ["The file is over 2 MB; split it."]
        return _render(ShipperForm(), upload, 413)
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        upload.file.errors = ["The file is not UTF-8 text."]
        return _render(ShipperForm(), upload, 422)
    try:
        loaded = shippers.import_shippers_csv(current_user, text)
    except ImportFailed as exc:
        db.session.rollback()
        return _render(ShipperForm(), upload, 422, problems=exc.errors)
    db.session.commit()
    flash(f"{len(loaded)} shipper(s) loaded.", "success")
    return redirect(url_for("shippers.index"))


@bp.route("/<int:shipper_id>/remove", methods=["POST"])
@policy.require(perms.SHIPPERS)
def remove(shipper_id: int) -> ResponseReturnValue:
    """Take a shipper off the list."""
    if EmptyForm().validate_on_submit():
        shippers.remove_shipper(current_user, shipper_id)
        db.session.commit()
        flash("The shipper is off the list.", "success")
    return redirect(url_for("shippers.index"))
