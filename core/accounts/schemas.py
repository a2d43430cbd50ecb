"""marshmallow schemas for the accounts API."""

from __future__ import annotations

from marshmallow import Schema, fields


class TokenRequestSchema(Schema):
    """Credentials exchanged for a bearer token."""

    email = fields.String(required=True, metadata={"example": "importer@demo.greenlane.test"})
    password = fields.String(required=True, load_only=True)
    name = fields.String(load_default="API token",
                         metadata={"description": "Label shown on the settings page"})


class TokenSchema(Schema):
    """A newly issued token (shown once)."""

    token = fields.String(required=True)
    id = fields.Integer()


class TokenInfoSchema(Schema):
    """A token as listed (never the token itself)."""

    id = fields.Integer()
    name = fields.String()
    prefix = fields.String()
    created_at = fields.DateTime()
    last_used_at = fields.DateTime(allow_none=True)
    revoked_at = fields.DateTime(allow_none=True)


class OrganizationSchema(Schema):
    """An organisation reference."""

    id = fields.Integer()
    name = fields.String()
    kind = fields.String()


class MeSchema(Schema):
    """The caller."""

    id = fields.Integer()
    email = fields.String()
    full_name = fields.String()
    role = fields.String()
    organization = fields.Nested(OrganizationSchema)
