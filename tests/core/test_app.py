"""App factory, configuration, health, security headers and the OpenAPI document."""

from __future__ import annotations

import os
import stat

from app import create_app
from core.config import instance_secret_key
from core.extensions import db


def test_healthz_answers_ok(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json == {"status": "ok"}


def test_healthz_is_503_when_database_is_unreachable(tmp_path):
    app = create_app({"TESTING": True, "SECRET_KEY": "x",
                      "SQLALCHEMY_DATABASE_URI": "postgresql+psycopg://nobody@127.0.0.1:1/none",
                      "SQLALCHEMY_ENGINE_OPTIONS": {"connect_args": {"connect_timeout": 1}}})
    response = app.test_client().get("/healthz")
    assert response.status_code == 503
    with app.app_context():
        db.engine.dispose()


def test_openapi_document_lists_api_routes(client):
    spec = client.get("/api/v1/openapi.json").json
    assert spec["openapi"].startswith("3.")
    assert "/api/v1/auth/token" in spec["paths"]
    assert "/api/v1/me" in spec["paths"]
    assert "/api/v1/audit" in spec["paths"]


def test_openapi_document_is_valid_openapi_3(client):
    from openapi_spec_validator import validate

    spec = client.get("/api/v1/openapi.json").json
    validate(spec)  # raises on anything invalid, e.g. an OpenAPI 2 ``formData`` parameter
    upload = spec["paths"]["/api/v1/enrollments/{enrollment_id}/documents"]["post"]
    assert "parameters" not in upload or all(p["in"] != "formData" for p in upload["parameters"])
    multipart = upload["requestBody"]["content"]["multipart/form-data"]["schema"]
    if "$ref" in multipart:
        multipart = spec["components"]["schemas"][multipart["$ref"].rsplit("/", 1)[1]]
    assert {"file", "kind", "description"} <= set(multipart["properties"])
    assert multipart["properties"]["file"]["format"] == "binary"


def test_security_headers_on_pages(client):
    response = client.get("/")
    assert response.status_code == 200
    assert "default-src 'self'" in response.headers["Content-Security-Policy"]
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["X-Frame-Options"] == "DENY"


SECURITY_HEADERS = {"Content-Security-Policy", "X-Content-Type-Options", "X-Frame-Options", "Referrer-Policy",
                    "Permissions-Policy", "Cross-Origin-Opener-Policy"}


def test_security_headers_on_api_calls_without_cookies(api_as):
    response = api_as("reviewer").get("/api/v1/sectors")
    assert response.status_code == 200
    assert set(response.headers.keys()) >= SECURITY_HEADERS
    assert response.headers["Cache-Control"] == "no-store"  # API.md: every API answer
    assert "Set-Cookie" not in response.headers


def test_signed_in_pages_are_not_cached_from_the_sign_in_response_on(client, make_user):
    user = make_user("importer")
    signed_in = client.post("/login", data={"email": user.email, "password": user.password})
    assert signed_in.headers["Cache-Control"] == "private, no-store"  # no cookie came in, the user signed in
    assert set(signed_in.headers.keys()) >= SECURITY_HEADERS
    page = client.get("/")
    assert page.headers["Cache-Control"] == "private, no-store"


def test_security_headers_are_sent_once(client):
    response = client.get("/")
    for name in SECURITY_HEADERS:
        assert len(response.headers.getlist(name)) == 1, name


def test_session_cookie_still_read_and_tampering_still_ignored(client, make_user):
    user = make_user("importer")
    client.post("/login", data={"email": user.email, "password": user.password})
    assert client.get("/admin/users").status_code == 403  # signed in (an importer), so not sent to sign in
    client.set_cookie("session", "tampered")
    assert client.get("/admin/users").status_code in (302, 401)  # the bad cookie is an empty session


def test_secret_key_generated_once_with_mode_0600(tmp_path):
    first = instance_secret_key(str(tmp_path))
    second = instance_secret_key(str(tmp_path))
    assert first == second and len(first) == 64
    mode = stat.S_IMODE(os.stat(tmp_path / "secret_key").st_mode)
    assert mode == 0o600


def test_default_database_is_sqlite_in_instance_folder(monkeypatch, tmp_path):
    monkeypatch.delenv("DATABASE_URL", raising=False)
    monkeypatch.setenv("SECRET_KEY", "k")
    app = create_app()
    assert app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite:///")
    assert app.config["SQLALCHEMY_DATABASE_URI"].endswith("instance/greenlane.db")


def test_unknown_api_path_is_json_404(client):
    response = client.get("/api/v1/nothing-here")
    assert response.status_code == 404
    assert response.json["code"] == "not_found"


def test_unknown_page_is_a_page(client):
    response = client.get("/nothing-here")
    assert response.status_code == 404
    assert "Page not found" in response.text


def test_sectors_reference_data_present(api_as):
    sectors = api_as("importer").get("/api/v1/sectors").json
    assert len(sectors) == 14
    heightened = {s["code"] for s in sectors if s["heightened_protection"]}
    assert heightened == {"pharmaceuticals", "medical_devices", "automotive_parts", "aerospace_parts"}
