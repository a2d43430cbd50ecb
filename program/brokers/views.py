"""Web pages of brokers acting for importers: the broker's principals with the release decisions and blank-goods
declarations its users made for them; the importer's brokers, granted and revoked here (the same services
as ``/api/v1/delegations``). Thin handlers: check access, call one service, commit, redirect or render."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, flash, redirect, render_template, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user
from flask_wtf import FlaskForm
from sqlalchemy import select
from sqlalchemy.orm import joinedload
from wtforms import DateField, SelectField
from wtforms.validators import InputRequired, Optional

from core import navigation, policy
from core.accounts import delegations as delegation_services
from core.accounts.delegations_api import GRANT
from core.accounts.models import DELEGATION_SCOPES, Organization, User
from core.accounts.roles import OrgKind, Role
from core.errors import Conflict, ValidationFailed
from core.extensions import db
from core.forms import choices
from core.timeutil import today
from program.blanks.models import BlankDeclaration
from program.decisions.models import ReleaseDecision
from program.enrollment.forms import MultiCheckboxField

bp = Blueprint("brokers", __name__)

PAGES = "brokers.pages"  # a broker's own pages: principals, decisions and declarations made for them
policy.register(PAGES, Role.BROKER)
navigation.register("Principals", "brokers.principals", PAGES, order=20)
navigation.register("Brokers", "brokers.delegations", GRANT, order=60)
DECISION_OUTCOME_LABELS = {"expedited_release": "Expedited release", "standard_processing": "Standard processing",
                           "refer_for_examination": "Refer for examination"}

SCOPE_LABELS = {"decisions": "Request release decisions", "blank_declarations": "File and withdraw blank declarations",
                "enrollment_read": "Read our enrollment"}
RECENT = 50


class GrantForm(FlaskForm):
    """An importer grants a broker organisation authority."""

    broker_organization_id = SelectField("Customs broker", coerce=int, validators=[InputRequired("Choose a broker.")])
    scopes = MultiCheckboxField("What the broker may do", choices=choices(SCOPE_LABELS.items()),
                                validators=[InputRequired("Choose at least one.")])
    valid_until = DateField("Last day in force (optional)", validators=[Optional()])


class RevokeForm(FlaskForm):
    """Revoke one delegation (CSRF only)."""


def _broker_users(organization_id: int) -> Any:
    return select(User.id).where(User.organization_id == organization_id)


@bp.route("/broker")
@policy.require(PAGES)
def principals() -> ResponseReturnValue:
    """The importers that delegated to the broker's organisation, and what its users did for them lately."""
    org = current_user.organization_id
    grants = db.session.scalars(delegation_services.visible_delegations(current_user)).all()
    decisions = db.session.scalars(
        select(ReleaseDecision).where(ReleaseDecision.requested_by_id.in_(_broker_users(org)))
        .order_by(ReleaseDecision.decided_at.desc(), ReleaseDecision.id.desc()).limit(RECENT)).all()
    declarations = db.session.scalars(
        select(BlankDeclaration).options(joinedload(BlankDeclaration.organization))
        .where(BlankDeclaration.filed_by_id.in_(_broker_users(org)))
        .order_by(BlankDeclaration.filed_at.desc(), BlankDeclaration.id.desc()).limit(RECENT)).all()
    names = dict(db.session.execute(select(Organization.id, Organization.name).where(
        Organization.id.in_({d.organization_id for d in decisions if d.organization_id}))).all())
    return render_template("program/brokers/principals.html", grants=grants, decisions=decisions,
                           declarations=declarations, names=names, scope_labels=SCOPE_LABELS,
                           outcome_labels=DECISION_OUTCOME_LABELS,
                           today=today())


def _grant_form() -> GrantForm:
    form = GrantForm()
    form.broker_organization_id.choices = choices([(0, "Choose a broker")] + [
        (o.id, o.name) for o in db.session.scalars(select(Organization).where(Organization.kind == OrgKind.BROKER)
                                                   .order_by(Organization.name))])
    return form


@bp.route("/delegations", methods=["GET", "POST"])
@policy.require(GRANT)
def delegations() -> ResponseReturnValue:
    """The importer's brokers: grant authority, see and revoke it."""
    form = _grant_form()
    if form.validate_on_submit():
        try:
            delegation_services.grant_delegation(current_user, broker_organization_id=form.broker_organization_id.data,
                                         scopes=form.scopes.data, valid_until=form.valid_until.data)
        except (ValidationFailed, Conflict) as exc:
            db.session.rollback()
            fields = getattr(exc, "fields", None) or {}
            flash(" ".join(m[0] for m in fields.values()) or exc.message, "error")
        else:
            db.session.commit()
            flash("The broker may now act for you within what you chose.", "success")
            return redirect(url_for("brokers.delegations"))
    grants = db.session.scalars(delegation_services.visible_delegations(current_user)).all()
    return render_template("program/brokers/delegations.html", form=form, grants=grants, revoke_form=RevokeForm(),
                           scope_labels=SCOPE_LABELS, scopes=DELEGATION_SCOPES), (422 if form.errors else 200)


@bp.route("/delegations/<int:delegation_id>/revoke", methods=["POST"])
@policy.require(GRANT)
def revoke(delegation_id: int) -> ResponseReturnValue:
    """Revoke a delegation at once."""
    if RevokeForm().validate_on_submit():
        try:
            delegation_services.revoke_delegation(current_user, delegation_id)
        except Conflict as exc:
            db.session.rollback()
            flash(exc.message, "error")
        else:
            db.session.commit()
            flash("Revoked: the broker can no longer act for you.", "success")
    return redirect(url_for("brokers.delegations"))
