"""marshmallow schemas of the messages API (API.md, "Messages")."""

from __future__ import annotations

from flask import url_for
from marshmallow import Schema, fields, validate

from core.pagination import PageArgsSchema, PageSchema
from program.messages.states import RELATED_TYPES, ThreadStatus


class RelatedIdField(fields.String):
    """An object identifier: a string, or a whole number that is taken as its string."""

    def _deserialize(self, value, attr, data, **kwargs):
        if isinstance(value, int) and not isinstance(value, bool):
            value = str(value)
        return super()._deserialize(value, attr, data, **kwargs)


class ThreadCreateSchema(Schema):
    """Body of ``POST /threads``: a party always writes to CBP; CBP names the party organisation."""

    subject = fields.String(required=True, metadata={"example": "Refurbishment certificates for our application"})
    body = fields.String(required=True, metadata={"description": "The first message (confidential)"})
    organization_id = fields.Integer(
        allow_none=True,
        metadata={"description": "The party organisation. Required for CBP; a party may leave it out or give its own."},
    )
    related_type = fields.String(allow_none=True, metadata={"description": f"One of {', '.join(RELATED_TYPES)}"})
    related_id = RelatedIdField(allow_none=True, metadata={"description": "Identifier of the related object"})


class MessageCreateSchema(Schema):
    """Body of ``POST /threads/<id>/messages``."""

    body = fields.String(required=True)


class ThreadQuerySchema(PageArgsSchema):
    """Filters of ``GET /threads``."""

    status = fields.String(validate=validate.OneOf([s.value for s in ThreadStatus]))
    organization_id = fields.Integer(metadata={"description": "CBP: one party's threads"})
    related_type = fields.String(validate=validate.OneOf(RELATED_TYPES))
    related_id = RelatedIdField()
    unread = fields.Boolean(metadata={"description": "Only threads with unread messages"})


class OrganizationRefSchema(Schema):
    """The party organisation."""

    id = fields.Integer()
    name = fields.String()
    kind = fields.String()


class PersonSchema(Schema):
    """An author: full name (the e-mail address only when no name is set)."""

    id = fields.Integer()
    name = fields.String(attribute="display_name")


class AttachmentSchema(Schema):
    """A file sent with a message, and where to download it."""

    id = fields.Integer()
    name = fields.String(attribute="original_name")
    content_type = fields.String()
    size = fields.Integer()
    sha256 = fields.String()


class MessageSchema(Schema):
    """One message."""

    id = fields.Integer()
    thread_id = fields.Integer()
    author = fields.Nested(PersonSchema)
    from_cbp = fields.Boolean()
    body = fields.String()
    created_at = fields.DateTime()
    new = fields.Boolean(attribute="is_new", metadata={"description": "Unread before this request"})
    attachments = fields.Method("_attachments")

    def _attachments(self, message) -> list[dict]:
        return [{**AttachmentSchema().dump(f),
                 "url": url_for("messages_api.download_attachment", thread_id=message.thread_id, file_id=f.id)}
                for f in message.attachments]


class ThreadSchema(Schema):
    """A thread as listed: counts, not messages."""

    id = fields.Integer()
    subject = fields.String()
    status = fields.String()
    organization = fields.Nested(OrganizationRefSchema)
    related_type = fields.String(allow_none=True)
    related_id = fields.String(allow_none=True)
    related_label = fields.String()
    created_by = fields.Nested(PersonSchema)
    created_at = fields.DateTime()
    last_message_at = fields.DateTime()
    closed_at = fields.DateTime(allow_none=True)
    message_count = fields.Integer()
    unread_count = fields.Integer()
    unread = fields.Method("_unread")

    def _unread(self, thread) -> bool:
        return thread.unread_count > 0


class ThreadDetailSchema(ThreadSchema):
    """A thread with its messages, oldest first."""

    related_url = fields.String(allow_none=True)
    messages = fields.Method("_messages")

    def _messages(self, thread) -> list[dict]:
        return MessageSchema(many=True).dump(getattr(thread, "loaded_messages", None) or thread.messages)


class ThreadPageSchema(PageSchema):
    """A page of threads, most recent activity first."""

    items = fields.List(fields.Nested(ThreadSchema))
