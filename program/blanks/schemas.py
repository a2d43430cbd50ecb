"""marshmallow schemas of the blank-goods API and the one serialiser of a declaration.

Input schemas check types only; the field rules (HTS codes, ISO countries, quantities, the licensed
marking's authorisation) live in ``validation`` so the API, the form and the CSV import agree, and
every failing field is named (``lines.0.hts_code``).
"""

from __future__ import annotations

from typing import Any

from marshmallow import Schema, fields, validate

from core.pagination import PageArgsSchema, PageSchema
from program.blanks.models import BlankDeclaration, BlankLine
from program.blanks.states import Marking, PartyRole, Status
from program.enrollment.schemas import FlatErrorsSchema


class BlankPartyInSchema(Schema):
    """A party to the transaction."""

    role = fields.String(required=True, metadata={"enum": [r.value for r in PartyRole]})
    name = fields.String(required=True)
    country = fields.String(required=True, metadata={"description": "ISO 3166-1 alpha-2"})
    address = fields.String(allow_none=True)


class BlankLineInSchema(Schema):
    """A declared line; ``hts_code`` is 10 digits with or without dots; ``licensed`` needs
    ``authorization_ref`` and the mark's ``recordation_number``."""

    line_no = fields.Integer(metadata={"description": "Defaults to the line's position, from 1"})
    description = fields.String(required=True)
    hts_code = fields.String(required=True, metadata={"example": "6202.93.5011"})
    quantity = fields.Raw(required=True, metadata={"type": "number", "description": "Greater than 0"})
    unit = fields.String(allow_none=True, metadata={"example": "pcs"})
    country_of_origin = fields.String(required=True)
    intended_marking = fields.String(load_default=Marking.NONE.value, metadata={"enum": [m.value for m in Marking]})
    authorization_ref = fields.String(allow_none=True)
    recordation_number = fields.String(allow_none=True, metadata={"example": "TMK 21-00042"})


class BlankDeclarationInSchema(FlatErrorsSchema):
    """A new declaration. Give ``lines``, or ``lines_csv`` (CSV text, header row first) to file in bulk."""

    on_behalf_of = fields.Integer(strict=True, validate=validate.Range(min=1, max=2**31 - 1), metadata={
        "description": "Broker tokens: the importer organisation acted for (needs its blank_declarations delegation)"})
    valid_from = fields.Raw(required=True, metadata={"type": "string", "format": "date"})
    valid_until = fields.Raw(required=True, metadata={"type": "string", "format": "date"})
    parties = fields.List(fields.Nested(BlankPartyInSchema), load_default=list)
    lines = fields.List(fields.Nested(BlankLineInSchema), load_default=list)
    lines_csv = fields.String(metadata={"description": "CSV with the columns of the lines (bulk filing)"})
    attestation = fields.Raw(load_default=False, metadata={"type": "boolean"})


class BlankReasonSchema(FlatErrorsSchema):
    """Why CBP revokes a declaration."""

    reason = fields.String(required=True, validate=validate.Length(min=1, max=5000))


class BlankWithdrawSchema(FlatErrorsSchema):
    """An optional reason for withdrawing."""

    reason = fields.String(load_default="", validate=validate.Length(max=5000))
    on_behalf_of = fields.Integer(strict=True, validate=validate.Range(min=1, max=2**31 - 1),
                                  metadata={"description": "Broker tokens: the importer organisation acted for"})


class BlankQuestionSchema(FlatErrorsSchema):
    """CBP's question to the importer."""

    question = fields.String(required=True, validate=validate.Length(min=1, max=5000))


class BlankAnswerSchema(FlatErrorsSchema):
    """The importer's answer to CBP's open question."""

    answer = fields.String(required=True, validate=validate.Length(min=1, max=5000))


class BlankListArgs(PageArgsSchema):
    """Filters of the declaration list."""

    status = fields.String(validate=validate.OneOf([s.value for s in Status]))
    hts_chapter = fields.String(validate=validate.Regexp(r"^[0-9]{2}$"), metadata={"description": "Two digits"})
    country = fields.String(validate=validate.Length(equal=2),
                            metadata={"description": "Country of origin of a line or of a party"})
    organization_id = fields.Integer(metadata={"description": "Importer organisation (CBP)"})


class BlankPartySchema(Schema):
    """A party as shown."""

    role = fields.String()
    name = fields.String()
    country = fields.String()
    address = fields.String()


class BlankLineSchema(Schema):
    """A line with its declared, remaining and consumed quantity."""

    line_no = fields.Integer()
    description = fields.String()
    hts_code = fields.String()
    quantity = fields.Decimal(as_string=True)
    remaining_quantity = fields.Decimal(as_string=True)
    consumed_quantity = fields.Decimal(as_string=True)
    unit = fields.String()
    country_of_origin = fields.String()
    intended_marking = fields.String()
    authorization_ref = fields.String(allow_none=True)
    recordation_number = fields.String(allow_none=True)
    licence_status = fields.String(allow_none=True, metadata={"enum": ["pending", "confirmed", "rejected"],
                                                              "description": "Licensed lines: the mark owner's answer"})


class BlankConsumptionSchema(Schema):
    """One draw on a line by a release decision."""

    line_no = fields.Integer()
    quantity = fields.Decimal(as_string=True)
    decision_id = fields.Integer(allow_none=True)
    reference = fields.String()
    at = fields.DateTime()


class BlankQueryEntrySchema(Schema):
    """CBP's question and the importer's answer."""

    question = fields.String()
    asked_at = fields.DateTime()
    answer = fields.String(allow_none=True)
    answered_at = fields.DateTime(allow_none=True)


class BlankOrganizationSchema(Schema):
    """The importer organisation."""

    id = fields.Integer()
    name = fields.String()


class BlankDeclarationSchema(Schema):
    """A declaration as its importer and CBP see it."""

    id = fields.String(metadata={"example": "BGD-2026-000123"})
    status = fields.String()
    version = fields.Integer()
    organization = fields.Nested(BlankOrganizationSchema)
    valid_from = fields.Date()
    valid_until = fields.Date()
    attestation = fields.Boolean()
    filed_at = fields.DateTime()
    filed_by = fields.String(allow_none=True)
    updated_at = fields.DateTime()
    closed_at = fields.DateTime(allow_none=True)
    revoked_reason = fields.String(allow_none=True)
    withdrawn_reason = fields.String(allow_none=True)
    parties = fields.List(fields.Nested(BlankPartySchema))
    lines = fields.List(fields.Nested(BlankLineSchema))
    queries = fields.List(fields.Nested(BlankQueryEntrySchema))
    ledger = fields.List(fields.Nested(BlankConsumptionSchema))


class BlankDeclarationPageSchema(PageSchema):
    """A page of declarations."""

    items = fields.List(fields.Nested(BlankDeclarationSchema))


class BlankLicensedLineSchema(Schema):
    """A licensed line naming one of the rights holder's marks (nothing else of the declaration)."""

    declaration_id = fields.String()
    declaration_status = fields.String()
    valid_from = fields.Date()
    valid_until = fields.Date()
    line_no = fields.Integer()
    description = fields.String()
    hts_code = fields.String()
    quantity = fields.Decimal(as_string=True)
    unit = fields.String()
    authorization_ref = fields.String()
    recordation_number = fields.String()
    mark = fields.String()
    licence_status = fields.String(metadata={"enum": ["pending", "confirmed", "rejected"]})
    licence_note = fields.String(allow_none=True)


class BlankLicenceSchema(Schema):
    """``POST …/lines/<line_no>/licence``: the mark owner confirms or rejects the licence a line cites."""

    action = fields.String(required=True, validate=validate.OneOf(("confirm", "reject")))
    note = fields.String(load_default="", validate=validate.Length(max=2000))


class BlankLicensedLinePageSchema(PageSchema):
    """A page of licensed lines."""

    items = fields.List(fields.Nested(BlankLicensedLineSchema))


def line_payload(line: BlankLine) -> dict[str, Any]:
    """A line as the API shows it."""
    return {"line_no": line.line_no, "description": line.description, "hts_code": line.hts_code,
            "quantity": line.quantity, "remaining_quantity": line.remaining_quantity,
            "consumed_quantity": line.consumed_quantity, "unit": line.unit,
            "country_of_origin": line.country_of_origin, "intended_marking": line.intended_marking,
            "authorization_ref": line.authorization_ref, "recordation_number": line.recordation_number,
            "licence_status": line.licence_status}


def declaration_payload(declaration: BlankDeclaration, *, ledger: bool = True) -> dict[str, Any]:
    """The declaration as its importer and CBP see it (with the consumption ledger unless ``ledger`` is off)."""
    body: dict[str, Any] = {
        "id": declaration.public_id, "status": declaration.status, "version": declaration.version,
        "organization": {"id": declaration.organization_id, "name": declaration.organization.name},
        "valid_from": declaration.valid_from, "valid_until": declaration.valid_until,
        "attestation": declaration.attestation, "filed_at": declaration.filed_at,
        "filed_by": declaration.filed_by.email if declaration.filed_by else None,
        "updated_at": declaration.updated_at, "closed_at": declaration.closed_at,
        "revoked_reason": declaration.revoked_reason, "withdrawn_reason": declaration.withdrawn_reason,
        "parties": [{"role": p.role, "name": p.name, "country": p.country, "address": p.address}
                    for p in declaration.parties],
        "lines": [line_payload(line) for line in declaration.lines],
        "queries": [{"question": q.question, "asked_at": q.asked_at, "answer": q.answer,
                     "answered_at": q.answered_at} for q in declaration.queries],
    }
    if ledger:
        body["ledger"] = [{"line_no": line.line_no, "quantity": c.quantity, "decision_id": c.decision_id,
                           "reference": c.reference, "at": c.created_at}
                          for line in declaration.lines for c in line.consumptions]
    return body


def licensed_line_payload(line: BlankLine) -> dict[str, Any]:
    """A licensed line as the mark's owner sees it: the line and the declaration's id and dates only."""
    declaration = line.declaration
    return {"declaration_id": declaration.public_id, "declaration_status": declaration.status,
            "valid_from": declaration.valid_from, "valid_until": declaration.valid_until, "line_no": line.line_no,
            "description": line.description, "hts_code": line.hts_code, "quantity": line.quantity,
            "unit": line.unit, "authorization_ref": line.authorization_ref,
            "recordation_number": line.recordation_number, "mark": line.mark.mark if line.mark else "",
            "licence_status": line.licence_status, "licence_note": line.licence_note}
