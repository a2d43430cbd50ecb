"""JSON API of enforcement cases and statistics (API.md, "Enforcement cases"): thin handlers — check
access, call one service, commit once, serialise through ``policy.present``."""

from __future__ import annotations

from typing import Any

from flask import g
from flask_smorest.fields import Upload
from marshmallow import Schema, fields

from core import policy as core_policy
from core.apiutil import ApiBlueprint
from core.errors import ValidationFailed
from core.extensions import db
from core.pagination import paginate
from program.cases import policy, queries, services, stats
from program.cases.schemas import (
    BulkEventsInSchema,
    BulkEventsOutSchema,
    CaseCreateSchema,
    CaseEventInSchema,
    CaseListArgs,
    CasePageSchema,
    CaseSchema,
    CaseWithEventSchema,
    EnforcementStatsSchema,
)
from program.decisions.models import ReleaseDecision

blp = ApiBlueprint("cases_api", __name__, url_prefix="/api/v1",
                   description="Enforcement cases: detention, images, responses, outcomes; enforcement statistics")


class CaseImageUploadSchema(Schema):
    """A detention image: multipart part ``file`` (API.md; ``image`` is accepted too), JPEG or PNG."""

    file = Upload(load_default=None)
    image = Upload(load_default=None)


class CaseImageCaptionSchema(Schema):
    """Form fields of an uploaded image: caption, redacted or not, the lines it shows."""

    caption = fields.String(load_default="")
    redacted = fields.String(load_default="false", metadata={"description": "true when codes are blacked out"})
    line_nos = fields.String(load_default="", metadata={"description": "Lines shown, e.g. '1,2'; default all detained"})
    codes = fields.String(load_default="", metadata={"description": "Serial numbers, UPC, SKU seen on the goods"})


@blp.route("/cases", methods=["POST"])
@core_policy.require(policy.MANAGE)
@blp.arguments(CaseCreateSchema)
@blp.response(201, CaseSchema)
@blp.alt_response(409, description="The decision already has a case")
def create_case(data: dict[str, Any]) -> dict[str, Any]:
    """Detain the shipment of a release decision: the case takes the decision's UEI."""
    decision = db.session.get(ReleaseDecision, data["decision_id"])
    if decision is None:
        raise ValidationFailed("No such release decision.", fields={"decision_id": ["No such release decision."]})
    case = services.open_case(g.api_user, decision, notice_date=data["notice_date"], basis=data.get("basis"),
                              presented_on=data.get("presented_on"), detained_on=data.get("detained_on"),
                              line_nos=data.get("line_nos"), country_of_origin=data.get("country_of_origin"),
                              note=data.get("note", ""))
    db.session.commit()
    return policy.present(case, policy.view_for(g.api_user, case))


@blp.route("/cases")
@core_policy.require(policy.READ)
@blp.arguments(CaseListArgs, location="query")
@blp.response(200, CasePageSchema)
def list_cases(args: dict[str, Any]) -> dict[str, Any]:
    """Cases the caller may see, newest notice first (CBP all; importers theirs; rights holders their marks')."""
    user = g.api_user
    query = queries.case_list_query(user, status=args.get("status"), port=args.get("port"),
                                    overdue=args.get("overdue", False))
    page = paginate(query, args["page"], args["page_size"])
    return page.envelope([policy.summary(case, policy.view_for(user, case)) for case in page.items])


@blp.route("/cases/bulk-events", methods=["POST"])
@core_policy.require(policy.MANAGE)
@blp.arguments(BulkEventsInSchema)
@blp.response(200, BulkEventsOutSchema)
def bulk_events(data: dict[str, Any]) -> dict[str, Any]:
    """Small parcels together: abandon, destroy, release or seize many cases at once, each on its own."""
    results = services.record_bulk(g.api_user, data["ueis"], event_type=data["type"], note=data.get("note", ""))
    db.session.commit()
    applied = sum(1 for r in results if r["result"] == "applied")
    return {"results": results, "applied": applied, "refused": len(results) - applied}


@blp.route("/cases/<uei>")
@core_policy.require(policy.READ)
@blp.response(200, CaseSchema)
def get_case(uei: str) -> dict[str, Any]:
    """One case, as far as the caller may see it (422 malformed UEI, 404 unknown or not the caller's)."""
    case, view = policy.get_case_for(g.api_user, uei)
    return policy.present(case, view)


@blp.route("/cases/<uei>/events", methods=["POST"])
@core_policy.require(policy.READ)
@blp.arguments(CaseEventInSchema)
@blp.response(201, CaseWithEventSchema)
@blp.alt_response(409, description="The case is closed, not seized, or disclosure is not permitted yet")
def add_event(data: dict[str, Any], uei: str) -> dict[str, Any]:
    """Record an event: reviewer (shares, disclosure, extensions, outcomes, post-seizure steps), importer
    (importer_response), mark owner (rights_holder_authentication)."""
    case, _view = policy.get_case_for(g.api_user, uei)
    extra = {key: data.get(key) for key in ("amount", "until", "bond_reference", "manufacturer", "exporter")}
    event = services.record_event(g.api_user, case, event_type=data["type"], event_date=data.get("date"),
                                  note=data.get("note", ""), **extra)
    db.session.commit()
    view = policy.view_for(g.api_user, case)
    payload = policy.present(case, view)
    payload["event"] = next(e for e in payload["events"] if e["id"] == event.id)
    return payload


@blp.route("/cases/<uei>/images", methods=["POST"])
@core_policy.require(policy.MANAGE)
@blp.multipart_arguments(CaseImageCaptionSchema, CaseImageUploadSchema)
@blp.response(201, CaseSchema)
def upload_image(form: dict[str, Any], files: dict[str, Any], uei: str) -> dict[str, Any]:
    """Upload a detention image (JPEG/PNG) of some lines, redacted or not; the importer sees it at once."""
    case, view = policy.get_case_for(g.api_user, uei)
    upload = files.get("file") or files.get("image")
    if upload is None:
        raise ValidationFailed("Attach the image.", fields={"file": ["Attach a JPEG or PNG image."]})
    services.add_image(g.api_user, case, upload, caption=form.get("caption", ""), redacted=form.get("redacted"),
                       line_nos=form.get("line_nos"), codes=form.get("codes", ""))
    db.session.commit()
    return policy.present(case, view)


@blp.route("/stats/enforcement")
@core_policy.require(policy.STATS)
@blp.response(200, EnforcementStatsSchema)
def enforcement_stats() -> dict[str, Any]:
    """Closed cases by outcome, sector and month; median days to resolution; expedited later detained."""
    return stats.enforcement_stats()
