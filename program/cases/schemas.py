"""marshmallow schemas of the cases API. Output schemas dump what ``policy.present`` gave — keys a
party may not see are simply absent from that dictionary, so they never reach the wire."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from core.pagination import PageArgsSchema
from program.cases.deadlines import BASES
from program.cases.queries import LIST_STATUSES
from program.cases.services import NOTE_MAX
from program.cases.states import BULK_TYPES


class CaseCreateSchema(Schema):
    """``POST /cases``: detain the shipment of a decision."""

    decision_id = fields.Integer(required=True, metadata={"description": "Release decision of the entry"})
    action = fields.String(required=True, validate=validate.OneOf(["detain"]))
    notice_date = fields.Date(required=True, metadata={"description": "Date of the detention notice; not in the future"})
    basis = fields.String(load_default=None, allow_none=True, validate=validate.OneOf(BASES),
                          metadata={"description": "suspected_counterfeit (default), gray_market or copying_simulating"})
    presented_on = fields.Date(load_default=None, allow_none=True,
                               metadata={"description": "Goods presented for examination; default the decision's date"})
    detained_on = fields.Date(load_default=None, allow_none=True,
                              metadata={"description": "Decision to detain; default presented_on"})
    line_nos = fields.List(fields.Integer(), load_default=None, allow_none=True,
                           metadata={"description": "Detained lines of the entry; default all"})
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
    amount = fields.Raw(load_default=None, allow_none=True,
                        metadata={"description": "USD; penalty_assessed and liquidated_damages_claimed"})
    until = fields.Raw(load_default=None, allow_none=True, metadata={"description": "detention_extended: new end date"})
    bond_reference = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=60),
                                   metadata={"description": "sample_released: the owner's bond (133.21(c))"})
    manufacturer = fields.Dict(load_default=None, allow_none=True,
                               metadata={"description": "seized: {name, address} for the owner (133.21(e))"})
    exporter = fields.Dict(load_default=None, allow_none=True,
                           metadata={"description": "seized: {name, address} for the owner (133.21(e))"})


class BulkEventsInSchema(Schema):
    """``POST /cases/bulk-events``: one outcome on many small parcels."""

    ueis = fields.List(fields.String(), required=True, validate=validate.Length(min=1, max=500))
    type = fields.String(required=True, validate=validate.OneOf(BULK_TYPES))
    note = fields.String(load_default="", validate=validate.Length(max=NOTE_MAX))


class BulkResultSchema(Schema):
    """What happened to one UEI of a bulk request."""

    uei = fields.String()
    result = fields.String(metadata={"description": "applied or refused"})
    status = fields.String(metadata={"description": "The case's status after the event (applied)"})
    code = fields.String(metadata={"description": "Why it was refused, e.g. case_closed, not_found, invalid_uei"})
    message = fields.String()


class BulkEventsOutSchema(Schema):
    """One result per UEI, in the order given."""

    results = fields.List(fields.Nested(BulkResultSchema))
    applied = fields.Integer()
    refused = fields.Integer()


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
    amount = fields.String(metadata={"description": "USD, penalty and liquidated-damages events"})
    until = fields.Date()
    bond_reference = fields.String()


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
    redacted = fields.Boolean()
    line_nos = fields.List(fields.Integer())
    codes = fields.String(metadata={"description": "Serial numbers, UPC, SKU; to the owner with unredacted images only"})


class CaseOwnerLineSchema(Schema):
    """The limited facts the mark owner gets with the notice, per line bearing its marks (133.21(b))."""

    line_no = fields.Integer()
    date_of_importation = fields.Date()
    port_code = fields.String()
    description = fields.String()
    quantity = fields.String()
    country_of_origin = fields.String()


class PartySchema(Schema):
    """A name and an address."""

    name = fields.String()
    address = fields.String()


class SeizureDisclosureSchema(Schema):
    """After seizure, for the owner (133.21(e))."""

    importer = fields.Nested(PartySchema)
    manufacturer = fields.Nested(PartySchema)
    exporter = fields.Nested(PartySchema)


class MilestoneSchema(Schema):
    """One date of the case's clock."""

    key = fields.String()
    label = fields.String()
    date = fields.Date()
    state = fields.String(metadata={"description": "done, late, due or missed"})
    overdue_by = fields.Integer()
    days_left = fields.Integer(allow_none=True)


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
    detained = fields.Boolean()


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
    basis = fields.String(metadata={"description": "suspected_counterfeit, gray_market or copying_simulating"})
    basis_label = fields.String()
    presented_on = fields.Date()
    notice_date = fields.Date()
    notice_late = fields.Boolean()
    response_due = fields.Date()
    detention_ends = fields.Date()
    deemed_excluded = fields.Boolean()
    business_days_left = fields.Integer(allow_none=True)
    overdue = fields.Boolean()
    overdue_by = fields.Integer()
    next_due = fields.Nested(MilestoneSchema, allow_none=True)
    detained_on = fields.Date()
    notice_due = fields.Date()
    clock = fields.List(fields.Nested(MilestoneSchema))
    unredacted_disclosed_on = fields.Date(allow_none=True)
    insufficient_on = fields.Date(allow_none=True)
    line_nos = fields.List(fields.Integer())
    lines = fields.List(fields.Nested(CaseOwnerLineSchema))
    disclosure_notice = fields.String(metadata={"description": "Trade Secrets Act limited-purpose notice (owner)"})
    seizure_disclosure = fields.Nested(SeizureDisclosureSchema)
    seizure_disclosure_due = fields.Date(allow_none=True)
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
    basis = fields.String(metadata={"description": "suspected_counterfeit, gray_market or copying_simulating"})
    basis_label = fields.String()
    presented_on = fields.Date()
    notice_date = fields.Date()
    notice_late = fields.Boolean()
    response_due = fields.Date()
    detention_ends = fields.Date()
    deemed_excluded = fields.Boolean()
    business_days_left = fields.Integer(allow_none=True)
    overdue = fields.Boolean()
    overdue_by = fields.Integer()
    next_due = fields.Nested(MilestoneSchema, allow_none=True)
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
    by_port = fields.Dict(keys=fields.String(), values=fields.Dict(keys=fields.String(), values=fields.Integer()))
    by_basis = fields.Dict(keys=fields.String(), values=fields.Dict(keys=fields.String(), values=fields.Integer()))
    by_value = fields.Dict(keys=fields.String(), values=fields.Dict(keys=fields.String(), values=fields.Raw()),
                           metadata={"description": "Per declared-value band: cases and value seized, released "
                                                    "through alternatives, and released"})
    penalties_by_month = fields.Dict(keys=fields.String(), values=fields.Dict(keys=fields.String(), values=fields.Raw()),
                                     metadata={"description": "Penalties assessed per month: count and total (USD)"})
