"""marshmallow schemas of the standards API."""

from __future__ import annotations

from marshmallow import Schema, fields


class SectorSchema(Schema):
    """A sector."""

    code = fields.String()
    name = fields.String()
    heightened_protection = fields.Boolean()
