"""Fixtures of the release-decision tests: a program world built through the real services and API —
an enrolled importer, recorded marks (one with Lever-rule protection), a published standard endorsed by
the mark owner, a blank-goods declaration — and a factory for request bodies."""

from __future__ import annotations

import copy
import itertools
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import pytest

from core.accounts.models import User
from core.extensions import db
from program.decisions.entry_number import make_entry_number
from tests.clocks import DEFAULT_NOW

IOR = "12-3456789AB"
OTHER_IOR = "98-7654321"
TODAY = DEFAULT_NOW.date()  # the test clock's date (tests/clocks.py)

APPLICATION: dict[str, Any] = {
    "legal_name": "Northwind Trading LLC",
    "company_type": "llc",
    "ior_number": IOR,
    "address": {"street": "1 Dock Street", "city": "Long Beach", "state": "CA", "postal_code": "90802",
                "country": "US"},
    "contacts": [{"purpose": "primary", "name": "Nadia North", "email": "nadia@northwind.example"}],
    "sectors": ["consumer_electronics", "mobile_devices", "handbags_accessories", "pharmaceuticals"],
    "conditions": ["new_parallel", "used", "refurbished", "blank"],
    "sourcing_description": "Authorised distributors only.",
    "enforcement_history": "None.",
    "publish_consent": True,
    "attestation": True,
}

DECLARATION: dict[str, Any] = {
    "valid_from": TODAY.isoformat(),
    "valid_until": (TODAY + timedelta(days=180)).isoformat(),
    "parties": [{"role": "manufacturer", "name": "Plain Bags Co.", "country": "CN", "address": "12 Mill Road"}],
    "lines": [
        {"line_no": 1, "description": "Plain tote bags, no logos", "hts_code": "4202.92.3131", "quantity": 100,
         "unit": "pcs", "country_of_origin": "CN", "intended_marking": "none"},
    ],
    "attestation": True,
}

# A declaration line of blank earbuds that will carry LUMEN (TMK 21-00123) under licence: pending its owner's answer.
LICENSED_LINE = {"line_no": 2, "description": "Plain earbuds for licensed LUMEN printing", "hts_code": "8518.30.2000",
                 "quantity": 50, "unit": "pcs", "country_of_origin": "CN", "intended_marking": "licensed",
                 "authorization_ref": "LUMEN-LIC-7", "recordation_number": "TMK 21-00123"}

# A line of each kind the world makes expedited, standard or referred.
EXPEDITED_LINE = {"line_no": 1, "description": "Used LUMEN phones", "hts_code": "8517.13.0000", "quantity": 10,
                  "value_usd": "2500.00", "sector": "mobile_devices", "condition": "used",
                  "recordation_number": "TMK 21-00123"}
STANDARD_LINE = {"line_no": 2, "description": "Generic pills", "hts_code": "3004.90.9290", "quantity": 5,
                 "value_usd": "100.00", "sector": "pharmaceuticals", "condition": "used",
                 "recordation_number": "TMK 21-00123"}
REFERRED_LINE = {"line_no": 3, "description": "New ACME bags for the EU market", "hts_code": "4202.21.9000",
                 "quantity": 3, "value_usd": "900.00", "sector": "handbags_accessories",
                 "condition": "new_parallel", "recordation_number": "TMK 19-04567", "lever_label": False}


@dataclass
class ProgramWorld:
    """Ids and API clients of the world the decision tests run in."""

    importer: Any
    other_importer: Any
    reviewer: Any
    rights: Any
    admin: Any
    enrollment_id: int
    declaration_id: str
    declaration_line_id: int
    version_id: int


def _ok(response, status: int = 200) -> dict[str, Any]:
    assert response.status_code == status, response.json
    return response.json


@pytest.fixture
def world(app, api_as, make_user) -> ProgramWorld:
    """Enrolled importer (IOR 12-3456789AB), marks, an endorsed published standard and a declaration."""
    from standards.services import endorsements, marks, versions

    reviewer = api_as("reviewer")
    importer = api_as(make_user("importer", org="Northwind Trading LLC"))
    other = api_as("importer")
    rights = api_as(make_user("rights_holder", org="Lumen Electronics Inc."))
    acme = make_user("rights_holder", org="Acme Brands Corporation")
    group = make_user("industry_group", org="Electronics Resale Alliance")
    admin = api_as("admin")

    eid = _ok(importer.post("/api/v1/enrollments", json=copy.deepcopy(APPLICATION)), 201)["id"]
    _ok(importer.post(f"/api/v1/enrollments/{eid}/submit"))
    _ok(reviewer.post(f"/api/v1/enrollments/{eid}/decision", json={
        "action": "approve", "reason": "Meets the program criteria.",
        "sectors": ["consumer_electronics", "mobile_devices", "handbags_accessories", "pharmaceuticals"]}))
    other_app = dict(copy.deepcopy(APPLICATION), legal_name="Other Imports Inc.", ior_number=OTHER_IOR)
    _ok(other.post("/api/v1/enrollments", json=other_app), 201)

    with app.app_context():
        officer = db.session.get(User, reviewer.user.id)
        marks.register_mark(officer, recordation_number="TMK 21-00123", mark="LUMEN",
                            owner_organization_id=rights.user.organization_id, lever_rule=False,
                            sectors=["consumer_electronics", "mobile_devices"])
        marks.register_mark(officer, recordation_number="TMK 19-04567", mark="ACME",
                            owner_organization_id=acme.organization_id, lever_rule=True,
                            sectors=["handbags_accessories"])
        author = db.session.get(User, group.id)
        version = versions.create_standard(
            author, sector="mobile_devices", title="Used and refurbished phones", conditions=["used", "refurbished"],
            requirements=[{"code": "R1", "text": "Serial number checked against the maker's register",
                           "evidence": "Register extract"}])
        versions.propose_version(author, version)
        endorsements.endorse_version(db.session.get(User, rights.user.id), version, marks=["TMK 21-00123"],
                                     statement="Genuine when these requirements are met.")
        versions.publish_version(officer, version)
        version_id = version.id
        db.session.commit()

    with app.app_context():
        from program.blanks.services import file_declaration

        declaration = file_declaration(db.session.get(User, importer.user.id), copy.deepcopy(DECLARATION))
        public_id, line_id = declaration.public_id, declaration.lines[0].id
        db.session.commit()
    return ProgramWorld(importer=importer, other_importer=other, reviewer=reviewer, rights=rights, admin=admin,
                        enrollment_id=eid, declaration_id=public_id, declaration_line_id=line_id,
                        version_id=version_id)


@pytest.fixture
def entry() -> Callable[..., dict[str, Any]]:
    """Factory: a decision request body for the world's importer with the given lines (default: one), for a
    new entry number unless ``entry_number`` is given."""

    numbers = itertools.count(1_000_001)

    def factory(*lines: dict[str, Any], entry_number: str | None = None, ior_number: str = IOR,
                **overrides: Any) -> dict[str, Any]:
        # A new entry number per body unless one is given: an entry number has one live decision.
        entry_number = entry_number or make_entry_number("ABC", next(numbers))
        body = {"entry_number": entry_number, "port_code": "2704", "ior_number": ior_number,
                "lines": [copy.deepcopy(line) for line in (lines or (EXPEDITED_LINE,))]}
        body.update(overrides)
        return body

    return factory


@pytest.fixture
def blank_line(world) -> Callable[..., dict[str, Any]]:
    """Factory: a blank line citing the world's declaration line 1."""

    def factory(quantity: int = 10, line_no: int = 1, **overrides: Any) -> dict[str, Any]:
        line = {"line_no": line_no, "description": "Plain tote bags", "hts_code": "4202.92.3131",
                "quantity": quantity, "value_usd": "50.00", "sector": "handbags_accessories",
                "condition": "blank", "blank_declaration_id": world.declaration_id, "blank_line_no": 1}
        line.update(overrides)
        return line

    return factory
