"""The API blueprint class every domain uses: JSON body errors are 422 naming the body."""

from __future__ import annotations

from collections.abc import Callable

from flask_smorest import Blueprint
from marshmallow import Schema
from webargs.flaskparser import FlaskParser, abort


class _Parser(FlaskParser):
    """webargs parser whose malformed-JSON error is a 422 naming ``body`` (API.md: bad JSON → 422)."""

    def _handle_invalid_json_error(self, error, req, *args, **kwargs):
        abort(422, messages={"json": {"body": [f"Not valid JSON: {error}"]}})


class ApiBlueprint(Blueprint):
    """flask-smorest Blueprint with Greenlane's argument parser."""

    ARGUMENTS_PARSER = _Parser()

    def multipart_arguments(self, form_schema: type[Schema], files_schema: type[Schema], *,
                            description: str | None = None) -> Callable[[Callable], Callable]:
        """Parse a ``multipart/form-data`` body: the view gets ``form, files`` (the two schemas' loads).

        flask-smorest turns only the first body argument into the OpenAPI 3 ``requestBody``; a second
        (``form`` beside ``files``) would be left as an OpenAPI 2 ``formData`` parameter, which makes the
        document invalid. So both parts are parsed by the same webargs parser without per-argument docs,
        and documented once, as one multipart schema holding the form fields and the file parts.
        """
        combined = type(f"{form_schema.__name__.removesuffix('Schema')}Multipart", (form_schema, files_schema),
                        {"__doc__": description or f"{form_schema.__doc__} {files_schema.__doc__}"})
        parser = self.ARGUMENTS_PARSER

        def decorator(func: Callable) -> Callable:
            func = parser.use_args(files_schema(), location="files")(func)
            func = parser.use_args(form_schema(), location="form")(func)
            func = self.alt_response(422, description="A form field or file part is invalid (named in errors)")(func)
            return self.doc(requestBody={"required": True,
                                         "content": {"multipart/form-data": {"schema": combined}}})(func)

        return decorator
