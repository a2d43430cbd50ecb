"""Formats and reference lists of the application (REGULATIONS.md, "Identifiers and formats"; Form 5106).

Each ``*_problem`` function returns a plain-words reason a value is malformed, or ``None`` when it is
well formed; the API schema, the web forms and the services all call these, so the rules live once.
"""

from __future__ import annotations

import re

from email_validator import EmailNotValidError, validate_email

from program.enrollment.countries import COUNTRIES

# IRS (EIN-based) number with an optional two-character suffix that never uses O, I or Z.
IOR_IRS = re.compile(r"\d{2}-\d{7}(?:[0-9A-HJ-NP-Y]{2})?")
# CBP-assigned number: year, district, port, then a five-digit sequence.
IOR_CBP = re.compile(r"\d{6}-\d{5}")
IOR_HINT = "NN-NNNNNNN with an optional two-character suffix (e.g. 12-3456789AB), or a CBP-assigned YYDDPP-NNNNN."

CONTACT_PURPOSES: dict[str, str] = {
    "primary": "Primary contact",
    "ipr": "Intellectual property (IPR)",
    "enforcement": "Enforcement and detentions",
    "division": "Division or business unit",
}
# Goods conditions an importer may ask trust for (PRODUCT.md; blanks are declared per shipment later).
CONDITIONS: dict[str, str] = {
    "new_parallel": "New (parallel / gray market)",
    "used": "Used",
    "refurbished": "Refurbished",
    "recycled": "Recycled",
    "blank": "Blank (unbranded)",
}
# Form 5106 company types (Greenlane does not enrol individuals).
COMPANY_TYPES: dict[str, str] = {
    "corporation": "Corporation",
    "llc": "Limited liability company (LLC)",
    "partnership": "Partnership",
    "sole_proprietor": "Sole proprietorship",
    "government": "Government agency",
}
DOCUMENT_KINDS: dict[str, str] = {
    "business_registration": "Business registration or articles of incorporation",
    "authorised_channel": "Evidence of authorised sourcing channels",
    "refurbishment_certification": "Refurbishment or recycling certification",
    "compliance_program": "IPR compliance program",
    "other": "Other supporting document",
}

US_POSTAL_CODE = re.compile(r"\d{5}(?:-\d{4})?")
NAME_MAX = 200
TEXT_MAX = 10_000


def normalize_ior(value: str | None) -> str:
    """Upper-case, trimmed IOR number ('' when empty); does not judge the format."""
    return (value or "").strip().upper()


def ior_problem(value: str | None) -> str | None:
    """Why ``value`` is not an IRS or CBP-assigned Importer of Record number (None when it is one)."""
    ior = normalize_ior(value)
    if IOR_IRS.fullmatch(ior) or IOR_CBP.fullmatch(ior):
        return None
    if re.fullmatch(r"\d{3}-\d{2}-\d{4}", ior):
        return "Social Security numbers are not accepted: Greenlane enrols companies, not individuals."
    if re.fullmatch(r"\d{2}-\d{7}[A-Z0-9]{2}", ior):
        return "The two-character suffix may not contain the letters O, I or Z."
    return f"Use {IOR_HINT}"


def normalize_email(value: str | None) -> str:
    """The address in canonical form, lower-cased (raises ``ValueError`` with the reason when invalid)."""
    try:
        result = validate_email((value or "").strip(), check_deliverability=False)
    except EmailNotValidError as exc:
        raise ValueError(str(exc)) from exc
    return result.normalized.lower()


def email_problem(value: str | None) -> str | None:
    """Why ``value`` is not a usable e-mail address (None when it is one)."""
    try:
        normalize_email(value)
    except ValueError as exc:
        return str(exc)
    return None


def country_problem(value: str | None) -> str | None:
    """Why ``value`` is not an ISO 3166-1 alpha-2 country code (None when it is one)."""
    if (value or "").strip().upper() in COUNTRIES:
        return None
    return "Use a two-letter ISO 3166 country code, e.g. US, CA, DE."


def postal_code_problem(value: str | None, country: str | None) -> str | None:
    """Why ``value`` is not a postal code of ``country`` (only U.S. ZIP codes are checked closely)."""
    code = (value or "").strip()
    if not code:
        return None
    if (country or "").strip().upper() == "US" and not US_POSTAL_CODE.fullmatch(code):
        return "Use a 5-digit ZIP code, or ZIP+4 (e.g. 10001 or 10001-1234)."
    if len(code) > 20:
        return "Use at most 20 characters."
    return None


def contains_pattern(text: str) -> str:
    """A LIKE pattern (escape character backslash) matching ``text`` anywhere, case already folded by
    the caller; ``%`` and ``_`` typed by a user match themselves."""
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"
