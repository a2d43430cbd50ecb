"""JSON API of comments on proposed standards: the drafter's comment period and answers, comments from
signed-in parties and (no token, rate-limited) from the public."""

from __future__ import annotations

from typing import Any

from flask import current_app, g
from marshmallow import Schema, fields

from core import policy
from core.apiutil import ApiBlueprint as Blueprint
from core.extensions import db, limiter
from standards import lookups
from standards import policy as perms
from standards.services import comments

blp = Blueprint("standard_comments_api", __name__, url_prefix="/api/v1",
                description="Comments on proposed standards (comment periods, comments, drafters' answers)")


class PeriodSchema(Schema):
    """Body of ``POST /standards/<id>/comment-period``."""

    closes_on = fields.Date(required=True, metadata={"description": "Last day comments are accepted"})


class PeriodOutSchema(Schema):
    """A comment period."""

    opens_on = fields.Date()
    closes_on = fields.Date()
    open = fields.Boolean()


class CommentCreateSchema(Schema):
    """Body of ``POST /standards/<id>/comments``."""

    text = fields.String(required=True)


class PublicCommentSchema(Schema):
    """Body of ``POST /public/standards/<id>/comments`` (no token)."""

    text = fields.String(required=True)
    name = fields.String(allow_none=True, metadata={"description": "Optional; leave out to stay anonymous"})


class AnswerSchema(Schema):
    """Body of ``POST /standards/<id>/comments/<comment_id>/response``."""

    text = fields.String(required=True)


class CommentSchema(Schema):
    """A comment and the drafter's answer."""

    id = fields.Integer()
    version_id = fields.Integer()
    by = fields.String()
    text = fields.String()
    created_at = fields.DateTime()
    response = fields.String()
    responded_at = fields.DateTime(allow_none=True)


class CommentListSchema(Schema):
    """The version's comment period and comments, oldest first."""

    comment_period = fields.Nested(PeriodOutSchema, allow_none=True)
    items = fields.List(fields.Nested(CommentSchema))


def _period(version) -> dict[str, Any] | None:
    period = comments.period_of(version)
    return None if period is None else {"opens_on": period.opens_on, "closes_on": period.closes_on,
                                        "open": comments.comments_open(version)}


def comment_limit() -> str:
    """Per-address limit on public comments (config ``PUBLIC_COMMENT_RATE_LIMIT``)."""
    return current_app.config.get("PUBLIC_COMMENT_RATE_LIMIT", "20 per minute;200 per day")


@blp.route("/standards/<int:version_id>/comment-period", methods=["POST"])
@policy.require(perms.STANDARDS_AUTHOR)
@blp.arguments(PeriodSchema)
@blp.response(200, PeriodOutSchema)
@blp.alt_response(409, description="The version is not proposed")
def set_period(data: dict[str, Any], version_id: int):
    """The drafter opens the comment period (today until ``closes_on``) or moves its end."""
    version = lookups.visible_version(g.api_user, version_id)
    comments.set_comment_period(g.api_user, version, data["closes_on"])
    db.session.commit()
    return _period(version)


@blp.route("/standards/<int:version_id>/comments")
@policy.require(perms.STANDARDS_READ)
@blp.response(200, CommentListSchema)
def list_comments(version_id: int):
    """The version's comment period and every comment with its answer."""
    version = lookups.visible_version(g.api_user, version_id)
    return {"comment_period": _period(version), "items": comments.comments_on(version)}


@blp.route("/standards/<int:version_id>/comments", methods=["POST"])
@policy.require(perms.STANDARDS_READ)
@blp.arguments(CommentCreateSchema)
@blp.response(201, CommentSchema)
@blp.alt_response(409, description="Not open for comment (code comment_period_closed)")
def comment(data: dict[str, Any], version_id: int):
    """Comment on a proposed version during its comment period (any party but the drafter)."""
    version = lookups.visible_version(g.api_user, version_id)
    made = comments.add_comment(g.api_user, version, data["text"])
    db.session.commit()
    return made


@blp.route("/standards/<int:version_id>/comments/<int:comment_id>/response", methods=["POST"])
@policy.require(perms.STANDARDS_AUTHOR)
@blp.arguments(AnswerSchema)
@blp.response(200, CommentSchema)
def answer(data: dict[str, Any], version_id: int, comment_id: int):
    """The drafter answers a comment."""
    version = lookups.visible_version(g.api_user, version_id)
    answered = comments.answer_comment(g.api_user, comments.get_comment(version, comment_id), data["text"])
    db.session.commit()
    return answered


@blp.route("/public/standards/<int:version_id>/comments", methods=["POST"])
@policy.public
@limiter.limit(comment_limit, methods=["POST"])
@blp.arguments(PublicCommentSchema)
@blp.response(201, CommentSchema)
@blp.alt_response(409, description="Not open for comment (code comment_period_closed)")
@blp.doc(security=[])
def public_comment(data: dict[str, Any], version_id: int):
    """A member of the public comments on a proposed version (no account; name optional)."""
    version = comments.public_version(version_id)
    made = comments.add_comment(None, version, data["text"], public_name=data.get("name"))
    db.session.commit()
    return made

