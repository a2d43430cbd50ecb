"""Random verification sampling: deterministic per UEI, exact at the ends, the right fraction between."""

from __future__ import annotations

import hashlib
import math
import random
from decimal import Decimal

import pytest

from program.decisions.sampling import verification_pick, verification_score
from program.decisions.uei import ALPHABET, BODY_LENGTH, check_character, format_uei, new_uei


def seeded_ueis(count: int, seed: int) -> list[str]:
    """Reproducible valid UEIs, so the fraction tests cannot flake."""
    rng = random.Random(seed)
    bodies = ("".join(rng.choice(ALPHABET) for _ in range(BODY_LENGTH)) for _ in range(count))
    return [body + check_character(body) for body in bodies]


UEIS = seeded_ueis(20_000, seed=7)


def test_pick_is_sha256_of_canonical_uei_below_rate():
    value = UEIS[0]
    score = int.from_bytes(hashlib.sha256(value.encode()).digest()[:8], "big") / 2**64
    assert verification_pick(value, min(1.0, score + 1e-9)) is True
    assert verification_pick(value, max(0.0, score - 1e-9)) is False
    assert math.isclose(verification_score(value), score, rel_tol=1e-12)


def test_deterministic_and_independent_of_spelling():
    for value in UEIS[:200]:
        first = verification_pick(value, 0.3)
        assert verification_pick(value, 0.3) is first
        assert verification_pick(format_uei(value), 0.3) is first
        assert verification_pick(format_uei(value).lower(), 0.3) is first


@pytest.mark.parametrize(("rate", "expected"), [(0, False), (0.0, False), (1, True), (1.0, True)])
def test_rate_zero_never_rate_one_always(rate, expected):
    assert all(verification_pick(value, rate) is expected for value in UEIS[:5000])


@pytest.mark.parametrize("rate", [0.02, 0.1, 0.25, 0.5, 0.9])
def test_fraction_picked_matches_rate(rate):
    picked = sum(verification_pick(value, rate) for value in UEIS)
    n = len(UEIS)
    sigma = math.sqrt(n * rate * (1 - rate))
    assert abs(picked - n * rate) < 5 * sigma, (picked, n * rate)


def test_fraction_with_fresh_random_ueis():
    fresh = [new_uei() for _ in range(20_000)]
    picked = sum(verification_pick(value, 0.02) for value in fresh)
    assert 0.02 * 20_000 - 5 * math.sqrt(20_000 * 0.02 * 0.98) < picked < 0.02 * 20_000 + 5 * math.sqrt(
        20_000 * 0.02 * 0.98
    )


def test_monotone_in_rate():
    for value in UEIS[:2000]:
        if verification_pick(value, 0.1):
            assert verification_pick(value, 0.2)


def test_score_in_unit_interval():
    assert all(0 <= verification_score(value) < 1 for value in UEIS[:2000])


def test_decimal_rate_accepted():
    assert [verification_pick(v, Decimal("0.5")) for v in UEIS[:100]] == [
        verification_pick(v, 0.5) for v in UEIS[:100]
    ]


@pytest.mark.parametrize("rate", [-0.01, 1.01, float("nan"), float("inf"), "abc", None])
def test_rate_out_of_range_refused(rate):
    with pytest.raises(ValueError, match="between 0 and 1"):
        verification_pick(UEIS[0], rate)
