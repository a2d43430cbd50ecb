"""marshmallow schemas of the enrollment API, and the one serialiser that decides what a viewer sees.

Input errors name fields with dots (``contacts.0.email``, ``address.country``), the same names the
services use, so a client sees one shape whichever layer caught the problem.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from marshmallow import Schema, ValidationError, fields, validate

from core.pagination import PageArgsSchema, PageSchema
from program.enrollment import formats
from program.enrollment.application import address_of, missing_items
from program.enrollment.models import Enrollment
from program.enrollment.presenters import by_label, lifecycle_payload, service_clock
from program.enrollment.queries import sees_all
from program.enrollment.states import Status


def flatten(messages: Any, prefix: str = "") -> dict[str, list[str]]:
    """``{"contacts": {0: {"email": [...]}}}`` → ``{"contacts.0.email": [...]}``."""
    if isinstance(messages, dict):
        flat: dict[str, list[str]] = {}
        for key, value in messages.items():
            name = f"{prefix}.{key}" if prefix else str(key)
            if key == "_schema" and prefix:
                name = prefix
            flat.update(flatten(value, name))
        return flat
    items = messages if isinstance(messages, list) else [messages]
    return {prefix or "body": [str(m) for m in items]}


class FlatErrorsSchema(Schema):
    """A schema whose validation errors come out flat, named with dots."""

    def handle_error(self, error: ValidationError, data: Any, *, many: bool, **kwargs: Any) -> None:
        """Re-raise with flattened field names."""
        raise ValidationError(flatten(error.messages))


def _check(problem_of: Callable[[str], str | None]) -> Callable[..., None]:
    def validator(value: Any) -> None:
        """Raise the problem ``problem_of`` finds in ``value``."""
        if value not in (None, "") and (problem := problem_of(value)):
            raise ValidationError(problem)

    return validator


def _email(value: str) -> None:
    if problem := formats.email_problem(value):
        raise ValidationError(problem)


class EnrollmentAddressSchema(Schema):
    """A postal address; ``country`` is ISO 3166-1 alpha-2."""

    street = fields.String(allow_none=True, validate=validate.Length(max=200))
    city = fields.String(allow_none=True, validate=validate.Length(max=100))
    state = fields.String(allow_none=True, validate=validate.Length(max=100))
    postal_code = fields.String(allow_none=True, validate=validate.Length(max=20))
    country = fields.String(allow_none=True, validate=_check(formats.country_problem),
                            metadata={"example": "US"})


class EnrollmentContactSchema(Schema):
    """A focused contact."""

    purpose = fields.String(required=True, validate=validate.OneOf(list(formats.CONTACT_PURPOSES)))
    name = fields.String(required=True, validate=validate.Length(min=1, max=formats.NAME_MAX))
    email = fields.String(required=True, validate=_email, metadata={"example": "ipr@northwind.example"})


class OtherProgramSchema(Schema):
    """Another trusted-trader program the importer holds (CTPAT, an AEO under mutual recognition, ...)."""

    program = fields.String(required=True, validate=validate.OneOf(["ctpat", "aeo", "other"]))
    tier = fields.String(allow_none=True, validate=validate.Length(max=20))
    account_number = fields.String(required=True, validate=validate.Length(min=1, max=50))
    mutual_recognition_country = fields.String(allow_none=True, validate=_check(formats.country_problem))


class OtherProgramOutSchema(OtherProgramSchema):
    """Another program as listed, with CBP's verification (null: not yet checked)."""

    verified = fields.Boolean(allow_none=True)
    verified_by = fields.String(allow_none=True, metadata={"description": "CBP only"})
    verified_at = fields.String(allow_none=True)
    note = fields.String(allow_none=True, metadata={"description": "CBP only"})


class EnrollmentInSchema(FlatErrorsSchema):
    """The application, for ``POST`` (a new draft) and ``PATCH`` (fields present are replaced)."""

    legal_name = fields.String(allow_none=True, validate=validate.Length(max=formats.NAME_MAX))
    dba_name = fields.String(allow_none=True, validate=validate.Length(max=formats.NAME_MAX))
    company_type = fields.String(allow_none=True, validate=validate.OneOf(list(formats.COMPANY_TYPES)))
    ior_number = fields.String(allow_none=True, validate=_check(formats.ior_problem),
                               metadata={"description": formats.IOR_HINT, "example": "12-3456789AB"})
    address = fields.Nested(EnrollmentAddressSchema)
    contacts = fields.List(fields.Nested(EnrollmentContactSchema))
    sectors = fields.List(fields.String(), metadata={"description": "Sector codes (GET /api/v1/sectors)"})
    conditions = fields.List(fields.String(validate=validate.OneOf(list(formats.CONDITIONS))))
    sourcing_description = fields.String(allow_none=True, validate=validate.Length(max=formats.TEXT_MAX))
    enforcement_history = fields.String(allow_none=True, validate=validate.Length(max=formats.TEXT_MAX))
    publish_consent = fields.Boolean()
    attestation = fields.Boolean()
    other_programs = fields.List(fields.Nested(OtherProgramSchema), validate=validate.Length(max=10))


class EnrollmentDecisionSchema(FlatErrorsSchema):
    """A reviewer's decision on a submitted enrollment."""

    action = fields.String(required=True, validate=validate.OneOf(["approve", "deny", "request_info"]))
    reason = fields.String(required=True, validate=validate.Length(min=1, max=5000))
    sectors = fields.List(fields.String(), metadata={"description": "approve: subset of requested; default all"})
    valid_until = fields.Date(metadata={"description": "approve: last valid day; default one year from today"})


class EnrollmentReasonSchema(FlatErrorsSchema):
    """A reason for suspending, reinstating or revoking."""

    reason = fields.String(required=True, validate=validate.Length(min=1, max=5000))


class EnrollmentSuspendSchema(EnrollmentReasonSchema):
    """A reason, and optionally the approved sectors to suspend or reinstate (sector level) instead of all."""

    sectors = fields.List(fields.String(), metadata={"description": "Sector level: these sectors only"})


class EnrollmentProposeSchema(FlatErrorsSchema):
    """A notice of proposed action (the importer may reply before CBP decides)."""

    action = fields.String(required=True, validate=validate.OneOf(["deny", "suspend", "revoke"]))
    reason = fields.String(required=True, validate=validate.Length(min=1, max=5000))
    respond_by = fields.Date(metadata={"description": "Last day to reply; default 30 days from today"})


class EnrollmentReplySchema(FlatErrorsSchema):
    """The importer's answer to a notice of proposed action."""

    text = fields.String(required=True, validate=validate.Length(min=1, max=5000))


class EnrollmentAppealSchema(FlatErrorsSchema):
    """The importer's appeal of a denial, suspension or revocation."""

    grounds = fields.String(required=True, validate=validate.Length(min=1, max=5000))


class EnrollmentAppealDecisionSchema(FlatErrorsSchema):
    """A second reviewer's decision on an appeal."""

    action = fields.String(required=True, validate=validate.OneOf(["uphold", "overturn"]))
    reason = fields.String(required=True, validate=validate.Length(min=1, max=5000))


class EnrollmentAnnualReviewSchema(FlatErrorsSchema):
    """The owner's annual confirmation of its profile."""

    attestation = fields.Boolean(required=True)
    changes = fields.String(load_default="", validate=validate.Length(max=5000))


class OtherProgramVerificationSchema(FlatErrorsSchema):
    """A reviewer's check of one listed program."""

    verified = fields.Boolean(required=True)
    note = fields.String(load_default="", validate=validate.Length(max=500))


class EnrollmentWithdrawSchema(FlatErrorsSchema):
    """An optional reason for withdrawing."""

    reason = fields.String(load_default="", validate=validate.Length(max=5000))


class EnrollmentListArgs(PageArgsSchema):
    """Filters of the enrollment list."""

    status = fields.String(validate=validate.OneOf([s.value for s in Status]))
    sector = fields.String()
    review_overdue = fields.Boolean(metadata={"description": "true: approved enrollments whose review_due has passed"})


class EnrollmentDocumentUploadSchema(Schema):
    """Form fields sent with an uploaded document (the file itself is the ``file`` part)."""

    kind = fields.String(load_default="other", validate=validate.OneOf(list(formats.DOCUMENT_KINDS)))
    description = fields.String(load_default="", validate=validate.Length(max=300))


class EnrollmentFindingSchema(Schema):
    """A screening finding."""

    code = fields.String()
    message = fields.String()


class EnrollmentHistorySchema(Schema):
    """One step of the history."""

    status = fields.String()
    from_status = fields.String(allow_none=True)
    action = fields.String()
    at = fields.DateTime()
    by = fields.String()
    reason = fields.String()
    sectors = fields.List(fields.String(), allow_none=True,
                          metadata={"description": "Sectors a sector-level step suspended or reinstated; else null"})


class EnrollmentDocumentSchema(Schema):
    """A supporting document's metadata."""

    id = fields.Integer()
    kind = fields.String()
    description = fields.String()
    name = fields.String()
    content_type = fields.String()
    size = fields.Integer()
    sha256 = fields.String()
    created_at = fields.DateTime()


class EnrollmentNoticeSchema(Schema):
    """A notice of proposed action and the importer's reply."""

    id = fields.Integer()
    action = fields.String()
    reason = fields.String()
    respond_by = fields.Date()
    proposed_at = fields.DateTime()
    reply = fields.String()
    replied_at = fields.DateTime(allow_none=True)


class EnrollmentAppealOutSchema(Schema):
    """An appeal and, once decided, its outcome."""

    id = fields.Integer()
    decision = fields.String(metadata={"description": "The action appealed: deny, suspend, revoke or "
                                                      "suspend_sectors"})
    decision_at = fields.DateTime()
    sectors = fields.List(fields.String(), allow_none=True,
                          metadata={"description": "The sectors a suspend_sectors decision suspended; else null"})
    grounds = fields.String()
    filed_at = fields.DateTime()
    outcome = fields.String(allow_none=True)
    reason = fields.String()
    decided_at = fields.DateTime(allow_none=True)


class EnrollmentRenewalSchema(Schema):
    """Where an approved enrollment stands on renewal."""

    days_left = fields.Integer()
    opens_on = fields.Date()
    open = fields.Boolean()
    renewal_id = fields.Integer(allow_none=True)
    renewal_status = fields.String(allow_none=True)


class EnrollmentClockSchema(Schema):
    """The 90-day service clock: total days since first submission and CBP's own days (paused while
    information was requested)."""

    total_days = fields.Integer(allow_none=True)
    cbp_days = fields.Integer(allow_none=True)


class EnrollmentOrganizationSchema(Schema):
    """The applying organisation."""

    id = fields.Integer()
    name = fields.String()


class EnrollmentSchema(Schema):
    """An enrollment as its owner or CBP sees it (``screening`` only for CBP)."""

    id = fields.Integer()
    status = fields.String()
    version = fields.Integer()
    organization = fields.Nested(EnrollmentOrganizationSchema)
    legal_name = fields.String()
    dba_name = fields.String()
    company_type = fields.String(allow_none=True)
    ior_number = fields.String(allow_none=True)
    address = fields.Nested(EnrollmentAddressSchema)
    contacts = fields.List(fields.Nested(EnrollmentContactSchema))
    sectors = fields.List(fields.String())
    approved_sectors = fields.List(fields.String())
    conditions = fields.List(fields.String())
    sourcing_description = fields.String()
    enforcement_history = fields.String()
    publish_consent = fields.Boolean()
    attestation = fields.Boolean()
    documents = fields.List(fields.Nested(EnrollmentDocumentSchema))
    program_id = fields.String(allow_none=True)
    valid_until = fields.Date(allow_none=True)
    submitted_at = fields.DateTime(allow_none=True)
    decided_at = fields.DateTime(allow_none=True)
    created_at = fields.DateTime()
    updated_at = fields.DateTime()
    previous_id = fields.Integer(allow_none=True)
    suspended_sectors = fields.List(fields.String())
    review_due = fields.Date(allow_none=True)
    other_programs = fields.List(fields.Nested(OtherProgramOutSchema))
    notices = fields.List(fields.Nested(EnrollmentNoticeSchema))
    appeals = fields.List(fields.Nested(EnrollmentAppealOutSchema))
    appeal_until = fields.Date(allow_none=True, metadata={"description": "Last day to appeal the current decision"})
    renewal = fields.Nested(EnrollmentRenewalSchema, allow_none=True)
    service_clock = fields.Nested(EnrollmentClockSchema)
    reapplication_barred_until = fields.Date(allow_none=True)
    missing = fields.Dict(keys=fields.String(), values=fields.List(fields.String()),
                          metadata={"description": "What submit would still ask for (editable states)"})
    screening = fields.List(fields.Nested(EnrollmentFindingSchema), metadata={"description": "CBP only"})
    history = fields.List(fields.Nested(EnrollmentHistorySchema))


class EnrollmentSummarySchema(Schema):
    """An enrollment in a list."""

    id = fields.Integer()
    status = fields.String()
    organization = fields.Nested(EnrollmentOrganizationSchema)
    legal_name = fields.String()
    ior_number = fields.String(allow_none=True)
    sectors = fields.List(fields.String())
    approved_sectors = fields.List(fields.String())
    program_id = fields.String(allow_none=True)
    valid_until = fields.Date(allow_none=True)
    review_due = fields.Date(allow_none=True)
    submitted_at = fields.DateTime(allow_none=True)
    created_at = fields.DateTime()
    service_clock = fields.Nested(EnrollmentClockSchema)
    screening_codes = fields.List(fields.String(), metadata={"description": "CBP only"})


class EnrollmentPageSchema(PageSchema):
    """A page of enrollments."""

    items = fields.List(fields.Nested(EnrollmentSummarySchema))


class PublicImporterSchema(Schema):
    """What the public register shows of a consenting, approved importer."""

    legal_name = fields.String()
    status = fields.String()
    sectors = fields.List(fields.String())
    valid_until = fields.Date()


def enrollment_payload(enrollment: Enrollment, viewer: Any) -> dict[str, Any]:
    """The enrollment as ``viewer`` may see it: screening findings only for CBP."""
    body: dict[str, Any] = {
        "id": enrollment.id, "status": enrollment.status, "version": enrollment.version,
        "organization": {"id": enrollment.organization_id, "name": enrollment.organization.name},
        "legal_name": enrollment.legal_name, "dba_name": enrollment.dba_name,
        "company_type": enrollment.company_type, "ior_number": enrollment.ior_number,
        "address": address_of(enrollment),
        "contacts": [{"purpose": c.purpose, "name": c.name, "email": c.email} for c in enrollment.contacts],
        "sectors": enrollment.requested_sectors, "approved_sectors": enrollment.approved_sectors,
        "conditions": list(enrollment.conditions or []),
        "sourcing_description": enrollment.sourcing_description,
        "enforcement_history": enrollment.enforcement_history,
        "publish_consent": enrollment.publish_consent, "attestation": enrollment.attestation,
        "documents": [{"id": d.id, "kind": d.kind, "description": d.description, "name": d.stored_file.original_name,
                       "content_type": d.stored_file.content_type, "size": d.stored_file.size,
                       "sha256": d.stored_file.sha256, "created_at": d.created_at} for d in enrollment.documents],
        "program_id": enrollment.program_id, "valid_until": enrollment.valid_until,
        "submitted_at": enrollment.submitted_at, "decided_at": enrollment.decided_at,
        "created_at": enrollment.created_at, "updated_at": enrollment.updated_at,
        "previous_id": enrollment.previous_id,
        **lifecycle_payload(enrollment, viewer),
        "history": [{"status": h.to_status, "from_status": h.from_status, "action": h.action, "at": h.at,
                     "by": by_label(h, viewer), "reason": h.reason, "sectors": h.sectors} for h in enrollment.history],
    }
    if enrollment.status in (Status.DRAFT, Status.INFO_REQUESTED):
        body["missing"] = missing_items(enrollment)
    if sees_all(viewer):
        body["screening"] = list(enrollment.screening or [])
    return body


def summary_payload(enrollment: Enrollment, viewer: Any) -> dict[str, Any]:
    """An enrollment's list row as ``viewer`` may see it."""
    body = {
        "id": enrollment.id, "status": enrollment.status,
        "organization": {"id": enrollment.organization_id, "name": enrollment.organization.name},
        "legal_name": enrollment.legal_name, "ior_number": enrollment.ior_number,
        "sectors": enrollment.requested_sectors, "approved_sectors": enrollment.approved_sectors,
        "program_id": enrollment.program_id, "valid_until": enrollment.valid_until,
        "review_due": enrollment.review_due,
        "submitted_at": enrollment.submitted_at, "created_at": enrollment.created_at,
        "service_clock": service_clock(enrollment),
    }
    if sees_all(viewer):
        body["screening_codes"] = enrollment.finding_codes
    return body
