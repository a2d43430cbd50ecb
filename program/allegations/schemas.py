"""marshmallow schemas of the allegations API (API.md, "Allegations (Report IP theft)")."""

from __future__ import annotations

from flask import url_for
from marshmallow import Schema, fields, validate

from core.pagination import PageArgsSchema, PageSchema
from program.allegations.states import TRIAGE_TARGETS, AllegationStatus
from program.decisions.uei import format_uei


class SuspectSchema(Schema):
    """Who or what the report is about; every part optional."""

    name = fields.String(allow_none=True, metadata={"description": "Seller or importer name"})
    website = fields.String(allow_none=True, metadata={"description": "Website or listing address"})
    marketplace = fields.String(allow_none=True, metadata={"description": "Marketplace the goods are sold on"})
    country = fields.String(allow_none=True)


class ReporterSchema(Schema):
    """The reporter's contact; leave it out to stay anonymous. Never shown to the party reported."""

    name = fields.String(allow_none=True)
    email = fields.String(allow_none=True, metadata={"description": "For the acknowledgement with the receipt"})


class ReportCreateSchema(Schema):
    """Body of ``POST /public/allegations`` (no token)."""

    summary = fields.String(required=True, metadata={"description": "One line, at most 200 characters"})
    details = fields.String(required=True, metadata={"description": "What you saw, at most 10,000 characters"})
    suspect = fields.Nested(SuspectSchema, allow_none=True)
    ports = fields.List(fields.String(), allow_none=True, metadata={"description": "Four-digit CBP port codes"})
    reporter = fields.Nested(ReporterSchema, allow_none=True)


class ReceiptSchema(Schema):
    """What the reporter gets back."""

    receipt = fields.String(metadata={"example": "AL-2026-123456"})


class AllegationQuerySchema(PageArgsSchema):
    """Filters of ``GET /allegations``."""

    status = fields.String(validate=validate.OneOf([s.value for s in AllegationStatus]))
    q = fields.String(validate=validate.Length(max=200), metadata={"description": "Receipt, summary or suspect name"})


class TriageSchema(Schema):
    """Body of ``POST /allegations/<id>/triage``."""

    status = fields.String(required=True, validate=validate.OneOf(TRIAGE_TARGETS))
    note = fields.String(required=True)
    organization_id = fields.Integer(allow_none=True, metadata={"description": "Importer organisation it concerns"})
    ior_number = fields.String(allow_none=True, metadata={"description": "IOR number it concerns"})
    case_uei = fields.String(allow_none=True, metadata={"description": "Enforcement case it concerns (UEI)"})


class HistorySchema(Schema):
    """One triage step."""

    from_status = fields.String()
    to_status = fields.String()
    note = fields.String()
    by = fields.String(attribute="actor.email")
    at = fields.DateTime()


class AllegationSchema(Schema):
    """An allegation as reviewers see it (nobody else sees allegations)."""

    id = fields.Integer()
    receipt = fields.String()
    status = fields.String()
    channel = fields.String()
    summary = fields.String()
    details = fields.String()
    received_at = fields.DateTime()
    suspect = fields.Method("_suspect")
    ports = fields.List(fields.String())
    reporter = fields.Method("_reporter", metadata={"description": "Empty when anonymous"})
    organization_id = fields.Integer(allow_none=True)
    organization_name = fields.String(attribute="organization.name", allow_none=True)
    ior_number = fields.String(allow_none=True)
    case_uei = fields.Method("_case", allow_none=True)
    triage_note = fields.String()
    triaged_at = fields.DateTime(allow_none=True)
    referred_at = fields.DateTime(allow_none=True)
    closed_at = fields.DateTime(allow_none=True)
    evidence = fields.Method("_evidence")
    history = fields.List(fields.Nested(HistorySchema))

    def _suspect(self, allegation) -> dict:
        return {"name": allegation.suspect_name, "website": allegation.suspect_website,
                "marketplace": allegation.suspect_marketplace, "country": allegation.suspect_country}

    def _reporter(self, allegation) -> dict:
        return {"name": allegation.reporter_name, "email": allegation.reporter_email, "anonymous": allegation.anonymous}

    def _case(self, allegation) -> str | None:
        return format_uei(allegation.case_uei) if allegation.case_uei else None

    def _evidence(self, allegation) -> list[dict]:
        return [{**e.file.to_dict(), "url": url_for("allegations_api.evidence_file", allegation_id=allegation.id,
                                                    file_id=e.file.id)} for e in allegation.evidence]


class AllegationSummarySchema(AllegationSchema):
    """An allegation as listed in the queue (no details, evidence or history)."""

    class Meta:
        exclude = ("details", "history", "evidence")


class AllegationPageSchema(PageSchema):
    """A page of allegations."""

    items = fields.List(fields.Nested(AllegationSummarySchema))
