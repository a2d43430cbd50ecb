"""JSON API of the suspended/debarred list (reviewers)."""

from __future__ import annotations

from typing import Any

from flask import g
from marshmallow import Schema, fields, validate

from core import policy
from core.apiutil import ApiBlueprint
from core.errors import NotFound
from core.extensions import db
from core.pagination import PageArgsSchema, PageSchema, paginate
from core.timeutil import today
from program.enrollment import debarred
from program.enrollment import policy as perms
from program.enrollment.formats import IOR_HINT
from program.enrollment.models import DebarredParty
from program.enrollment.schemas import FlatErrorsSchema

blp = ApiBlueprint("debarred_api", __name__, url_prefix="/api/v1", description="The suspended/debarred list")


class DebarredInSchema(FlatErrorsSchema):
    """A new entry."""

    name = fields.String(required=True, validate=validate.Length(min=1, max=200))
    ior_number = fields.String(allow_none=True, metadata={"description": IOR_HINT})
    reason = fields.String(required=True, validate=validate.Length(min=1, max=10_000))
    start_date = fields.Date(required=True, metadata={"description": "First day in force"})
    end_date = fields.Date(allow_none=True, metadata={"description": "First day no longer in force (optional)"})


class DebarredEndSchema(FlatErrorsSchema):
    """When an entry stops being in force."""

    end_date = fields.Date(allow_none=True, metadata={"description": "Default today"})


class DebarredSchema(Schema):
    """An entry of the list."""

    id = fields.Integer()
    name = fields.String()
    ior_number = fields.String(allow_none=True)
    reason = fields.String()
    start_date = fields.Date()
    end_date = fields.Date(allow_none=True)
    created_at = fields.DateTime()
    active = fields.Boolean()


class DebarredListArgs(PageArgsSchema):
    """Filters of the list."""

    q = fields.String(metadata={"description": "Part of the name, or an IOR number"})
    active = fields.Boolean(load_default=False, metadata={"description": "Only entries in force today"})


class DebarredPageSchema(PageSchema):
    """A page of entries."""

    items = fields.List(fields.Nested(DebarredSchema))


def _payload(party: DebarredParty) -> dict[str, Any]:
    return {**party.to_dict(), "active": party.is_active(today())}


@blp.route("/debarred", methods=["POST"])
@policy.require(perms.DEBARRED)
@blp.arguments(DebarredInSchema)
@blp.response(201, DebarredSchema)
@blp.alt_response(409, description="The same party is already on the list")
def add_debarred(data: dict[str, Any]) -> dict[str, Any]:
    """Put a party on the suspended/debarred list."""
    party = debarred.add_debarred(g.api_user, **data)
    db.session.commit()
    return _payload(party)


@blp.route("/debarred")
@policy.require(perms.DEBARRED)
@blp.arguments(DebarredListArgs, location="query")
@blp.response(200, DebarredPageSchema)
def list_debarred(args: dict[str, Any]) -> dict[str, Any]:
    """Entries, newest first, searchable by name or IOR number."""
    page = paginate(debarred.debarred_query(args.get("q", ""), active_only=args["active"]), args["page"],
                    args["page_size"])
    return page.envelope([_payload(p) for p in page.items])


@blp.route("/debarred/<int:party_id>/end", methods=["POST"])
@policy.require(perms.DEBARRED)
@blp.arguments(DebarredEndSchema, required=False)
@blp.response(200, DebarredSchema)
def end_debarred(data: dict[str, Any], party_id: int) -> dict[str, Any]:
    """Take an entry off the list from ``end_date`` (default today)."""
    party = db.session.get(DebarredParty, party_id)
    if party is None:
        raise NotFound("No such entry.")
    debarred.end_debarred(g.api_user, party, data.get("end_date"))
    db.session.commit()
    return _payload(party)
