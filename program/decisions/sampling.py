"""Random compliance verification: a deterministic pick of otherwise-expedited entries by their UEI.

The pick is ``score(uei) < rate`` where the score is the first 64 bits of SHA-256 of the canonical UEI
read as a fraction in [0, 1). The UEI itself comes from :mod:`secrets`, so the pick is unpredictable
before the decision and reproducible after it (an auditor can recompute every pick).
"""

from __future__ import annotations

import hashlib
import math

from program.decisions.uei import normalize_uei

__all__ = ["verification_pick", "verification_score"]

_SCALE = 2**64


def _score_bits(uei: str) -> int:
    digest = hashlib.sha256(normalize_uei(uei).encode("ascii", "replace")).digest()
    return int.from_bytes(digest[:8], "big")


def verification_score(uei: str) -> float:
    """The UEI's sampling score in [0, 1) (display and audit only; picks compare exact integers)."""
    return (_score_bits(uei) >> 11) / 2**53


def verification_pick(uei: str, rate: float) -> bool:
    """True when the entry with this UEI is picked for random verification at sample ``rate`` (0..1)."""
    try:
        value = float(rate)
    except (TypeError, ValueError):
        value = math.nan
    if not 0 <= value <= 1:  # also refuses NaN
        raise ValueError(f"The verification sample rate must be between 0 and 1; got {rate!r}.")
    # Exact integer/float comparison: rate 0 never picks, rate 1 always does.
    return _score_bits(uei) < value * _SCALE
