"""The input layer: what the database cannot hold is refused before any view runs (API.md, "Conventions").

- Integer path segments (``<int:…>``) are bounded to what an id column holds (PostgreSQL ``INTEGER``, 32 bits
  signed) by the URL converter, so a larger id simply matches no route (404), on every route at once.
- Query parameters holding an integer beyond that → 422 naming the parameter.
- NUL characters (PostgreSQL refuses them in text) in the query string, form fields, JSON bodies or
  path segments → 422 naming the field (404 for a path segment).
- marshmallow ``Integer`` fields (every API schema's: ids, line numbers, counts) load only what an ``INTEGER``
  column holds: ``"3000000000"`` (a string, or a number) is the field's 422, not an overflow in the database.
- Bodies: a JSON body over ``JSON_MAX_BYTES`` → 413 before it is parsed; every text value (query, form or
  JSON string) longer than ``TEXT_MAX_CHARS`` (``lines_csv``: its 2 MB cap) → 413 naming the field; JSON
  numbers beyond 64 bits or not finite → 422 naming the field.
"""

from __future__ import annotations

import math
import re
from typing import Any, TypeVar

from flask import Flask, current_app, request
from marshmallow import fields
from werkzeug.exceptions import HTTPException
from werkzeug.routing import IntegerConverter

from core.extensions import db

Row = TypeVar("Row")

INT64_MAX = 2**63 - 1
INT64_MIN = -(2**63)
# Ids and the integers the API takes live in INTEGER columns (32 bits on PostgreSQL).
INT_MAX = 2**31 - 1
INT_MIN = -(2**31)
TEXT_MAX_CHARS = 100_000
JSON_MAX_BYTES = 16 * 1024 * 1024
# Text fields allowed to be longer than TEXT_MAX_CHARS (each still capped, before it is parsed).
LONG_TEXT_FIELDS = {"lines_csv": 2 * 1024 * 1024}
_INTEGER = re.compile(r"[+-]?\d+")


class BoundedIntegerConverter(IntegerConverter):
    """``<int:…>`` limited to what an id column holds: a larger id matches no route (404)."""

    def __init__(self, map, *args: Any, **kwargs: Any) -> None:  # noqa: A002 (werkzeug's argument name)
        kwargs.setdefault("max", INT_MAX)
        super().__init__(map, *args, **kwargs)


class InputRefused(HTTPException):
    """An input the service will not take: status 404, 413 or 422, with the failing field named."""

    def __init__(self, status: int, field: str, message: str) -> None:
        super().__init__(description=message)
        self.code = status
        self.field = field
        self.data = {"messages": {"json" if request.is_json else "query": {field: [message]}}}


def _problem_in_text(field: str, value: str) -> InputRefused | None:
    if "\x00" in value:
        return InputRefused(422, field, "Text may not contain a NUL character.")
    limit = LONG_TEXT_FIELDS.get(field.rsplit(".", 1)[-1], TEXT_MAX_CHARS)
    if len(value) > limit:
        return InputRefused(413, field, f"Too long: at most {limit} characters.")
    return None


def _walk_json(value: Any, path: str) -> InputRefused | None:
    """The first value in a parsed JSON document the database could not hold, named by its path."""
    if isinstance(value, str):
        return _problem_in_text(path or "body", value)
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        if not INT64_MIN <= value <= INT64_MAX:
            return InputRefused(422, path or "body", "Number out of range.")
        return None
    if isinstance(value, float):
        return None if math.isfinite(value) else InputRefused(422, path or "body", "Number out of range.")
    if isinstance(value, dict):
        for key, item in value.items():
            child = f"{path}.{key}" if path else str(key)
            problem = _problem_in_text(child, key) if "\x00" in key else None
            problem = problem or _walk_json(item, child)
            if problem:
                return problem
    elif isinstance(value, list):
        for index, item in enumerate(value):
            problem = _walk_json(item, f"{path}.{index}" if path else str(index))
            if problem:
                return problem
    return None


# Query parameters and form fields read as integers (ids, paging, the web pages' ``owner``/``with``, a broker's
# ``on_behalf_of``; also every name ending in ``_id``); other digits are text (an entry number, a bill number).
_INT_PARAMS = frozenset({"id", "page", "page_size", "owner", "with", "on_behalf_of"})


def _is_id_like(name: str) -> bool:
    return name in _INT_PARAMS or name.endswith("_id")


def _check_query_and_form() -> InputRefused | None:
    for name, value in request.args.items(multi=True):
        problem = _problem_in_text(name, value) or _problem_in_text(name, name) or _id_out_of_range(name, value)
        if problem:
            return problem
    if request.method in ("POST", "PUT", "PATCH") and request.mimetype in (
            "application/x-www-form-urlencoded", "multipart/form-data"):
        for name, value in request.form.items(multi=True):
            name = name or "form"  # a part may come without a name (werkzeug: None)
            problem = _problem_in_text(name, value) or _id_out_of_range(name, value)
            if problem:
                return problem
    return None


def whole_number(value: Any) -> int | None:
    """``value`` (text from a form, query or path) as a whole number an id or row index can be, else None:
    ASCII digits only and at most :data:`INT_MAX`. ``str.isdigit`` alone also takes ``²`` (which ``int`` refuses)
    and ``٣`` (which ``int`` reads as 3), and a number beyond any id overflows the database driver."""
    text = value if isinstance(value, str) else "" if value is None else str(value)
    if not (text.isascii() and text.isdigit()):
        return None
    number = int(text)
    return number if number <= INT_MAX else None


def row_by_id(model: type[Row], value: Any) -> Row | None:
    """The row of ``model`` whose id ``value`` (text from a form, query or path) names; None when ``value`` is not
    a :func:`whole_number` or no such row exists."""
    number = whole_number(value)
    return db.session.get(model, number) if number is not None else None


def _id_out_of_range(name: str, value: str) -> InputRefused | None:
    """An id-like parameter or form field whose number no id column holds."""
    if _is_id_like(name) and _INTEGER.fullmatch(value.strip()) and not INT_MIN <= int(value) <= INT_MAX:
        return InputRefused(422, name, "Number out of range.")
    return None


def _check_json() -> InputRefused | None:
    if not request.is_json or request.method not in ("POST", "PUT", "PATCH", "DELETE"):
        return None
    limit = current_app.config.get("JSON_MAX_BYTES", JSON_MAX_BYTES)
    if request.content_length is not None and request.content_length > limit:
        return InputRefused(413, "body", f"The body is larger than {limit} bytes.")
    data = request.get_data(cache=True)
    if len(data) > limit:
        return InputRefused(413, "body", f"The body is larger than {limit} bytes.")
    body = request.get_json(silent=True)
    return _walk_json(body, "") if body is not None else None


def refuse_unholdable_input():
    """``before_request``: the first value the database cannot hold → 404/413/422 naming it."""
    for name, value in (request.view_args or {}).items():
        if isinstance(value, str) and "\x00" in value:
            raise InputRefused(404, name, "Not found.")
    problem = _check_query_and_form() or _check_json()
    if problem:
        raise problem
    return None


_unbounded_integer = fields.Integer._validated


def _int64_validated(self: fields.Integer, value: Any) -> int:
    """marshmallow's Integer check, then the INTEGER range (the field's "too_large" error, 422 naming it)."""
    number = _unbounded_integer(self, value)
    if number is not None and not INT_MIN <= number <= INT_MAX:
        raise self.make_error("too_large", input=value)
    return number


def bound_marshmallow_integers() -> None:
    """Make every marshmallow ``Integer`` refuse values an INTEGER column cannot hold (once per process)."""
    if fields.Integer._validated is not _int64_validated:
        fields.Integer._validated = _int64_validated
        fields.Integer.default_error_messages = {**fields.Integer.default_error_messages,
                                                 "too_large": "Number out of range."}


def register(app: Flask) -> None:
    """Bound ``<int:…>`` in every route and every marshmallow Integer, and check each request's inputs before
    its view."""
    app.url_map.converters["int"] = BoundedIntegerConverter
    bound_marshmallow_integers()
    app.before_request(refuse_unholdable_input)
