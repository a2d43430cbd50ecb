"""marshmallow schemas of the product identification guide API (``/api/v1/guides``)."""

from __future__ import annotations

from flask import url_for
from flask_smorest.fields import Upload
from marshmallow import Schema, fields, validate

from standards.models.identification_guide import IMAGE_SECTIONS


class GuideQuerySchema(Schema):
    """Filters of ``GET /guides``; all optional and combined."""

    recordation_number = fields.String(validate=validate.Length(max=20), metadata={"example": "TMK 21-00417"})
    hts = fields.String(validate=validate.Regexp(r"^[0-9.]{2,13}$"), metadata={"description": "An HTS code or prefix"})
    sector = fields.String(validate=validate.Length(max=40))
    q = fields.String(validate=validate.Length(max=200), metadata={"description": "Words in the title"})


class GuideWriteSchema(Schema):
    """Body of ``POST /guides`` and ``POST /guides/<id>/versions`` (the whole content of a version)."""

    title = fields.String(required=True)
    marks = fields.List(fields.String(), required=True, metadata={"description": "Recordation numbers of your marks"})
    sectors = fields.List(fields.String(), metadata={"description": "Sector codes (default: the marks' sectors)"})
    hts_prefixes = fields.List(fields.String(), metadata={"description": "HTS prefixes, 2 to 10 digits"})
    genuine_features = fields.String()
    packaging_labels = fields.String()
    serial_formats = fields.String()
    counterfeit_tells = fields.String()
    contact_name = fields.String(metadata={"description": "Who authenticates goods for officers"})
    contact_email = fields.String()
    contact_phone = fields.String()
    service_hours = fields.Integer(allow_none=True, metadata={"description": "Answer within this many hours (1-720)"})
    change_note = fields.String(metadata={"description": "What changed (new versions)"})


class GuideImageFormSchema(Schema):
    """Form fields of ``POST /guides/<id>/images``."""

    caption = fields.String(required=True)
    section = fields.String(validate=validate.OneOf(IMAGE_SECTIONS), load_default="general")


class GuideImageFileSchema(Schema):
    """The file part of ``POST /guides/<id>/images``."""

    file = Upload(required=True, metadata={"description": "JPEG or PNG"})


class GuideVersionSchema(Schema):
    """One version of a guide with its content, links and images."""

    version = fields.Integer()
    title = fields.String()
    genuine_features = fields.String()
    packaging_labels = fields.String()
    serial_formats = fields.String()
    counterfeit_tells = fields.String()
    authentication = fields.Method("_authentication")
    marks = fields.Method("_marks")
    sectors = fields.Method("_sectors")
    hts_prefixes = fields.List(fields.String())
    change_note = fields.String()
    created_at = fields.DateTime()
    images = fields.Method("_images")

    def _authentication(self, version) -> dict:
        return {"contact_name": version.contact_name, "email": version.contact_email, "phone": version.contact_phone,
                "service_hours": version.service_hours}

    def _marks(self, version) -> list[dict]:
        return [{"recordation_number": m.recordation_number, "mark": m.mark} for m in version.marks]

    def _sectors(self, version) -> list[str]:
        return [s.code for s in version.sectors]

    def _images(self, version) -> list[dict]:
        return [{"id": i.id, "caption": i.caption, "section": i.section, "content_type": i.file.content_type,
                 "url": url_for("guides_api.image_file", image_id=i.id)} for i in version.images]


class GuideSchema(Schema):
    """A guide: owner, the version in force (content inline) and the numbers of every version."""

    id = fields.Integer()
    organization = fields.Method("_organization")
    current_version = fields.Integer()
    live = fields.Boolean(attribute="is_live")
    created_at = fields.DateTime()
    current = fields.Nested(GuideVersionSchema)
    versions = fields.Method("_versions")

    def _organization(self, guide) -> dict:
        return {"id": guide.organization.id, "name": guide.organization.name}

    def _versions(self, guide) -> list[dict]:
        return [{"version": v.version, "title": v.title, "created_at": v.created_at.isoformat(),
                 "change_note": v.change_note} for v in guide.versions]


class GuideListSchema(Schema):
    """Search results."""

    items = fields.List(fields.Nested(GuideSchema))
    total = fields.Integer()
