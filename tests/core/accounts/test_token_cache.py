"""The per-process cache of token look-ups: no query on a hit, emptied by every change to users or tokens."""

from __future__ import annotations

from sqlalchemy import inspect

from core.accounts import services as accounts
from core.accounts.models import User
from core.extensions import db


def test_a_cached_token_costs_no_query_and_keeps_the_same_principal(app, api_as, sql_log):
    api = api_as("importer")
    assert api.get("/api/v1/me").json["email"] == api.user.email  # fills the cache
    with sql_log() as statements, app.test_request_context():
        user = accounts.user_for_token(api.headers["Authorization"].split()[1])
        assert user is not None and user.id == api.user.id and user.role == "importer"
        assert user.organization.id == api.user.organization_id  # attached: relationships load
    assert len(statements) == 1  # only the organisation, not the token


def test_revocation_deactivation_and_role_change_take_effect_at_once(app, api_as, make_user):
    api = api_as("importer")
    assert api.get("/api/v1/me").status_code == 200
    assert accounts._token_cache
    with app.app_context():
        admin = db.session.get(User, make_user("admin").id)
        accounts.update_user(admin, db.session.get(User, api.user.id), active=False)
        db.session.commit()
    assert not accounts._token_cache
    assert api.get("/api/v1/me").status_code == 401
    with app.app_context():
        admin = db.session.get(User, make_user("admin").id)
        accounts.update_user(admin, db.session.get(User, api.user.id), active=True)
        db.session.commit()
    assert api.get("/api/v1/me").status_code == 401  # deactivation revoked the token for good (API.md, "Auth")


def test_the_cache_expires_and_can_be_turned_off(app, api_as, monkeypatch):
    api = api_as("importer")
    monkeypatch.setitem(app.config, "API_TOKEN_CACHE_SECONDS", 0)
    accounts.forget_cached_tokens()
    assert api.get("/api/v1/me").status_code == 200
    assert not accounts._token_cache
    monkeypatch.setitem(app.config, "API_TOKEN_CACHE_SECONDS", 5)
    assert api.get("/api/v1/me").status_code == 200
    digest = next(iter(accounts._token_cache))
    expiry, values = accounts._token_cache[digest]
    accounts._token_cache[digest] = (0.0, dict(values, role="reviewer"))  # expired: read again, not trusted
    assert api.get("/api/v1/me").json["role"] == "importer"


def test_a_cached_user_is_a_clean_persistent_instance_whose_changes_are_tracked(app, api_as):
    api = api_as("importer")
    assert api.get("/api/v1/me").status_code == 200  # fills the cache
    token = api.headers["Authorization"].split()[1]
    with app.test_request_context():
        user = accounts.user_for_token(token)
        state = inspect(user)
        assert state.persistent and not state.modified and not db.session.dirty and not db.session.new
        assert {key: getattr(user, key) for key in accounts._USER_ATTRIBUTES} == accounts._token_cache[
            accounts.hash_token(token)][1]
        assert accounts.user_for_token(token) is user  # the same instance within one session
        user.full_name = "Renamed Importer"
        assert user in db.session.dirty
        db.session.commit()
        assert not accounts._token_cache  # a change to a user empties the cache
    with app.app_context():
        assert db.session.get(User, api.user.id).full_name == "Renamed Importer"


def _last_used(app, user_id):
    from core.accounts.models import ApiToken

    with app.app_context():
        return db.session.scalar(db.select(ApiToken.last_used_at).where(ApiToken.user_id == user_id))


def test_a_token_use_is_recorded_at_most_once_a_minute_even_on_read_only_requests(app, api_as, monkeypatch,
                                                                                 sql_log):
    from datetime import timedelta

    from core.timeutil import utcnow

    api = api_as("importer")
    accounts.forget_cached_tokens()
    assert _last_used(app, api.user.id) is None
    before = utcnow()
    assert api.get("/api/v1/me").status_code == 200  # a GET: the request's own transaction never commits
    first = _last_used(app, api.user.id)
    assert first is not None and first >= before - timedelta(seconds=1)

    accounts.forget_cached_tokens()  # a cache miss within the minute: no new write
    with sql_log() as statements:
        assert api.get("/api/v1/me").status_code == 200
    assert _last_used(app, api.user.id) == first
    assert statements and not [s for s in statements if s.lstrip().upper().startswith("UPDATE")]

    later = first + timedelta(minutes=2)
    monkeypatch.setattr(accounts, "utcnow", lambda: later)
    accounts.forget_cached_tokens()
    assert api.get("/api/v1/me").status_code == 200
    assert _last_used(app, api.user.id) == later
    listed = api.get("/api/v1/auth/tokens").json
    items = listed["items"] if isinstance(listed, dict) else listed
    assert items[0]["last_used_at"].startswith(later.strftime("%Y-%m-%dT%H:%M"))


def test_a_revoked_token_is_not_marked_used(app, api_as, client):
    api = api_as("importer")
    tokens = api.get("/api/v1/auth/tokens").json
    items = tokens["items"] if isinstance(tokens, dict) else tokens
    assert api.delete(f"/api/v1/auth/tokens/{items[0]['id']}").status_code in (200, 204)
    stamp = _last_used(app, api.user.id)
    accounts.forget_cached_tokens()
    assert api.get("/api/v1/me").status_code == 401
    assert _last_used(app, api.user.id) == stamp
