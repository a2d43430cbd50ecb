"""Fixtures of the Report-IP-theft tests: a valid report body and a reviewer's API client."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from tests.program.enrollment.conftest import (  # noqa: F401  (fixtures reused for screening tests)
    application_data,
    enroll,
    importer_api,
    reviewer_api,
)

REPORT: dict[str, Any] = {
    "summary": "Counterfeit Acme watches on Example Market",
    "details": "Listing 1234 sells 'Acme Diver' watches at a tenth of the retail price; the logo is misspelt.",
    "suspect": {"name": "Cheap Time Trading", "website": "https://market.example/listing/1234",
                "marketplace": "Example Market", "country": "CN"},
    "ports": ["2704"],
}


@pytest.fixture
def report_body():
    """Factory: a valid report body, with top-level overrides."""

    def factory(**overrides: Any) -> dict[str, Any]:
        body = copy.deepcopy(REPORT)
        body.update(overrides)
        return body

    return factory


@pytest.fixture
def file_report(client, report_body):
    """Factory: file a report through the public API; returns its receipt."""

    def factory(**overrides: Any) -> str:
        response = client.post("/api/v1/public/allegations", json=report_body(**overrides))
        assert response.status_code == 201, response.json
        return response.json["receipt"]

    return factory


@pytest.fixture
def allegation_id(app):
    """Factory: the id of the allegation with this receipt."""
    from sqlalchemy import select

    from core.extensions import db
    from program.allegations.models import Allegation

    def factory(receipt: str) -> int:
        with app.app_context():
            return db.session.scalar(select(Allegation.id).where(Allegation.receipt == receipt))

    return factory
