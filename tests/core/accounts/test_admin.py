"""User administration by admins, CSRF on forms, and the users CLI."""

from __future__ import annotations

import re

from sqlalchemy import select

from core.accounts.models import User
from core.audit import AuditEntry
from core.extensions import db


def test_admin_creates_user_in_existing_org(client, make_user, login, app):
    importer = make_user("importer", org="Northwind Test LLC")
    login(make_user("admin"))
    response = client.post("/admin/users/new", data={"email": "colleague@northwind.example", "full_name": "Col League",
                                                     "role": "importer", "org": "northwind test llc",
                                                     "password": "twelve chars ok"})
    assert response.status_code == 302
    with app.app_context():
        user = db.session.scalar(select(User).where(User.email == "colleague@northwind.example"))
        assert user.organization_id == importer.organization_id
        actions = db.session.scalars(select(AuditEntry.action)).all()
        assert "user.create" in actions


def test_admin_role_must_fit_org_kind(client, make_user, login):
    make_user("rights_holder", org="Brand Owner Inc")
    login(make_user("admin"))
    response = client.post("/admin/users/new", data={"email": "x@brand.example", "role": "importer",
                                                     "org": "Brand Owner Inc", "password": "twelve chars ok"})
    assert response.status_code == 422
    assert 'id="org-error"' in response.text


def test_admin_deactivation_ends_sessions_and_tokens(app, client, make_user, login, token_for):
    target = make_user("importer")
    token = token_for(target)
    other = app.test_client()
    other.post("/login", data={"email": target.email, "password": target.password})
    assert other.get("/home").status_code == 200
    login(make_user("admin"))
    response = client.post(f"/admin/users/{target.id}", data={"full_name": "Gone", "role": "importer"})
    assert response.status_code == 302
    assert other.get("/home").status_code == 302
    assert other.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"}).status_code == 401


def test_admin_user_search(client, make_user, login):
    make_user("importer", org="Zebra Imports", email="zed@zebra.example")
    make_user("importer", org="Yak Imports", email="yak@yak.example")
    login(make_user("admin"))
    page = client.get("/admin/users?q=zebra").text
    assert "zed@zebra.example" in page and "yak@yak.example" not in page


def test_admin_user_search_treats_wildcards_literally(client, make_user, login):
    make_user("importer", org="Zebra Imports", email="zed@zebra.example")
    login(make_user("admin"))
    assert "zed@zebra.example" not in client.get("/admin/users?q=%25").text  # "%" matches only a literal %
    assert "zed@zebra.example" not in client.get("/admin/users?q=z_d").text
    assert "zed@zebra.example" in client.get("/admin/users?q=ZED@").text


def test_admin_edit_user_with_a_bad_role_is_422_and_changes_nothing(app, client, make_user, login):
    target = make_user("importer")
    login(make_user("admin"))
    response = client.post(f"/admin/users/{target.id}", data={"full_name": "Renamed", "role": "emperor",
                                                              "active": "y"})
    assert response.status_code == 422
    with app.app_context():
        from core.accounts.models import User
        from core.extensions import db

        user = db.session.get(User, target.id)
        assert user.role == "importer" and user.full_name != "Renamed"


def test_admin_cannot_deactivate_self(client, make_user, login):
    admin = make_user("admin")
    login(admin)
    client.post(f"/admin/users/{admin.id}", data={"role": "admin"})
    assert client.get("/home").status_code == 200


def test_forms_refuse_posts_without_csrf_token(app, make_user):
    """With CSRF on (as in production) a POST without the token is refused and nothing changes."""
    app.config["WTF_CSRF_ENABLED"] = True
    try:
        client = app.test_client()
        user = make_user("importer")
        assert client.post("/login", data={"email": user.email, "password": user.password}).status_code == 400
        page = client.get("/login").text
        token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
        response = client.post("/login", data={"email": user.email, "password": user.password, "csrf_token": token})
        assert response.status_code == 302
        assert client.post("/settings/tokens", data={"name": "no csrf"}).status_code == 400
        assert client.post("/logout").status_code == 400
        assert client.get("/home").status_code == 200
    finally:
        app.config["WTF_CSRF_ENABLED"] = False


def test_api_is_csrf_exempt_but_token_bound(app, make_user):
    app.config["WTF_CSRF_ENABLED"] = True
    try:
        user = make_user("importer")
        response = app.test_client().post("/api/v1/auth/token", json={"email": user.email, "password": user.password})
        assert response.status_code == 200
    finally:
        app.config["WTF_CSRF_ENABLED"] = False


def test_cli_users_create_prints_id(runner, app):
    result = runner.invoke(args=["users", "create", "--email", "cli@cbp.example.gov", "--password", "twelve chars ok",
                                 "--role", "reviewer", "--org", "U.S. Customs and Border Protection"])
    assert result.exit_code == 0, result.output
    with app.app_context():
        user = db.session.scalar(select(User).where(User.email == "cli@cbp.example.gov"))
        assert result.output.strip() == str(user.id)
        assert user.organization.kind == "cbp"


def test_cli_users_create_refuses_weak_password(runner, app):
    result = runner.invoke(args=["users", "create", "--email", "weak@x.example", "--password", "short",
                                 "--role", "importer", "--org", "Weak Co"])
    assert result.exit_code != 0
    assert "password" in result.output
    with app.app_context():
        assert db.session.scalar(select(User).where(User.email == "weak@x.example")) is None


def test_cli_users_create_refuses_duplicate_email(runner, make_user):
    user = make_user("importer")
    result = runner.invoke(args=["users", "create", "--email", user.email, "--password", "twelve chars ok",
                                 "--role", "importer", "--org", "Other"])
    assert result.exit_code != 0 and "already exists" in result.output


def test_seed_demo_creates_every_role_and_is_idempotent(runner, app):
    first = runner.invoke(args=["seed", "demo"])
    assert first.exit_code == 0, first.output
    assert "greenlane-demo-2026" in first.output
    with app.app_context():
        roles = set(db.session.scalars(select(User.role)).all())
        count = db.session.query(User).count()
    assert roles == {"importer", "rights_holder", "industry_group", "broker", "reviewer", "admin"}
    second = runner.invoke(args=["seed", "demo"])
    assert second.exit_code == 0 and "already there" in second.output
    with app.app_context():
        assert db.session.query(User).count() == count
