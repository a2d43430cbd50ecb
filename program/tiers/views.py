"""Web pages of tiers and invoices: a rights holder's tier and invoices (and its analytics export), the
admins' tiers page, and the invoices and revenue page of reviewers and admins."""

from __future__ import annotations

from flask import Blueprint, Response, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user
from sqlalchemy import select

from core import navigation, policy
from core.accounts.models import Organization
from core.accounts.roles import OrgKind
from core.errors import Conflict, ValidationFailed
from core.extensions import db
from core.forms import choices
from core.timeutil import today
from program.dashboards.analytics import detentions_csv
from program.tiers import features, queries, services
from program.tiers import policy as perms
from program.tiers.forms import AssignForm, IssueForm, PayForm, TierForm, WaiveForm
from program.tiers.states import FEATURE_LABELS, FREE_FEATURES, STATUS_LABELS

bp = Blueprint("tiers", __name__)

navigation.register("Tier and invoices", "tiers.account", perms.OWN, order=85)
navigation.register("Invoices", "tiers.invoices", perms.REVENUE, order=86, current_for=("tiers.invoices",))
navigation.register("Tiers", "tiers.admin_tiers", perms.MANAGE, order=87, current_for=("tiers.admin_tiers",))


@bp.route("/account/tier")
@policy.require(perms.OWN)
def account() -> ResponseReturnValue:
    """The organisation's tier in force, its features and invoices."""
    org = current_user.organization
    return render_template("program/tiers/account.html", tier=features.tier_of(org), labels=FEATURE_LABELS,
                           has={f: features.has_feature(org, f) for f in FEATURE_LABELS}, free=FREE_FEATURES,
                           invoices=queries.invoices(org.id), offered=queries.tiers(active_only=True),
                           status_labels=STATUS_LABELS)


@bp.route("/account/analytics/detentions.csv")
@policy.require(perms.OWN)
def detentions_export() -> ResponseReturnValue:
    """CSV of detentions of goods bearing your marks by month and status (needs ``analytics_exports``)."""
    features.require_feature(current_user.organization, "analytics_exports")
    return Response(detentions_csv(current_user), mimetype="text/csv",
                    headers={"Content-Disposition": 'attachment; filename="detentions-by-month.csv"'})


def _rights_holders() -> list[Organization]:
    return list(db.session.scalars(select(Organization).where(Organization.kind == OrgKind.RIGHTS_HOLDER)
                                   .order_by(Organization.name)))


def _admin_page(tier_form: TierForm | None = None, assign_form: AssignForm | None = None,
                status: int = 200) -> ResponseReturnValue:
    assign_form = assign_form or AssignForm(formdata=None)
    assign_form.organization_id.choices = choices((o.id, o.name) for o in _rights_holders())
    assign_form.tier.choices = choices((t.code, t.name) for t in queries.tiers(active_only=True))
    return render_template("program/tiers/admin.html", tiers=queries.tiers(), labels=FEATURE_LABELS,
                           tier_form=tier_form or TierForm(formdata=None), assign_form=assign_form,
                           organizations=[(o, features.tier_of(o)) for o in _rights_holders()]), status


@bp.route("/admin/tiers", methods=["GET", "POST"])
@policy.require(perms.MANAGE)
def admin_tiers() -> ResponseReturnValue:
    """Define tiers; see which tier each rights holder is on."""
    form = TierForm()
    if request.method == "GET":
        return _admin_page()
    if not form.validate():
        return _admin_page(tier_form=form, status=422)
    try:
        tier = services.define_tier(current_user, code=form.code.data, name=form.name.data,
                                    annual_fee_usd=form.annual_fee_usd.data, features=form.features.data or [])
    except (ValidationFailed, Conflict) as exc:
        db.session.rollback()
        form.form_errors.append(exc.message)
        for name, messages in getattr(exc, "fields", {}).items():
            if name in form:
                form[name].errors = list(messages)
        return _admin_page(tier_form=form, status=422 if isinstance(exc, ValidationFailed) else 409)
    db.session.commit()
    flash(f"Tier {tier.name} defined.", "success")
    return redirect(url_for("tiers.admin_tiers"))


@bp.route("/admin/tiers/assign", methods=["POST"])
@policy.require(perms.MANAGE)
def assign() -> ResponseReturnValue:
    """Put a rights holder on a tier."""
    form = AssignForm()
    form.organization_id.choices = choices((o.id, o.name) for o in _rights_holders())
    form.tier.choices = choices((t.code, t.name) for t in queries.tiers(active_only=True))
    if not form.validate():
        return _admin_page(assign_form=form, status=422)
    row = services.set_tier(current_user, int(form.organization_id.data), form.tier.data)
    db.session.commit()
    flash(f"Tier set to {row.tier.name}.", "success")
    return redirect(url_for("tiers.admin_tiers"))


@bp.route("/invoices")
@policy.require(perms.REVENUE)
def invoices() -> ResponseReturnValue:
    """Revenue by period and every invoice; admins issue, mark paid and waive."""
    period = request.args.get("period", "")
    period = period if services.PERIOD.fullmatch(period) else ""
    return render_template("program/tiers/invoices.html", revenue=queries.revenue_by_period(),
                           invoices=queries.invoices(period=period or None), period=period,
                           manage=policy.can(current_user, perms.MANAGE), status_labels=STATUS_LABELS,
                           issue_form=IssueForm(formdata=None, period=str(today().year)),
                           pay_form=PayForm(formdata=None), waive_form=WaiveForm(formdata=None))


@bp.route("/invoices/issue", methods=["POST"])
@policy.require(perms.MANAGE)
def issue() -> ResponseReturnValue:
    """Issue a period's invoices."""
    form = IssueForm()
    try:
        issued = services.issue_invoices(current_user, form.period.data)
    except ValidationFailed as exc:
        db.session.rollback()
        flash(exc.message, "error")
        return redirect(url_for("tiers.invoices"))
    db.session.commit()
    flash(f"Issued {len(issued)} invoice{'s' if len(issued) != 1 else ''} for {form.period.data}.", "success")
    return redirect(url_for("tiers.invoices"))


@bp.route("/invoices/<int:invoice_id>/<action>", methods=["POST"])
@policy.require(perms.MANAGE)
def settle(invoice_id: int, action: str) -> ResponseReturnValue:
    """Mark an invoice paid (with the payment reference) or waive it (with a reason)."""
    invoice = services.get_invoice(invoice_id)
    try:
        if action == "pay":
            services.mark_paid(current_user, invoice, PayForm().payment_reference.data)
        elif action == "waive":
            services.waive(current_user, invoice, WaiveForm().reason.data)
        else:
            raise ValidationFailed("Unknown action.", fields={"action": ["pay or waive"]})
    except (ValidationFailed, Conflict) as exc:
        db.session.rollback()
        flash(exc.message, "error")
        return redirect(url_for("tiers.invoices"))
    db.session.commit()
    flash(f"Invoice {invoice.number} marked {invoice.status}.", "success")
    return redirect(url_for("tiers.invoices"))
