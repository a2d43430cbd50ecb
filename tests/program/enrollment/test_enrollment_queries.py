"""Lookups other domains use: an organisation's current and active enrollment, enrollments by IOR
number (for the release-decision snapshot), and the public search."""

from __future__ import annotations

from datetime import timedelta

from core.extensions import db
from core.timeutil import today
from program.enrollment import queries
from program.enrollment.formats import contains_pattern


def test_lookups_by_organisation_and_ior(app, enroll, importer_api, api_as):
    approved = enroll("approved")
    other = api_as("importer")
    suspended = enroll("suspended", api=other, ior_number="98-7654321", legal_name="Harbor Refurb Inc.")
    third = api_as("importer")
    enroll("denied", api=third, ior_number="98-7654321", legal_name="Harbor Copycat LLC")
    org = importer_api.user.organization_id
    with app.app_context():
        assert queries.current_enrollment(org).id == approved["id"]
        assert queries.active_enrollment_for_organization(org).id == approved["id"]
        assert queries.active_enrollment_for_organization(org, today() + timedelta(days=400)) is None
        assert queries.active_enrollment_for_ior("12-3456789AB").id == approved["id"]
        assert queries.active_enrollment_for_ior("98-7654321") is None  # suspended is not active
        found = queries.enrollments_by_ior(["12-3456789AB", "98-7654321", "00-0000000", ""])
        assert set(found) == {"12-3456789AB", "98-7654321"}
        assert found["98-7654321"].id == suspended["id"]  # the suspended one speaks for the IOR, not the denial
        assert found["12-3456789AB"].approved_sectors == approved["approved_sectors"]
        assert queries.current_enrollment(third.user.organization_id).status == "denied"
        assert queries.current_enrollment(999_999) is None
        db.session.rollback()


def test_current_enrollment_prefers_the_open_one(app, enroll, importer_api):
    enroll("withdrawn")
    draft = importer_api.post("/api/v1/enrollments/renew").json
    with app.app_context():
        assert queries.current_enrollment(importer_api.user.organization_id).id == draft["id"]


def test_public_search_treats_wildcards_literally(app, enroll):
    enroll("approved", legal_name="100% Genuine_Goods Ltd")
    with app.app_context():
        assert [e.legal_name for e in queries.public_search("100% genuine_")] == ["100% Genuine_Goods Ltd"]
        assert queries.public_search("%") == []  # too short
        assert queries.public_search("0%_g") == []
    assert contains_pattern("a%b_c") == "%a\\%b\\_c%"


def test_focused_contacts_by_purpose(app, enroll, importer_api):
    enroll("approved")
    org = importer_api.user.organization_id
    with app.app_context():
        assert queries.contact_emails(org, "ipr") == ["ipr@acme-imports.example"]
        assert queries.contact_emails(org, "primary") == ["pat@acme-imports.example"]
        assert queries.contact_emails(org, "enforcement") is None
        assert queries.contact_emails(999_999, "primary") is None
