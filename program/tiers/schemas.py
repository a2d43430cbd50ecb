"""marshmallow schemas of the tiers API (API.md, "Rights-holder service tiers")."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from program.tiers.states import InvoiceStatus


class TierSchema(Schema):
    """A service tier."""

    code = fields.String()
    name = fields.String()
    annual_fee_usd = fields.Decimal(as_string=True, places=2)
    features = fields.List(fields.String())
    active = fields.Boolean()


class TierCreateSchema(Schema):
    """Body of ``POST /tiers``."""

    code = fields.String(required=True, metadata={"example": "standard"})
    name = fields.String(required=True)
    annual_fee_usd = fields.Raw(required=True, metadata={"type": "string", "description": "Decimal, e.g. \"2500.00\""})
    features = fields.List(fields.String(), load_default=list)


class TierUpdateSchema(Schema):
    """Body of ``PATCH /tiers/<code>``: any of the fields."""

    name = fields.String()
    annual_fee_usd = fields.Raw(metadata={"type": "string", "description": "Decimal"})
    features = fields.List(fields.String())
    active = fields.Boolean()


class TierAssignSchema(Schema):
    """Body of ``POST /organizations/<id>/tier``."""

    tier = fields.String(required=True)


class InvoiceSchema(Schema):
    """An invoice."""

    id = fields.Integer()
    number = fields.String()
    organization = fields.Method("_organization")
    period = fields.String()
    tier = fields.String(attribute="tier_code")
    amount_usd = fields.Decimal(as_string=True, places=2)
    status = fields.String()
    payment_reference = fields.String()
    waiver_reason = fields.String()
    issued_at = fields.DateTime()
    settled_at = fields.DateTime(allow_none=True)

    def _organization(self, invoice) -> dict:
        return {"id": invoice.organization.id, "name": invoice.organization.name}


class InvoiceQuerySchema(Schema):
    """Filters of ``GET /invoices``."""

    period = fields.String(validate=validate.Regexp(r"^20\d{2}$"))
    status = fields.String(validate=validate.OneOf([s.value for s in InvoiceStatus]))
    organization_id = fields.Integer(validate=validate.Range(min=1, max=2**31 - 1))


class InvoiceListSchema(Schema):
    """Invoices."""

    items = fields.List(fields.Nested(InvoiceSchema))


class IssueSchema(Schema):
    """Body of ``POST /invoices/issue``."""

    period = fields.String(required=True, metadata={"example": "2026"})


class PaySchema(Schema):
    """Body of ``POST /invoices/<id>/pay``."""

    payment_reference = fields.String(required=True)


class WaiveSchema(Schema):
    """Body of ``POST /invoices/<id>/waive``."""

    reason = fields.String(required=True)


class AccountTierSchema(Schema):
    """The tier in force for the caller's organisation, its features and invoices."""

    tier = fields.Nested(TierSchema)
    features = fields.Dict(keys=fields.String(), values=fields.Boolean(),
                           metadata={"description": "Every feature and whether the organisation has it"})
    invoices = fields.List(fields.Nested(InvoiceSchema))


class RevenueSchema(Schema):
    """Revenue of one period."""

    period = fields.String()
    invoices = fields.Integer()
    invoiced_usd = fields.Decimal(as_string=True, places=2)
    paid_usd = fields.Decimal(as_string=True, places=2)
    waived_usd = fields.Decimal(as_string=True, places=2)
    outstanding_usd = fields.Decimal(as_string=True, places=2)


class RevenueListSchema(Schema):
    """Revenue by period, newest first."""

    items = fields.List(fields.Nested(RevenueSchema))


class DetentionAnalyticsSchema(Schema):
    """Detentions of goods bearing the caller's marks, per month (``YYYY-MM``) and status."""

    by_month = fields.Dict(keys=fields.String(), values=fields.Dict(keys=fields.String(), values=fields.Integer()))
