"""Every route goes through the one authorisation helper; platform routes refuse the wrong roles."""

from __future__ import annotations

import pytest

ROLES = ("importer", "rights_holder", "industry_group", "reviewer", "admin")


def _view_permission(app, endpoint: str):
    view = app.view_functions[endpoint]
    seen = set()
    while view is not None and id(view) not in seen:
        seen.add(id(view))
        permission = getattr(view, "required_permission", None)
        if permission:
            return permission
        view = getattr(view, "__wrapped__", None) or getattr(view, "view_class", None)
        if isinstance(view, type):  # a MethodView: every method must carry a permission
            methods = [getattr(view, m.lower()) for m in view.methods or ()]
            permissions = {getattr(m, "required_permission", None) for m in methods}
            return None if None in permissions else ",".join(sorted(permissions))
    return None


def test_every_route_declares_its_permission(app):
    """No route is reachable without passing through core.policy (require or public)."""
    exempt = {"static", "api-docs.openapi_json"}
    missing = [
        f"{rule.rule} ({rule.endpoint})"
        for rule in app.url_map.iter_rules()
        if rule.endpoint not in exempt and _view_permission(app, rule.endpoint) is None
    ]
    assert missing == []


# (method, path, roles allowed) for the platform's protected routes.
WEB_ROUTES = [
    ("get", "/home", set(ROLES)),
    ("get", "/settings", set(ROLES)),
    ("get", "/admin/users", {"admin"}),
    ("get", "/admin/users/new", {"admin"}),
    ("get", "/admin/organizations", {"admin"}),
    ("get", "/audit", {"reviewer", "admin"}),
]


@pytest.mark.parametrize(("method", "path", "allowed"), WEB_ROUTES, ids=[r[1] for r in WEB_ROUTES])
@pytest.mark.parametrize("role", ROLES)
def test_web_routes_by_role(client, make_user, login, method, path, allowed, role):
    login(make_user(role))
    response = getattr(client, method)(path)
    assert response.status_code == (200 if role in allowed else 403)


@pytest.mark.parametrize("path", [r[1] for r in WEB_ROUTES])
def test_web_routes_send_anonymous_users_to_login(client, path):
    response = client.get(path)
    assert response.status_code == 302
    assert "/login?next=" in response.headers["Location"]


API_ROUTES = [
    ("get", "/api/v1/me", set(ROLES)),
    ("get", "/api/v1/auth/tokens", set(ROLES)),
    ("get", "/api/v1/audit", {"reviewer", "admin"}),
    ("get", "/api/v1/sectors", set(ROLES)),
]


@pytest.mark.parametrize(("method", "path", "allowed"), API_ROUTES, ids=[r[1] for r in API_ROUTES])
@pytest.mark.parametrize("role", ROLES)
def test_api_routes_by_role(api_as, method, path, allowed, role):
    response = getattr(api_as(role), method)(path)
    assert response.status_code == (200 if role in allowed else 403)
    if role not in allowed:
        assert response.json["code"] == "forbidden"


@pytest.mark.parametrize(("method", "path"), [(m, p) for m, p, _ in API_ROUTES])
def test_api_routes_need_a_token(client, method, path):
    response = getattr(client, method)(path)
    assert response.status_code == 401
    assert response.json["code"] == "unauthorized"


def test_session_cookie_does_not_authenticate_the_api(client, make_user, login):
    login(make_user("reviewer"))
    assert client.get("/api/v1/me").status_code == 401


def test_invalid_and_revoked_tokens_are_refused(api_as, client):
    api = api_as("importer")
    assert api.get("/api/v1/me").status_code == 200
    bad = client.get("/api/v1/me", headers={"Authorization": "Bearer glt_not-a-real-token"})
    assert bad.status_code == 401
    token_id = api.get("/api/v1/auth/tokens").json[0]["id"]
    assert api.delete(f"/api/v1/auth/tokens/{token_id}").status_code == 200
    assert api.get("/api/v1/me").status_code == 401
