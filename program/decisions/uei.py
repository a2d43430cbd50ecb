"""Unique Enforcement Identifier (UEI): the random, opaque, typo-proof reference of a release decision.

Format
    15 characters of Crockford base32 (``0-9`` and ``A-Z`` without ``I L O U``): 14 random characters
    (70 bits from :mod:`secrets`) followed by one check character. The canonical form is upper case
    without separators (``K7M2Q9XZ4TB3HDV``); the display form reads aloud in three groups of five
    (``K7M2Q-9XZ4T-B3HDV``). Parsing is forgiving: case, spaces and dashes are ignored and the Crockford
    aliases ``O`` -> ``0`` and ``I``/``L`` -> ``1`` are accepted.

Check character
    Damm's algorithm over the quasigroup ``x * y = 2 * (x XOR y)`` in GF(32) (polynomial
    x^5 + x^2 + 1). Because the multiplier 2 is neither 0 nor 1 the quasigroup is *totally
    anti-symmetric* (``(c*x)*y == (c*y)*x`` only when ``x == y``) and ``x * x == 0``. Hence the check
    character is always one of the 32 ordinary symbols (no awkward ``*~$=U`` as in Crockford's mod 37),
    a valid UEI folds to 0, and every single-character substitution and every transposition of two
    adjacent characters -- the check character included -- is detected (proved exhaustively in
    ``tests/program/decisions/test_uei.py``). With 70 random bits, ten years of U.S. entries
    (~4 x 10^8) collide with probability below 10^-4; storage still keeps a unique index and retries.
"""

from __future__ import annotations

import base64
import secrets

__all__ = [
    "ALPHABET",
    "BODY_LENGTH",
    "LENGTH",
    "InvalidUEI",
    "check_character",
    "format_uei",
    "is_valid_uei",
    "new_uei",
    "new_ueis",
    "normalize_uei",
    "parse_uei",
]

ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
BODY_LENGTH = 14
LENGTH = BODY_LENGTH + 1
GROUP = 5
EXAMPLE = "K7M2Q-9XZ4T-B3HDV"

_POLY = 0b100101  # x^5 + x^2 + 1, irreducible over GF(2)


def _times_two(x: int) -> int:
    x <<= 1
    return x ^ _POLY if x & 0b100000 else x


# _DAMM[state][symbol] = 2 * (state XOR symbol) in GF(32)
_DAMM: tuple[tuple[int, ...], ...] = tuple(
    tuple(_times_two(state ^ symbol) for symbol in range(32)) for state in range(32)
)
_VALUE = {ch: i for i, ch in enumerate(ALPHABET)}

# Forgiving input: lower case, Crockford aliases, and separators removed.
_CLEAN = str.maketrans(
    {
        **{ch.lower(): ch for ch in ALPHABET if ch.isalpha()},
        "O": "0",
        "o": "0",
        "I": "1",
        "i": "1",
        "L": "1",
        "l": "1",
        "-": None,
        " ": None,
    }
)


class InvalidUEI(ValueError):
    """A UEI that is malformed: wrong length, a character outside the alphabet, or a bad check character."""

    def __init__(self, message: str, kind: str) -> None:
        super().__init__(message)
        self.kind = kind  # "length" | "alphabet" | "check"


def _fold(text: str) -> int:
    state = 0
    table = _DAMM
    value = _VALUE
    for ch in text:
        state = table[state][value[ch]]
    return state


def check_character(body: str) -> str:
    """The check character for a canonical 14-character UEI body."""
    return ALPHABET[_fold(body)]


# RFC 4648 base32 digits -> the same 5-bit values in Crockford's alphabet (C code, no Python loop).
_FROM_BASE32 = bytes.maketrans(b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567", ALPHABET.encode("ascii"))


def new_uei() -> str:
    """A fresh random UEI in canonical form (15 characters, upper case, no separators)."""
    # 9 random bytes are 72 bits, 15 base32 digits (plus padding); the first 14 digits are 70 random bits.
    body = base64.b32encode(secrets.token_bytes(9))[:BODY_LENGTH].translate(_FROM_BASE32).decode("ascii")
    return body + ALPHABET[_fold(body)]


def new_ueis(count: int) -> list[str]:
    """``count`` fresh random UEIs, like :func:`new_uei` but from one read of the random source."""
    # 10 random bytes are exactly 16 base32 digits; the first 14 of each group are 70 random bits.
    digits = base64.b32encode(secrets.token_bytes(10 * count)).translate(_FROM_BASE32).decode("ascii")
    bodies = [digits[i : i + BODY_LENGTH] for i in range(0, 16 * count, 16)]
    return [body + ALPHABET[_fold(body)] for body in bodies]


def normalize_uei(text: str) -> str:
    """Upper-case ``text``, drop spaces and dashes and map O->0, I/L->1; no validation."""
    return text.strip().translate(_CLEAN).upper()


def parse_uei(text: str) -> str:
    """Return the canonical UEI for ``text`` or raise :class:`InvalidUEI` with a message for people."""
    if not isinstance(text, str):
        raise InvalidUEI("A UEI must be given as text, e.g. " + EXAMPLE + ".", "alphabet")
    cleaned = text.strip().translate(_CLEAN)
    for ch in cleaned:
        if ch not in _VALUE:
            shown = ch if ch.isprintable() else repr(ch)
            raise InvalidUEI(
                f"'{shown}' cannot appear in a UEI; UEIs use the digits 0-9 and "
                f"the letters A-Z except U, e.g. {EXAMPLE}.",
                "alphabet",
            )
    if len(cleaned) != LENGTH:
        raise InvalidUEI(
            f"A UEI has {LENGTH} characters (three groups of five, e.g. {EXAMPLE}); "
            f"this one has {len(cleaned)}.",
            "length",
        )
    if _fold(cleaned) != 0:
        raise InvalidUEI(
            "The UEI's check character (its last character) does not match: a character is probably "
            "mistyped or two neighbouring characters are swapped.",
            "check",
        )
    return cleaned


def is_valid_uei(text: str) -> bool:
    """True when ``text`` parses as a UEI (any accepted spelling)."""
    try:
        parse_uei(text)
    except InvalidUEI:
        return False
    return True


def format_uei(uei: str) -> str:
    """The display form of a UEI: three dash-separated groups of five (``K7M2Q-9XZ4T-B3HDV``)."""
    canonical = parse_uei(uei)
    return "-".join(canonical[i : i + GROUP] for i in range(0, LENGTH, GROUP))
