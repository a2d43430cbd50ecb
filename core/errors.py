"""Domain errors and the handlers that turn them into JSON (API) or pages (web)."""

from __future__ import annotations

from typing import Any

from flask import Flask, flash, jsonify, redirect, render_template, request
from werkzeug.exceptions import HTTPException


class DomainError(Exception):
    """Base of every error a service raises; carries a machine code, a message and an HTTP status."""

    status = 400
    code = "error"

    def __init__(self, message: str, *, code: str | None = None, fields: dict[str, Any] | None = None):
        super().__init__(message)
        self.message = message
        if code:
            self.code = code
        self.fields = fields or {}

    def to_dict(self) -> dict[str, Any]:
        """Serialise the error for JSON clients."""
        body: dict[str, Any] = {"code": self.code, "message": self.message, "status": self.status}
        if self.fields:
            body["errors"] = {"json": self.fields}
        return body


class ValidationFailed(DomainError):
    """Input that breaks a rule; ``fields`` names each failing field (422)."""

    status = 422
    code = "validation_error"


class PayloadTooLarge(DomainError):
    """A body, file or text field over its size limit, refused before it is parsed (413)."""

    status = 413
    code = "payload_too_large"


class NotAllowed(DomainError):
    """The actor's role or organisation may not do this (403)."""

    status = 403
    code = "forbidden"


class NotFound(DomainError):
    """No such object, or one the actor must not learn exists (404)."""

    status = 404
    code = "not_found"


class Conflict(DomainError):
    """The object's state does not allow the action (409)."""

    status = 409
    code = "conflict"


HTTP_CODES = {
    400: "bad_request",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    409: "conflict",
    413: "payload_too_large",
    415: "unsupported_media_type",
    422: "validation_error",
    429: "too_many_requests",
    500: "internal_error",
}


def wants_json() -> bool:
    """True for API and health requests, which always answer JSON."""
    return request.path.startswith("/api/") or request.path == "/healthz"


def json_error(status: int, message: str, code: str | None = None, errors: Any = None):
    """Build a JSON error response in the one shape every API client sees."""
    body: dict[str, Any] = {"code": code or HTTP_CODES.get(status, "error"), "message": message,
                            "status": status}
    if errors:
        body["errors"] = errors
    response = jsonify(body)
    response.status_code = status
    return response


def register_error_handlers(app: Flask) -> None:
    """Map domain errors and HTTP errors to JSON for the API and to pages for people."""

    @app.errorhandler(DomainError)
    def handle_domain_error(error: DomainError):
        if wants_json():
            response = jsonify(error.to_dict())
            response.status_code = error.status
            return response
        if error.status in (403, 404):
            return render_template(f"errors/{error.status}.html", message=error.message), error.status
        flash(error.message, "error")
        return redirect(request.referrer or request.url)

    @app.errorhandler(HTTPException)
    def handle_http_exception(error: HTTPException):
        status = error.code or 500
        if wants_json():
            errors = None
            data = getattr(error, "data", None)
            if isinstance(data, dict) and "messages" in data:
                errors = data["messages"]
            message = error.description if status != 422 else "Some fields are not valid."
            response = json_error(status, message, errors=errors)
            if status == 405 and getattr(error, "valid_methods", None):
                response.headers["Allow"] = ", ".join(sorted(error.valid_methods))
            if status == 429:
                response.headers["Retry-After"] = error.get_response().headers.get("Retry-After", "60")
            return response
        template = status if status in (400, 403, 404, 413, 429) else "generic"
        return render_template(f"errors/{template}.html", error=error, status=status), status

    @app.errorhandler(500)
    def handle_server_error(error):
        if wants_json():
            return json_error(500, "Something went wrong on our side; it has been logged.")
        return render_template("errors/500.html"), 500
