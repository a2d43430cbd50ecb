"""marshmallow schemas of the release-decision API; field formats come from :mod:`program.decisions.inputs`.

Errors name fields with dots (``lines.1.hts_code``), as the other domains' APIs do.
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import Any

from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from core.pagination import PageArgsSchema, PageSchema
from program.decisions import inputs
from program.decisions.engine import OUTCOMES
from program.enrollment.schemas import FlatErrorsSchema


class Parsed(fields.Field):
    """A field read by one of the shared parsers (``FieldProblem`` becomes a validation error)."""

    def __init__(self, parser: Callable[[Any], Any], **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.parser = parser

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> Any:
        try:
            return self.parser(value)
        except inputs.FieldProblem as problem:
            raise ValidationError(str(problem)) from None

    def _serialize(self, value: Any, attr: str | None, obj: Any, **kwargs: Any) -> Any:
        return value


class DecimalText(fields.Field):
    """A decimal written as text without trailing zeros (``10``, ``250.5``), or with fixed ``places``."""

    def __init__(self, places: int | None = None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.places = places

    def _serialize(self, value: Any, attr: str | None, obj: Any, **kwargs: Any) -> str | None:
        if value is None:
            return None
        number = Decimal(value)
        if self.places is not None:
            return format(number.quantize(Decimal(1).scaleb(-self.places)), "f")
        text = format(number.normalize(), "f")
        return text


def _positive(value: Any) -> Any:
    return inputs.parse_decimal(value, positive=True, what="quantity")


def _amount(value: Any) -> Any:
    return inputs.parse_decimal(value, positive=False, what="value in USD")


class DecisionLineInSchema(FlatErrorsSchema):
    """One entry line presented for a decision."""

    line_no = Parsed(inputs.parse_line_no, required=True, metadata={"example": 1})
    description = fields.String(required=True, validate=validate.Length(min=1, max=500),
                                metadata={"example": "Refurbished smartphones"})
    hts_code = Parsed(inputs.parse_hts, required=True, metadata={"example": "8517.13.0000"})
    quantity = Parsed(_positive, required=True, metadata={"example": 40})
    value_usd = Parsed(_amount, required=True, metadata={"example": "12000.00"})
    sector = fields.String(required=True, validate=validate.Length(min=1, max=40),
                           metadata={"example": "mobile_devices"})
    condition = fields.String(required=True, validate=validate.OneOf(inputs.CONDITIONS))
    recordation_number = Parsed(inputs.parse_recordation, load_default=None, allow_none=True,
                                metadata={"example": "TMK 21-00123"})
    lever_label = Parsed(inputs.parse_bool, load_default=False)
    blank_declaration_id = Parsed(inputs.parse_declaration_id, load_default=None, allow_none=True,
                                  metadata={"example": "BGD-2026-000123"})
    blank_line_no = Parsed(lambda v: inputs.parse_line_no(v, what="blank line number"), load_default=None,
                           allow_none=True)


class DecisionRequestSchema(FlatErrorsSchema):
    """``POST /api/v1/release-decisions``: one entry and its lines."""

    entry_number = Parsed(inputs.parse_entry, required=True, metadata={"example": "ABC-1234567-6"})
    port_code = Parsed(inputs.parse_port, required=True, metadata={"example": "2704"})
    ior_number = Parsed(inputs.parse_ior, required=True, metadata={"example": "12-3456789AB"})
    lines = fields.List(fields.Nested(DecisionLineInSchema), required=True,
                        validate=validate.Length(min=1, max=inputs.MAX_LINES))

    @validates_schema(skip_on_field_errors=True)
    def _distinct_line_numbers(self, data: dict[str, Any], **kwargs: Any) -> None:
        seen: set[int] = set()
        for line in data["lines"]:
            if line["line_no"] in seen:
                raise ValidationError(f"Line number {line['line_no']} appears twice.", "lines")
            seen.add(line["line_no"])


class DecisionReasonSchema(Schema):
    """A rule that fired: its fixed code and what to do about it."""

    code = fields.String()
    message = fields.String()


class DecisionLineSchema(Schema):
    """A decided line."""

    line_no = fields.Integer()
    outcome = fields.String(metadata={"enum": list(OUTCOMES)})
    reasons = fields.List(fields.Nested(DecisionReasonSchema))
    description = fields.String()
    hts_code = fields.String()
    quantity = DecimalText(metadata={"type": "string", "example": "10"})
    value_usd = DecimalText(places=2, metadata={"type": "string", "example": "2500.00"})
    sector = fields.String()
    condition = fields.String()
    recordation_number = fields.String(allow_none=True)
    lever_label = fields.Boolean()
    blank_declaration_id = fields.String(allow_none=True)
    blank_line_no = fields.Integer(allow_none=True)


class DecisionSchema(Schema):
    """A release decision: entry outcome, per-line outcomes with reasons, UEI and rules version."""

    id = fields.Integer()
    uei = fields.String(metadata={"description": "Canonical UEI (15 characters, last one a check character)"})
    uei_display = fields.String(metadata={"description": "The UEI in three groups of five, for reading aloud"})
    entry_number = fields.String()
    port_code = fields.String()
    ior_number = fields.String()
    outcome = fields.String(metadata={"enum": list(OUTCOMES)})
    lines = fields.List(fields.Nested(DecisionLineSchema))
    rules_version = fields.String()
    decided_at = fields.DateTime()
    source = fields.String()
    facts_used = fields.Dict(metadata={"description": "Facts relied on (CBP staff only)"})


class DecisionPageSchema(PageSchema):
    """A page of decisions."""

    items = fields.List(fields.Nested(DecisionSchema))


class DecisionListArgs(PageArgsSchema):
    """Filters of the decision list."""

    ior_number = fields.String()
    outcome = fields.String(validate=validate.OneOf(OUTCOMES))
    entry_number = fields.String()
    port_code = fields.String()
    decided_from = fields.Date()
    decided_until = fields.Date()
