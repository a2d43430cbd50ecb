"""The API blueprint class every domain uses: JSON body errors are 422 naming the body."""

from __future__ import annotations

from flask_smorest import Blueprint
from webargs.flaskparser import FlaskParser, abort


class _Parser(FlaskParser):
    """webargs parser whose malformed-JSON error is a 422 naming ``body`` (API.md: bad JSON → 422)."""

    def _handle_invalid_json_error(self, error, req, *args, **kwargs):
        abort(422, messages={"json": {"body": [f"Not valid JSON: {error}"]}})


class ApiBlueprint(Blueprint):
    """flask-smorest Blueprint with Greenlane's argument parser."""

    ARGUMENTS_PARSER = _Parser()
