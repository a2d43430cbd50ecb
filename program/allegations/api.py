"""JSON API of Report IP theft: the public intake (no token, rate-limited) and the reviewers' triage."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from flask import current_app, g, request
from sqlalchemy import select

from core import policy
from core.apiutil import ApiBlueprint as Blueprint
from core.errors import NotFound, json_error
from core.extensions import db, limiter
from core.uploads import StoredFile, send_stored
from program.allegations import queries, services
from program.allegations.models import AllegationEvidence
from program.allegations.policy import TRIAGE
from program.allegations.schemas import (
    AllegationPageSchema,
    AllegationQuerySchema,
    AllegationSchema,
    ReceiptSchema,
    ReportCreateSchema,
    TriageSchema,
)
from program.allegations.states import API_BODY_MAX

blp = Blueprint("allegations_api", __name__, url_prefix="/api/v1",
                description="Report IP theft: public intake and CBP triage")


def report_limit() -> str:
    """Per-address limit on reports (config ``ALLEGATION_RATE_LIMIT``; API.md: at least 10 a minute allowed)."""
    return current_app.config.get("ALLEGATION_RATE_LIMIT", "20 per minute;200 per day")


def body_capped(limit: int) -> Callable[[Callable], Callable]:
    """Refuse a body over ``limit`` bytes with 413 before it is parsed."""

    def decorator(view: Callable) -> Callable:
        @functools.wraps(view)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            if request.content_length is not None and request.content_length > limit:
                return json_error(413, f"The body is larger than {limit // 1024} KB.")
            return view(*args, **kwargs)

        return wrapper

    return decorator


@blp.route("/public/allegations", methods=["POST"])
@policy.public
@limiter.limit(report_limit, methods=["POST"])
@body_capped(API_BODY_MAX)
@blp.arguments(ReportCreateSchema)
@blp.response(201, ReceiptSchema)
@blp.alt_response(413, description="Body over 64 KB")
@blp.alt_response(422, description="A field is missing or wrong; the body names it")
@blp.alt_response(429, description="Too many reports from this address")
@blp.doc(security=[])
def report(data: dict[str, Any]) -> dict[str, str]:
    """Report suspected IP theft (no account needed; the reporter may stay anonymous); returns the receipt."""
    allegation = services.receive_allegation(data, channel="api")
    db.session.commit()
    return {"receipt": allegation.receipt}


@blp.route("/allegations")
@policy.require(TRIAGE)
@blp.arguments(AllegationQuerySchema, location="query")
@blp.response(200, AllegationPageSchema)
def list_allegations(args: dict[str, Any]) -> dict[str, Any]:
    """The triage queue, newest first, filtered by ``status`` (reviewers only)."""
    page = queries.queue(args.get("status"), args["page"], args["page_size"], (args.get("q") or "").strip())
    return page.envelope(page.items)


@blp.route("/allegations/<int:allegation_id>")
@policy.require(TRIAGE)
@blp.response(200, AllegationSchema)
@blp.alt_response(404, description="No such allegation")
def get_allegation(allegation_id: int):
    """One allegation with its reporter, evidence and triage history."""
    return services.get_allegation(allegation_id)


@blp.route("/allegations/<int:allegation_id>/triage", methods=["POST"])
@policy.require(TRIAGE)
@blp.arguments(TriageSchema)
@blp.response(200, AllegationSchema)
@blp.alt_response(404, description="No such allegation")
@blp.alt_response(409, description="The allegation's status does not allow this move")
def triage(data: dict[str, Any], allegation_id: int):
    """Move an allegation on (triaged, referred or closed) and link it to an importer, IOR number or case."""
    allegation = services.triage_allegation(
        g.api_user, services.get_allegation(allegation_id), status=data["status"], note=data["note"],
        organization_id=data.get("organization_id"), ior_number=data.get("ior_number"), case_uei=data.get("case_uei"))
    db.session.commit()
    return allegation


@blp.route("/allegations/<int:allegation_id>/evidence/<int:file_id>")
@policy.require(TRIAGE)
@blp.response(200, description="The evidence file, PDF, JPEG or PNG (its type in Content-Type)")
@blp.alt_response(404, description="No such file on this allegation")
def evidence_file(allegation_id: int, file_id: int):
    """Download one evidence file (reviewers only)."""
    return send_stored(evidence_of(allegation_id, file_id))


def evidence_of(allegation_id: int, file_id: int) -> StoredFile:
    """An evidence file of the allegation; 404 for files of anything else."""
    if not (0 < allegation_id < 2**31 and 0 < file_id < 2**31):  # beyond any id the database can hold
        raise NotFound("No such file on this allegation.")
    stored = db.session.scalar(select(StoredFile).join(AllegationEvidence, AllegationEvidence.stored_file_id == StoredFile.id)
                               .where(AllegationEvidence.allegation_id == allegation_id, StoredFile.id == file_id))
    if stored is None:
        raise NotFound("No such file on this allegation.")
    return stored
