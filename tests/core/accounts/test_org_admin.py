"""Organisation administrators: the registering user administers its organisation, invites colleagues with a
one-time e-mailed link, deactivates them and hands the role on; other colleagues cannot."""

from __future__ import annotations

import re
from datetime import timedelta

from sqlalchemy import select

from core.accounts.models import User
from core.extensions import db
from core.notifications import OutboxMessage
from core.timeutil import utcnow

PASSWORD = "a long enough passphrase"


def _register(client, kind: str = "importer") -> None:
    response = client.post("/register", data={
        "kind": kind, "org_name": "Admin Test Imports", "full_name": "Ada Admin", "email": "ada@admin-test.example",
        "password": PASSWORD, "confirm": PASSWORD})
    assert response.status_code == 302
    # Registration is confirmed through the e-mailed link, which signs the new administrator in.
    with client.application.app_context():
        body = db.session.scalar(select(OutboxMessage.body).where(
            OutboxMessage.recipient == "ada@admin-test.example").order_by(OutboxMessage.id.desc()))
    link = re.search(r"http://localhost(/register/confirm/\S+)", body).group(1)
    assert client.post(link).status_code == 302


def _link(app, email: str) -> str:
    with app.app_context():
        body = db.session.scalar(select(OutboxMessage.body).where(OutboxMessage.recipient == email,
                                                                  OutboxMessage.topic == "user.invite"))
    return re.search(r"http://[^\s]+/invitations/(\S+)", body).group(0)


def test_invite_accept_once_deactivate_and_hand_on(app, client):
    _register(client)
    page = client.get("/organisation").text
    assert "Invite a colleague" in page and "Administrator" in page
    client.post("/organisation/invite", data={"email": "ben@admin-test.example"})
    link = _link(app, "ben@admin-test.example")
    path = link[link.index("/invitations/"):]
    client.post("/logout")
    assert "Join Admin Test Imports" in client.get(path).text
    assert client.post(path, data={"full_name": "Ben", "password": PASSWORD, "confirm": PASSWORD}).status_code == 302
    assert client.get("/organisation").status_code == 200  # signed in as Ben
    assert "Invite a colleague" not in client.get("/organisation").text  # not the administrator
    with app.app_context():
        ben = db.session.scalar(select(User).where(User.email == "ben@admin-test.example"))
        assert ben.role == "importer" and ben.organization.name == "Admin Test Imports" and not ben.org_admin
        ben_id = ben.id
    client.post("/logout")
    assert client.get(path).status_code == 404  # the link works once
    # Ben cannot manage users.
    client.post("/login", data={"email": "ben@admin-test.example", "password": PASSWORD})
    client.post(f"/organisation/users/{ben_id}/deactivate")
    client.post("/organisation/invite", data={"email": "carl@admin-test.example"})
    with app.app_context():
        assert db.session.get(User, ben_id).active
        assert db.session.scalar(select(OutboxMessage.id).where(
            OutboxMessage.recipient == "carl@admin-test.example")) is None
    client.post("/logout")
    # Ada hands the role on to Ben, and then can no longer manage; Ben deactivates Ada.
    client.post("/login", data={"email": "ada@admin-test.example", "password": PASSWORD})
    client.post(f"/organisation/users/{ben_id}/hand-on")
    with app.app_context():
        assert db.session.get(User, ben_id).org_admin
        ada = db.session.scalar(select(User).where(User.email == "ada@admin-test.example"))
        assert not ada.org_admin
        ada_id = ada.id
    client.post("/logout")
    client.post("/login", data={"email": "ben@admin-test.example", "password": PASSWORD})
    client.post(f"/organisation/users/{ada_id}/deactivate")
    with app.app_context():
        assert not db.session.get(User, ada_id).active


def test_invitation_expires_and_existing_accounts_are_refused(app, client, clock, make_user):
    _register(client)
    other = make_user("importer")
    response = client.post("/organisation/invite", data={"email": other.email}, follow_redirects=True)
    assert "Already has an account" in response.text
    client.post("/organisation/invite", data={"email": "late@admin-test.example"})
    link = _link(app, "late@admin-test.example")
    client.post("/logout")
    clock.move_to(utcnow() + timedelta(days=8))
    assert client.get(link[link.index("/invitations/"):]).status_code == 404
    assert client.get("/invitations/not-a-token").status_code == 404


def test_admin_cannot_touch_another_organisations_users(app, client, make_user):
    _register(client)
    stranger = make_user("importer")
    client.post(f"/organisation/users/{stranger.id}/deactivate")
    with app.app_context():
        assert db.session.get(User, stranger.id).active


def test_brokers_register_themselves(app, client):
    _register(client, kind="broker")
    with app.app_context():
        user = db.session.scalar(select(User).where(User.email == "ada@admin-test.example"))
        assert user.role == "broker" and user.organization.kind == "broker" and user.org_admin


def test_cli_creates_a_broker(app, runner):
    result = runner.invoke(args=["users", "create", "--email", "bob@broker.example", "--password", PASSWORD,
                                 "--role", "broker", "--org", "Bob's Brokerage"])
    assert result.exit_code == 0, result.output
    with app.app_context():
        user = db.session.scalar(select(User).where(User.email == "bob@broker.example"))
        assert user.role == "broker" and user.organization.kind == "broker"
