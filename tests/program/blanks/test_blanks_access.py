"""Every blank-goods route × every role: who gets through, who gets 403 (or 404 for another importer's),
and anonymous callers get 401 (API) or the login page (web)."""

from __future__ import annotations

import pytest

ROLES = ("importer", "rights_holder", "industry_group", "reviewer", "admin")
ALL_READ = {"importer", "reviewer", "admin"}

# (method, path, body, roles that pass the permission check)
API_ROUTES = [
    ("get", "/api/v1/blank-declarations", None, ALL_READ),
    ("post", "/api/v1/blank-declarations", {}, {"importer"}),
    ("get", "/api/v1/blank-declarations/licensed-lines", None, {"rights_holder"}),
    ("get", "/api/v1/blank-declarations/{id}", None, ALL_READ),
    ("post", "/api/v1/blank-declarations/{id}/revoke", {"reason": "x"}, {"reviewer"}),
    ("post", "/api/v1/blank-declarations/{id}/query", {"question": "x"}, {"reviewer"}),
    ("post", "/api/v1/blank-declarations/{id}/withdraw", {}, {"importer"}),
    ("post", "/api/v1/blank-declarations/{id}/answer", {"answer": "x"}, {"importer"}),
]
WEB_ROUTES = [
    ("get", "/blanks/", ALL_READ),
    ("get", "/blanks/new", {"importer"}),
    ("get", "/blanks/licensed", {"rights_holder"}),
    ("get", "/blanks/{id}", ALL_READ),
    ("post", "/blanks/{id}/query", {"reviewer"}),
    ("post", "/blanks/{id}/revoke", {"reviewer"}),
    ("post", "/blanks/{id}/withdraw", {"importer"}),
    ("post", "/blanks/{id}/answer", {"importer"}),
]


@pytest.fixture
def victim(importer_api, file_as):
    """A filed declaration of ``importer_api``'s organisation."""
    return file_as(importer_api.user)


@pytest.mark.parametrize(("method", "path", "body", "allowed"), API_ROUTES, ids=[f"{r[0]} {r[1]}" for r in API_ROUTES])
@pytest.mark.parametrize("role", ROLES)
def test_api_route_by_role(api_as, victim, method, path, body, allowed, role):
    """Roles without the permission get 403; another importer gets 404 for a declaration it does not own."""
    api = api_as(role)
    url = path.format(id=victim)
    response = getattr(api, method)(url, json=body) if body is not None else getattr(api, method)(url)
    if role not in allowed:
        assert response.status_code == 403, response.json
    elif role == "importer" and "{id}" in path:
        assert response.status_code == 404  # a different organisation's declaration
    else:
        assert response.status_code not in (401, 403, 404), response.json


@pytest.mark.parametrize(("method", "path", "body", "allowed"), API_ROUTES, ids=[f"{r[0]} {r[1]}" for r in API_ROUTES])
def test_api_routes_need_a_token(client, victim, method, path, body, allowed):
    url = path.format(id=victim)
    assert getattr(client, method)(url, json=body or {}).status_code == 401


@pytest.mark.parametrize(("method", "path", "allowed"), WEB_ROUTES, ids=[f"{r[0]} {r[1]}" for r in WEB_ROUTES])
@pytest.mark.parametrize("role", ROLES)
def test_web_route_by_role(client, login, make_user, victim, method, path, allowed, role):
    login(make_user(role))
    url = path.format(id=victim)
    response = getattr(client, method)(url, data={"text": "x"}) if method == "post" else client.get(url)
    if role not in allowed:
        assert response.status_code == 403
    elif role == "importer" and "{id}" in path:
        assert response.status_code == 404
    elif path == "/blanks/new":
        assert response.status_code == 403  # an importer without an approved enrollment is told why
    else:
        assert response.status_code in (200, 302)


@pytest.mark.parametrize(("method", "path", "allowed"), WEB_ROUTES, ids=[f"{r[0]} {r[1]}" for r in WEB_ROUTES])
def test_web_routes_send_anonymous_users_to_login(client, victim, method, path, allowed):
    response = getattr(client, method)(path.format(id=victim))
    assert response.status_code == 302 and "/login" in response.headers["Location"]
