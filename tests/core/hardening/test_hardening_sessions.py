"""Sessions that really end (findings 1, 2, 7, 8): sign-out ends the server-side session, a password change or
deactivation revokes API tokens and other sessions, failed sign-ins slow only the account+address pair (web and
API counted together), and API answers are never cached."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from core.accounts import services as accounts
from core.accounts.models import User
from core.accounts.throttle import FREE_FAILURES
from core.audit import AuditEntry
from core.extensions import db


def _cookie(client) -> str:
    return client.get_cookie("session").value


def test_a_copied_session_cookie_stops_working_after_sign_out(app, client, make_user, login):
    login(make_user("importer"))
    copied = _cookie(client)
    assert client.post("/logout").status_code == 302
    thief = app.test_client()
    thief.set_cookie("session", copied)
    assert thief.get("/home").status_code == 302  # sent to sign in


def test_sign_out_ends_only_that_session(app, client, make_user, login):
    user = make_user("importer")
    other = app.test_client()
    other.post("/login", data={"email": user.email, "password": user.password})
    login(user)
    client.post("/logout")
    assert other.get("/home").status_code == 200


def test_a_password_change_revokes_tokens_and_other_sessions_but_keeps_this_one(app, client, make_user, login,
                                                                                token_for):
    user = make_user("importer")
    token = token_for(user)
    other = app.test_client()
    other.post("/login", data={"email": user.email, "password": user.password})
    login(user)
    response = client.post("/settings/password", data={"current": user.password, "password": "a brand new passphrase",
                                                       "confirm": "a brand new passphrase"})
    assert response.status_code == 302
    assert client.get("/home").status_code == 200
    assert other.get("/home").status_code == 302
    assert client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"}).status_code == 401


def test_deactivation_revokes_tokens_and_sessions(app, client, make_user, login, token_for):
    user = make_user("importer")
    token = token_for(user)
    login(user)
    with app.app_context():
        admin = db.session.get(User, make_user("admin").id)
        accounts.update_user(admin, db.session.get(User, user.id), active=False)
        accounts.update_user(admin, db.session.get(User, user.id), active=True)
        db.session.commit()
    assert client.get("/home").status_code == 302
    assert client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"}).status_code == 401


def test_api_answers_are_not_stored_including_the_new_token(client, make_user):
    user = make_user("importer")
    response = client.post("/api/v1/auth/token", json={"email": user.email, "password": user.password})
    assert response.status_code == 200 and response.headers["Cache-Control"] == "no-store"
    assert client.get("/api/v1/public/standards").headers["Cache-Control"] == "no-store"
    assert client.get("/api/v1/me").headers["Cache-Control"] == "no-store"  # errors too


def test_web_and_api_failures_share_one_counter(client, make_user):
    user = make_user("importer")
    for i in range(FREE_FAILURES):
        if i % 2:
            assert client.post("/login", data={"email": user.email, "password": "wrong wrong wrong"}).status_code == 401
        else:
            response = client.post("/api/v1/auth/token", json={"email": user.email, "password": "wrong wrong wrong"})
            assert response.status_code == 401
    response = client.post("/api/v1/auth/token", json={"email": user.email, "password": user.password})
    assert response.status_code == 429 and int(response.headers["Retry-After"]) >= 1


def test_failures_from_another_address_do_not_lock_the_victim_out(app, client, make_user):
    user = make_user("importer")
    attacker = app.test_client()
    for _ in range(FREE_FAILURES + 3):
        attacker.post("/login", data={"email": user.email, "password": "wrong wrong wrong"},
                      environ_base={"REMOTE_ADDR": "203.0.113.9"})
    assert attacker.post("/login", data={"email": user.email, "password": user.password},
                         environ_base={"REMOTE_ADDR": "203.0.113.9"}).status_code == 429
    assert client.post("/login", data={"email": user.email, "password": user.password}).status_code == 302


def test_the_delay_grows_and_passes(client, make_user, clock):
    user = make_user("importer")
    for _ in range(FREE_FAILURES):
        client.post("/login", data={"email": user.email, "password": "wrong wrong wrong"})
    assert client.post("/login", data={"email": user.email, "password": user.password}).status_code == 429
    clock.shift(timedelta(seconds=2))
    assert client.post("/login", data={"email": user.email, "password": "wrong wrong wrong"}).status_code == 401
    clock.shift(timedelta(seconds=1.5))
    assert client.post("/login", data={"email": user.email, "password": user.password}).status_code == 429
    clock.shift(timedelta(seconds=1))
    assert client.post("/login", data={"email": user.email, "password": user.password}).status_code == 302


def test_sign_ins_failures_and_delays_are_audited(app, client, make_user):
    user = make_user("importer")
    for _ in range(FREE_FAILURES):
        client.post("/login", data={"email": user.email, "password": "wrong wrong wrong"})
    client.post("/api/v1/auth/token", json={"email": "nobody@nowhere.example", "password": "wrong wrong wrong"})
    with app.app_context():
        actions = db.session.scalars(select(AuditEntry.action).order_by(AuditEntry.id)).all()
    assert actions.count("user.sign_in_failed") == FREE_FAILURES + 1
    assert "user.sign_in_delayed" in actions
    other = make_user("importer")
    client.post("/login", data={"email": other.email, "password": other.password})
    with app.app_context():
        last = db.session.scalar(select(AuditEntry).order_by(AuditEntry.id.desc()).limit(1))
        assert (last.action, last.actor_id, last.entity_id) == ("user.sign_in", other.id, str(other.id))
