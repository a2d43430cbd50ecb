"""Fixtures of the enrollment tests: a complete application, and factories that walk an enrollment
through the API to the state a test needs."""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

import pytest

from core.accounts.models import User
from core.extensions import db

APPLICATION: dict[str, Any] = {
    "legal_name": "Acme Parallel Imports LLC",
    "company_type": "llc",
    "ior_number": "12-3456789AB",
    "address": {"street": "1 Dock Street", "city": "Long Beach", "state": "CA", "postal_code": "90802",
                "country": "US"},
    "contacts": [
        {"purpose": "primary", "name": "Pat Primary", "email": "pat@acme-imports.example"},
        {"purpose": "ipr", "name": "Ira Counsel", "email": "ipr@acme-imports.example"},
    ],
    "sectors": ["apparel_footwear", "consumer_electronics", "mobile_devices"],
    "conditions": ["new_parallel", "used"],
    "sourcing_description": "Authorised EU distributors; serial numbers checked against the maker's register.",
    "enforcement_history": "None.",
    "publish_consent": True,
    "attestation": True,
}


@pytest.fixture
def application_data() -> Callable[..., dict[str, Any]]:
    """Factory: a complete application body, with top-level overrides."""

    def factory(**overrides: Any) -> dict[str, Any]:
        body = copy.deepcopy(APPLICATION)
        body.update(overrides)
        return body

    return factory


@pytest.fixture
def importer_api(api_as):
    """An importer of its own organisation, with a token."""
    return api_as("importer")


@pytest.fixture
def reviewer_api(api_as):
    """A CBP reviewer with a token."""
    return api_as("reviewer")


@pytest.fixture
def enroll(importer_api, reviewer_api, application_data):
    """Factory: walk a new enrollment of ``importer_api``'s organisation to ``state``; returns its JSON."""

    def factory(state: str = "submitted", api=None, **overrides: Any) -> dict[str, Any]:
        api = api or importer_api
        created = api.post("/api/v1/enrollments", json=application_data(**overrides))
        assert created.status_code == 201, created.json
        eid = created.json["id"]
        if state == "draft":
            return created.json
        if state == "withdrawn":
            return _ok(api.post(f"/api/v1/enrollments/{eid}/withdraw", json={"reason": "changed our mind"}))
        body = _ok(api.post(f"/api/v1/enrollments/{eid}/submit"))
        if state == "submitted":
            return body
        decision = {"denied": "deny", "info_requested": "request_info"}.get(state, "approve")
        body = _ok(reviewer_api.post(f"/api/v1/enrollments/{eid}/decision",
                                     json={"action": decision, "reason": f"test {decision}"}))
        if state in ("approved", "denied", "info_requested"):
            return body
        if state == "suspended":
            return _ok(reviewer_api.post(f"/api/v1/enrollments/{eid}/suspend", json={"reason": "held"}))
        if state == "revoked":
            return _ok(reviewer_api.post(f"/api/v1/enrollments/{eid}/revoke", json={"reason": "seizures"}))
        raise ValueError(state)

    return factory


def _ok(response) -> dict[str, Any]:
    assert response.status_code == 200, response.json
    return response.json


@pytest.fixture
def user_model():
    """Factory: the ``User`` row of a ``UserRef`` in the current app context."""

    def factory(ref) -> User:
        return db.session.get(User, ref.id)

    return factory


@pytest.fixture
def broker_api(api_as, make_user):
    """A customs broker's user with a token."""
    return api_as(make_user("broker", org="Harborline Customs Brokerage"))


@pytest.fixture
def principal(enroll, importer_api):
    """``importer_api``'s approved enrollment (the broker's principal)."""
    return enroll("approved")
