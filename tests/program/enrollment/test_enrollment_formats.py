"""Identifier and address formats of the application (REGULATIONS.md, "Identifiers and formats")."""

from __future__ import annotations

import pytest

from program.enrollment import formats
from program.enrollment.countries import COUNTRIES


@pytest.mark.parametrize("ior", [
    "12-3456789",  # IRS number
    "12-3456789AB",  # with a two-character suffix
    "98-7654321",
    "12-345678901",  # digits are fine in the suffix
    "12-3456789XY",
    "12-3456789ab",  # case is normalised
    " 12-3456789 ",  # so is surrounding space
    "260527-00042",  # CBP-assigned YYDDPP-NNNNN
    "991231-99999",
])
def test_valid_ior_numbers(ior):
    assert formats.ior_problem(ior) is None


@pytest.mark.parametrize("ior,why", [
    ("12-3456789AO", "O, I or Z"),
    ("12-3456789IB", "O, I or Z"),
    ("12-3456789ZZ", "O, I or Z"),
    ("12-3456789oa", "O, I or Z"),
    ("123-45-6789", "Social Security"),
    ("123456789", "NN-NNNNNNN"),  # no dash
    ("12-345678", "NN-NNNNNNN"),  # too short
    ("12-34567890", "NN-NNNNNNN"),  # one-character suffix
    ("12-3456789ABC", "NN-NNNNNNN"),  # three-character suffix
    ("12-3456789A-", "NN-NNNNNNN"),
    ("2605-2700042", "NN-NNNNNNN"),
    ("260527-0004", "NN-NNNNNNN"),
    ("26052-700042", "NN-NNNNNNN"),
    ("AB-CDEFGHI", "NN-NNNNNNN"),
    ("", "NN-NNNNNNN"),
])
def test_invalid_ior_numbers(ior, why):
    assert why in formats.ior_problem(ior)


def test_ior_normalisation():
    assert formats.normalize_ior(" 12-3456789ab ") == "12-3456789AB"
    assert formats.normalize_ior(None) == ""


@pytest.mark.parametrize("email,ok", [
    ("pat@example.com", True), ("Pat.Primary+ipr@Example.COM", True), ("no-at-sign", False),
    ("two@@example.com", False), ("pat@localhost", False), ("", False),
])
def test_email_problem(email, ok):
    assert (formats.email_problem(email) is None) is ok


def test_email_is_normalised_to_lower_case():
    assert formats.normalize_email(" Pat@Example.COM ") == "pat@example.com"


def test_countries_are_iso_3166_alpha_2():
    assert len(COUNTRIES) == 249
    assert all(len(code) == 2 and code.isupper() for code in COUNTRIES)
    assert formats.country_problem("us") is None
    assert formats.country_problem("USA") is not None
    assert formats.country_problem("XX") is not None


@pytest.mark.parametrize("code,country,ok", [
    ("90802", "US", True), ("90802-1234", "US", True), ("9080", "US", False), ("ABCDE", "US", False),
    ("SW1A 1AA", "GB", True), ("", "US", True),
])
def test_postal_codes(code, country, ok):
    assert (formats.postal_code_problem(code, country) is None) is ok
