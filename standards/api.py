"""JSON API of the standards domain (API.md, "Standards"): sectors, recorded marks, the public catalogue."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from core import policy
from core.apiutil import ApiBlueprint as Blueprint
from core.extensions import db
from core.pagination import paginate
from standards import lookups
from standards import policy as perms
from standards.models import Sector, StandardVersion
from standards.schemas import (
    MarkCreateSchema,
    MarkPageSchema,
    MarkQuerySchema,
    MarkSchema,
    PublicQuerySchema,
    PublicStandardPageSchema,
    SectorSchema,
)
from standards.serialize import public_payload
from standards.services import marks as mark_services
from standards.states import VersionStatus

blp = Blueprint("standards_api", __name__, url_prefix="/api/v1", description="Sectors, marks and standards")


@blp.route("/sectors")
@policy.require(policy.AUTHENTICATED)
@blp.response(200, SectorSchema(many=True))
def list_sectors() -> list[Sector]:
    """Every sector, heightened-protection ones last."""
    return lookups.sectors()


@blp.route("/marks", methods=["POST"])
@policy.require(perms.MARKS_MANAGE)
@blp.arguments(MarkCreateSchema)
@blp.response(201, MarkSchema)
@blp.alt_response(409, description="The recordation number is already registered")
def create_mark(data) -> dict[str, Any]:
    """Register a recorded mark (reviewers): TMK YY-NNNNN, the mark, its rights-holder owner, Lever rule."""
    mark = mark_services.register_mark(policy.current_principal(), **data)
    db.session.commit()
    return mark.to_dict()


@blp.route("/marks")
@policy.require(perms.MARKS_READ)
@blp.arguments(MarkQuerySchema, location="query")
@blp.response(200, MarkPageSchema)
def list_marks(args) -> dict[str, Any]:
    """Recorded marks, newest first (public-record recordations: any signed-in role may list them)."""
    query = lookups.marks_query(owner_organization_id=args.get("owner_organization_id"),
                                sector=args.get("sector"), q=args.get("q"))
    page = paginate(query, args["page"], args["page_size"])
    return page.envelope([m.to_dict() for m in page.items])


@blp.route("/marks/<int:mark_id>")
@policy.require(perms.MARKS_READ)
@blp.response(200, MarkSchema)
def get_mark(mark_id: int) -> dict[str, Any]:
    """One recorded mark."""
    return mark_services.get_mark(mark_id).to_dict()


@blp.route("/public/standards")
@policy.public
@blp.arguments(PublicQuerySchema, location="query")
@blp.response(200, PublicStandardPageSchema)
@blp.doc(security=[])
def public_standards(args) -> dict[str, Any]:
    """Published standards (no sign-in): content only; heightened sectors never get expedited release."""
    query = (select(StandardVersion).where(StandardVersion.status == VersionStatus.PUBLISHED)
             .order_by(StandardVersion.published_at.desc(), StandardVersion.id.desc()))
    if args.get("sector"):
        query = query.where(StandardVersion.sector_code == args["sector"])
    page = paginate(query, args["page"], args["page_size"])
    return page.envelope([public_payload(v) for v in page.items])
