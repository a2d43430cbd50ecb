"""Signing in and out, registration, API tokens and the throttling of failed attempts."""

from __future__ import annotations

import hashlib
import re

import pytest
from sqlalchemy import func, select

from core.accounts.models import ApiToken, Organization, User
from core.extensions import db
from core.notifications import OutboxMessage


def test_login_success_redirects_home_and_renews_session(client, make_user):
    user = make_user("importer")
    with client.session_transaction() as session:
        session["planted"] = "by an attacker before sign-in"
    response = client.post("/login", data={"email": user.email.upper(), "password": user.password})
    assert response.status_code == 302 and response.headers["Location"].endswith("/home")
    with client.session_transaction() as session:
        assert "planted" not in session
    assert client.get("/home").status_code == 200


def test_login_failure_is_401_with_message(client, make_user):
    user = make_user("importer")
    response = client.post("/login", data={"email": user.email, "password": "not the password!"})
    assert response.status_code == 401
    assert "The e-mail address or password is not right." in response.text


@pytest.mark.parametrize("target", ["https://evil.example/", "//evil.example/x", "javascript:alert(1)"])
def test_login_never_redirects_off_site(client, make_user, target):
    user = make_user("importer")
    response = client.post(f"/login?next={target}", data={"email": user.email, "password": user.password})
    assert response.headers["Location"].endswith("/home")


def test_login_follows_local_next(client, make_user):
    user = make_user("admin")
    response = client.post("/login?next=/admin/users", data={"email": user.email, "password": user.password})
    assert response.headers["Location"].endswith("/admin/users")


def test_logout_needs_post(client, make_user, login):
    login(make_user("importer"))
    assert client.get("/logout").status_code == 405
    assert client.post("/logout").status_code == 302
    assert client.get("/home").status_code == 302


def test_session_cookie_flags(app, make_user):
    app.config["SESSION_COOKIE_SECURE"] = True
    try:
        client = app.test_client()
        user = make_user("importer")
        response = client.post("/login", data={"email": user.email, "password": user.password})
        cookie = response.headers["Set-Cookie"]
        assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Secure" in cookie
    finally:
        app.config["SESSION_COOKIE_SECURE"] = False


def _mail_to(app, address: str) -> list[str]:
    with app.app_context():
        return list(db.session.scalars(select(OutboxMessage.body).where(OutboxMessage.recipient == address)
                                       .order_by(OutboxMessage.id)))


def test_register_creates_org_and_user_confirmed_by_the_emailed_link(client, app):
    response = client.post("/register", data={
        "kind": "rights_holder", "org_name": "Brandco Inc.", "full_name": "Bea Brand",
        "email": "bea@brandco.example", "password": "twelve chars ok", "confirm": "twelve chars ok"})
    assert response.status_code == 302 and response.headers["Location"].endswith("/register/sent")
    with app.app_context():
        user = db.session.scalar(select(User).where(User.email == "bea@brandco.example"))
        assert user.role == "rights_holder" and user.organization.kind == "rights_holder" and not user.active
        assert "twelve chars ok" not in user.password_hash
    assert client.post("/login", data={"email": "bea@brandco.example", "password": "twelve chars ok"}).status_code == 401
    link = re.search(r"http://localhost(/register/confirm/\S+)", _mail_to(app, "bea@brandco.example")[0]).group(1)
    assert client.get(link).status_code == 200
    assert client.post(link).headers["Location"].endswith("/home")
    assert "Bea Brand" in client.get("/home").text
    client.post("/logout")
    assert client.post(link).status_code == 404  # used once


@pytest.mark.parametrize(("override", "field", "message"), [
    ({"password": "short", "confirm": "short"}, "password", "at least 12"),
    ({"email": "not-an-email"}, "email", "Invalid email"),
    ({"confirm": "something else entirely"}, "confirm", "do not match"),
])
def test_register_field_errors(client, override, field, message):
    data = {"kind": "importer", "org_name": "X Imports", "full_name": "X", "email": "x@x.example",
            "password": "twelve chars ok", "confirm": "twelve chars ok", **override}
    response = client.post("/register", data=data)
    assert response.status_code == 200
    assert f'id="{field}-error"' in response.text
    assert message.lower() in response.text.lower()


def test_register_does_not_tell_which_emails_and_organisations_exist(client, make_user, app):
    existing = make_user("importer", org="Taken Imports")
    base = {"kind": "importer", "full_name": "Y", "password": "twelve chars ok", "confirm": "twelve chars ok"}
    fresh = client.post("/register", data={**base, "org_name": "Fresh Org", "email": "fresh@new.example"})
    dup_email = client.post("/register", data={**base, "org_name": "New Org", "email": existing.email})
    dup_org = client.post("/register", data={**base, "org_name": "taken imports", "email": "new@new.example"})
    answers = {(r.status_code, r.headers.get("Location"), r.text) for r in (fresh, dup_email, dup_org)}
    assert len(answers) == 1
    assert "already has an account" in _mail_to(app, existing.email)[0]
    assert "already registered" in _mail_to(app, "new@new.example")[0]
    with app.app_context():
        assert db.session.scalar(select(User).where(User.email == "new@new.example")) is None
        assert db.session.scalar(select(func.count()).select_from(Organization)) == 2  # Taken Imports, Fresh Org


def test_register_cannot_create_cbp_accounts(client):
    response = client.post("/register", data={"kind": "cbp", "org_name": "Fake CBP", "full_name": "Z",
                                              "email": "z@z.example", "password": "twelve chars ok",
                                              "confirm": "twelve chars ok"})
    assert 'id="kind-error"' in response.text or "Not a valid choice" in response.text


def test_token_issue_me_and_hash_storage(client, make_user, app):
    user = make_user("industry_group")
    response = client.post("/api/v1/auth/token", json={"email": user.email, "password": user.password})
    assert response.status_code == 200
    token = response.json["token"]
    me = client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"}).json
    assert me["email"] == user.email and me["role"] == "industry_group"
    assert me["organization"]["kind"] == "industry_group" and set(me["organization"]) == {"id", "name", "kind"}
    with app.app_context():
        stored = db.session.scalars(select(ApiToken)).one()
        assert stored.token_hash == hashlib.sha256(token.encode()).hexdigest()
        assert token not in (stored.token_hash, stored.name)


def test_token_wrong_credentials_401(client, make_user):
    user = make_user("importer")
    response = client.post("/api/v1/auth/token", json={"email": user.email, "password": "wrong password!!"})
    assert response.status_code == 401
    assert response.json["code"] == "invalid_credentials"


@pytest.mark.parametrize(("body", "field"), [({"password": "x"}, "email"), ({"email": "a@b.c"}, "password"),
                                             ({"email": 5, "password": "x"}, "email")])
def test_token_bad_body_is_422_naming_field(client, body, field):
    response = client.post("/api/v1/auth/token", json=body)
    assert response.status_code == 422
    assert field in response.json["errors"]["json"]


def test_token_malformed_json_is_422(client):
    response = client.post("/api/v1/auth/token", data="{not json", content_type="application/json")
    assert response.status_code == 422
    assert "body" in response.json["errors"]["json"]


def test_failed_logins_are_throttled_per_account(client, make_user):
    user = make_user("importer")
    for _ in range(5):
        assert client.post("/login", data={"email": user.email, "password": "wrong wrong wrong"}).status_code == 401
    response = client.post("/login", data={"email": user.email, "password": "wrong wrong wrong"})
    assert response.status_code == 429
    # Another account from the same address is not locked by this account's failures.
    other = make_user("importer")
    assert client.post("/login", data={"email": other.email, "password": other.password}).status_code == 302


def test_failed_token_requests_are_throttled_per_address(client, app):
    for i in range(30):
        response = client.post("/api/v1/auth/token", json={"email": f"nobody{i}@x.example", "password": "nope nope nope"})
        assert response.status_code == 401
    response = client.post("/api/v1/auth/token", json={"email": "nobody99@x.example", "password": "nope nope nope"})
    assert response.status_code == 429
    assert response.json["code"] == "too_many_requests"


def test_successful_logins_are_never_throttled(client, make_user):
    """A broker's office: many people sign in from one address."""
    users = [make_user("importer", org="Busy Brokers") for _ in range(3)]
    for _ in range(15):
        for user in users:
            response = client.post("/api/v1/auth/token", json={"email": user.email, "password": user.password})
            assert response.status_code == 200
    for _ in range(40):
        response = client.post("/login", data={"email": users[0].email, "password": users[0].password})
        assert response.status_code == 302
        client.post("/logout")


def test_settings_token_lifecycle(client, make_user, login, app):
    login(make_user("rights_holder"))
    response = client.post("/settings/tokens", data={"name": "ERP connector"})
    assert response.status_code == 302
    page = client.get("/settings").text
    assert "ERP connector" in page and "glt_" in page
    with app.app_context():
        token_id = db.session.scalars(select(ApiToken.id)).one()
    assert client.post(f"/settings/tokens/{token_id}/revoke").status_code == 302
    assert "Revoked" in client.get("/settings").text


def test_new_token_is_shown_only_once(client, make_user, login):
    login(make_user("importer"))
    client.post("/settings/tokens", data={"name": "once"})
    first = client.get("/settings").text
    second = client.get("/settings").text
    assert 'data-testid="new-token"' in first
    assert 'data-testid="new-token"' not in second


def test_cannot_revoke_someone_elses_token(client, make_user, login, token_for, app):
    victim = make_user("importer")
    token_for(victim)
    with app.app_context():
        token_id = db.session.scalars(select(ApiToken.id)).one()
    login(make_user("importer"))
    assert client.post(f"/settings/tokens/{token_id}/revoke").status_code == 404


def test_change_password_ends_other_sessions(app, make_user):
    user = make_user("importer")
    first, second = app.test_client(), app.test_client()
    for c in (first, second):
        c.post("/login", data={"email": user.email, "password": user.password})
    response = first.post("/settings/password", data={"current": user.password, "password": "a brand new passphrase",
                                                       "confirm": "a brand new passphrase"})
    assert response.status_code == 302
    assert first.get("/home").status_code == 200
    assert second.get("/home").status_code == 302


def test_the_hash_compared_for_an_unknown_e_mail_costs_what_a_real_one_does():
    """Signing in with an unknown e-mail checks the password against a written-out scrypt hash: it must carry the
    parameters (work factors) werkzeug gives real passwords, and be a hash of some password, so that the answer
    takes as long as for a real account."""
    from werkzeug.security import check_password_hash, generate_password_hash

    from core.accounts.services import _DUMMY_HASH

    assert _DUMMY_HASH.split("$")[0] == generate_password_hash("x", method="scrypt").split("$")[0]
    assert check_password_hash(_DUMMY_HASH, "greenlane-dummy-password")
