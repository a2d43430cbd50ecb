"""JSON API of release decisions (API.md, "Release decisions"): parse, check access, call one service."""

from __future__ import annotations

from typing import Any

from flask import current_app, g, request
from marshmallow import Schema, fields

from core import policy
from core.apiutil import ApiBlueprint
from core.errors import NotFound, ValidationFailed
from core.extensions import db, limiter
from core.inputs import whole_number
from core.pagination import paginate
from core.uploads import StoredFile, send_stored
from program.decisions import jobs, screen_job, services, shippers
from program.decisions import policy as perms
from program.decisions.models import lines_loaded
from program.decisions.schemas import (
    DecisionListArgs,
    DecisionPageSchema,
    DecisionRequestSchema,
    DecisionSchema,
    ShipperInSchema,
    ShipperListArgs,
    ShipperPageSchema,
    ShipperSchema,
    dump_decision,
)

blp = ApiBlueprint("decisions_api", __name__, url_prefix="/api/v1",
                   description="Expedited release decisions: explainable outcomes per entry line, with a UEI")

MAX_BATCH = 1000
_request_schema = DecisionRequestSchema()


class IdempotencyHeader(Schema):
    """Optional ``Idempotency-Key``: the same key with the same body returns the same decision."""

    class Meta:
        unknown = "exclude"

    idempotency_key = fields.String(data_key="Idempotency-Key")


@blp.route("/release-decisions", methods=["POST"])
@limiter.exempt  # no limit applies to deciding (API.md): skip Flask-Limiter's per-request resolution
@policy.require(perms.DECIDE)
@blp.arguments(IdempotencyHeader(), location="headers", as_kwargs=True)  # instances: not rebuilt per request
@blp.arguments(_request_schema)
@blp.response(201, DecisionSchema())
@blp.alt_response(200, schema=DecisionSchema, description="Replay of an earlier request with the same key")
@blp.alt_response(409, description="The Idempotency-Key was used with a different body")
def create_decision(data: dict[str, Any], idempotency_key: str | None = None) -> Any:
    """Decide an entry: every line's outcome with the reasons, the entry's outcome and a new UEI."""
    outcome = services.request_decision(g.api_user, data, idempotency_key=idempotency_key, trust_cache=True)
    # A ready Response passes flask-smorest's wrapper untouched: the body is DecisionSchema's output, built
    # by dump_decision without marshmallow's per-field machinery, and serialised as jsonify would.
    return current_app.json.response(dump_decision(outcome.payload)), (201 if outcome.created else 200)


@blp.route("/release-decisions/batch", methods=["POST"])
@policy.require(perms.DECIDE)
@blp.doc(requestBody={"required": True, "content": {"application/json": {"schema": {
    "type": "array", "minItems": 1, "maxItems": MAX_BATCH, "items": {"$ref": "#/components/schemas/DecisionRequest"}}}}})
@blp.response(200, description="One entry per item, in order: a decision, or an error with its status. With an "
                              "Idempotency-Key header a replay of the same batch returns the same decisions")
@blp.alt_response(409, description="The Idempotency-Key was used with a different batch")
def create_decisions_batch() -> Any:
    """Decide up to 1,000 entries on one load of program facts; bad items get their own error entry."""
    items = request.get_json(silent=True)
    if not isinstance(items, list):
        raise ValidationFailed("The body is a JSON array of decision requests.",
                               fields={"body": ["Send a JSON array of up to 1,000 decision requests."]})
    if not 1 <= len(items) <= MAX_BATCH:
        raise ValidationFailed(f"A batch holds 1 to {MAX_BATCH} requests; this one has {len(items)}.",
                               fields={"body": [f"Send 1 to {MAX_BATCH} requests per batch."]})
    results = services.decide_batch(g.api_user, items, _request_schema.load,
                                    idempotency_key=request.headers.get("Idempotency-Key"))
    schema = DecisionSchema()
    return [schema.dump(item) if "uei" in item else item for item in results]


@blp.route("/release-decisions/<int:decision_id>")
@policy.require(perms.READ)
@blp.response(200, DecisionSchema)
def get_decision(decision_id: int) -> dict[str, Any]:
    """One decision with its lines and reasons (importers: their organisation's only, else 404)."""
    decision = services.get_decision_for(g.api_user, decision_id)
    return services.decision_payload(decision, g.api_user)


@blp.route("/release-decisions")
@policy.require(perms.READ)
@blp.arguments(DecisionListArgs, location="query")
@blp.response(200, DecisionPageSchema)
def list_decisions(args: dict[str, Any]) -> dict[str, Any]:
    """Decisions the caller may see, newest first, filtered by IOR number, outcome, entry, port and dates."""
    query = services.filtered(services.visible_decisions(g.api_user), args)
    page = paginate(query.options(*lines_loaded()), args["page"], args["page_size"])
    return page.envelope([services.decision_payload(d, g.api_user) for d in page.items])


def _on_behalf_of() -> int | None:
    value = (request.form.get("on_behalf_of") or request.args.get("on_behalf_of") or "").strip()
    if not value:
        return None
    number = whole_number(value)
    if number is None:
        raise ValidationFailed("on_behalf_of is an importer organisation id.",
                               fields={"on_behalf_of": ["Give the importer organisation's id (a number)."]})
    return number


def _job_payload(job_id: int) -> dict[str, Any]:
    return screen_job.status_payload(screen_job.job_for(g.api_user, job_id),
                                     result_endpoint="decisions_api.get_screening_result")


@blp.route("/screening-jobs", methods=["POST"])
@policy.require(perms.SCREEN)
@blp.doc(requestBody={"required": True, "content": {"multipart/form-data": {"schema": {
    "type": "object", "required": ["file"], "properties": {
        "file": {"type": "string", "format": "binary"},
        "on_behalf_of": {"type": "integer", "description": "Brokers: the importer organisation screened for"}}}}}})
@blp.response(202, description="The job, queued on a worker (or already screened without one)")
@blp.alt_response(403, description="A broker without a live decisions delegation from that importer")
def create_screening_job() -> Any:
    """Bulk-screen a CSV of entry lines (the columns of ``decisions screen``). A customs broker names the
    importer it screens for; entries of other importers are rejected with ``no_delegation``."""
    job = screen_job.create_job(g.api_user, request.files.get("file"), max_bytes=screen_job.max_upload_bytes(),
                                on_behalf_of=_on_behalf_of())
    db.session.commit()
    job_id = job.id
    jobs.submit(job_id)
    return _job_payload(job_id), 202


@blp.route("/screening-jobs/<int:job_id>")
@policy.require(perms.SCREEN)
@blp.response(200, description="Progress, summary, the first rejected rows and the result's URL once finished")
def get_screening_job(job_id: int) -> Any:
    """A screening job (CBP: any; a broker: its organisation's)."""
    return _job_payload(job_id)


@blp.route("/screening-jobs/<int:job_id>/result.csv")
@policy.require(perms.SCREEN)
@blp.response(200, description="The input columns plus line_outcome, entry_outcome, reasons and uei")
def get_screening_result(job_id: int) -> Any:
    """The result CSV of a finished job (404 before)."""
    job = screen_job.job_for(g.api_user, job_id)
    if job.output_file_id is None:
        raise NotFound("The job has no result yet.")
    return send_stored(db.session.get(StoredFile, job.output_file_id))


@blp.route("/violative-shippers", methods=["POST"])
@policy.require(perms.SHIPPERS)
@blp.arguments(ShipperInSchema)
@blp.response(201, ShipperSchema)
def add_violative_shipper(data: dict[str, Any]) -> Any:
    """List a known violative shipper: parcels whose seller matches it are referred for examination."""
    shipper = shippers.add_shipper(g.api_user, name=data["name"], country=data.get("country"), reason=data["reason"])
    db.session.commit()
    return shipper.to_dict()


@blp.route("/violative-shippers")
@policy.require(perms.SHIPPERS)
@blp.arguments(ShipperListArgs, location="query")
@blp.response(200, ShipperPageSchema)
def list_violative_shippers(args: dict[str, Any]) -> dict[str, Any]:
    """The known violative shippers, newest first."""
    page = paginate(shippers.shippers_query(args.get("q", "")), args["page"], args["page_size"])
    return page.envelope([s.to_dict() for s in page.items])


@blp.route("/violative-shippers/<int:shipper_id>", methods=["DELETE"])
@policy.require(perms.SHIPPERS)
@blp.response(204)
def delete_violative_shipper(shipper_id: int) -> None:
    """Take a shipper off the list."""
    shippers.remove_shipper(g.api_user, shipper_id)
    db.session.commit()
