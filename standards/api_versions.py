"""JSON API of standard versions and their endorsements (API.md, "Standards"). ``<id>`` is a version id."""

from __future__ import annotations

from typing import Any

from core import policy
from core.apiutil import ApiBlueprint as Blueprint
from core.extensions import db
from core.pagination import paginate
from standards import lookups
from standards import policy as perms
from standards.schemas import (
    DeclineSchema,
    EndorsementSchema,
    EndorseSchema,
    StandardCreateSchema,
    StandardPageSchema,
    StandardPatchSchema,
    StandardQuerySchema,
    StandardVersionSchema,
    WithdrawSchema,
)
from standards.serialize import version_payload
from standards.services import endorsements as endorsement_services
from standards.services import versions as version_services

blp = Blueprint("standard_versions_api", __name__, url_prefix="/api/v1",
                description="Genuineness standards: versions, endorsements, publication")


def _committed(version):
    db.session.commit()
    return version_payload(version, policy.current_principal())


@blp.route("/standards", methods=["POST"])
@policy.require(perms.STANDARDS_AUTHOR)
@blp.arguments(StandardCreateSchema)
@blp.response(201, StandardVersionSchema)
def create_standard(data) -> dict[str, Any]:
    """Start a standard of the caller's organisation: version 1, a draft."""
    return _committed(version_services.create_standard(policy.current_principal(), **data))


@blp.route("/standards")
@policy.require(perms.STANDARDS_READ)
@blp.arguments(StandardQuerySchema, location="query")
@blp.response(200, StandardPageSchema)
def list_standards(args) -> dict[str, Any]:
    """Versions the caller may see (drafts only of its own organisation), newest first."""
    user = policy.current_principal()
    query = lookups.versions_query(user, sector=args.get("sector"), status=args.get("status"),
                                   standard_id=args.get("standard_id"), mine=bool(args.get("mine")))
    page = paginate(query, args["page"], args["page_size"])
    return page.envelope([version_payload(v, user, with_history=False) for v in page.items])


@blp.route("/standards/<int:version_id>")
@policy.require(perms.STANDARDS_READ)
@blp.response(200, StandardVersionSchema)
def get_standard(version_id: int) -> dict[str, Any]:
    """One version with its requirements, endorsements, declines and the standard's other versions."""
    user = policy.current_principal()
    return version_payload(lookups.visible_version(user, version_id), user)


@blp.route("/standards/<int:version_id>", methods=["PATCH"])
@policy.require(perms.STANDARDS_AUTHOR)
@blp.arguments(StandardPatchSchema)
@blp.response(200, StandardVersionSchema)
def update_standard(data, version_id: int) -> dict[str, Any]:
    """Change a draft (its authors; 409 once proposed)."""
    user = policy.current_principal()
    version = lookups.visible_version(user, version_id)
    return _committed(version_services.update_draft(user, version, **data))


@blp.route("/standards/<int:version_id>/propose", methods=["POST"])
@policy.require(perms.STANDARDS_AUTHOR)
@blp.response(200, StandardVersionSchema)
def propose_standard(version_id: int) -> dict[str, Any]:
    """Propose a complete draft for endorsement (422 naming what is missing)."""
    user = policy.current_principal()
    return _committed(version_services.propose_version(user, lookups.get_version(version_id)))


@blp.route("/standards/<int:version_id>/withdraw", methods=["POST"])
@policy.require(perms.STANDARDS_AUTHOR)
@blp.arguments(WithdrawSchema)
@blp.response(200, StandardVersionSchema)
def withdraw_standard(data, version_id: int) -> dict[str, Any]:
    """Withdraw a draft or proposal (its authors)."""
    user = policy.current_principal()
    version = lookups.get_version(version_id)
    return _committed(version_services.withdraw_version(user, version, data["reason"]))


@blp.route("/standards/<int:version_id>/publish", methods=["POST"])
@policy.require(perms.STANDARDS_PUBLISH)
@blp.response(200, StandardVersionSchema)
def publish_standard(version_id: int) -> dict[str, Any]:
    """Publish an endorsed proposal; supersedes the standard's published version (409 without endorsement)."""
    user = policy.current_principal()
    return _committed(version_services.publish_version(user, lookups.get_version(version_id)))


@blp.route("/standards/<int:version_id>/revise", methods=["POST"])
@policy.require(perms.STANDARDS_AUTHOR)
@blp.response(201, StandardVersionSchema)
def revise_standard(version_id: int) -> dict[str, Any]:
    """Copy the latest version into a new draft (new id, version + 1)."""
    user = policy.current_principal()
    return _committed(version_services.revise_version(user, lookups.get_version(version_id)))


@blp.route("/standards/<int:version_id>/endorsements", methods=["POST"])
@policy.require(perms.STANDARDS_ENDORSE)
@blp.arguments(EndorseSchema)
@blp.response(201, EndorsementSchema)
def endorse_standard(data, version_id: int) -> dict[str, Any]:
    """Endorse a proposed or published version for some of the caller's organisation's marks."""
    user = policy.current_principal()
    endorsement = endorsement_services.endorse_version(user, lookups.get_version(version_id), **data)
    db.session.commit()
    return endorsement.to_dict()


@blp.route("/standards/<int:version_id>/declines", methods=["POST"])
@policy.require(perms.STANDARDS_ENDORSE)
@blp.arguments(DeclineSchema)
@blp.response(201, EndorsementSchema)
def decline_standard(data, version_id: int) -> dict[str, Any]:
    """Decline a proposed or published version, with a reason."""
    user = policy.current_principal()
    version = lookups.get_version(version_id)
    decline = endorsement_services.decline_version(user, version, reason=data["reason"])
    db.session.commit()
    return decline.to_dict()


@blp.route("/standards/<int:version_id>/endorsements/<int:endorsement_id>", methods=["DELETE"])
@policy.require(perms.STANDARDS_ENDORSE)
@blp.response(200, EndorsementSchema)
def withdraw_endorsement(version_id: int, endorsement_id: int) -> dict[str, Any]:
    """Withdraw the caller's organisation's endorsement (or decline); release decisions stop counting it."""
    user = policy.current_principal()
    decision = endorsement_services.get_decision(version_id, endorsement_id)
    endorsement_services.withdraw_decision(user, decision)
    db.session.commit()
    return decision.to_dict()
