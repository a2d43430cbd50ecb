"""Entry numbers: CATAIR check digit (letters mapped, Luhn mod 10), forgiving input, precise errors."""

from __future__ import annotations

import random

import pytest

from program.decisions.entry_number import (
    InvalidEntryNumber,
    entry_check_digit,
    filer_code_digits,
    is_canonical_entry_number,
    is_valid_entry_number,
    make_entry_number,
    parse_entry_number,
)


def reference_luhn(digits: str) -> int:
    """Textbook Luhn check digit, written independently of the module under test."""
    total = 0
    for i, ch in enumerate(reversed(digits)):
        d = int(ch)
        if i % 2 == 0:
            d *= 2
            if d > 9:
                d -= 9
        total += d
    return (10 - total % 10) % 10


@pytest.mark.parametrize("text", ["ABC-1234567-6", "999-9999999-0", "123-1234567-6"])
def test_published_vectors_validate(text):
    assert parse_entry_number(text) == text
    assert is_valid_entry_number(text)


@pytest.mark.parametrize(
    ("filer", "serial", "digit"),
    [("ABC", "1234567", 6), ("999", "9999999", 0), ("123", "1234567", 6), ("ABC", 1234567, 6)],
)
def test_check_digit_of_vectors(filer, serial, digit):
    assert entry_check_digit(filer, serial) == digit


@pytest.mark.parametrize(
    ("filer", "digits"),
    [
        ("ABC", "123"),
        ("AIJ", "191"),
        ("RST", "923"),
        ("ZYX", "987"),
        ("A1Z", "119"),
        ("007", "007"),
        ("abc", "123"),
        ("JKL", "123"),
        ("STU", "234"),
    ],
)
def test_filer_code_letters_map_per_catair(filer, digits):
    assert filer_code_digits(filer) == digits


def test_letters_map_a_to_i_j_to_r_s_to_z():
    assert filer_code_digits("ABC")[0] == "1" and filer_code_digits("IAA")[0] == "9"
    assert filer_code_digits("JAA")[0] == "1" and filer_code_digits("RAA")[0] == "9"
    assert filer_code_digits("SAA")[0] == "2" and filer_code_digits("ZAA")[0] == "9"


@pytest.mark.parametrize(
    ("text", "canonical"),
    [
        ("ABC12345676", "ABC-1234567-6"),
        ("abc-1234567-6", "ABC-1234567-6"),
        ("ABC-12345676", "ABC-1234567-6"),
        ("ABC1234567-6", "ABC-1234567-6"),
        ("  ABC 1234567 6  ", "ABC-1234567-6"),
        ("99999999990", "999-9999999-0"),
    ],
)
def test_dashes_optional_and_case_insensitive(text, canonical):
    assert parse_entry_number(text) == canonical


@pytest.mark.parametrize(
    "text",
    [
        "",
        "ABC-123456-6",
        "ABC-12345678-6",
        "AB-1234567-6",
        "ABCD-1234567-6",
        "AB-C1234567-6",
        "ABC-123456X-6",
        "ABC-1234567-X",
        "ABC--1234567-6",
        "A*C-1234567-6",
        "ABC-１２３４５６７-6",
        "ABC-1234567-66",
        None,
        1234567,
    ],
)
def test_format_errors_say_format(text):
    with pytest.raises(InvalidEntryNumber) as caught:
        parse_entry_number(text)
    assert caught.value.kind == "format"
    assert caught.value.expected is None
    assert "e.g. ABC-1234567-6" in str(caught.value)
    assert not is_valid_entry_number(text)


@pytest.mark.parametrize(
    ("text", "expected"),
    [("ABC-1234567-5", 6), ("ABC-1234567-0", 6), ("999-9999999-1", 0), ("123-1234567-7", 6)],
)
def test_wrong_check_digit_says_so_and_what_it_should_be(text, expected):
    with pytest.raises(InvalidEntryNumber) as caught:
        parse_entry_number(text)
    assert caught.value.kind == "check_digit"
    assert caught.value.expected == expected
    message = str(caught.value)
    assert "check digit" in message and f"would be {expected}" in message
    assert isinstance(caught.value, ValueError)


def test_matches_reference_luhn_on_random_numbers():
    rng = random.Random(142)
    alphabet = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"
    for _ in range(2000):
        filer = "".join(rng.choice(alphabet) for _ in range(3))
        serial = f"{rng.randrange(10**7):07d}"
        digit = entry_check_digit(filer, serial)
        assert digit == reference_luhn(filer_code_digits(filer) + serial)
        assert parse_entry_number(f"{filer}{serial}{digit}") == f"{filer}-{serial}-{digit}"


def test_every_single_digit_error_in_the_number_is_caught():
    text = "ABC-1234567-6"
    for position in range(4, 11):
        for replacement in "0123456789":
            if replacement != text[position]:
                typo = text[:position] + replacement + text[position + 1 :]
                with pytest.raises(InvalidEntryNumber) as caught:
                    parse_entry_number(typo)
                assert caught.value.kind == "check_digit"


@pytest.mark.parametrize(
    ("filer", "serial", "result"),
    [("abc", "1234567", "ABC-1234567-6"), ("999", 9999999, "999-9999999-0"), ("XYZ", 42, None)],
)
def test_make_entry_number(filer, serial, result):
    made = make_entry_number(filer, serial)
    assert is_valid_entry_number(made)
    if result:
        assert made == result
    else:
        assert made.startswith("XYZ-0000042-")


@pytest.mark.parametrize(
    ("filer", "serial"),
    [("AB", "1234567"), ("ABCD", "1234567"), ("A-C", "1234567"), ("ABC", "123456"), ("ABC", -1),
     ("ABC", 10**7), ("ABC", "12345６7"), ("ABC", True)],
)
def test_check_digit_rejects_bad_parts(filer, serial):
    with pytest.raises(InvalidEntryNumber) as caught:
        entry_check_digit(filer, serial)
    assert caught.value.kind == "format"


def test_the_canonical_shortcut_agrees_with_the_reference_on_random_numbers():
    """``is_canonical_entry_number`` (three table look-ups, for the bulk screen) says yes exactly when the text is
    in canonical form and its check digit is the reference Luhn digit; the parser then gives the text back."""
    rng = random.Random(18)
    alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
    valid = 0
    for _ in range(20_000):
        filer = "".join(rng.choice(alphabet) for _ in range(3))
        serial = f"{rng.randrange(10_000_000):07d}"
        digit = rng.randrange(10)
        text = f"{filer}-{serial}-{digit}"
        right = reference_luhn(filer_code_digits(filer) + serial) == digit
        assert is_canonical_entry_number(text) is right, text
        valid += right
        if right:
            assert parse_entry_number(text) == text
        else:
            with pytest.raises(InvalidEntryNumber):
                parse_entry_number(text)
    assert 1_500 < valid < 2_500  # about one in ten


@pytest.mark.parametrize(("text", "valid"), [
    ("abc-1234567-6", True), (" ABC-1234567-6", True), ("ABC-1234567-6 ", True), ("ABC1234567-6", True),
    ("ABC 1234567 6", True), ("ABC-1234567-60", False), ("ÀBC-1234567-6", False), ("ABC-１234567-6", False), ("", False)])
def test_other_spellings_take_the_parsers_long_way(text, valid):
    assert not is_canonical_entry_number(text)
    assert is_valid_entry_number(text) is valid
