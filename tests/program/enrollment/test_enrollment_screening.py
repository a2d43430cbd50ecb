"""Screening on submit: the debarred list (exact IOR, fuzzy name), prior history, heightened sectors."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from core.extensions import db
from core.timeutil import today
from program.enrollment import debarred, screening
from program.enrollment.models import Enrollment
from program.enrollment.screening import Finding, names_match, screen_enrollment


@pytest.mark.parametrize("applicant,listed", [
    ("SHADY IMPORTS, LTD.", "Shady Imports Ltd"),
    ("Shady Imports Limited", "Shady Imports Ltd"),
    ("shady imports", "Shady Imports Ltd."),
    ("Shady-Imports L.L.C.", "Shady Imports"),
    ("Imports Shady Inc", "Shady Imports Corp"),  # token order does not matter
    ("Bluewater Goods Co.", "Bluewater Good Co., Ltd."),  # one letter apart
    ("Müller Trading GmbH", "Muller Trading"),
])
def test_names_that_match(applicant, listed):
    assert names_match(applicant, listed)


@pytest.mark.parametrize("applicant,listed", [
    ("Northwind Trading LLC", "Shady Imports Ltd"),
    ("Shady Exports Ltd", "Shady Imports Ltd"),
    ("Shade Imports Worldwide", "Shady Imports Ltd"),
    ("", "Shady Imports Ltd"),
    ("Ltd", "Co"),
])
def test_names_that_do_not_match(applicant, listed):
    assert not names_match(applicant, listed)


def test_debarred_findings_use_entries_in_force_only(ctx, make_user, user_model):
    reviewer = user_model(make_user("reviewer"))
    day = today()
    debarred.add_debarred(reviewer, name="Shady Imports Ltd", ior_number="55-5555555", reason="seizures",
                          start_date=day - timedelta(days=10))
    debarred.add_debarred(reviewer, name="Future Fraud Inc", reason="from next week",
                          start_date=day + timedelta(days=7))
    ended = debarred.add_debarred(reviewer, name="Reformed Traders", reason="paid", start_date=date(2020, 1, 1))
    debarred.end_debarred(reviewer, ended)

    codes = [f.code for f in screening.debarred_findings("SHADY IMPORTS, LTD.", "55-5555555")]
    assert codes == ["debarred_ior", "debarred_name"]
    assert screening.debarred_findings("Future Fraud Inc", None) == []
    assert screening.debarred_findings("Future Fraud Inc", None, day + timedelta(days=7))[0].code == "debarred_name"
    assert screening.debarred_findings("Reformed Traders", None) == []
    assert screening.debarred_findings("Reformed Traders", None, day - timedelta(days=1)) != []


def test_submit_stores_the_findings(reviewer_api, enroll):
    reviewer_api.post("/api/v1/debarred", json={"name": "Shady Imports Ltd", "ior_number": "55-5555555",
                                                "reason": "seizures", "start_date": "2024-01-01"})
    enrollment = enroll("submitted", legal_name="SHADY IMPORTS, LTD.", ior_number="55-5555555",
                        sectors=["medical_devices", "toys_games"])
    findings = reviewer_api.get(f"/api/v1/enrollments/{enrollment['id']}").json["screening"]
    assert [f["code"] for f in findings] == ["debarred_ior", "debarred_name", "heightened_sector"]
    assert "Shady Imports Ltd" in findings[1]["message"] and "Medical devices" in findings[2]["message"]


def test_prior_denial_and_revocation_by_ior_or_name(reviewer_api, enroll, api_as):
    enroll("denied")  # organisation A, denied ...
    again = enroll("submitted")  # ... applies again
    codes = [f["code"] for f in reviewer_api.get(f"/api/v1/enrollments/{again['id']}").json["screening"]]
    assert codes == ["prior_denial"]

    revoked = enroll("revoked", api=api_as("importer"), ior_number="77-1234567")  # B: same name, other IOR
    newest = enroll("submitted", api=api_as("importer"), legal_name="acme parallel imports, l.l.c.",
                    ior_number="77-1234567")  # C: same name after normalisation, B's IOR
    findings = reviewer_api.get(f"/api/v1/enrollments/{newest['id']}").json["screening"]
    assert sorted(f["code"] for f in findings) == ["prior_denial", "prior_revocation"]
    revocation = next(f for f in findings if f["code"] == "prior_revocation")
    assert f"Enrollment {revoked['id']}" in revocation["message"] and "seizures" in revocation["message"]


def test_ior_in_use_by_another_organisation(reviewer_api, enroll, api_as):
    enroll("approved")
    other = enroll("submitted", api=api_as("importer"), legal_name="Someone Else Inc.")
    codes = [f["code"] for f in reviewer_api.get(f"/api/v1/enrollments/{other['id']}").json["screening"]]
    assert codes == ["ior_in_use"]


def test_prior_history_checks_is_a_hook_later_domains_extend(ctx, monkeypatch, make_user):
    def prior_cases(enrollment: Enrollment):
        yield Finding("prior_case", f"Case K7M2Q-9XZ4T-B3HDV concerned {enrollment.legal_name}.")

    monkeypatch.setattr(screening, "PRIOR_HISTORY_CHECKS", [*screening.PRIOR_HISTORY_CHECKS, prior_cases])
    ref = make_user("importer")
    enrollment = Enrollment(organization_id=ref.organization_id, legal_name="Hooked LLC", conditions=[],
                            screening=[])
    db.session.add(enrollment)
    db.session.flush()
    assert [f.code for f in screen_enrollment(enrollment)] == ["prior_case"]
