"""The input layer: ids and page numbers beyond 64 bits, NUL characters and oversized text never reach the
database (API.md, "Conventions": 404 for ids, 422 for query parameters and NUL, 413 for oversized text)."""

from __future__ import annotations

import pytest

BIG = "1000000000000000001"
HUGE = "99999999999999999999999"
JUST_OVER = str(2**31)  # one more than a PostgreSQL INTEGER holds


@pytest.mark.parametrize("path", [f"/api/v1/public/standards?page={BIG}", f"/api/v1/public/standards?page={HUGE}",
                                  f"/api/v1/public/standards?page_size={HUGE}",
                                  f"/api/v1/public/standards?page={JUST_OVER}"])
def test_page_numbers_beyond_the_database_are_422_without_sign_in(client, path):
    response = client.get(path)
    assert response.status_code == 422
    field = path.split("?")[1].split("=")[0]
    assert field in response.json["errors"]["query"]


def test_web_page_numbers_beyond_the_database_are_422_and_large_ones_clamped(client, make_user, login):
    login(make_user("admin"))
    assert client.get(f"/admin/users?page={BIG}").status_code == 422
    assert client.get("/admin/users?page=2147483647").status_code == 200


@pytest.mark.parametrize("path", [f"/api/v1/enrollments/{HUGE}", f"/api/v1/threads/{HUGE}",
                                  f"/api/v1/blank-declarations/{HUGE}", f"/api/v1/auth/tokens/{HUGE}",
                                  f"/api/v1/enrollments/{JUST_OVER}", f"/api/v1/threads/{JUST_OVER}"])
def test_ids_beyond_64_bits_are_404(api_as, path):
    api = api_as("reviewer")
    response = api.delete(path) if "tokens" in path else api.get(path)
    assert response.status_code == 404


def test_web_ids_beyond_64_bits_are_404(client, make_user, login):
    login(make_user("admin"))
    assert client.get(f"/admin/users/{HUGE}").status_code == 404


def test_nul_in_a_public_query_is_422_naming_it(client):
    response = client.get("/verify?q=ab%00cd")
    assert response.status_code == 422


def test_nul_in_the_token_endpoints_email_is_422_naming_it(client):
    response = client.post("/api/v1/auth/token", json={"email": "a\x00b@example.com", "password": "x" * 12})
    assert response.status_code == 422
    assert "email" in response.json["errors"]["json"]


def test_nul_in_a_nested_json_field_is_named_by_its_path(api_as):
    api = api_as("importer")
    response = api.post("/api/v1/threads", json={"subject": "Hi", "body": "x\x00y"})
    assert response.status_code == 422
    assert "body" in response.json["errors"]["json"]


def test_nul_in_a_login_form_is_422(client):
    response = client.post("/login", data={"email": "a\x00@example.com", "password": "whatever-password"})
    assert response.status_code == 422


def test_nul_in_a_path_segment_is_404(client):
    assert client.get("/verify/GL-2026-%00").status_code == 404


def test_json_integers_beyond_64_bits_are_422(api_as):
    api = api_as("importer")
    response = api.post("/api/v1/threads", json={"subject": "Hi", "body": "x", "related_id": int(HUGE)})
    assert response.status_code == 422
    assert "related_id" in response.json["errors"]["json"]


def test_oversized_text_is_413_naming_the_field(api_as):
    api = api_as("importer")
    response = api.post("/api/v1/threads", json={"subject": "Hi", "body": "x" * 100_001})
    assert response.status_code == 413
    assert "body" in response.json["errors"]["json"]


def test_oversized_json_body_is_413_before_parsing(app, api_as):
    api = api_as("importer")
    app.config["JSON_MAX_BYTES"] = 1000
    try:
        response = api.post("/api/v1/threads", data="[" + "1," * 1000 + "1]", content_type="application/json")
    finally:
        app.config.pop("JSON_MAX_BYTES")
    assert response.status_code == 413


def test_integer_fields_given_as_text_beyond_64_bits_are_422(api_as, make_user):
    api = api_as("importer")
    response = api.post("/api/v1/threads", json={"subject": "Hi", "body": "x", "organization_id": HUGE})
    assert response.status_code in (403, 422)
    reviewer = api_as("reviewer")
    for value in (HUGE, JUST_OVER, int(JUST_OVER)):
        response = reviewer.post("/api/v1/threads", json={"subject": "Hi", "body": "x", "organization_id": value})
        assert response.status_code == 422
        assert "organization_id" in response.json["errors"]["json"]


@pytest.mark.parametrize(("disposition", "value"), [('name=""', "0.0"), ("name", "0.0"), ("name", "bad\x00value")])
def test_a_form_part_without_a_name_is_no_server_error(api_as, disposition, value):
    """Found by schemathesis: a multipart part with a bare ``name`` (werkzeug gives it the name None) reached the input
    checks, which took the name for text (a 500)."""
    api = api_as("reviewer")
    body = (f"--B\r\nContent-Disposition: form-data; {disposition}\r\n\r\n{value}\r\n"
            '--B\r\nContent-Disposition: form-data; name="file"; filename="in.csv"\r\n\r\nentry_number\r\n--B--\r\n')
    response = api.post("/api/v1/screening-jobs", data=body.encode(),
                        headers={"Content-Type": "multipart/form-data; boundary=B"})
    assert response.status_code == 422
    if "\x00" in value:
        assert response.json["errors"]["query"] == {"form": ["Text may not contain a NUL character."]}
    else:
        assert "file" in response.json["errors"]["json"]


@pytest.mark.parametrize(("text", "number"), [("0", 0), ("42", 42), ("2147483647", 2**31 - 1), ("2147483648", None),
                                               ("²", None), ("٣", None), ("-1", None), (" 1", None), ("", None),
                                               (None, None), ("1e3", None), (7, 7)])
def test_whole_number_is_what_an_id_or_row_index_can_be(text, number):
    from core.inputs import whole_number

    assert whole_number(text) == number



def test_a_row_is_found_by_an_id_given_as_text_and_nothing_else(app, make_user):
    from core.accounts.models import User
    from core.inputs import row_by_id

    user = make_user("reviewer")
    with app.app_context():
        assert row_by_id(User, str(user.id)).id == user.id
        assert [row_by_id(User, text) for text in ("²", "99999", "2147483648", "", None, "-1")] == [None] * 6


def test_digits_int_refuses_are_no_server_error_on_the_pages(client, make_user, login):
    """Found by a web-form fuzz: ``"²".isdigit()`` is true and ``int("²")`` raises, so pages that checked ids with
    ``isdigit`` answered 500; a tampered hidden field of the decision form broke its page's link."""
    login(make_user("reviewer"))
    assert client.get("/messages?organization_id=²").status_code == 200
    assert client.get("/cases/new?decision_id=²").status_code == 404
    assert client.get("/cases/bulk?importer=²").status_code == 200
    for data in ({"related_type": "standard", "related_id": "²", "subject": "Hello", "body": "Hi"},
                 {"related_type": "", "related_id": "", "organization_id": "²", "subject": "Hello", "body": "Hi"}):
        assert client.post("/messages/new", data=data).status_code in (200, 422)
    page = client.post("/decisions/new", data={"entry_number": "ABC-1234567-6", "port_code": "2704",
                                                "ior_number": "12-3456789", "supersede": "y", "supersedes": "1e400",
                                                "lines-0-line_no": "1", "lines-0-description": "Phones"})
    assert page.status_code in (200, 409, 422) and 'data-testid="supersede-box"' not in page.text
