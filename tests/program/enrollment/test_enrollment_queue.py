"""The reviewer queue: submitted first and oldest first, filters, the 90-day badge, findings at a glance —
rendered with the same number of SQL queries whatever the number of rows."""

from __future__ import annotations

import contextlib
import time
from datetime import timedelta

import pytest
from sqlalchemy import event, insert, select

from core.accounts.models import Organization
from core.extensions import db
from core.timeutil import utcnow
from program.enrollment.models import Enrollment, EnrollmentSector

FINDINGS = [{"code": "debarred_name", "message": "Resembles Shady Imports Ltd"},
            {"code": "heightened_sector", "message": "Pharmaceuticals"},
            {"code": "heightened_sector", "message": "Medical devices"}]


def bulk_enrollments(app, count: int, *, prefix: str = "Bulk") -> None:
    """Insert ``count`` awaiting enrollments (one organisation each) with plain multi-row INSERTs."""
    now = utcnow()
    with app.app_context():
        first = (db.session.scalar(select(Organization.id).order_by(Organization.id.desc()).limit(1)) or 0) + 1
        db.session.execute(insert(Organization), [
            {"id": first + i, "name": f"{prefix} Importer {i:05d}", "kind": "importer", "created_at": now}
            for i in range(count)])
        rows = []
        for i in range(count):
            submitted = now - timedelta(days=i % 200, hours=i % 24)
            rows.append({
                "id": first + i, "organization_id": first + i,
                "status": "submitted" if i % 3 else "info_requested", "version": 2,
                "legal_name": f"{prefix} Importer {i:05d} LLC", "legal_name_normalized": f"bulk importer {i:05d}",
                "dba_name": "", "ior_number": f"{10 + i % 89:02d}-{i:07d}", "address_street": "1 Way",
                "address_city": "Long Beach", "address_state": "CA", "address_postal_code": "90802",
                "address_country": "US", "conditions": ["used"], "sourcing_description": "s",
                "enforcement_history": "", "publish_consent": False, "attestation": True,
                "screening": FINDINGS[: i % 4], "submitted_at": submitted, "last_submitted_at": submitted,
                "created_at": submitted, "updated_at": submitted,
            })
        db.session.execute(insert(Enrollment), rows)
        db.session.execute(insert(EnrollmentSector), [
            {"enrollment_id": first + i, "sector_code": code, "approved": False}
            for i in range(count) for code in ("consumer_electronics", "pharmaceuticals" if i % 2 else "toys_games")])
        db.session.commit()


@contextlib.contextmanager
def count_queries(app):
    """Count SQL statements sent to the database inside the block."""
    statements: list[str] = []

    def listener(conn, cursor, statement, parameters, context, executemany):
        statements.append(statement)

    with app.app_context():
        engine = db.engine
    event.listen(engine, "before_cursor_execute", listener)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", listener)


@pytest.fixture
def reviewer_client(client, login, make_user):
    """The test client signed in as a reviewer."""
    login(make_user("reviewer"))
    return client


def _render(app, client, url="/review/enrollments") -> tuple[int, str]:
    with count_queries(app) as statements:
        response = client.get(url)
    assert response.status_code == 200
    return len(statements), response.text


def test_query_count_does_not_grow_with_rows(app, reviewer_client):
    bulk_enrollments(app, 5, prefix="Few")
    few, text = _render(app, reviewer_client)
    assert text.count("data-enrollment-id=") == 5
    bulk_enrollments(app, 55, prefix="Many")
    many, text = _render(app, reviewer_client)
    assert text.count("data-enrollment-id=") == 50  # a full page of the 60
    assert few == many, "the queue must eager-load what its rows show"
    assert few <= 8


def test_ten_thousand_rows_render_with_the_same_queries(app, reviewer_client):
    bulk_enrollments(app, 5, prefix="Few")
    few, _ = _render(app, reviewer_client)
    started = time.perf_counter()
    bulk_enrollments(app, 10_000, prefix="Huge")
    assert time.perf_counter() - started < 60
    default, text = _render(app, reviewer_client)
    assert default == few and "10005 in all." in text
    biggest, text = _render(app, reviewer_client, "/review/enrollments?page_size=500&page=3")
    assert biggest == few and text.count("data-enrollment-id=") == 500


def test_order_submitted_first_then_oldest(app, reviewer_client):
    bulk_enrollments(app, 9)
    with app.app_context():
        expected = db.session.scalars(
            select(Enrollment.id).order_by((Enrollment.status != "submitted"), Enrollment.submitted_at)).all()
    _, text = _render(app, reviewer_client)
    shown = [int(part.split('"')[0]) for part in text.split('data-enrollment-id="')[1:]]
    assert shown == expected


def test_age_badge_findings_and_filters(app, reviewer_client, enroll, reviewer_api):
    bulk_enrollments(app, 4)  # ages 0..3 days; findings 0..3
    old = enroll("submitted", sectors=["watches_jewelry"])
    with app.app_context():
        db.session.execute(Enrollment.__table__.update().where(Enrollment.id == old["id"])
                           .values(submitted_at=utcnow() - timedelta(days=120)))
        db.session.commit()
    _, text = _render(app, reviewer_client)
    assert text.count("Past 90 days") == 1 and "120 days" in text
    assert "Debarred name match" in text and "Heightened-protection sector ×2" in text
    _, only_info = _render(app, reviewer_client, "/review/enrollments?status=info_requested")
    assert only_info.count("data-enrollment-id=") == 2
    _, watches = _render(app, reviewer_client, "/review/enrollments?sector=watches_jewelry")
    assert watches.count("data-enrollment-id=") == 1 and "Acme Parallel Imports LLC" in watches
    _, approved = _render(app, reviewer_client, "/review/enrollments?status=approved")
    assert "Nothing is waiting" in approved


def test_reviewer_home_summarises_the_queue(app, reviewer_client):
    bulk_enrollments(app, 200)  # ages 0..199 days
    home = reviewer_client.get("/home").text
    assert 'id="queue-awaiting">200<' in home
    assert 'id="queue-late">110<' in home  # first submitted more than 90 days ago (90 days 18 hours and up)
    assert "Audit log" in home
