"""Fixtures of the announcement tests: the enrollment tests' factories (an importer with a primary contact)."""

from __future__ import annotations

from tests.program.enrollment.conftest import (  # noqa: F401  (fixtures reused)
    application_data,
    enroll,
    importer_api,
    reviewer_api,
)
