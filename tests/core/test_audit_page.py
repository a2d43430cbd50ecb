"""The audit page people read: names instead of e-mails and codes, "field: before → after", filters."""

from __future__ import annotations

from datetime import timedelta

import pytest

from core import audit
from core.accounts.models import User
from core.extensions import db
from core.timeutil import utcnow


@pytest.fixture
def logged(app, make_user):
    """A reviewer signed in, and two entries by a named importer: a rename (before/after) and a creation."""
    reviewer = make_user("reviewer")
    importer = make_user("importer", org="Northwind Trading LLC", email="nadia@northwind.example")
    with app.app_context():
        nadia = db.session.get(User, importer.id)
        nadia.full_name = "Nadia North"
        audit.record(nadia, "organization.rename", "organization", nadia.organization_id,
                     before={"name": "Northwind Trading"}, after={"name": "Northwind Trading LLC"})
        audit.record(nadia, "api_token.issue", "api_token", 1,
                     after={"name": "broker", "last_used_at": "2026-11-18T14:59:00.123456+00:00",
                            "token_sha256": "ab" * 32})
        db.session.commit()
        db.session.remove()
    return reviewer


def test_entries_read_as_names_and_changes(client, login, logged):
    login(logged)
    page = client.get("/audit").text
    assert "Nadia North" in page and "Northwind Trading LLC" in page
    assert "Organisation renamed" in page and "API token issued" in page
    assert ">organization.rename<" not in page and "<code>" not in page.split("<tbody>", 1)[1]
    assert "<dt>Name</dt><dd><del>Northwind Trading</del>" in page and "<ins>Northwind Trading LLC</ins>" in page
    assert "2026-11-18 14:59 UTC" in page  # timestamps in values are shortened
    assert "abababababab…" in page and "ab" * 32 not in page.split("<dd>", 1)[1]


@pytest.mark.parametrize(("query", "shown", "hidden"), [
    ("actor=nadia", ["Organisation renamed", "API token issued"], []),
    ("actor=North", ["Organisation renamed"], []),
    ("actor=nobody", [], ["Organisation renamed", "API token issued"]),
    ("action=api_token.issue", ["API token issued"], ["Organisation renamed"]),
    ("entity_type=organization", ["Organisation renamed"], ["API token issued"]),
])
def test_filters(client, login, logged, query, shown, hidden):
    login(logged)
    page = client.get(f"/audit?{query}").text
    body = page.split("<tbody>", 1)[1]
    assert all(text in body for text in shown)
    assert not any(text in body for text in hidden)


def test_date_filters(client, login, logged):
    login(logged)
    today = utcnow().date()
    assert "Organisation renamed" in client.get(f"/audit?from={today}&to={today}").text.split("<tbody>", 1)[1]
    later = today + timedelta(days=1)
    assert "No entries match these filters." in client.get(f"/audit?from={later}").text
    earlier = today - timedelta(days=1)
    assert "No entries match these filters." in client.get(f"/audit?to={earlier}").text
    bad = client.get("/audit?from=18/11/2026")
    assert bad.status_code == 200 and "From date: enter a date like 2026-11-18." in bad.text


def test_codes_in_values_read_as_names(app, client, login, make_user):
    reviewer = make_user("reviewer")
    with app.app_context():
        audit.record(None, "enrollment.approve", "enrollment", 9, before={"status": "submitted"},
                     after={"status": "approved", "approved_sectors": ["apparel_footwear", "mobile_devices"]})
        db.session.commit()
    login(reviewer)
    page = client.get("/audit").text
    assert "<ins>Apparel and footwear, Mobile phones and tablets</ins>" in page and "apparel_footwear" not in page
    assert "Greenlane (automatic)" in page
