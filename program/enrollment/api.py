"""JSON API of enrollment (API.md, "Enrollment"): thin handlers — check access, call one service, commit once."""

from __future__ import annotations

from typing import Any

from flask import Response, g
from flask_smorest.fields import Upload
from marshmallow import Schema
from sqlalchemy.orm import joinedload, selectinload

from core import policy
from core.apiutil import ApiBlueprint
from core.errors import NotFound
from core.extensions import db, limiter
from core.pagination import paginate
from core.timeutil import today
from core.uploads import send_stored
from program.enrollment import application, lifecycle, queries, services
from program.enrollment import policy as perms
from program.enrollment.models import Enrollment, EnrollmentSector
from program.enrollment.schemas import (
    EnrollmentAnnualReviewSchema,
    EnrollmentAppealDecisionSchema,
    EnrollmentAppealSchema,
    EnrollmentDecisionSchema,
    EnrollmentDocumentSchema,
    EnrollmentDocumentUploadSchema,
    EnrollmentInSchema,
    EnrollmentListArgs,
    EnrollmentPageSchema,
    EnrollmentProposeSchema,
    EnrollmentReasonSchema,
    EnrollmentReplySchema,
    EnrollmentSchema,
    EnrollmentSuspendSchema,
    EnrollmentWithdrawSchema,
    OtherProgramVerificationSchema,
    PublicImporterSchema,
    enrollment_payload,
    summary_payload,
)

blp = ApiBlueprint("enrollment_api", __name__, url_prefix="/api/v1",
                   description="Trusted-importer enrollment: apply, screen, decide, suspend, renew")


class EnrollmentFileSchema(Schema):
    """The uploaded file (multipart part ``file``): PDF, JPEG or PNG."""

    file = Upload(required=True)


def _load(enrollment_id: int) -> Enrollment:
    """The enrollment if the caller may see it (else 404), expired first when its validity has passed."""
    enrollment = queries.get_enrollment_for(g.api_user, enrollment_id)
    if services.expire_if_due(enrollment):
        db.session.commit()
    return enrollment


def _owned(enrollment_id: int) -> Enrollment:
    enrollment = _load(enrollment_id)
    queries.require_owner(g.api_user, enrollment)
    return enrollment


def _done(enrollment: Enrollment) -> dict[str, Any]:
    db.session.commit()
    return enrollment_payload(enrollment, g.api_user)


@blp.route("/enrollments", methods=["POST"])
@policy.require(perms.APPLY)
@blp.arguments(EnrollmentInSchema)
@blp.response(201, EnrollmentSchema)
@blp.alt_response(409, description="The organisation already has an open enrollment")
def create_enrollment(data: dict[str, Any]) -> dict[str, Any]:
    """Start a draft application for the caller's organisation (fields may be incomplete)."""
    return _done(application.create_enrollment(g.api_user, data))


@blp.route("/enrollments/renew", methods=["POST"])
@policy.require(perms.APPLY)
@blp.response(201, EnrollmentSchema)
def renew_enrollment() -> dict[str, Any]:
    """Start a renewal pre-filled from the current enrollment (from 90 days before its valid_until, else 409
    ``renewal_not_open``), or a new draft from the last application once it ended."""
    return _done(application.renew_enrollment(g.api_user))


@blp.route("/enrollments")
@policy.require(perms.READ)
@blp.arguments(EnrollmentListArgs, location="query")
@blp.response(200, EnrollmentPageSchema)
def list_enrollments(args: dict[str, Any]) -> dict[str, Any]:
    """Enrollments, newest first: every organisation's for CBP, the caller's own for importers."""
    user = g.api_user
    scope = None if queries.sees_all(user) else user.organization_id
    if services.expire_enrollments(organization_id=scope):
        db.session.commit()
    query = (queries.visible_enrollments(user)
             .options(joinedload(Enrollment.organization), selectinload(Enrollment.sectors))
             .order_by(Enrollment.created_at.desc(), Enrollment.id.desc()))
    if status := args.get("status"):
        query = query.where(Enrollment.status == status)
    if sector := args.get("sector"):
        query = query.where(Enrollment.sectors.any(EnrollmentSector.sector_code == sector))
    if (overdue := args.get("review_overdue")) is not None:
        late = (Enrollment.status == "approved") & (Enrollment.review_due < today())
        query = query.where(late if overdue else ~late)
    page = paginate(query, args["page"], args["page_size"])
    return page.envelope([summary_payload(e, user) for e in page.items])


@blp.route("/enrollments/<int:enrollment_id>")
@policy.require(perms.READ)
@blp.response(200, EnrollmentSchema)
def get_enrollment(enrollment_id: int) -> dict[str, Any]:
    """One enrollment with its history (screening findings for CBP only)."""
    return enrollment_payload(_load(enrollment_id), g.api_user)


@blp.route("/enrollments/<int:enrollment_id>", methods=["PATCH"])
@policy.require(perms.APPLY)
@blp.arguments(EnrollmentInSchema)
@blp.response(200, EnrollmentSchema)
@blp.alt_response(409, description="Not in draft or info_requested; while approved, a field other than contacts and "
                                    "publish_consent: code `amendment_required`")
def update_enrollment(data: dict[str, Any], enrollment_id: int) -> dict[str, Any]:
    """Change the fields given (owner; draft or information requested; while approved contacts and
    publish_consent only, audited and the reviewer told)."""
    enrollment = _owned(enrollment_id)
    return _done(application.update_application(g.api_user, enrollment, data))


@blp.route("/enrollments/<int:enrollment_id>/submit", methods=["POST"])
@policy.require(perms.APPLY)
@blp.response(200, EnrollmentSchema)
@blp.alt_response(422, description="Incomplete: lists what is missing")
def submit_enrollment(enrollment_id: int) -> dict[str, Any]:
    """Submit the application to CBP; it is screened (owner; from draft or info_requested)."""
    enrollment = _owned(enrollment_id)
    return _done(services.submit_enrollment(g.api_user, enrollment))


@blp.route("/enrollments/<int:enrollment_id>/withdraw", methods=["POST"])
@policy.require(perms.APPLY)
@blp.arguments(EnrollmentWithdrawSchema, required=False)
@blp.response(200, EnrollmentSchema)
def withdraw_enrollment(data: dict[str, Any], enrollment_id: int) -> dict[str, Any]:
    """Withdraw the application (owner; from draft, submitted or info_requested)."""
    enrollment = _owned(enrollment_id)
    return _done(services.withdraw_enrollment(g.api_user, enrollment, reason=data.get("reason", "")))


@blp.route("/enrollments/<int:enrollment_id>/decision", methods=["POST"])
@policy.require(perms.REVIEW)
@blp.arguments(EnrollmentDecisionSchema)
@blp.response(200, EnrollmentSchema)
@blp.alt_response(409, description="Not submitted, or (approve) the importer is on the debarred list: code `debarred`")
def decide_enrollment(data: dict[str, Any], enrollment_id: int) -> dict[str, Any]:
    """Approve (a subset of the requested sectors, until valid_until), deny, or request information."""
    enrollment = _load(enrollment_id)
    user, reason = g.api_user, data["reason"]
    if data["action"] == "approve":
        services.approve_enrollment(user, enrollment, reason=reason, sectors=data.get("sectors"),
                                    valid_until=data.get("valid_until"))
    elif data["action"] == "deny":
        services.deny_enrollment(user, enrollment, reason=reason)
    else:
        services.request_information(user, enrollment, reason=reason)
    return _done(enrollment)


@blp.route("/enrollments/<int:enrollment_id>/suspend", methods=["POST"])
@policy.require(perms.REVIEW)
@blp.arguments(EnrollmentSuspendSchema)
@blp.response(200, EnrollmentSchema)
def suspend_enrollment(data: dict[str, Any], enrollment_id: int) -> dict[str, Any]:
    """Suspend an approved enrollment, or with ``sectors`` only those approved sectors (reviewer, with a reason)."""
    enrollment = _load(enrollment_id)
    if "sectors" in data:
        return _done(lifecycle.suspend_sectors(g.api_user, enrollment, sectors=data["sectors"], reason=data["reason"]))
    return _done(services.suspend_enrollment(g.api_user, enrollment, reason=data["reason"]))


@blp.route("/enrollments/<int:enrollment_id>/reinstate", methods=["POST"])
@policy.require(perms.REVIEW)
@blp.arguments(EnrollmentSuspendSchema)
@blp.response(200, EnrollmentSchema)
def reinstate_enrollment(data: dict[str, Any], enrollment_id: int) -> dict[str, Any]:
    """Reinstate a suspended enrollment, or with ``sectors`` those suspended sectors (reviewer, with a reason)."""
    enrollment = _load(enrollment_id)
    if "sectors" in data:
        return _done(lifecycle.reinstate_sectors(g.api_user, enrollment, sectors=data["sectors"],
                                                 reason=data["reason"]))
    return _done(services.reinstate_enrollment(g.api_user, enrollment, reason=data["reason"]))


@blp.route("/enrollments/<int:enrollment_id>/revoke", methods=["POST"])
@policy.require(perms.REVIEW)
@blp.arguments(EnrollmentReasonSchema)
@blp.response(200, EnrollmentSchema)
def revoke_enrollment(data: dict[str, Any], enrollment_id: int) -> dict[str, Any]:
    """Revoke an approved or suspended enrollment (reviewer, with a reason)."""
    enrollment = _load(enrollment_id)
    return _done(services.revoke_enrollment(g.api_user, enrollment, reason=data["reason"]))


@blp.route("/enrollments/<int:enrollment_id>/propose", methods=["POST"])
@policy.require(perms.REVIEW)
@blp.arguments(EnrollmentProposeSchema)
@blp.response(200, EnrollmentSchema)
def propose_action(data: dict[str, Any], enrollment_id: int) -> dict[str, Any]:
    """Record a notice of proposed denial, suspension or revocation; the importer is told and may reply."""
    enrollment = _load(enrollment_id)
    lifecycle.propose_action(g.api_user, enrollment, action=data["action"], reason=data["reason"],
                             respond_by=data.get("respond_by"))
    return _done(enrollment)


@blp.route("/enrollments/<int:enrollment_id>/reply", methods=["POST"])
@policy.require(perms.APPLY)
@blp.arguments(EnrollmentReplySchema)
@blp.response(200, EnrollmentSchema)
@blp.alt_response(409, description="No notice waiting for a reply: code `no_open_notice`")
def reply_to_notice(data: dict[str, Any], enrollment_id: int) -> dict[str, Any]:
    """Answer the open notice of proposed action (owner)."""
    enrollment = _owned(enrollment_id)
    lifecycle.reply_to_notice(g.api_user, enrollment, text=data["text"])
    return _done(enrollment)


@blp.route("/enrollments/<int:enrollment_id>/appeal", methods=["POST"])
@policy.require(perms.APPLY)
@blp.arguments(EnrollmentAppealSchema)
@blp.response(200, EnrollmentSchema)
@blp.alt_response(409, description="Nothing to appeal, already appealed, or more than 30 days after the decision")
def appeal_decision(data: dict[str, Any], enrollment_id: int) -> dict[str, Any]:
    """Appeal a denial, suspension or revocation within 30 days (owner)."""
    enrollment = _owned(enrollment_id)
    lifecycle.file_appeal(g.api_user, enrollment, grounds=data["grounds"])
    return _done(enrollment)


@blp.route("/enrollments/<int:enrollment_id>/appeal/decision", methods=["POST"])
@policy.require(perms.REVIEW)
@blp.arguments(EnrollmentAppealDecisionSchema)
@blp.response(200, EnrollmentSchema)
@blp.alt_response(403, description="The reviewer who made the decision appealed")
@blp.alt_response(409, description="No open appeal")
def decide_appeal(data: dict[str, Any], enrollment_id: int) -> dict[str, Any]:
    """Uphold or overturn the open appeal (a reviewer other than the deciding one); overturn restores the
    state before the decision."""
    enrollment = _load(enrollment_id)
    lifecycle.decide_appeal(g.api_user, enrollment, action=data["action"], reason=data["reason"])
    return _done(enrollment)


@blp.route("/enrollments/<int:enrollment_id>/annual-review", methods=["POST"])
@policy.require(perms.APPLY)
@blp.arguments(EnrollmentAnnualReviewSchema)
@blp.response(200, EnrollmentSchema)
def annual_review(data: dict[str, Any], enrollment_id: int) -> dict[str, Any]:
    """Confirm the profile is current (owner, while approved): ``review_due`` moves a year on."""
    enrollment = _owned(enrollment_id)
    lifecycle.confirm_annual_review(g.api_user, enrollment, attestation=data["attestation"],
                                    changes=data.get("changes", ""))
    return _done(enrollment)


@blp.route("/enrollments/<int:enrollment_id>/lift-bar", methods=["POST"])
@policy.require(perms.LIFT_BAR)
@blp.arguments(EnrollmentReasonSchema)
@blp.response(200, EnrollmentSchema)
def lift_bar(data: dict[str, Any], enrollment_id: int) -> dict[str, Any]:
    """Lift the 3-year re-application bar of a revoked enrollment (CBP admin, with a reason)."""
    enrollment = _load(enrollment_id)
    return _done(lifecycle.lift_reapplication_bar(g.api_user, enrollment, reason=data["reason"]))


@blp.route("/enrollments/<int:enrollment_id>/other-programs/<int:index>/verification", methods=["POST"])
@policy.require(perms.REVIEW)
@blp.arguments(OtherProgramVerificationSchema)
@blp.response(200, EnrollmentSchema)
def verify_other_program(data: dict[str, Any], enrollment_id: int, index: int) -> dict[str, Any]:
    """Record whether the listed program at ``index`` (from 0) checks out (reviewer)."""
    enrollment = _load(enrollment_id)
    return _done(lifecycle.verify_other_program(g.api_user, enrollment, index, verified=data["verified"],
                                                note=data.get("note", "")))


@blp.route("/enrollments/<int:enrollment_id>/documents")
@policy.require(perms.READ)
@blp.response(200, EnrollmentDocumentSchema(many=True))
def list_documents(enrollment_id: int) -> list[dict[str, Any]]:
    """The application's supporting documents."""
    return enrollment_payload(_load(enrollment_id), g.api_user)["documents"]


@blp.route("/enrollments/<int:enrollment_id>/documents", methods=["POST"])
@policy.require(perms.APPLY)
@blp.multipart_arguments(EnrollmentDocumentUploadSchema, EnrollmentFileSchema)
@blp.response(201, EnrollmentDocumentSchema)
def upload_document(form: dict[str, Any], files: dict[str, Any], enrollment_id: int) -> dict[str, Any]:
    """Attach a PDF, JPEG or PNG (owner; draft, information requested or approved)."""
    enrollment = _owned(enrollment_id)
    document = application.attach_document(g.api_user, enrollment, files["file"], kind=form["kind"],
                                           description=form["description"])
    db.session.commit()
    return next(d for d in enrollment_payload(enrollment, g.api_user)["documents"] if d["id"] == document.id)


@blp.route("/enrollments/<int:enrollment_id>/documents/<int:document_id>")
@policy.require(policy.AUTHENTICATED)  # the object check below answers 404 to everyone else, whatever the role
@blp.response(200, description="The file (attachment)")
def download_document(enrollment_id: int, document_id: int) -> Response:
    """Download a document: the applying organisation and CBP only (404 for anyone else)."""
    enrollment = queries.get_enrollment_for(g.api_user, enrollment_id)
    document = next((d for d in enrollment.documents if d.id == document_id), None)
    if document is None:
        raise NotFound("No such document.")
    return send_stored(document.stored_file)


@blp.route("/enrollments/<int:enrollment_id>/documents/<int:document_id>", methods=["DELETE"])
@policy.require(perms.APPLY)
@blp.response(200, EnrollmentSchema)
def delete_document(enrollment_id: int, document_id: int) -> dict[str, Any]:
    """Detach a document (owner; draft or information requested)."""
    enrollment = _owned(enrollment_id)
    application.remove_document(g.api_user, enrollment, document_id)
    return _done(enrollment)


@blp.route("/public/importers/<program_id>")
@policy.public
@limiter.limit("120 per minute")
@blp.response(200, PublicImporterSchema)
@blp.doc(security=[])
def public_importer(program_id: str) -> dict[str, Any]:
    """Verify a program ID: only importers that consented to publication and are approved (else 404)."""
    enrollment = queries.public_enrollment(program_id)
    if enrollment is not None and services.expire_if_due(enrollment):
        db.session.commit()
        enrollment = None
    if enrollment is None:
        raise NotFound("No published, approved enrollment has this program ID.")
    return {"legal_name": enrollment.legal_name, "status": enrollment.status,
            "sectors": enrollment.approved_sectors, "valid_until": enrollment.valid_until}
