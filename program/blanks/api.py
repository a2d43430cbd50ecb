"""JSON API of blank-goods declarations (API.md, "Blank-goods declarations"): thin handlers — check
access, call one service, commit once."""

from __future__ import annotations

from typing import Any

from flask import g

from core import policy
from core.accounts import delegations
from core.apiutil import ApiBlueprint
from core.errors import NotFound, ValidationFailed
from core.extensions import db
from core.pagination import paginate
from program.blanks import policy as perms
from program.blanks import queries, services
from program.blanks.models import BlankDeclaration
from program.blanks.schemas import (
    BlankAnswerSchema,
    BlankDeclarationInSchema,
    BlankDeclarationPageSchema,
    BlankDeclarationSchema,
    BlankLicensedLinePageSchema,
    BlankListArgs,
    BlankQuestionSchema,
    BlankReasonSchema,
    BlankWithdrawSchema,
    declaration_payload,
    licensed_line_payload,
)

blp = ApiBlueprint("blanks_api", __name__, url_prefix="/api/v1",
                   description="Blank-goods declarations: parties, lines and the quantities decisions consume")


def _load(public_id: str) -> BlankDeclaration:
    """The declaration if the caller may see it (else 404; a broker without the importer's
    ``blank_declarations`` delegation 403), expired first when its validity has passed."""
    if delegations.is_broker(g.api_user):
        declaration = queries.get_declaration(public_id)
        if declaration is None:
            raise NotFound("No such blank-goods declaration.")
        delegations.authorize(g.api_user, declaration.organization_id, "blank_declarations")
    else:
        declaration = queries.get_declaration_for(g.api_user, public_id)
    if services.expire_if_due(declaration):
        db.session.commit()
    return declaration


def _owned(public_id: str) -> BlankDeclaration:
    declaration = _load(public_id)
    if not delegations.is_broker(g.api_user):  # a broker's delegation was checked by _load
        queries.require_owner(g.api_user, declaration)
    return declaration


def _actor(on_behalf_of: int | None) -> Any:
    """The caller, or for a broker token the importer it acts for (``on_behalf_of``, required; 403 without a
    live ``blank_declarations`` delegation)."""
    user = g.api_user
    if not delegations.is_broker(user):
        if on_behalf_of not in (None, user.organization_id):
            raise ValidationFailed("Only a customs broker acts on behalf of another organisation.",
                                   fields={"on_behalf_of": ["Leave out: you act for your own organisation."]})
        return user
    if on_behalf_of is None:
        raise ValidationFailed("Say which importer you act for.",
                               fields={"on_behalf_of": ["Give the importer organisation's id."]})
    return delegations.ActingFor(user, delegations.authorize(user, on_behalf_of, "blank_declarations"))


def _done(declaration: BlankDeclaration) -> dict[str, Any]:
    db.session.commit()
    return declaration_payload(declaration)


@blp.route("/blank-declarations", methods=["POST"])
@policy.require(perms.FILE_API)
@blp.arguments(BlankDeclarationInSchema)
@blp.response(201, BlankDeclarationSchema)
@blp.alt_response(403, description="The importer has no approved, unexpired enrollment")
def file_declaration(data: dict[str, Any]) -> dict[str, Any]:
    """File a declaration (enrolled importers): parties (a manufacturer), lines (or ``lines_csv``), attestation."""
    actor = _actor(data.pop("on_behalf_of", None))
    return _done(services.file_declaration(actor, data))


@blp.route("/blank-declarations")
@policy.require(perms.READ)
@blp.arguments(BlankListArgs, location="query")
@blp.response(200, BlankDeclarationPageSchema)
def list_declarations(args: dict[str, Any]) -> dict[str, Any]:
    """Declarations, newest first: every importer's for CBP, the caller's own for importers."""
    user = g.api_user
    scope = None if queries.sees_all(user) else user.organization_id
    if services.expire_declarations(organization_id=scope):
        db.session.commit()
    query = queries.filter_declarations(
        queries.visible_declarations(user), status=args.get("status"), hts_chapter=args.get("hts_chapter"),
        country=args.get("country"), organization_id=args.get("organization_id"))
    page = paginate(query, args["page"], args["page_size"])
    return page.envelope([declaration_payload(d, ledger=False) for d in page.items])


@blp.route("/blank-declarations/licensed-lines")
@policy.require(perms.LICENSED)
@blp.arguments(BlankListArgs, location="query")
@blp.response(200, BlankLicensedLinePageSchema)
def licensed_lines(args: dict[str, Any]) -> dict[str, Any]:
    """Rights holders: licensed lines naming one of their marks, so they can confirm the authorisation."""
    page = paginate(queries.licensed_lines_for_owner(g.api_user.organization_id), args["page"], args["page_size"])
    return page.envelope([licensed_line_payload(line) for line in page.items])


@blp.route("/blank-declarations/<public_id>")
@policy.require(perms.READ_API)
@blp.response(200, BlankDeclarationSchema)
def get_declaration(public_id: str) -> dict[str, Any]:
    """One declaration with its parties, lines, queries and consumption ledger."""
    return declaration_payload(_load(public_id))


@blp.route("/blank-declarations/<public_id>/revoke", methods=["POST"])
@policy.require(perms.REVIEW)
@blp.arguments(BlankReasonSchema)
@blp.response(200, BlankDeclarationSchema)
@blp.alt_response(409, description="Not filed or queried")
def revoke_declaration(data: dict[str, Any], public_id: str) -> dict[str, Any]:
    """Revoke a filed or queried declaration (reviewers, with a reason)."""
    return _done(services.revoke_declaration(g.api_user, _load(public_id), reason=data["reason"]))


@blp.route("/blank-declarations/<public_id>/withdraw", methods=["POST"])
@policy.require(perms.FILE_API)
@blp.arguments(BlankWithdrawSchema, required=False)
@blp.response(200, BlankDeclarationSchema)
@blp.alt_response(409, description="Not filed or queried")
def withdraw_declaration(data: dict[str, Any], public_id: str) -> dict[str, Any]:
    """Withdraw the organisation's filed or queried declaration."""
    declaration = _owned(public_id)
    actor = _actor(declaration.organization_id) if delegations.is_broker(g.api_user) else g.api_user
    return _done(services.withdraw_declaration(actor, declaration, reason=(data or {}).get("reason", "")))


@blp.route("/blank-declarations/<public_id>/query", methods=["POST"])
@policy.require(perms.REVIEW)
@blp.arguments(BlankQuestionSchema)
@blp.response(200, BlankDeclarationSchema)
@blp.alt_response(409, description="Not filed")
def query_declaration(data: dict[str, Any], public_id: str) -> dict[str, Any]:
    """Ask the importer a question about a filed declaration (reviewers); it becomes ``queried``."""
    return _done(services.query_declaration(g.api_user, _load(public_id), question=data["question"]))


@blp.route("/blank-declarations/<public_id>/answer", methods=["POST"])
@policy.require(perms.FILE)
@blp.arguments(BlankAnswerSchema)
@blp.response(200, BlankDeclarationSchema)
@blp.alt_response(409, description="Not queried")
def answer_query(data: dict[str, Any], public_id: str) -> dict[str, Any]:
    """Answer CBP's open question (the importer that filed); the declaration is ``filed`` again."""
    return _done(services.answer_query(g.api_user, _owned(public_id), answer=data["answer"]))
