"""JSON API for tokens and the caller's identity (API.md, "Auth")."""

from __future__ import annotations

from flask import g

from core import policy
from core.accounts import services, throttle
from core.accounts.schemas import MeSchema, TokenInfoSchema, TokenRequestSchema, TokenSchema
from core.accounts.throttle import throttled
from core.apiutil import ApiBlueprint as Blueprint
from core.errors import json_error
from core.extensions import db

blp = Blueprint("auth_api", __name__, url_prefix="/api/v1", description="Tokens and the caller's identity")


@blp.route("/auth/token", methods=["POST"])
@policy.public
@throttled
@blp.arguments(TokenRequestSchema)
@blp.response(200, TokenSchema)
@blp.alt_response(401, description="Wrong credentials")
@blp.alt_response(429, description="Too many failed attempts for this account or address")
@blp.doc(security=[])
def issue_token(data):
    """Exchange e-mail and password for a bearer token (failures are rate-limited)."""
    throttle.check_allowed(data["email"])
    user = services.authenticate(data["email"], data["password"])
    if user is None:
        throttle.record_failure(data["email"], "api")
        db.session.commit()
        return json_error(401, "The e-mail address or password is not right.", code="invalid_credentials")
    plain, token = services.issue_token(user, data.get("name") or "API token")
    throttle.record_success(user, "api")
    db.session.commit()
    return {"token": plain, "id": token.id}


@blp.route("/me")
@policy.require(policy.AUTHENTICATED)
@blp.response(200, MeSchema)
def me():
    """Who the token belongs to."""
    return g.api_user


@blp.route("/auth/tokens")
@policy.require("tokens.own")
@blp.response(200, TokenInfoSchema(many=True))
def list_tokens():
    """The caller's tokens, newest first (never the token values)."""
    return services.tokens_of(g.api_user)


@blp.route("/auth/tokens/<int:token_id>", methods=["DELETE"])
@policy.require("tokens.own")
@blp.response(200, TokenInfoSchema)
def revoke_token(token_id: int):
    """Revoke one of the caller's tokens."""
    token = services.revoke_token(g.api_user, token_id)
    db.session.commit()
    return token
