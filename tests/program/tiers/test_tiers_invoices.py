"""Tiers and invoices through the API, pages and CLI: admins define tiers and put rights holders on them,
invoices are issued per period (repeatable), paid with a reference or waived; revenue by period."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from core.extensions import db
from core.notifications import OutboxMessage


def test_admin_defines_and_edits_tiers(admin_api, tiers):
    made = admin_api.post("/api/v1/tiers", json={"code": "gold", "name": "Gold", "annual_fee_usd": "5000.50",
                                                  "features": ["analytics_exports"]})
    assert made.status_code == 201 and made.json["annual_fee_usd"] == "5000.50"
    assert admin_api.post("/api/v1/tiers", json={"code": "gold", "name": "G", "annual_fee_usd": "1"}).status_code == 409
    edited = admin_api.patch("/api/v1/tiers/gold", json={"active": False, "features": []})
    assert edited.status_code == 200 and edited.json["active"] is False
    assert admin_api.patch("/api/v1/tiers/nope", json={"active": False}).status_code == 404


@pytest.mark.parametrize(("body", "field"), [
    ({"code": "Bad Code", "name": "x", "annual_fee_usd": "1"}, "code"),
    ({"code": "x1", "name": "", "annual_fee_usd": "1"}, "name"),
    ({"code": "x1", "name": "x", "annual_fee_usd": "-5"}, "annual_fee_usd"),
    ({"code": "x1", "name": "x", "annual_fee_usd": "1.001"}, "annual_fee_usd"),
    ({"code": "x1", "name": "x", "annual_fee_usd": "NaN"}, "annual_fee_usd"),
    ({"code": "x1", "name": "x", "annual_fee_usd": "1e30"}, "annual_fee_usd"),
    ({"code": "x1", "name": "x", "annual_fee_usd": "1", "features": ["teleport"]}, "features"),
])
def test_bad_tiers_are_422(admin_api, tiers, body, field):
    response = admin_api.post("/api/v1/tiers", json=body)
    assert response.status_code == 422 and field in response.json["errors"]["json"]


@pytest.mark.parametrize("role", ["importer", "rights_holder", "industry_group", "reviewer"])
def test_only_admins_manage_tiers(api_as, tiers, role):
    api = api_as(role)
    assert api.post("/api/v1/tiers", json={"code": "x1", "name": "x", "annual_fee_usd": "1"}).status_code == 403
    assert api.post("/api/v1/organizations/1/tier", json={"tier": "premium"}).status_code == 403
    assert api.post("/api/v1/invoices/issue", json={"period": "2026"}).status_code == 403


def test_tier_assignment_is_checked(admin_api, api_as, tiers):
    importer = api_as("importer")
    assert admin_api.post(f"/api/v1/organizations/{importer.user.organization_id}/tier",
                         json={"tier": "standard"}).status_code == 404
    rights = api_as("rights_holder")
    assert admin_api.post(f"/api/v1/organizations/{rights.user.organization_id}/tier",
                         json={"tier": "platinum"}).status_code == 422
    assert admin_api.post("/api/v1/organizations/99999999999/tier", json={"tier": "standard"}).status_code == 404


def test_invoices_issued_paid_waived_and_revenue(app, admin_api, api_as, tiers):
    acme, lumen, free = api_as("rights_holder"), api_as("rights_holder"), api_as("rights_holder")
    admin_api.post(f"/api/v1/organizations/{acme.user.organization_id}/tier", json={"tier": "standard"})
    admin_api.post(f"/api/v1/organizations/{lumen.user.organization_id}/tier", json={"tier": "premium"})
    admin_api.post(f"/api/v1/organizations/{free.user.organization_id}/tier", json={"tier": "free"})
    issued = admin_api.post("/api/v1/invoices/issue", json={"period": "2026"})
    assert issued.status_code == 201
    assert sorted(i["amount_usd"] for i in issued.json["items"]) == ["10000.00", "2500.00"]
    assert admin_api.post("/api/v1/invoices/issue", json={"period": "2026"}).json["items"] == []  # repeatable
    assert admin_api.post("/api/v1/invoices/issue", json={"period": "26"}).status_code == 422
    with app.app_context():
        assert db.session.scalar(select(OutboxMessage).where(OutboxMessage.topic == "invoice.issue")) is not None
    by_org = {i["organization"]["id"]: i for i in issued.json["items"]}
    acme_invoice, lumen_invoice = by_org[acme.user.organization_id], by_org[lumen.user.organization_id]
    assert admin_api.post(f"/api/v1/invoices/{acme_invoice['id']}/pay", json={"payment_reference": " "}).status_code == 422
    paid = admin_api.post(f"/api/v1/invoices/{acme_invoice['id']}/pay", json={"payment_reference": "Pay.gov 26TK1"})
    assert paid.status_code == 200 and paid.json["status"] == "paid"
    assert admin_api.post(f"/api/v1/invoices/{acme_invoice['id']}/waive", json={"reason": "x"}).status_code == 409
    waived = admin_api.post(f"/api/v1/invoices/{lumen_invoice['id']}/waive", json={"reason": "Pilot participant"})
    assert waived.json["status"] == "waived"
    revenue = api_as("reviewer").get("/api/v1/revenue").json["items"]
    assert revenue == [{"period": "2026", "invoices": 2, "invoiced_usd": "12500.00", "paid_usd": "2500.00",
                        "waived_usd": "10000.00", "outstanding_usd": "0.00"}]
    mine = acme.get("/api/v1/account/tier").json
    assert mine["tier"]["code"] == "standard" and mine["features"]["analytics_exports"] is True
    assert [i["number"] for i in mine["invoices"]] == [acme_invoice["number"]]
    assert free.get("/api/v1/account/tier").json["invoices"] == []
    assert acme.get("/api/v1/invoices").status_code == 403
    assert api_as("importer").get("/api/v1/account/tier").status_code == 403
    assert admin_api.post("/api/v1/invoices/99999999999/pay", json={"payment_reference": "x"}).status_code == 404


def test_yearly_invoice_run_from_the_cli(runner, admin_api, api_as, tiers):
    rights = api_as("rights_holder")
    admin_api.post(f"/api/v1/organizations/{rights.user.organization_id}/tier", json={"tier": "standard"})
    result = runner.invoke(args=["invoices", "issue"])
    assert result.exit_code == 0, result.output
    assert "Issued 1 invoice for 2026, $2,500.00 in total." in result.output
    again = runner.invoke(args=["invoices", "issue", "--period", "2026"])
    assert "Issued 0 invoices" in again.output
    bad = runner.invoke(args=["invoices", "issue", "--period", "1999"])
    assert bad.exit_code != 0


def test_tier_pages(client, login, make_user, admin_api, tiers):
    rights = make_user("rights_holder", org="Page Brands Inc")
    admin_api.post(f"/api/v1/organizations/{rights.organization_id}/tier", json={"tier": "standard"})
    admin_api.post("/api/v1/invoices/issue", json={"period": "2026"})
    login(rights)
    page = client.get("/account/tier")
    assert page.status_code == 200 and "Standard" in page.text and "INV-2026-00001" in page.text
    client.post("/logout")
    admin = make_user("admin")
    login(admin)
    assert client.get("/admin/tiers").status_code == 200
    defined = client.post("/admin/tiers", data={"code": "gold", "name": "Gold", "annual_fee_usd": "7000",
                                                "features": ["analytics_exports"]})
    assert defined.status_code == 302
    assert client.post("/admin/tiers", data={"code": "gold", "name": "Gold", "annual_fee_usd": "x"}).status_code == 422
    invoices = client.get("/invoices")
    assert invoices.status_code == 200 and "$2,500.00" in invoices.text
    invoice_id = admin_api.get("/api/v1/invoices").json["items"][0]["id"]
    assert client.post(f"/invoices/{invoice_id}/pay", data={"payment_reference": "Pay.gov 77"}).status_code == 302
    assert "Pay.gov 77" in client.get("/invoices").text
    client.post("/logout")
    login(make_user("reviewer"))
    assert client.get("/invoices").status_code == 200
    assert client.get("/admin/tiers").status_code == 403
    assert client.post(f"/invoices/{invoice_id}/waive", data={"reason": "x"}).status_code == 403


@pytest.mark.parametrize(("tier", "says"), [
    ("free", "an e-mail to your IPR contact at the notice needs a paid tier"),
    ("standard", "your IPR contact is e-mailed at the notice"),
])
def test_tier_page_explains_detention_notices(client, login, make_user, admin_api, tiers, tier, says):
    rights = make_user("rights_holder")
    admin_api.post(f"/api/v1/organizations/{rights.organization_id}/tier", json={"tier": tier})
    login(rights)
    page = client.get("/account/tier")
    assert page.status_code == 200 and says in " ".join(page.text.split())
