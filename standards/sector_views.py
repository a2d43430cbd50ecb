"""Admin pages for sectors: add, rename, change protection, delete only when nothing uses the sector."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user

from core import navigation, policy
from core.accounts.forms import EmptyForm
from core.errors import Conflict, ValidationFailed
from core.extensions import db
from core.forms import apply_errors
from standards import lookups
from standards import policy as perms
from standards.forms import SectorEditForm, SectorForm
from standards.services import sectors as sector_services

bp = Blueprint("sectors", __name__, url_prefix="/admin/sectors")

navigation.register("Sectors", "sectors.index", perms.SECTORS_MANAGE, order=85)


def _render_index(form: SectorForm, status: int = 200):
    sectors = lookups.sectors()
    usage = {s.code: sum(sector_services.sector_usage(s.code).values()) for s in sectors}
    return render_template("standards/sector/index.html", sectors=sectors, usage=usage, form=form,
                           action_form=EmptyForm()), status


@bp.route("", methods=["GET", "POST"])
@policy.require(perms.SECTORS_MANAGE)
def index() -> ResponseReturnValue:
    """Every sector with how much refers to it, and a form to add one."""
    form = SectorForm()
    if form.validate_on_submit():
        try:
            sector = sector_services.add_sector(current_user, code=form.code.data, name=form.name.data,
                                                heightened_protection=form.heightened_protection.data,
                                                hts_prefixes=form.hts_prefixes.data)
        except ValidationFailed as exc:
            db.session.rollback()
            apply_errors(form, exc)
        else:
            db.session.commit()
            flash(f"Sector {sector.name} added.", "success")
            return redirect(url_for("sectors.index"))
    return _render_index(form, 422 if form.errors else 200)


@bp.route("/<code>", methods=["GET", "POST"])
@policy.require(perms.SECTORS_MANAGE)
def edit(code: str) -> ResponseReturnValue:
    """Rename a sector or change its heightened protection."""
    sector = sector_services.get_sector(code)
    form = SectorEditForm(obj=sector)
    if not form.is_submitted():
        form.hts_prefixes.data = ", ".join(sector.hts_prefixes or [])
    if form.validate_on_submit():
        try:
            sector_services.update_sector(current_user, sector, name=form.name.data,
                                          heightened_protection=form.heightened_protection.data,
                                          hts_prefixes=form.hts_prefixes.data if "hts_prefixes" in request.form else None)
        except ValidationFailed as exc:
            db.session.rollback()
            apply_errors(form, exc)
        else:
            db.session.commit()
            flash(f"Sector {sector.name} saved.", "success")
            return redirect(url_for("sectors.index"))
    return render_template("standards/sector/form.html", form=form, sector=sector,
                           usage=sector_services.sector_usage(sector.code),
                           action_form=EmptyForm()), 422 if form.errors else 200


@bp.route("/<code>/delete", methods=["POST"])
@policy.require(perms.SECTORS_MANAGE)
def delete(code: str) -> ResponseReturnValue:
    """Delete a sector nothing refers to; one in use stays, with a message saying what uses it."""
    sector = sector_services.get_sector(code)
    if not EmptyForm().validate_on_submit():
        flash("Your session expired or the form was sent twice. Please try again.", "error")
        return redirect(url_for("sectors.edit", code=code))
    name = sector.name
    try:
        sector_services.delete_sector(current_user, sector)
    except Conflict as exc:
        db.session.rollback()
        flash(exc.message, "error")
        return redirect(url_for("sectors.edit", code=code))
    db.session.commit()
    flash(f"Sector {name} deleted.", "success")
    return redirect(url_for("sectors.index"))
