"""JSON API of announcements."""

from __future__ import annotations

from typing import Any

from flask import g
from marshmallow import Schema, fields

from core import policy
from core.apiutil import ApiBlueprint as Blueprint
from core.extensions import db
from program.announcements import policy as perms
from program.announcements import services

blp = Blueprint("announcements_api", __name__, url_prefix="/api/v1", description="Program announcements")


class AnnouncementCreateSchema(Schema):
    """Body of ``POST /announcements``."""

    title = fields.String(required=True)
    body = fields.String(required=True)
    sector = fields.String(allow_none=True, metadata={"description": "A sector code; leave out for everyone"})


class AnnouncementSchema(Schema):
    """An announcement."""

    id = fields.Integer()
    title = fields.String()
    body = fields.String()
    sector = fields.String(attribute="sector_code", allow_none=True)
    published_at = fields.DateTime()
    emailed = fields.Integer()


class AnnouncementListSchema(Schema):
    """Announcements for the caller, newest first."""

    items = fields.List(fields.Nested(AnnouncementSchema))


@blp.route("/announcements", methods=["POST"])
@policy.require(perms.PUBLISH)
@blp.arguments(AnnouncementCreateSchema)
@blp.response(201, AnnouncementSchema)
def publish(data: dict[str, Any]):
    """Publish a notice to every participant or one sector's, and e-mail their primary contacts."""
    announcement = services.publish_announcement(g.api_user, **data)
    db.session.commit()
    return announcement


@blp.route("/announcements")
@policy.require(perms.READ)
@blp.response(200, AnnouncementListSchema)
def list_announcements():
    """Announcements meant for the caller's organisation (CBP: all), newest first."""
    return {"items": services.announcements_for(g.api_user)}
