"""JSON API of product identification guides: officers search them by mark, HTS code and sector; rights
holders write, revise and illustrate their own."""

from __future__ import annotations

from typing import Any

from flask import g

from core import policy
from core.apiutil import ApiBlueprint as Blueprint
from core.errors import NotFound
from core.extensions import db
from core.uploads import send_stored
from standards import policy as perms
from standards.schemas_guides import (
    GuideImageFileSchema,
    GuideImageFormSchema,
    GuideListSchema,
    GuideQuerySchema,
    GuideSchema,
    GuideVersionSchema,
    GuideWriteSchema,
)
from standards.services import identification_guides as guides
from standards.services.marks import normalize_recordation_number

blp = Blueprint("guides_api", __name__, url_prefix="/api/v1",
                description="Product identification guides (reviewers search; rights holders write their own)")


@blp.route("/guides")
@policy.require(perms.GUIDES_VIEW)
@blp.arguments(GuideQuerySchema, location="query")
@blp.response(200, GuideListSchema)
def search(args: dict[str, Any]) -> dict[str, Any]:
    """Guides in force matching ``recordation_number``, ``hts`` (code or prefix), ``sector`` and ``q``."""
    number = args.get("recordation_number")
    if number:
        number = normalize_recordation_number(number)
    found = guides.search_guides(g.api_user, recordation_number=number, hts=args.get("hts"),
                                 sector=args.get("sector"), q=(args.get("q") or "").strip())
    return {"items": found, "total": len(found)}


@blp.route("/guides", methods=["POST"])
@policy.require(perms.GUIDES_UPLOAD)
@blp.arguments(GuideWriteSchema)
@blp.response(201, GuideSchema)
@blp.alt_response(422, description="A field is missing or wrong; the body names it")
def create(data: dict[str, Any]):
    """Write a new guide (version 1) for marks of your organisation."""
    guide = guides.write_guide(g.api_user, data)
    db.session.commit()
    return guide


@blp.route("/guides/<int:guide_id>")
@policy.require(perms.GUIDES_VIEW)
@blp.response(200, GuideSchema)
@blp.alt_response(404, description="No such guide, or another organisation's")
def get(guide_id: int):
    """One guide with the version in force."""
    return guides.viewable_guide(g.api_user, guide_id)


@blp.route("/guides/<int:guide_id>/versions/<int:version>")
@policy.require(perms.GUIDES_VIEW)
@blp.response(200, GuideVersionSchema)
@blp.alt_response(404, description="No such version")
def get_version(guide_id: int, version: int):
    """An earlier (or the current) version, as it was written."""
    guide = guides.viewable_guide(g.api_user, guide_id)
    for item in guide.versions:
        if item.version == version:
            return item
    raise NotFound("No such version of this guide.")


@blp.route("/guides/<int:guide_id>/versions", methods=["POST"])
@policy.require(perms.GUIDES_UPLOAD)
@blp.arguments(GuideWriteSchema)
@blp.response(201, GuideSchema)
@blp.alt_response(409, description="The guide has been withdrawn")
def revise(data: dict[str, Any], guide_id: int):
    """A new version of your guide; earlier versions are kept and its images carry over."""
    guide = guides.viewable_guide(g.api_user, guide_id)
    guides.revise_guide(g.api_user, guide, data)
    db.session.commit()
    return guide


@blp.route("/guides/<int:guide_id>/images", methods=["POST"])
@policy.require(perms.GUIDES_UPLOAD)
@blp.multipart_arguments(GuideImageFormSchema, GuideImageFileSchema, description="A captioned JPEG or PNG")
@blp.response(201, GuideSchema)
def add_image(form: dict[str, Any], files: dict[str, Any], guide_id: int):
    """Add a captioned picture to the version in force of your guide."""
    guide = guides.viewable_guide(g.api_user, guide_id)
    guides.add_image(g.api_user, guide, files.get("file"), caption=form.get("caption"), section=form.get("section"))
    db.session.commit()
    return guide


@blp.route("/guides/<int:guide_id>/withdraw", methods=["POST"])
@policy.require(perms.GUIDES_UPLOAD)
@blp.response(200, GuideSchema)
@blp.alt_response(409, description="Already withdrawn")
def withdraw(guide_id: int):
    """Take your guide out of use (officers no longer see it)."""
    guide = guides.viewable_guide(g.api_user, guide_id)
    guides.withdraw_guide(g.api_user, guide)
    db.session.commit()
    return guide


@blp.route("/guides/images/<int:image_id>")
@policy.require(perms.GUIDES_VIEW)
@blp.response(200, description="The picture, JPEG or PNG (its type in Content-Type)")
@blp.alt_response(404, description="No such image in a guide the caller may read")
def image_file(image_id: int):
    """A guide picture (JPEG or PNG)."""
    return send_stored(guides.viewable_image(g.api_user, image_id).file, inline=True)
