"""marshmallow schemas of the standards API (types and presence; formats are checked by the services)."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from core.pagination import PageArgsSchema, PageSchema
from standards.states import VersionStatus


class SectorSchema(Schema):
    """A sector."""

    code = fields.String()
    name = fields.String()
    heightened_protection = fields.Boolean()
    hts_prefixes = fields.List(fields.String(), metadata={"description": "HTS code prefixes (2 to 10 digits) of the sector"})


class OwnerOrganizationSchema(Schema):
    """An organisation named by id and name."""

    id = fields.Integer()
    name = fields.String()


# --- marks -------------------------------------------------------------------------------------------


class MarkCreateSchema(Schema):
    """Body of ``POST /api/v1/marks``."""

    recordation_number = fields.String(required=True, metadata={"example": "TMK 21-00123"})
    mark = fields.String(required=True, metadata={"example": "LUMEN"})
    owner_organization_id = fields.Integer(required=True)
    lever_rule = fields.Boolean(load_default=False)
    sectors = fields.List(fields.String(), load_default=list,
                          metadata={"description": "Sector codes the mark's goods are traded in"})
    lever_scope = fields.List(fields.String(), load_default=list, metadata={
        "description": "HTS prefixes the Lever-rule protection is granted for (empty: all the mark's goods)"})
    expires_on = fields.Date(load_default=None, allow_none=True,
                             metadata={"description": "Last day of the recordation (a past date: lapsed)"})


class MarkSchema(Schema):
    """A recorded mark."""

    id = fields.Integer()
    recordation_number = fields.String()
    mark = fields.String()
    owner_organization_id = fields.Integer()
    owner_organization = fields.Nested(OwnerOrganizationSchema)
    lever_rule = fields.Boolean()
    lever_scope = fields.List(fields.String())
    expires_on = fields.Date(allow_none=True)
    sectors = fields.List(fields.String())
    created_at = fields.DateTime()


class MarkQuerySchema(PageArgsSchema):
    """Filters of ``GET /api/v1/marks``."""

    owner_organization_id = fields.Integer()
    sector = fields.String()
    q = fields.String(metadata={"description": "Part of the mark or of its recordation number"})


class MarkPageSchema(PageSchema):
    """A page of marks."""

    items = fields.List(fields.Nested(MarkSchema))


# --- standards ---------------------------------------------------------------------------------------


class RequirementSchema(Schema):
    """One requirement: a short code (R1 etc. assigned when blank), the text, and the evidence expected."""

    code = fields.String(load_default="", metadata={"example": "R1"})
    text = fields.String(required=True, metadata={"example": "Bought from an authorised distributor"})
    evidence = fields.String(load_default="", metadata={"example": "Invoice naming the distributor"})


class StandardCreateSchema(Schema):
    """Body of ``POST /api/v1/standards``."""

    sector = fields.String(required=True, metadata={"example": "consumer_electronics"})
    title = fields.String(required=True)
    conditions = fields.List(fields.String(), load_default=list,
                             metadata={"description": "new_parallel, used, refurbished, recycled"})
    requirements = fields.List(fields.Nested(RequirementSchema), load_default=list)
    change_note = fields.String(load_default="")


class StandardPatchSchema(Schema):
    """Body of ``PATCH /api/v1/standards/<id>`` (a draft): any of the fields, each replacing the old value."""

    sector = fields.String()
    title = fields.String()
    conditions = fields.List(fields.String())
    requirements = fields.List(fields.Nested(RequirementSchema))
    change_note = fields.String()


class StandardQuerySchema(PageArgsSchema):
    """Filters of ``GET /api/v1/standards``."""

    sector = fields.String()
    status = fields.String(validate=validate.OneOf([s.value for s in VersionStatus]))
    standard_id = fields.Integer()
    mine = fields.Boolean(metadata={"description": "Only standards of the caller's organisation"})


class WithdrawSchema(Schema):
    """Optional reason for withdrawing a draft or proposal."""

    reason = fields.String(load_default="")


class EndorseSchema(Schema):
    """Body of ``POST /api/v1/standards/<id>/endorsements``."""

    marks = fields.List(fields.String(), required=True, metadata={"example": ["TMK 21-00123"]})
    statement = fields.String(required=True)


class DeclineSchema(Schema):
    """Body of ``POST /api/v1/standards/<id>/declines``."""

    reason = fields.String(required=True)


class EndorsementSchema(Schema):
    """An endorsement (``marks``, ``statement``) or a decline (``reason``)."""

    id = fields.Integer()
    version_id = fields.Integer()
    decision = fields.String()
    organization = fields.Nested(OwnerOrganizationSchema)
    marks = fields.List(fields.String())
    statement = fields.String()
    reason = fields.String()
    created_at = fields.DateTime()
    withdrawn_at = fields.DateTime(allow_none=True)
    live = fields.Boolean()


class VersionRefSchema(Schema):
    """Another version of the same standard."""

    id = fields.Integer()
    version = fields.Integer()
    status = fields.String()


class StandardVersionSchema(Schema):
    """A version of a standard (``id`` is the version's id)."""

    id = fields.Integer()
    standard_id = fields.Integer()
    version = fields.Integer()
    status = fields.String()
    sector = fields.String()
    sector_name = fields.String()
    heightened_protection = fields.Boolean()
    title = fields.String()
    conditions = fields.List(fields.String())
    requirements = fields.List(fields.Nested(RequirementSchema))
    change_note = fields.String()
    author_organization = fields.Nested(OwnerOrganizationSchema)
    created_at = fields.DateTime()
    updated_at = fields.DateTime(allow_none=True)
    proposed_at = fields.DateTime(allow_none=True)
    published_at = fields.DateTime(allow_none=True)
    superseded_at = fields.DateTime(allow_none=True)
    superseded_by = fields.Integer(allow_none=True)
    withdrawn_at = fields.DateTime(allow_none=True)
    withdrawal_reason = fields.String()
    endorsements = fields.List(fields.Nested(EndorsementSchema))
    declines = fields.List(fields.Nested(EndorsementSchema))
    versions = fields.List(fields.Nested(VersionRefSchema))


class StandardPageSchema(PageSchema):
    """A page of standard versions."""

    items = fields.List(fields.Nested(StandardVersionSchema))


class PublicStandardSchema(Schema):
    """A published standard as the public catalogue shows it."""

    id = fields.Integer()
    standard_id = fields.Integer()
    version = fields.Integer()
    sector = fields.String()
    sector_name = fields.String()
    heightened_protection = fields.Boolean()
    expedited_release_possible = fields.Boolean()
    title = fields.String()
    conditions = fields.List(fields.String())
    requirements = fields.List(fields.Nested(RequirementSchema))
    author_organization = fields.Nested(OwnerOrganizationSchema)
    published_at = fields.DateTime()


class PublicStandardPageSchema(PageSchema):
    """A page of published standards."""

    items = fields.List(fields.Nested(PublicStandardSchema))


class PublicQuerySchema(PageArgsSchema):
    """Filter of the public catalogue."""

    sector = fields.String()
