"""Entry numbers (19 CFR 142.3a): ``FFF-NNNNNNN-C`` -- filer code, filer-assigned number, check digit.

The check digit follows CBP CATAIR appendix E: the filer code's letters become digits (A-I -> 1-9,
J-R -> 1-9, S-Z -> 2-9; digits stay as they are), then the Luhn (mod 10) check digit is computed over
the ten digits of filer code and number. ``ABC-1234567-6``, ``999-9999999-0`` and ``123-1234567-6``
are valid. Dashes (or single spaces) between the parts are optional on input; the canonical form is
upper case with dashes.
"""

from __future__ import annotations

import functools
import re

__all__ = [
    "InvalidEntryNumber",
    "entry_check_digit",
    "filer_code_digits",
    "is_canonical_entry_number",
    "is_valid_entry_number",
    "make_entry_number",
    "parse_entry_number",
]

EXAMPLE = "ABC-1234567-6"
_ENTRY = re.compile(r"([A-Z0-9]{3})[- ]?([0-9]{7})[- ]?([0-9])")
_FILER_DIGIT = {str(d): d for d in range(10)}
_FILER_DIGIT.update({ch: i % 9 + 1 for i, ch in enumerate("ABCDEFGHIJKLMNOPQR")})
_FILER_DIGIT.update({ch: i + 2 for i, ch in enumerate("STUVWXYZ")})
_ASCII_DIGITS = frozenset("0123456789")
_LUHN_DOUBLE = (0, 2, 4, 6, 8, 1, 3, 5, 7, 9)
_LUHN_DOUBLED_CHAR = {str(d): doubled for d, doubled in enumerate(_LUHN_DOUBLE)}
_DIGIT_CHAR = {str(d): d for d in range(10)}
# The canonical form, and the Luhn sum of its ten payload digits in three table look-ups: the rightmost payload
# digit (the serial's last) is doubled, then every second one to its left — serial digits 0, 2, 4, 6 and the
# filer code's middle one. The bulk screen checks a million mostly canonical numbers, each seen once.
_CANONICAL = re.compile(r"([A-Z0-9]{3})-([0-9]{7})-([0-9])")
_SERIAL_HEAD = {f"{a}{b}{c}": _LUHN_DOUBLE[a] + b + _LUHN_DOUBLE[c]
                for a in range(10) for b in range(10) for c in range(10)}
_SERIAL_TAIL = {f"{a}{b}{c}{d}": a + _LUHN_DOUBLE[b] + c + _LUHN_DOUBLE[d]
                for a in range(10) for b in range(10) for c in range(10) for d in range(10)}
_FILER_SUMS: dict[str, int] = {}


class InvalidEntryNumber(ValueError):
    """An entry number with the wrong format (``kind == "format"``) or check digit (``"check_digit"``)."""

    def __init__(self, message: str, kind: str, expected: int | None = None) -> None:
        super().__init__(message)
        self.kind = kind
        self.expected = expected


def filer_code_digits(filer: str) -> str:
    """The three digits a filer code stands for in the check-digit computation (``ABC`` -> ``123``)."""
    return _filer_code_digits(filer.upper() if isinstance(filer, str) else "")


@functools.lru_cache(maxsize=4096)  # a few thousand filers file every entry: the bulk screen sees them again
def _filer_code_digits(code: str) -> str:
    if len(code) != 3 or any(ch not in _FILER_DIGIT for ch in code):
        raise InvalidEntryNumber(
            f"A filer code is 3 letters or digits (e.g. ABC); got {code!r}.", "format"
        )
    return "".join(str(_FILER_DIGIT[ch]) for ch in code)


def _luhn_check_digit(digits: str) -> int:
    # The rightmost payload digit is doubled, then every second one to its left.
    total = sum(map(_LUHN_DOUBLED_CHAR.__getitem__, digits[::-2])) + sum(map(_DIGIT_CHAR.__getitem__, digits[-2::-2]))
    return (10 - total % 10) % 10


def entry_check_digit(filer: str, serial: str | int) -> int:
    """The check digit for filer code ``filer`` and the 7-digit filer-assigned number ``serial``."""
    if isinstance(serial, int) and not isinstance(serial, bool) and 0 <= serial <= 9_999_999:
        serial = f"{serial:07d}"
    if not isinstance(serial, str) or len(serial) != 7 or not set(serial) <= _ASCII_DIGITS:
        raise InvalidEntryNumber(
            f"The filer-assigned part of an entry number is 7 digits; got {serial!r}.", "format"
        )
    return _luhn_check_digit(filer_code_digits(filer) + serial)


def make_entry_number(filer: str, serial: str | int) -> str:
    """A canonical entry number ``FFF-NNNNNNN-C`` with its check digit computed."""
    digit = entry_check_digit(filer, serial)
    serial_text = f"{serial:07d}" if isinstance(serial, int) else serial
    return f"{filer.upper()}-{serial_text}-{digit}"


def is_canonical_entry_number(text: str) -> bool:
    """True when ``text`` is an entry number in canonical form (``FFF-NNNNNNN-C``, upper case, nothing around
    it) with a correct check digit: then ``parse_entry_number(text) == text``. False says nothing more."""
    match = _CANONICAL.fullmatch(text)
    if match is None:
        return False
    filer, serial, given = match.groups()
    filer_sum = _FILER_SUMS.get(filer)
    if filer_sum is None:
        digits = _filer_code_digits(filer)
        filer_sum = _FILER_SUMS[filer] = _DIGIT_CHAR[digits[0]] + _LUHN_DOUBLED_CHAR[digits[1]] + _DIGIT_CHAR[digits[2]]
    return (filer_sum + _SERIAL_HEAD[serial[:3]] + _SERIAL_TAIL[serial[3:]] + _DIGIT_CHAR[given]) % 10 == 0


def parse_entry_number(text: str) -> str:
    """Return the canonical ``FFF-NNNNNNN-C`` form of ``text`` or raise :class:`InvalidEntryNumber`."""
    if not isinstance(text, str):
        raise InvalidEntryNumber(f"An entry number must be text, e.g. {EXAMPLE}.", "format")
    if is_canonical_entry_number(text):
        return text
    match = _ENTRY.fullmatch(text.strip().upper())
    if match is None:
        raise InvalidEntryNumber(
            f"An entry number is a 3-character filer code, 7 digits and a check digit, dashes optional "
            f"(e.g. {EXAMPLE}); {text.strip()!r} does not have that format.",
            "format",
        )
    filer, serial, given = match.groups()
    expected = _luhn_check_digit(_filer_code_digits(filer) + serial)  # the pattern has checked both parts
    if int(given) != expected:
        raise InvalidEntryNumber(
            f"The check digit of entry number {filer}-{serial}-{given} is wrong: for {filer}-{serial} it "
            f"would be {expected}. Check the filer code and number for a typo before changing the "
            f"check digit.",
            "check_digit",
            expected,
        )
    return f"{filer}-{serial}-{given}"


def is_valid_entry_number(text: str) -> bool:
    """True when ``text`` is a well-formed entry number with a correct check digit."""
    try:
        parse_entry_number(text)
    except InvalidEntryNumber:
        return False
    return True
