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


# A decimal in a request: a JSON number or a decimal string (API.md: clients may send either).
DECIMAL_IN = {"oneOf": [{"type": "number"}, {"type": "string", "format": "decimal"}]}


class DecimalText(fields.Decimal):
    """A decimal written as text without trailing zeros (``10``, ``250.5``), or with fixed ``places``."""

    def __init__(self, places: int | None = None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.places = places  # after Decimal's own (quantizing) places, which this field does not use

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

    line_no = Parsed(inputs.parse_line_no, required=True, metadata={"type": "integer", "minimum": 1, "example": 1})
    description = fields.String(required=True, validate=validate.Length(min=1, max=500),
                                metadata={"example": "Refurbished smartphones"})
    hts_code = Parsed(inputs.parse_hts, required=True, metadata={"type": "string", "example": "8517.13.0000"})
    quantity = Parsed(_positive, required=True, metadata={**DECIMAL_IN, "example": 40})
    value_usd = Parsed(_amount, required=True, metadata={**DECIMAL_IN, "example": "12000.00"})
    sector = fields.String(required=True, validate=validate.Length(min=1, max=40),
                           metadata={"example": "mobile_devices"})
    condition = fields.String(required=True, validate=validate.OneOf(inputs.CONDITIONS))
    recordation_number = Parsed(inputs.parse_recordation, load_default=None, allow_none=True,
                                metadata={"type": "string", "nullable": True, "example": "TMK 21-00123"})
    lever_label = Parsed(inputs.parse_bool, load_default=False, metadata={"type": "boolean"})
    blank_declaration_id = Parsed(inputs.parse_declaration_id, load_default=None, allow_none=True,
                                  metadata={"type": "string", "nullable": True, "example": "BGD-2026-000123"})
    blank_line_no = Parsed(lambda v: inputs.parse_line_no(v, what="blank line number"), load_default=None,
                           allow_none=True, metadata={"type": "integer", "minimum": 1, "nullable": True})
    country_of_origin = Parsed(inputs.parse_country, allow_none=True,
                               metadata={"type": "string", "nullable": True, "example": "CN",
                                         "description": "ISO 3166-1 alpha-2"})


class SellerSchema(FlatErrorsSchema):
    """The foreign seller of a parcel."""

    name = Parsed(lambda v: inputs.parse_shipment_text(v, what="seller's name", required=True), required=True,
                  metadata={"type": "string", "example": "Shenzhen Example Trading Co., Ltd."})
    country = Parsed(lambda v: inputs.parse_country(v, what="seller's country"), allow_none=True,
                     metadata={"type": "string", "nullable": True, "example": "CN"})


class ShipmentSchema(FlatErrorsSchema):
    """How the goods travel: a formal entry or a Section 321 de minimis parcel."""

    type = Parsed(inputs.parse_shipment_type, load_default="formal",
                  metadata={"type": "string", "enum": list(inputs.SHIPMENT_TYPES), "example": "section_321"})
    house_bill = Parsed(lambda v: inputs.parse_shipment_text(v, what="house bill"), allow_none=True,
                        metadata={"type": "string", "nullable": True, "example": "HAWB1234567"})
    seller = fields.Nested(SellerSchema, allow_none=True)
    marketplace = Parsed(lambda v: inputs.parse_shipment_text(v, what="marketplace"), allow_none=True,
                         metadata={"type": "string", "nullable": True, "example": "example-market.com"})


_ENTRY_KEYS = frozenset({"entry_number", "port_code", "ior_number", "lines"})
_LINE_REQUIRED = ("line_no", "description", "hts_code", "quantity", "value_usd", "sector", "condition")
_LINE_KEYS = frozenset((*_LINE_REQUIRED, "recordation_number", "lever_label", "blank_declaration_id", "blank_line_no",
                        "country_of_origin"))


def fast_load(data: Any) -> dict[str, Any] | None:
    """What :class:`DecisionRequestSchema` loads from ``data`` when every field is plainly valid, through the
    same parsers but without marshmallow's per-field machinery; None whenever anything is off (unknown or
    missing keys, nulls, wrong types, a parser's complaint), so that marshmallow produces the error."""
    if type(data) is not dict or data.keys() != _ENTRY_KEYS:
        return None
    lines = data["lines"]
    if type(lines) is not list or not 1 <= len(lines) <= inputs.MAX_LINES:
        return None
    out: list[dict[str, Any]] = []
    seen: set[int] = set()
    try:
        for line in lines:
            if type(line) is not dict or not line.keys() <= _LINE_KEYS or any(line.get(k) is None for k in _LINE_REQUIRED):
                return None
            description, sector, condition = line["description"], line["sector"], line["condition"]
            if not (type(description) is str and 1 <= len(description) <= 500 and type(sector) is str
                    and 1 <= len(sector) <= 40 and type(condition) is str and condition in inputs.CONDITIONS):
                return None
            lever = line.get("lever_label", False)
            if lever is None:
                return None
            number = inputs.parse_line_no(line["line_no"])
            if number in seen:
                return None
            seen.add(number)
            recordation, declaration, blank_line = (line.get("recordation_number"), line.get("blank_declaration_id"),
                                                    line.get("blank_line_no"))
            if "country_of_origin" in line:
                return None  # the optional field takes marshmallow's path
            out.append({
                "line_no": number, "description": description, "hts_code": inputs.parse_hts(line["hts_code"]),
                "quantity": _positive(line["quantity"]), "value_usd": _amount(line["value_usd"]), "sector": sector,
                "condition": condition,
                "recordation_number": None if recordation is None else inputs.parse_recordation(recordation),
                "lever_label": inputs.parse_bool(lever),
                "blank_declaration_id": None if declaration is None else inputs.parse_declaration_id(declaration),
                "blank_line_no": None if blank_line is None else inputs.parse_line_no(blank_line,
                                                                                     what="blank line number"),
            })
        entry_number, port, ior = data["entry_number"], data["port_code"], data["ior_number"]
        if entry_number is None or port is None or ior is None:
            return None
        return {"entry_number": inputs.parse_entry(entry_number), "port_code": inputs.parse_port(port),
                "ior_number": inputs.parse_ior(ior), "lines": out}
    except inputs.FieldProblem:
        return None


class DecisionRequestSchema(FlatErrorsSchema):
    """``POST /api/v1/release-decisions``: one entry and its lines.

    Valid requests take :func:`fast_load` (the hot path of the decision endpoint); anything else goes
    through marshmallow, which names every problem.
    """

    def load(self, data: Any, *, many: bool | None = None, partial: Any = None, unknown: Any = None) -> Any:
        """Load ``data``: the fast path when it applies and gives an answer, marshmallow otherwise."""
        if many is None and partial is None and unknown is None and (fast := fast_load(data)) is not None:
            return fast
        return super().load(data, many=many, partial=partial, unknown=unknown)

    entry_number = Parsed(inputs.parse_entry, required=True, metadata={"type": "string", "example": "ABC-1234567-6"})
    port_code = Parsed(inputs.parse_port, required=True, metadata={"type": "string", "example": "2704"})
    ior_number = Parsed(inputs.parse_ior, required=True, metadata={"type": "string", "example": "12-3456789AB"})
    lines = fields.List(fields.Nested(DecisionLineInSchema), required=True,
                        validate=validate.Length(min=1, max=inputs.MAX_LINES))
    shipment = fields.Nested(ShipmentSchema, allow_none=True)
    supersedes = fields.Integer(allow_none=True, strict=True, validate=validate.Range(min=1, max=2**31 - 1),
                                metadata={"description": "Id of the live decision for this entry that this one replaces"})

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
    country_of_origin = fields.String(allow_none=True)


class SellerOutSchema(Schema):
    """A parcel's seller as presented."""

    name = fields.String()
    country = fields.String(allow_none=True)


class ShipmentOutSchema(Schema):
    """The shipment as presented."""

    type = fields.String(metadata={"enum": list(inputs.SHIPMENT_TYPES)})
    house_bill = fields.String(allow_none=True)
    seller = fields.Nested(SellerOutSchema, allow_none=True)
    marketplace = fields.String(allow_none=True)


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
    status = fields.String(metadata={"enum": ["live", "superseded"]})
    supersedes = fields.Integer(allow_none=True, metadata={"description": "The earlier decision this one superseded"})
    superseded_by = fields.Integer(allow_none=True, metadata={"description": "The later decision that superseded it"})
    shipment = fields.Nested(ShipmentOutSchema, allow_none=True)
    facts_used = fields.Dict(metadata={"description": "Facts relied on (CBP staff only)"})


_DECIMAL_TEXT = DecimalText()
_MONEY_TEXT = DecimalText(places=2)
_DECISION_STR = ("uei", "uei_display", "entry_number", "port_code", "ior_number", "outcome")
_LINE_STR = ("description", "hts_code")
_LINE_STR_AFTER = ("sector", "condition", "recordation_number")


def _text(value: Any) -> str | None:
    """``fields.String``'s output."""
    if value is None or type(value) is str:
        return value
    return value.decode("utf-8") if isinstance(value, bytes) else str(value)


def _integer(value: Any) -> int | None:
    """``fields.Integer``'s output (the stored values are ints already)."""
    return value if value is None or type(value) is int else int(value)


def _dump_line(line: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    if "line_no" in line:
        out["line_no"] = _integer(line["line_no"])
    if "outcome" in line:
        out["outcome"] = _text(line["outcome"])
    if "reasons" in line:
        reasons = line["reasons"]
        out["reasons"] = None if reasons is None else [
            {key: _text(reason[key]) for key in ("code", "message") if key in reason} for reason in reasons]
    for key in _LINE_STR:
        if key in line:
            out[key] = _text(line[key])
    if "quantity" in line:
        out["quantity"] = _DECIMAL_TEXT._serialize(line["quantity"], "quantity", line)
    if "value_usd" in line:
        out["value_usd"] = _MONEY_TEXT._serialize(line["value_usd"], "value_usd", line)
    for key in _LINE_STR_AFTER:
        if key in line:
            out[key] = _text(line[key])
    if "lever_label" in line:
        out["lever_label"] = line["lever_label"]
    if "blank_declaration_id" in line:
        out["blank_declaration_id"] = _text(line["blank_declaration_id"])
    if "blank_line_no" in line:
        out["blank_line_no"] = _integer(line["blank_line_no"])
    if "country_of_origin" in line:
        out["country_of_origin"] = _text(line["country_of_origin"])
    return out


def _dump_shipment(shipment: dict[str, Any] | None) -> dict[str, Any] | None:
    if shipment is None:
        return None
    out = {key: _text(shipment[key]) for key in ("type", "house_bill") if key in shipment}
    if "seller" in shipment:
        seller = shipment["seller"]
        out["seller"] = None if seller is None else {key: _text(seller[key]) for key in ("name", "country")
                                                     if key in seller}
    if "marketplace" in shipment:
        out["marketplace"] = _text(shipment["marketplace"])
    return out


def dump_decision(payload: dict[str, Any]) -> dict[str, Any]:
    """What ``DecisionSchema().dump(payload)`` gives for a decision payload (``services._payload``), without
    marshmallow's per-field machinery (the hot path of ``POST /release-decisions``); same keys, same order,
    same formats. ``tests/program/decisions/test_schemas.py`` holds the two to each other."""
    out: dict[str, Any] = {}
    if "id" in payload:
        out["id"] = _integer(payload["id"])
    for key in _DECISION_STR:
        if key in payload:
            out[key] = _text(payload[key])
    if "lines" in payload:
        lines = payload["lines"]
        out["lines"] = None if lines is None else [_dump_line(line) for line in lines]
    if "rules_version" in payload:
        out["rules_version"] = _text(payload["rules_version"])
    if "decided_at" in payload:
        decided_at = payload["decided_at"]
        out["decided_at"] = None if decided_at is None else decided_at.isoformat()
    if "source" in payload:
        out["source"] = _text(payload["source"])
    if "status" in payload:
        out["status"] = _text(payload["status"])
    for key in ("supersedes", "superseded_by"):
        if key in payload:
            out[key] = _integer(payload[key])
    if "shipment" in payload:
        out["shipment"] = _dump_shipment(payload["shipment"])
    if "facts_used" in payload:
        facts_used = payload["facts_used"]
        out["facts_used"] = None if facts_used is None else dict(facts_used)
    return out


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
    status = fields.String(validate=validate.OneOf(("live", "superseded")))


class ShipperInSchema(FlatErrorsSchema):
    """``POST /api/v1/violative-shippers``: a known violative shipper (checked by the service)."""

    name = fields.String(required=True, metadata={"example": "Shenzhen Example Trading Co., Ltd."})
    country = fields.String(allow_none=True, metadata={"example": "CN", "description": "ISO 3166-1 alpha-2"})
    reason = fields.String(required=True, metadata={"example": "Three seizures of counterfeit earbuds in 2026."})


class ShipperSchema(Schema):
    """A listed known violative shipper."""

    id = fields.Integer()
    name = fields.String()
    country = fields.String(allow_none=True)
    reason = fields.String()
    created_at = fields.DateTime()


class ShipperPageSchema(PageSchema):
    """A page of violative shippers."""

    items = fields.List(fields.Nested(ShipperSchema))


class ShipperListArgs(PageArgsSchema):
    """Search of the violative shippers list."""

    q = fields.String(metadata={"description": "Part of the name, or a country code"})
