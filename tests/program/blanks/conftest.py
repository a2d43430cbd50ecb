"""Fixtures of the blank-goods tests: enrolled importers, a valid declaration body, and a factory that
files declarations through the service."""

from __future__ import annotations

import copy
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest

from core.accounts.models import User
from core.extensions import db
from tests.clocks import DEFAULT_NOW

TODAY = DEFAULT_NOW.date()  # the test clock's date (tests/clocks.py)

DECLARATION: dict[str, Any] = {
    "valid_from": TODAY.isoformat(),
    "valid_until": (TODAY + timedelta(days=180)).isoformat(),
    "parties": [
        {"role": "manufacturer", "name": "Guangzhou Plain Bags Co.", "country": "CN", "address": "12 Mill Road"},
        {"role": "seller", "name": "Pearl River Trading Ltd", "country": "HK"},
    ],
    "lines": [
        {"line_no": 1, "description": "Plain cotton tote bags, no logos", "hts_code": "4202.92.3131",
         "quantity": 1000, "unit": "pcs", "country_of_origin": "CN", "intended_marking": "none"},
        {"line_no": 2, "description": "Blank phone cases", "hts_code": "3926909990",
         "quantity": "250.5", "unit": "pcs", "country_of_origin": "VN", "intended_marking": "none"},
    ],
    "attestation": True,
}

APPLICATION: dict[str, Any] = {
    "legal_name": "Blank Goods Importers LLC",
    "company_type": "llc",
    "ior_number": "12-3456789AB",
    "address": {"street": "1 Dock Street", "city": "Long Beach", "state": "CA", "postal_code": "90802",
                "country": "US"},
    "contacts": [{"purpose": "primary", "name": "Pat Primary", "email": "pat@blank-importers.example"}],
    "sectors": ["apparel_footwear"],
    "conditions": ["blank"],
    "sourcing_description": "Direct from mills.",
    "enforcement_history": "None.",
    "publish_consent": False,
    "attestation": True,
}


@pytest.fixture
def declaration_body() -> Callable[..., dict[str, Any]]:
    """Factory: a complete declaration body, with top-level overrides."""

    def factory(**overrides: Any) -> dict[str, Any]:
        body = copy.deepcopy(DECLARATION)
        body.update(overrides)
        return body

    return factory


@pytest.fixture
def reviewer_api(api_as):
    """A CBP reviewer with a token."""
    return api_as("reviewer")


@pytest.fixture
def enrolled(api_as, make_user, reviewer_api):
    """Factory: an importer (new organisation) whose enrollment is approved; returns its ApiClient."""
    counter = {"n": 0}

    def factory(org: str | None = None, ior: str | None = None):
        counter["n"] += 1
        api = api_as(make_user("importer", org=org))
        body = copy.deepcopy(APPLICATION)
        body["ior_number"] = ior or f"12-34567{counter['n']:02d}"
        created = api.post("/api/v1/enrollments", json=body)
        assert created.status_code == 201, created.json
        eid = created.json["id"]
        assert api.post(f"/api/v1/enrollments/{eid}/submit").status_code == 200
        decided = reviewer_api.post(f"/api/v1/enrollments/{eid}/decision", json={"action": "approve", "reason": "ok"})
        assert decided.status_code == 200, decided.json
        return api

    return factory


@pytest.fixture
def importer_api(enrolled):
    """An enrolled importer with a token."""
    return enrolled()


@pytest.fixture
def file_as(app, declaration_body):
    """Factory: file a declaration through the service as ``user`` (a UserRef); returns its public id."""

    def factory(user, **overrides: Any) -> str:
        from program.blanks import services

        with app.app_context():
            declaration = services.file_declaration(db.session.get(User, user.id), declaration_body(**overrides))
            db.session.commit()
            public_id = declaration.public_id
            db.session.remove()
        return public_id

    return factory


@pytest.fixture
def mark_of(api_as, reviewer_api):
    """Factory: a mark recorded for a new rights holder; returns (rights holder ApiClient, recordation number)."""
    counter = {"n": 0}

    def factory(number: str | None = None, name: str = "ACME"):
        counter["n"] += 1
        holder = api_as("rights_holder")
        number = number or f"TMK 21-{counter['n']:05d}"
        created = reviewer_api.post("/api/v1/marks", json={
            "recordation_number": number, "mark": name, "owner_organization_id": holder.user.organization_id})
        assert created.status_code == 201, created.json
        return holder, number

    return factory


def licensed_line(number: str, **overrides: Any) -> dict[str, Any]:
    """A licensed line naming the mark ``number``."""
    line = {"line_no": 3, "description": "Plain caps for licensed embroidery", "hts_code": "6505.00.8015",
            "quantity": 400, "unit": "pcs", "country_of_origin": "BD", "intended_marking": "licensed",
            "authorization_ref": "ACME-LIC-2026-17", "recordation_number": number}
    line.update(overrides)
    return line
