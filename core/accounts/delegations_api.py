"""JSON API of delegations (API.md, "Auth"): an importer grants and revokes a broker's authority; both see them."""

from __future__ import annotations

from typing import Any

from flask import g
from marshmallow import Schema, fields, validate

from core import policy
from core.accounts import delegations
from core.accounts.models import DELEGATION_SCOPES
from core.apiutil import ApiBlueprint
from core.extensions import db
from core.pagination import PageArgsSchema, PageSchema, paginate

blp = ApiBlueprint("delegations_api", __name__, url_prefix="/api/v1",
                   description="Brokers acting for importers: delegations with scopes and expiry")

GRANT = "delegations.grant"  # an importer grants and revokes its brokers' authority
READ = "delegations.read"  # importers see their grants, brokers the ones they received

policy.register(GRANT, "importer")
policy.register(READ, "importer", "broker")


class DelegationInSchema(Schema):
    """Authority granted to a broker organisation."""

    broker_organization_id = fields.Integer(required=True, strict=True, validate=validate.Range(min=1, max=2**31 - 1))
    scopes = fields.List(fields.String(validate=validate.OneOf(DELEGATION_SCOPES)), required=True,
                         validate=validate.Length(min=1, max=len(DELEGATION_SCOPES)))
    valid_until = fields.Date(allow_none=True, metadata={"description": "Last day in force; none: until revoked"})


class DelegationOrganizationSchema(Schema):
    """An organisation party to a delegation."""

    id = fields.Integer()
    name = fields.String()
    kind = fields.String()


class DelegationSchema(Schema):
    """A delegation."""

    id = fields.Integer()
    importer_organization_id = fields.Integer()
    broker_organization_id = fields.Integer()
    importer_organization = fields.Nested(DelegationOrganizationSchema)
    broker_organization = fields.Nested(DelegationOrganizationSchema)
    scopes = fields.List(fields.String())
    valid_until = fields.Date(allow_none=True)
    created_at = fields.DateTime()
    revoked_at = fields.DateTime(allow_none=True)
    live = fields.Boolean(metadata={"description": "Not revoked and not past valid_until"})


class DelegationPageSchema(PageSchema):
    """A page of delegations."""

    items = fields.List(fields.Nested(DelegationSchema))


@blp.route("/delegations", methods=["POST"])
@policy.require(GRANT)
@blp.arguments(DelegationInSchema)
@blp.response(201, DelegationSchema)
@blp.alt_response(409, description="A live delegation to this broker exists: code `delegation_exists`")
def grant(data: dict[str, Any]) -> dict[str, Any]:
    """Grant a customs broker organisation authority to act for the caller's importer organisation."""
    delegation = delegations.grant_delegation(g.api_user, broker_organization_id=data["broker_organization_id"],
                                              scopes=data["scopes"], valid_until=data.get("valid_until"))
    db.session.commit()
    return delegations.payload(delegation)


@blp.route("/delegations")
@policy.require(READ)
@blp.arguments(PageArgsSchema, location="query")
@blp.response(200, DelegationPageSchema)
def list_delegations(args: dict[str, Any]) -> dict[str, Any]:
    """The importer's grants, or the broker's received ones, newest first (revoked ones too)."""
    page = paginate(delegations.visible_delegations(g.api_user), args["page"], args["page_size"])
    return page.envelope([delegations.payload(d) for d in page.items])


@blp.route("/delegations/<int:delegation_id>", methods=["DELETE"])
@policy.require(GRANT)
@blp.response(200, DelegationSchema)
@blp.alt_response(409, description="Already revoked")
def revoke(delegation_id: int) -> dict[str, Any]:
    """Revoke a delegation at once (the granting importer)."""
    delegation = delegations.revoke_delegation(g.api_user, delegation_id)
    db.session.commit()
    return delegations.payload(delegation)
