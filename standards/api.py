"""JSON API of the standards domain (API.md, "Standards")."""

from __future__ import annotations

from sqlalchemy import select

from core import policy
from core.apiutil import ApiBlueprint as Blueprint
from core.extensions import db
from standards.models import Sector
from standards.schemas import SectorSchema

blp = Blueprint("standards_api", __name__, url_prefix="/api/v1", description="Sectors, marks and standards")


@blp.route("/sectors")
@policy.require(policy.AUTHENTICATED)
@blp.response(200, SectorSchema(many=True))
def list_sectors():
    """Every sector, heightened-protection ones last."""
    return db.session.scalars(select(Sector).order_by(Sector.heightened_protection, Sector.name)).all()
