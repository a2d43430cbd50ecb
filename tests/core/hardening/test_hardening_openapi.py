"""The OpenAPI document says what the routes answer (finding 9): the error shape's types, decimals as the
strings they are, every request field of a decision line typed, and 405s that name the allowed methods."""

from __future__ import annotations

import pytest


@pytest.fixture
def spec(client) -> dict:
    """The served OpenAPI document."""
    return client.get("/api/v1/openapi.json").json


def test_the_error_schema_matches_the_errors(client, spec):
    schema = spec["components"]["schemas"]["Error"]["properties"]
    assert (schema["code"]["type"], schema["status"]["type"]) == ("string", "integer")
    body = client.get("/api/v1/me").json
    assert isinstance(body["code"], str) and isinstance(body["status"], int)


def test_decimals_are_documented_as_the_strings_they_are(spec):
    line = spec["components"]["schemas"]["BlankLine"]["properties"]
    for name in ("quantity", "remaining_quantity", "consumed_quantity"):
        assert (line[name]["type"], line[name].get("format")) == ("string", "decimal"), name


def test_every_decision_line_field_is_typed(spec):
    properties = spec["components"]["schemas"]["DecisionLineIn"]["properties"]
    untyped = [name for name, prop in properties.items() if "type" not in prop and "oneOf" not in prop]
    assert untyped == []


def test_405_names_the_allowed_methods(client):
    response = client.put("/api/v1/me")
    assert response.status_code == 405
    assert set(response.headers["Allow"].replace(" ", "").split(",")) >= {"GET"}
    assert response.json["status"] == 405


def test_every_operation_documents_its_success(spec):
    """Each operation says what it answers when it succeeds: without a 2xx, a file download's answer was checked
    against the default error response (application/json) — schemathesis found a guide picture (image/png) so."""
    undocumented = [f"{method.upper()} {path}" for path, item in spec["paths"].items()
                    for method, operation in item.items()
                    if method in ("get", "post", "put", "patch", "delete")
                    and not any(code.startswith("2") for code in operation["responses"])]
    assert undocumented == []
