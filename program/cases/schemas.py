"""marshmallow schemas of the cases API. Output schemas dump what ``policy.present`` gave — keys a
party may not see are simply absent from that dictionary, so they never reach the wire."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from core.pagination import PageArgsSchema
from program.cases.queries import LIST_STATUSES
from program.cases.services import NOTE_MAX


class CaseCreateSchema(Schema):
    """``POST /cases``: detain the shipment of a decision."""

    decision_id = fields.Integer(required=True, metadata={"description": "Release decision of the entry"})
    action = fields.String(required=True, validate=validate.OneOf(["detain"]))
    notice_date = fields.Date(required=True, metadata={"description": "Date of the detention notice; not in the future"})
    country_of_origin = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=2),
                                      metadata={"description": "ISO 3166-1 alpha-2; the mark owner may see it"})
    note = fields.String(load_default="", validate=validate.Length(max=NOTE_MAX))


class CaseEventInSchema(Schema):
    """``POST /cases/<uei>/events``."""

    type = fields.String(required=True, metadata={"description": "images_shared_importer, images_shared_rights_holder, "
                                                                  "importer_response, rights_holder_authentication, "
                                                                  "or an outcome"})
    date = fields.Date(load_default=None, allow_none=True, metadata={"description": "Default today; not before notice"})
    note = fields.String(load_default="", validate=validate.Length(max=NOTE_MAX))


class CaseListArgs(PageArgsSchema):
    """Filters of ``GET /cases``."""

    status = fields.String(load_default=None, validate=validate.OneOf(LIST_STATUSES),
                           metadata={"description": "A status, or 'open' for every detained case"})
    port = fields.String(load_default=None, validate=validate.Length(equal=4))
    overdue = fields.Boolean(load_default=False)


class CaseFileSchema(Schema):
    """A file attached to an event (metadata only)."""

    id = fields.Integer()
    name = fields.String()
    content_type = fields.String()
    size = fields.Integer()


class CaseEventSchema(Schema):
    """One timeline event as the viewer may see it."""

    id = fields.Integer()
    type = fields.String()
    label = fields.String()
    date = fields.Date()
    created_at = fields.DateTime()
    late = fields.Boolean()
    by = fields.String()
    actor = fields.String()
    note = fields.String()
    files = fields.List(fields.Nested(CaseFileSchema))


class CaseGoodsSchema(Schema):
    """Goods on the entry the viewer may see (a rights holder: lines bearing its marks)."""

    line_no = fields.Integer()
    description = fields.String()
    quantity = fields.String()
    recordation_number = fields.String(allow_none=True)
    mark = fields.String(allow_none=True)


class CaseImageSchema(Schema):
    """A detention image (after it was shared with the viewer)."""

    id = fields.Integer()
    caption = fields.String()
    content_type = fields.String()
    created_at = fields.DateTime()


class CaseLineSchema(Schema):
    """A full entry line (CBP and the importer)."""

    line_no = fields.Integer()
    description = fields.String()
    hts_code = fields.String()
    quantity = fields.String()
    value_usd = fields.String()
    sector = fields.String()
    condition = fields.String()
    recordation_number = fields.String(allow_none=True)
    mark_owner = fields.String(allow_none=True)


class CaseImporterSchema(Schema):
    """The importer organisation (CBP and the importer only)."""

    organization_id = fields.Integer()
    name = fields.String()


class CaseEntrySchema(Schema):
    """The entry and the importer's data: never shown to a rights holder."""

    decision_id = fields.Integer()
    entry_number = fields.String()
    ior_number = fields.String()
    decision_outcome = fields.String()
    decided_at = fields.DateTime()
    importer = fields.Nested(CaseImporterSchema, allow_none=True)
    total_value_usd = fields.String()
    lines = fields.List(fields.Nested(CaseLineSchema))


class CaseSchema(Schema):
    """A case as the caller may see it (19 CFR 133.21; ``program.cases.policy``)."""

    uei = fields.String(metadata={"description": "Canonical UEI of the decision (15 characters)"})
    uei_display = fields.String()
    party = fields.String(metadata={"description": "cbp, importer or rights_holder: the caller's standing"})
    status = fields.String()
    status_label = fields.String()
    open = fields.Boolean()
    date_of_importation = fields.Date()
    notice_date = fields.Date()
    response_due = fields.Date()
    business_days_left = fields.Integer(allow_none=True)
    overdue = fields.Boolean()
    port_code = fields.String()
    country_of_origin = fields.String(allow_none=True)
    outcome_date = fields.Date(allow_none=True)
    closed_at = fields.DateTime(allow_none=True)
    images_shared_importer_on = fields.Date(allow_none=True)
    images_shared_rights_holder_on = fields.Date(allow_none=True)
    responded_on = fields.Date(allow_none=True)
    images_count = fields.Integer()
    created_by = fields.String(allow_none=True)
    goods = fields.List(fields.Nested(CaseGoodsSchema))
    images = fields.List(fields.Nested(CaseImageSchema))
    events = fields.List(fields.Nested(CaseEventSchema))
    allowed_events = fields.List(fields.String())
    entry = fields.Nested(CaseEntrySchema)


class CaseWithEventSchema(CaseSchema):
    """A case after an event, with the event just recorded."""

    event = fields.Nested(CaseEventSchema)


class CaseSummarySchema(Schema):
    """A row of the case list."""

    uei = fields.String()
    uei_display = fields.String()
    status = fields.String()
    status_label = fields.String()
    open = fields.Boolean()
    notice_date = fields.Date()
    response_due = fields.Date()
    business_days_left = fields.Integer(allow_none=True)
    overdue = fields.Boolean()
    port_code = fields.String()
    country_of_origin = fields.String(allow_none=True)
    outcome_date = fields.Date(allow_none=True)
    responded_on = fields.Date(allow_none=True)
    goods = fields.List(fields.Nested(CaseGoodsSchema))
    entry_number = fields.String()
    ior_number = fields.String()
    importer = fields.Nested(CaseImporterSchema, allow_none=True)


class CasePageSchema(Schema):
    """One page of cases."""

    items = fields.List(fields.Nested(CaseSummarySchema))
    page = fields.Integer()
    page_size = fields.Integer()
    total = fields.Integer()
    pages = fields.Integer()


class ShareSchema(Schema):
    """A count and a share (0..1, null when there is nothing to divide by)."""

    count = fields.Integer()
    share = fields.Float(allow_none=True)


class ExpeditedDetainedSchema(Schema):
    """Expedited decisions and how many were later detained."""

    expedited = fields.Integer()
    detained = fields.Integer()
    share = fields.Float(allow_none=True)


class EnforcementStatsSchema(Schema):
    """``GET /stats/enforcement``: closed cases by outcome, sector and month, and resolution figures."""

    closed = fields.Integer()
    by_outcome = fields.Dict(keys=fields.String(), values=fields.Integer())
    alternatives_to_seizure = fields.Nested(ShareSchema)
    by_sector = fields.Dict(keys=fields.String(), values=fields.Dict(keys=fields.String(), values=fields.Integer()))
    by_month = fields.Dict(keys=fields.String(), values=fields.Dict(keys=fields.String(), values=fields.Integer()))
    median_days_to_resolution = fields.Float(allow_none=True)
    expedited_later_detained = fields.Nested(ExpeditedDetainedSchema)
