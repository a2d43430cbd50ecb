"""JSON API of service tiers and invoices, and the analytics export that needs a paid tier."""

from __future__ import annotations

from typing import Any

from flask import g

from core import policy
from core.apiutil import ApiBlueprint as Blueprint
from core.extensions import db
from program.dashboards.analytics import detentions_by_month
from program.tiers import features, queries, services
from program.tiers import policy as perms
from program.tiers.schemas import (
    AccountTierSchema,
    DetentionAnalyticsSchema,
    InvoiceListSchema,
    InvoiceQuerySchema,
    InvoiceSchema,
    IssueSchema,
    PaySchema,
    RevenueListSchema,
    TierAssignSchema,
    TierCreateSchema,
    TierSchema,
    TierUpdateSchema,
    WaiveSchema,
)
from program.tiers.states import FEATURE_LABELS

blp = Blueprint("tiers_api", __name__, url_prefix="/api/v1",
                description="Rights-holder service tiers, invoices and revenue (COAC 2023 item 9)")


def _committed(result: Any) -> Any:
    """Commit the request's one write (the service has audited it) and answer with what it made or changed."""
    db.session.commit()
    return result


@blp.route("/tiers")
@policy.require(policy.AUTHENTICATED)
@blp.response(200, TierSchema(many=True))
def list_tiers():
    """Every tier (admins) or the tiers on offer (others), cheapest first."""
    return queries.tiers(active_only=not policy.can(g.api_user, perms.MANAGE))


@blp.route("/tiers", methods=["POST"])
@policy.require(perms.MANAGE)
@blp.arguments(TierCreateSchema)
@blp.response(201, TierSchema)
@blp.alt_response(409, description="A tier with this code exists")
def create_tier(data: dict[str, Any]):
    """Define a tier: code, name, annual fee and the paid features it grants."""
    return _committed(services.define_tier(g.api_user, **data))


@blp.route("/tiers/<code>", methods=["PATCH"])
@policy.require(perms.MANAGE)
@blp.arguments(TierUpdateSchema)
@blp.response(200, TierSchema)
def update_tier(data: dict[str, Any], code: str):
    """Change a tier's name, fee, features or whether it is offered."""
    return _committed(services.update_tier(g.api_user, services.get_tier(code), data))


@blp.route("/organizations/<int:organization_id>/tier", methods=["POST"])
@policy.require(perms.MANAGE)
@blp.arguments(TierAssignSchema)
@blp.response(200, TierSchema)
@blp.alt_response(404, description="No such rights-holder organisation")
def assign_tier(data: dict[str, Any], organization_id: int):
    """Put a rights-holder organisation on a tier."""
    return _committed(services.set_tier(g.api_user, organization_id, data["tier"]).tier)


@blp.route("/account/tier")
@policy.require(perms.OWN)
@blp.response(200, AccountTierSchema)
def my_tier():
    """The caller's tier in force, which features it has, and its invoices."""
    org = g.api_user.organization
    return {"tier": features.tier_of(org), "features": {f: features.has_feature(org, f) for f in FEATURE_LABELS},
            "invoices": queries.invoices(org.id)}


@blp.route("/invoices")
@policy.require(perms.REVENUE)
@blp.arguments(InvoiceQuerySchema, location="query")
@blp.response(200, InvoiceListSchema)
def list_invoices(args: dict[str, Any]):
    """Every invoice (reviewers, admins), filtered by period, status and organisation."""
    return {"items": queries.invoices(args.get("organization_id"), args.get("period"), args.get("status"))}


@blp.route("/invoices/issue", methods=["POST"])
@policy.require(perms.MANAGE)
@blp.arguments(IssueSchema)
@blp.response(201, InvoiceListSchema)
def issue(data: dict[str, Any]):
    """Issue the period's invoices (organisations already invoiced for it are skipped)."""
    return _committed({"items": services.issue_invoices(g.api_user, data["period"])})


@blp.route("/invoices/<int:invoice_id>/pay", methods=["POST"])
@policy.require(perms.MANAGE)
@blp.arguments(PaySchema)
@blp.response(200, InvoiceSchema)
@blp.alt_response(409, description="Already paid or waived")
def pay(data: dict[str, Any], invoice_id: int):
    """Mark an issued invoice paid, with the payment reference."""
    return _committed(services.mark_paid(g.api_user, services.get_invoice(invoice_id), data["payment_reference"]))


@blp.route("/invoices/<int:invoice_id>/waive", methods=["POST"])
@policy.require(perms.MANAGE)
@blp.arguments(WaiveSchema)
@blp.response(200, InvoiceSchema)
@blp.alt_response(409, description="Already paid or waived")
def waive(data: dict[str, Any], invoice_id: int):
    """Waive an issued invoice, with a reason."""
    return _committed(services.waive(g.api_user, services.get_invoice(invoice_id), data["reason"]))


@blp.route("/revenue")
@policy.require(perms.REVENUE)
@blp.response(200, RevenueListSchema)
def revenue():
    """Invoiced, paid, waived and outstanding amounts per period, newest first."""
    return {"items": queries.revenue_by_period()}


@blp.route("/analytics/detentions")
@policy.require(perms.OWN)
@blp.response(200, DetentionAnalyticsSchema)
@blp.alt_response(403, description="Needs a tier with analytics exports (code tier_required)")
def detentions():
    """Detentions of goods bearing your marks per month and status (paid feature ``analytics_exports``)."""
    features.require_feature(g.api_user.organization, "analytics_exports")
    return {"by_month": detentions_by_month(g.api_user)}
