"""UEI: format, forgiving parsing, precise errors, and the check character's error-detection guarantees."""

from __future__ import annotations

import random

import pytest

from program.decisions import uei as uei_module
from program.decisions.uei import (
    ALPHABET,
    BODY_LENGTH,
    LENGTH,
    InvalidUEI,
    check_character,
    format_uei,
    is_valid_uei,
    new_uei,
    new_ueis,
    normalize_uei,
    parse_uei,
)

VALID = "K7M2Q9XZ4TB3HDV"  # the documented example


def sample_ueis(count: int, seed: int = 2026) -> list[str]:
    """Reproducible valid UEIs (the body drawn from a seeded RNG, check character computed)."""
    rng = random.Random(seed)
    bodies = ("".join(rng.choice(ALPHABET) for _ in range(BODY_LENGTH)) for _ in range(count))
    return [body + check_character(body) for body in bodies]


def test_alphabet_is_crockford_base32():
    assert len(ALPHABET) == len(set(ALPHABET)) == 32
    assert not set("ILOU") & set(ALPHABET)
    assert LENGTH == 15


def test_new_uei_is_canonical_valid_and_random():
    ueis = [new_uei() for _ in range(5000)]
    assert len(set(ueis)) == len(ueis)
    for value in ueis[:500]:
        assert len(value) == LENGTH
        assert set(value) <= set(ALPHABET)
        assert parse_uei(value) == value
    # every symbol shows up in every body position over enough draws (no stuck bits)
    for position in range(BODY_LENGTH):
        assert len({value[position] for value in ueis}) == 32


@pytest.mark.parametrize(
    "text",
    [
        "K7M2Q9XZ4TB3HDV",
        "K7M2Q-9XZ4T-B3HDV",
        "k7m2q-9xz4t-b3hdv",
        "  K7M2Q 9XZ4T B3HDV \n",
        "K7M2Q--9XZ4T--B3HDV",
        "K7M2Q-9XZ4T-B3HDv",
    ],
)
def test_parse_accepts_display_case_and_separators(text):
    assert parse_uei(text) == VALID
    assert is_valid_uei(text)


@pytest.mark.parametrize(
    ("typed", "canonical_body"),
    [("O", "0"), ("o", "0"), ("I", "1"), ("i", "1"), ("L", "1"), ("l", "1")],
)
def test_parse_maps_crockford_aliases(typed, canonical_body):
    body = "AB" + canonical_body + "DEFGHJKMNPQ"
    value = body + check_character(body)
    assert parse_uei(value.replace(canonical_body, typed, 1)) == value


@pytest.mark.parametrize(
    ("text", "kind", "fragment"),
    [
        ("", "length", "has 0"),
        ("K7M2Q-9XZ4T-B3HD", "length", "15 characters"),
        ("K7M2Q-9XZ4T-B3HDV0", "length", "has 16"),
        ("K7M2Q-9XZ4T-B3HDU", "alphabet", "'U'"),
        ("K7M2Q-9XZ4T-B3HD*", "alphabet", "'*'"),
        ("K7M2Q_9XZ4T_B3HDV", "alphabet", "'_'"),
        ("K7M2Q-9XZ4T-B3HDé", "alphabet", "'é'"),
        ("K7M2Q-9XZ4T-B3HD\x00", "alphabet", "'\\x00'"),
        ("K7M2Q-9XZ4T-B3HDW", "check", "check character"),
        ("K7M2Q-9XZ4T-B3DHV", "check", "swapped"),
    ],
)
def test_parse_rejects_with_kind_and_human_message(text, kind, fragment):
    with pytest.raises(InvalidUEI) as caught:
        parse_uei(text)
    assert caught.value.kind == kind
    assert fragment in str(caught.value)
    assert isinstance(caught.value, ValueError)
    assert not is_valid_uei(text)


@pytest.mark.parametrize("value", [None, 12345, b"K7M2Q9XZ4TB3HDV"])
def test_parse_rejects_non_text(value):
    with pytest.raises(InvalidUEI):
        parse_uei(value)
    assert not is_valid_uei(value)


def test_format_groups_of_five_and_round_trip():
    assert format_uei(VALID) == "K7M2Q-9XZ4T-B3HDV"
    assert format_uei("k7m2q 9xz4t b3hdv") == "K7M2Q-9XZ4T-B3HDV"
    for value in sample_ueis(200):
        assert parse_uei(format_uei(value)) == value
    with pytest.raises(InvalidUEI):
        format_uei("K7M2Q9XZ4TB3HDW")


def test_normalize_does_not_validate():
    assert normalize_uei(" k7m2q-9xz4t-b3hdv ") == VALID
    assert normalize_uei("oil") == "011"


# --- the check scheme, proved ----------------------------------------------------------------------


def test_damm_quasigroup_is_totally_antisymmetric_with_zero_diagonal():
    """Exhaustive proof over all 32^3 cases of the properties the error detection rests on."""
    table = uei_module._DAMM
    symbols = range(32)
    for state in symbols:
        assert sorted(table[state]) == list(symbols)  # each row a permutation: substitutions change state
        assert sorted(table[s][state] for s in symbols) == list(symbols)  # each column a permutation
        assert table[state][state] == 0  # so the check character is just the folded state
        for x in symbols:
            for y in symbols:
                if x != y:
                    assert table[table[state][x]][y] != table[table[state][y]][x]


def test_check_character_is_always_an_ordinary_symbol():
    assert {value[-1] for value in sample_ueis(2000)} == set(ALPHABET)


SAMPLE = sample_ueis(60)


@pytest.mark.parametrize("value", SAMPLE[:40])
def test_every_single_substitution_is_caught(value):
    for position in range(LENGTH):
        for replacement in ALPHABET:
            if replacement != value[position]:
                typo = value[:position] + replacement + value[position + 1 :]
                assert not is_valid_uei(typo), typo
                with pytest.raises(InvalidUEI) as caught:
                    parse_uei(typo)
                assert caught.value.kind == "check"


@pytest.mark.parametrize("value", SAMPLE)
def test_every_adjacent_transposition_is_caught_including_the_check_character(value):
    swaps = 0
    for position in range(LENGTH - 1):
        a, b = value[position], value[position + 1]
        if a != b:
            swapped = value[:position] + b + a + value[position + 2 :]
            assert not is_valid_uei(swapped), swapped
            swaps += 1
    assert swaps > 0


def test_transposition_with_check_character_specifically():
    for value in SAMPLE:
        if value[-2] != value[-1]:
            assert not is_valid_uei(value[:-2] + value[-1] + value[-2])


def test_new_ueis_are_canonical_valid_and_distinct():
    ueis = new_ueis(2000)
    assert len(ueis) == len(set(ueis)) == 2000
    assert all(len(uei) == LENGTH and parse_uei(uei) == uei for uei in ueis)
    assert new_ueis(0) == []
    # every symbol turns up in every body position: the 70 bits are all random
    for position in range(BODY_LENGTH):
        assert len({uei[position] for uei in ueis}) == 32
