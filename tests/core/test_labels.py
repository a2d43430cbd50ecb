"""Human labels: one place names sectors, outcomes, case events and audit actions for pages, e-mails and CSV."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from core import labels
from core.audit import ENTITY_TYPES
from standards.reference import SECTORS

ROOT = Path(__file__).resolve().parents[2]


def test_every_audit_action_the_code_records_has_a_name():
    recorded = set()
    for path in [*ROOT.glob("core/**/*.py"), *ROOT.glob("program/**/*.py"), *ROOT.glob("standards/**/*.py")]:
        recorded |= set(re.findall(r"audit\.record\([^,]+,\s*\"([a-z_]+(?:\.[a-z_]+)?)\"", path.read_text()))
    assert recorded, "no audit.record calls found"
    assert recorded <= set(labels.AUDIT_ACTIONS), sorted(recorded - set(labels.AUDIT_ACTIONS))


def test_every_entity_type_has_a_name():
    assert set(ENTITY_TYPES) <= set(labels.ENTITY_NAMES)


@pytest.mark.parametrize(("action", "name"), [
    ("enrollment.update", "Enrollment application changed"),
    ("user.register", "Registered an account"),
    ("case.importer_response", "Case: importer responded"),
    ("case.manipulated", "Case: marks removed or obliterated, then released"),
    ("standard.frobnicate", "Standard frobnicate"),
])
def test_action_label(ctx, action, name):
    assert labels.action_label(action) == name


def test_sector_and_outcome_names(ctx):
    for code, name, _heightened in SECTORS:
        assert labels.label("sector", code) == name
    assert labels.outcome_label("expedited_release") == "Expedited release"
    assert labels.outcome_label("manipulated") == "Manipulated (marks removed)"
    assert labels.label("sector", "no_such_sector") == "No such sector"  # never an identifier


def test_readable_replaces_codes_in_stored_reasons(ctx):
    text = ("No published standard for mobile_devices/refurbished is endorsed for TMK 21-00123 by its owner; "
            "Sector consumer_electronics is not approved (approved: apparel_footwear, toys_games).")
    assert labels.readable(text) == (
        "No published standard for Mobile phones and tablets (refurbished) is endorsed for TMK 21-00123 by its "
        "owner; Sector Consumer electronics is not approved (approved: Apparel and footwear, Toys and games).")
    assert labels.readable("e-mail nadia@mobile_devices.example stays") == "e-mail nadia@mobile_devices.example stays"


def test_field_label():
    assert labels.field_label("median_days_to_resolution") == "Median days to resolution"
    assert labels.field_label("ior_number") == "IOR number"


@pytest.mark.parametrize(("fn", "value", "shown"), [
    (labels.hts, "8517130000", "8517.13.0000"), (labels.hts, "8517.13.0000", "8517.13.0000"), (labels.hts, "4202", "4202"),
    (labels.number, "1200.000", "1,200"), (labels.number, "2.500", "2.5"), (labels.number, None, ""),
    (labels.money, "18000", "$18,000.00"), (labels.money, "12.5", "$12.50"), (labels.money, "n/a", "n/a"),
])
def test_formats(fn, value, shown):
    assert fn(value) == shown


def test_csv_headers_are_words():
    assert labels.csv_header(["month", "seized_value_usd", "median_days_to_resolution", "share"]) == [
        "Month", "Seized: value (USD)", "Median days to resolution", "Share of closed cases"]
    assert all("_" not in name and name[:1].isupper() for name in labels.COLUMNS.values())
