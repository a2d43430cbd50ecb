"""Customs brokers acting for importers: delegations granted and revoked by the importer (API), and what a
broker token may then do — release decisions for the principal's IOR numbers, blank-goods declarations on
its behalf, reading its enrollment — with 403 for anything else and at once after revocation (also when the
revocation races the requests), and audit entries naming both the broker's user and the importer."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from sqlalchemy import select

from core.audit import AuditEntry, verify_chain
from core.extensions import db
from core.timeutil import today
from tests.clocks import DEFAULT_NOW

ENTRY = {"entry_number": "ABC-1234567-6", "port_code": "2704", "lines": [
    {"line_no": 1, "description": "Used phones", "hts_code": "8517.13.0000", "quantity": 10, "value_usd": "1000",
     "sector": "mobile_devices", "condition": "used"}]}
ENTRY_NUMBERS = ["ABC-1234567-6", "999-9999999-0", "123-1234567-6", "ABC-0000001-0", "ABC-0000002-8",
                 "ABC-0000003-6", "ABC-0000004-4", "ABC-0000005-1"]
DECLARATION = {
    "valid_from": DEFAULT_NOW.date().isoformat(),
    "valid_until": (DEFAULT_NOW.date() + timedelta(days=90)).isoformat(),
    "parties": [{"role": "manufacturer", "name": "Plain Bags Co.", "country": "CN"}],
    "lines": [{"line_no": 1, "description": "Plain totes", "hts_code": "4202.92.3131", "quantity": 100,
               "unit": "pcs", "country_of_origin": "CN", "intended_marking": "none"}],
    "attestation": True,
}


def _grant(importer_api, broker_api, scopes, **extra):
    response = importer_api.post("/api/v1/delegations", json={
        "broker_organization_id": broker_api.user.organization_id, "scopes": scopes, **extra})
    assert response.status_code == 201, response.json
    return response.json


# --------------------------------------------------------------------------- the delegation API

def test_grant_list_and_revoke(importer_api, broker_api, principal):
    granted = _grant(importer_api, broker_api, ["decisions", "enrollment_read"],
                     valid_until=(today() + timedelta(days=365)).isoformat())
    assert granted["live"] and granted["scopes"] == ["decisions", "enrollment_read"]
    assert granted["importer_organization"]["id"] == importer_api.user.organization_id
    assert granted["broker_organization"]["kind"] == "broker"
    mine = importer_api.get("/api/v1/delegations").json["items"]
    received = broker_api.get("/api/v1/delegations").json["items"]
    assert [d["id"] for d in mine] == [d["id"] for d in received] == [granted["id"]]
    again = importer_api.post("/api/v1/delegations", json={
        "broker_organization_id": broker_api.user.organization_id, "scopes": ["decisions"]})
    assert again.status_code == 409 and again.json["code"] == "delegation_exists"
    revoked = importer_api.delete(f"/api/v1/delegations/{granted['id']}")
    assert revoked.status_code == 200 and revoked.json["revoked_at"] and not revoked.json["live"]
    assert importer_api.delete(f"/api/v1/delegations/{granted['id']}").status_code == 409
    assert _grant(importer_api, broker_api, ["decisions"])["live"]  # granted anew after revocation


def test_delegation_input_is_checked(importer_api, broker_api, api_as, principal):
    path = "/api/v1/delegations"
    bad_scope = importer_api.post(path, json={"broker_organization_id": broker_api.user.organization_id,
                                              "scopes": ["everything"]})
    assert bad_scope.status_code == 422 and "scopes" in bad_scope.json["errors"]["json"]
    not_a_broker = importer_api.post(path, json={"broker_organization_id": api_as("rights_holder").user.organization_id,
                                                 "scopes": ["decisions"]})
    assert not_a_broker.status_code == 422 and "broker_organization_id" in not_a_broker.json["errors"]["json"]
    past = importer_api.post(path, json={"broker_organization_id": broker_api.user.organization_id,
                                         "scopes": ["decisions"], "valid_until": "2020-01-01"})
    assert past.status_code == 422 and "valid_until" in past.json["errors"]["json"]


def test_delegation_roles(importer_api, broker_api, reviewer_api, api_as, principal):
    granted = _grant(importer_api, broker_api, ["decisions"])
    body = {"broker_organization_id": broker_api.user.organization_id, "scopes": ["decisions"]}
    assert broker_api.post("/api/v1/delegations", json=body).status_code == 403
    assert reviewer_api.post("/api/v1/delegations", json=body).status_code == 403
    assert reviewer_api.get("/api/v1/delegations").status_code == 403
    assert broker_api.delete(f"/api/v1/delegations/{granted['id']}").status_code == 403
    assert api_as("importer").delete(f"/api/v1/delegations/{granted['id']}").status_code == 404
    assert api_as("importer").get("/api/v1/delegations").json["items"] == []


# --------------------------------------------------------------------------- release decisions

def test_broker_decision_for_its_principal_only_and_not_after_revocation(app, importer_api, broker_api, enroll,
                                                                        api_as, principal):
    other = enroll("approved", api=api_as("importer"), ior_number="98-7654321")
    assert broker_api.post("/api/v1/release-decisions",
                           json={**ENTRY, "ior_number": principal["ior_number"]}).status_code == 403  # none yet
    granted = _grant(importer_api, broker_api, ["decisions"])
    response = broker_api.post("/api/v1/release-decisions", json={**ENTRY, "ior_number": principal["ior_number"]})
    assert response.status_code == 201, response.json
    decision = response.json
    assert broker_api.get(f"/api/v1/release-decisions/{decision['id']}").status_code == 200
    assert [d["id"] for d in broker_api.get("/api/v1/release-decisions").json["items"]] == [decision["id"]]
    assert [d["id"] for d in importer_api.get("/api/v1/release-decisions").json["items"]] == [decision["id"]]
    foreign = broker_api.post("/api/v1/release-decisions", json={
        **ENTRY, "entry_number": "999-9999999-0", "ior_number": other["ior_number"]})
    assert foreign.status_code == 403
    with app.app_context():
        entry = db.session.scalar(select(AuditEntry).where(AuditEntry.entity_type == "release_decision"))
        assert entry.actor == broker_api.user.email and entry.actor_id == broker_api.user.id
        assert entry.acting_for_organization_id == importer_api.user.organization_id
        assert verify_chain().ok
    importer_api.delete(f"/api/v1/delegations/{granted['id']}")
    after = broker_api.post("/api/v1/release-decisions", json={
        **ENTRY, "entry_number": "123-1234567-6", "ior_number": principal["ior_number"]})
    assert after.status_code == 403


@pytest.mark.parametrize("scopes", [["blank_declarations"], ["enrollment_read"]])
def test_other_scopes_do_not_allow_decisions(importer_api, broker_api, principal, scopes):
    _grant(importer_api, broker_api, scopes)
    assert broker_api.post("/api/v1/release-decisions",
                           json={**ENTRY, "ior_number": principal["ior_number"]}).status_code == 403


def test_expired_delegation_is_refused(importer_api, broker_api, principal, clock):
    _grant(importer_api, broker_api, ["decisions"], valid_until=today().isoformat())
    assert broker_api.post("/api/v1/release-decisions",
                           json={**ENTRY, "ior_number": principal["ior_number"]}).status_code == 201
    clock.move_to(DEFAULT_NOW + timedelta(days=1, hours=10))
    assert broker_api.post("/api/v1/release-decisions", json={
        **ENTRY, "entry_number": "999-9999999-0", "ior_number": principal["ior_number"]}).status_code == 403


def test_concurrent_revocation(app, client, importer_api, broker_api, principal):
    """Requests race a revocation: each is decided (201) or refused (403); none after the revocation returned
    is decided, and every decision made was authorised while the delegation was live."""
    granted = _grant(importer_api, broker_api, ["decisions"])
    barrier = threading.Barrier(len(ENTRY_NUMBERS) + 1)
    results: list[tuple[str, int]] = []
    lock = threading.Lock()
    errors: list[BaseException] = []

    def ask(number: str) -> None:
        try:
            with app.test_client() as own:
                barrier.wait(timeout=20)
                response = own.post("/api/v1/release-decisions", headers=broker_api.headers,
                                    json={**ENTRY, "entry_number": number, "ior_number": principal["ior_number"]})
            with lock:
                results.append((number, response.status_code))
        except BaseException as error:  # noqa: BLE001 - reported below
            errors.append(error)

    def revoke() -> None:
        try:
            with app.test_client() as own:
                barrier.wait(timeout=20)
                response = own.delete(f"/api/v1/delegations/{granted['id']}", headers=importer_api.headers)
            with lock:
                results.append(("revoke", response.status_code))
        except BaseException as error:  # noqa: BLE001 - reported below
            errors.append(error)

    threads = [threading.Thread(target=ask, args=(n,)) for n in ENTRY_NUMBERS] + [threading.Thread(target=revoke)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not errors, errors
    assert ("revoke", 200) in results
    statuses = {code for name, code in results if name != "revoke"}
    assert statuses <= {201, 403}, results
    decided = [name for name, code in results if code == 201 and name != "revoke"]
    with app.app_context():
        from program.decisions.models import ReleaseDecision

        rows = db.session.scalars(select(ReleaseDecision)).all()
        assert sorted(r.entry_number for r in rows) == sorted(decided)
        revoked_at = db.session.scalar(select(AuditEntry.at).where(AuditEntry.action == "delegation.revoke"))
        made = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "decide")).all()
        # On PostgreSQL the revocation waits for decisions authorised before it (FOR SHARE): all precede it.
        if db.engine.dialect.name == "postgresql":
            assert all(entry.at <= revoked_at for entry in made)
        assert all(entry.acting_for_organization_id == importer_api.user.organization_id for entry in made)
        assert verify_chain().ok
    # Once the revocation has returned, every request is refused.
    late = broker_api.post("/api/v1/release-decisions", json={
        **ENTRY, "entry_number": "ABC-0000006-9", "ior_number": principal["ior_number"]})
    assert late.status_code == 403


# --------------------------------------------------------------------------- blank-goods declarations

def test_broker_files_and_withdraws_declarations_on_behalf_of_its_principal(app, importer_api, broker_api, api_as,
                                                                             enroll, principal):
    other = api_as("importer")
    enroll("approved", api=other, ior_number="98-7654321")
    assert broker_api.post("/api/v1/blank-declarations", json={
        **DECLARATION, "on_behalf_of": importer_api.user.organization_id}).status_code == 403
    _grant(importer_api, broker_api, ["blank_declarations"])
    missing = broker_api.post("/api/v1/blank-declarations", json=DECLARATION)
    assert missing.status_code == 422 and "on_behalf_of" in missing.json["errors"]["json"]
    filed = broker_api.post("/api/v1/blank-declarations", json={
        **DECLARATION, "on_behalf_of": importer_api.user.organization_id})
    assert filed.status_code == 201, filed.json
    public_id = filed.json["id"]
    assert importer_api.get(f"/api/v1/blank-declarations/{public_id}").status_code == 200  # the principal's own
    assert broker_api.post("/api/v1/blank-declarations", json={
        **DECLARATION, "on_behalf_of": other.user.organization_id}).status_code == 403
    withdrawn = broker_api.post(f"/api/v1/blank-declarations/{public_id}/withdraw", json={"reason": "Wrong HTS"})
    assert withdrawn.status_code == 200 and withdrawn.json["status"] == "withdrawn"
    with app.app_context():
        entries = db.session.scalars(select(AuditEntry).where(AuditEntry.entity_type == "blank_declaration")).all()
        assert entries and all(e.actor == broker_api.user.email for e in entries)
        assert all(e.acting_for_organization_id == importer_api.user.organization_id for e in entries)
    own = importer_api.post("/api/v1/blank-declarations", json={
        **DECLARATION, "on_behalf_of": other.user.organization_id})
    assert own.status_code == 422  # importers act for themselves only


# --------------------------------------------------------------------------- enrollment

def test_broker_reads_its_principals_enrollment_with_enrollment_read(importer_api, broker_api, api_as, enroll,
                                                                      principal):
    other = enroll("approved", api=api_as("importer"), ior_number="98-7654321")
    path = f"/api/v1/enrollments/{principal['id']}"
    assert broker_api.get(path).status_code == 403
    granted = _grant(importer_api, broker_api, ["enrollment_read"])
    body = broker_api.get(path).json
    assert body["program_id"] == principal["program_id"] and "screening" not in body
    assert [e["id"] for e in broker_api.get("/api/v1/enrollments").json["items"]] == [principal["id"]]
    assert broker_api.get(f"/api/v1/enrollments/{other['id']}").status_code == 403
    assert broker_api.patch(path, json={"publish_consent": False}).status_code == 403
    assert broker_api.post(f"{path}/annual-review", json={"attestation": True}).status_code == 403
    importer_api.delete(f"/api/v1/delegations/{granted['id']}")
    assert broker_api.get(path).status_code == 403
    assert broker_api.get("/api/v1/enrollments").json["items"] == []


def test_me_shows_the_broker_role(broker_api):
    me = broker_api.get("/api/v1/me").json
    assert me["role"] == "broker" and me["organization"]["kind"] == "broker"


# --------------------------------------------------------------------------- pages

def test_importer_grants_and_revokes_on_the_brokers_page(client, login, importer_api, broker_api, principal):
    login(importer_api.user)
    page = client.get("/delegations")
    assert page.status_code == 200 and "Harborline Customs Brokerage" in page.text
    response = client.post("/delegations", data={"broker_organization_id": broker_api.user.organization_id,
                                                 "scopes": ["decisions", "enrollment_read"]})
    assert response.status_code == 302
    granted = importer_api.get("/api/v1/delegations").json["items"][0]
    assert granted["scopes"] == ["decisions", "enrollment_read"] and granted["live"]
    assert client.post("/delegations", data={"broker_organization_id": broker_api.user.organization_id}
                       ).status_code == 422
    client.post(f"/delegations/{granted['id']}/revoke")
    assert importer_api.get("/api/v1/delegations").json["items"][0]["revoked_at"]


def test_broker_pages_list_principals_decisions_and_declarations(client, login, importer_api, broker_api,
                                                                 principal):
    _grant(importer_api, broker_api, ["decisions", "blank_declarations"])
    broker_api.post("/api/v1/release-decisions", json={**ENTRY, "ior_number": principal["ior_number"]})
    filed = broker_api.post("/api/v1/blank-declarations", json={
        **DECLARATION, "on_behalf_of": importer_api.user.organization_id}).json
    login(broker_api.user)
    assert "Acting for importers" in client.get("/home").text
    page = client.get("/broker").text
    assert principal["ior_number"] in page and "ABC-1234567-6" in page and filed["id"] in page
    assert client.get("/delegations").status_code == 403
    client.post("/logout")
    login(importer_api.user)
    assert client.get("/broker").status_code == 403
