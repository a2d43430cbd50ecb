"""Human labels: the one place that turns codes (sectors, outcomes, case events, audit actions) into the
names people read on pages, in e-mails and in CSV headers.

Core knows its own codes; each domain registers its tables (or a function reading them, for sectors kept in
the database) with :func:`register`, so core never imports a domain.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from decimal import Decimal, InvalidOperation
from typing import Any

from flask import g, has_app_context

_TABLES: dict[str, Mapping[str, str] | Callable[[], Mapping[str, str]]] = {}

# Audit actions are "<entity>.<verb>"; these read as a sentence's start ("Enrollment submitted").
ENTITY_NAMES: dict[str, str] = {
    "user": "User",
    "organization": "Organisation",
    "enrollment": "Enrollment",
    "debarred": "Debarred party",
    "mark": "Recorded mark",
    "sector": "Sector",
    "standard": "Standard",
    "endorsement": "Endorsement",
    "guide": "Photographic guide",
    "blank_declaration": "Blank-goods declaration",
    "release_decision": "Release decision",
    "case": "Enforcement case",
    "thread": "Conversation",
    "api_token": "API token",  # nosec B105 (a label shown to people, not a secret)
    "allegation": "IP theft report",
    "announcement": "Announcement",
    "identification_guide": "Product identification guide",
    "invoice": "Invoice",
    "service_tier": "Service tier",
    "standard_comment": "Comment on a standard",
    "violative_shipper": "Violative shipper",
}

AUDIT_ACTIONS: dict[str, str] = {
    "user.create": "User created",
    "user.register": "Registered an account",
    "user.update": "User changed",
    "user.password": "Password changed",
    "organization.create": "Organisation created",
    "organization.rename": "Organisation renamed",
    "api_token.issue": "API token issued",
    "api_token.revoke": "API token revoked",
    "enrollment.create": "Enrollment application started",
    "enrollment.update": "Enrollment application changed",
    "enrollment.document_add": "Document added to the application",
    "enrollment.document_remove": "Document removed from the application",
    "enrollment.submit": "Enrollment submitted for review",
    "enrollment.withdraw": "Enrollment withdrawn",
    "enrollment.approve": "Enrollment approved",
    "enrollment.deny": "Enrollment denied",
    "enrollment.request_info": "More information requested",
    "enrollment.suspend": "Enrollment suspended",
    "enrollment.reinstate": "Enrollment reinstated",
    "enrollment.revoke": "Enrollment revoked",
    "enrollment.expire": "Enrollment expired",
    "debarred.add": "Party added to the debarred list",
    "debarred.end": "Debarment ended",
    "debarred.import": "Debarred party imported",
    "mark.create": "Mark recorded",
    "mark.update": "Recorded mark changed",
    "sector.create": "Sector added",
    "sector.update": "Sector changed",
    "sector.delete": "Sector removed",
    "standard.create": "Standard drafted",
    "standard.update": "Standard draft changed",
    "standard.propose": "Standard proposed for endorsement",
    "standard.withdraw": "Standard withdrawn",
    "standard.publish": "Standard published",
    "standard.supersede": "Standard superseded",
    "standard.revise": "Standard revision started",
    "endorsement.create": "Standard endorsed",
    "endorsement.decline": "Endorsement declined",
    "endorsement.withdraw": "Endorsement withdrawn",
    "guide.create": "Photographic guide added",
    "guide.remove": "Photographic guide removed",
    "blank_declaration.file": "Blank-goods declaration filed",
    "blank_declaration.query": "Declaration queried by CBP",
    "blank_declaration.answer": "Query answered",
    "blank_declaration.revoke": "Declaration revoked",
    "blank_declaration.withdraw": "Declaration withdrawn",
    "blank_declaration.expire": "Declaration expired",
    "decide": "Release decision made",
    "screen": "Bulk screening run",
    "case.detain": "Shipment detained",
    "case.image_add": "Detention image added",
    "thread.create": "Conversation started",
    "thread.reply": "Reply sent",
    "thread.close": "Conversation closed",
    "thread.reopen": "Conversation reopened",
    "supersede": "Release decision superseded",
    "allegation.receive": "IP theft report received",
    "announcement.publish": "Announcement published",
    "delegation.grant": "Broker authority granted",
    "delegation.revoke": "Broker authority revoked",
    "enrollment.amend": "Contacts or consent updated while approved",
    "enrollment.remind": "Renewal reminder sent",
    "identification_guide.create": "Product identification guide created",
    "identification_guide.image": "Guide image added",
    "identification_guide.revise": "Product identification guide revised",
    "identification_guide.withdraw": "Product identification guide withdrawn",
    "invoice.issue": "Invoice issued",
    "organization.tier": "Service tier changed",
    "service_tier.create": "Service tier created",
    "service_tier.update": "Service tier changed",
    "standard.comment_period": "Comment period set",
    "standard_comment.answer": "Comment answered",
    "standard_comment.create": "Comment on a standard",
    "user.accept_invitation": "Invitation accepted",
    "user.confirm": "Account confirmed",
    "user.hand_on_admin": "Organisation administrator role handed on",
    "user.invite": "Colleague invited",
    "user.sign_in": "Signed in",
    "user.sign_in_delayed": "Sign-in delayed after failures",
    "user.sign_in_failed": "Sign-in failed",
    "violative_shipper.create": "Violative shipper listed",
    "violative_shipper.delete": "Violative shipper removed",
    "violative_shipper.import": "Violative shippers imported",
}

DECISION_OUTCOMES: dict[str, str] = {
    "expedited_release": "Expedited release",
    "standard_processing": "Standard processing",
    "refer_for_examination": "Refer for examination",
}

CONDITIONS: dict[str, str] = {
    "new_parallel": "new (parallel import)",
    "used": "used",
    "refurbished": "refurbished",
    "recycled": "recycled",
    "blank": "blank (unbranded)",
}


# Column names of the CSV files people download (and of the same tables on pages): plain words, never an
# identifier. A code column keeps the codes for scripts and is named "… code". The bulk screening output and
# the CSV inputs are API.md's contract and keep their machine names (program/decisions/screen*.py).
COLUMNS: dict[str, str] = {
    "outcome": "Outcome code",
    "outcome_name": "Outcome",
    "alternative_to_seizure": "Alternative to seizure",
    "cases": "Cases",
    "share": "Share of closed cases",
    "sector": "Sector code",
    "sector_name": "Sector",
    "month": "Month",
    "port": "Port",
    "basis": "Legal basis code",
    "basis_name": "Legal basis",
    "total": "Total",
    "declared_value_usd": "Declared value (USD)",
    "seized_cases": "Seized: cases",
    "seized_value_usd": "Seized: value (USD)",
    "alternatives_cases": "Alternatives to seizure: cases",
    "alternatives_value_usd": "Alternatives to seizure: value (USD)",
    "released_cases": "Released: cases",
    "released_value_usd": "Released: value (USD)",
    "penalties": "Penalties assessed",
    "total_usd": "Total (USD)",
    "measure": "Measure code",
    "measure_name": "Measure",
    "value": "Value",
}


def column_label(name: str) -> str:
    """A table's column (``median_days_to_resolution``, ``seized_value_usd``) as the words of a CSV header and
    of the page's table header; a column not in :data:`COLUMNS` reads as its field name in words."""
    return COLUMNS.get(name) or field_label(name)


def csv_header(columns: list[str]) -> list[str]:
    """The header row of a CSV people download: each column in words (:func:`column_label`)."""
    return [column_label(name) for name in columns]


def register(kind: str, table: Mapping[str, str] | Callable[[], Mapping[str, str]]) -> None:
    """Give ``kind`` (``sector``, ``case_event`` …) its names: a mapping, or a function returning one."""
    _TABLES[kind] = table


def names(kind: str) -> Mapping[str, str]:
    """Every code of ``kind`` with its name (a function-backed table is read once per request)."""
    table = _TABLES.get(kind, {})
    if not callable(table):
        return table
    if not has_app_context():
        return table()
    cache = g.setdefault("_labels", {})
    if kind not in cache:
        cache[kind] = table()
    return cache[kind]


def _fallback(code: str) -> str:
    text = code.replace("_", " ").replace(".", " ").strip()
    return text[:1].upper() + text[1:]


def label(kind: str, code: str | None) -> str:
    """The name of ``code`` of ``kind``; an unknown code reads as words rather than as an identifier."""
    if code is None or code == "":
        return ""
    return names(kind).get(code) or _fallback(str(code))


def action_label(action: str) -> str:
    """An audit action (``enrollment.approve``) in words: "Enrollment approved"."""
    if action in AUDIT_ACTIONS:
        return AUDIT_ACTIONS[action]
    entity, _, verb = action.partition(".")
    event = names("case_event").get(verb) if entity == "case" else None
    if event:
        return f"Case: {event[:1].lower()}{event[1:]}"
    return f"{ENTITY_NAMES.get(entity, _fallback(entity))} {verb.replace('_', ' ')}".strip()


def outcome_label(code: str | None) -> str:
    """A release decision's or a case's outcome in words."""
    if code in DECISION_OUTCOMES:
        return DECISION_OUTCOMES[code]
    return label("case_status", code)


_FIELD_WORDS = {"cbp": "CBP", "id": "ID", "ior": "IOR", "hts": "HTS", "uei": "UEI", "usd": "(USD)", "sha256": "SHA-256",
                "csv": "CSV", "url": "URL"}


def field_label(name: str) -> str:
    """A record's field name (``valid_until``) as words for the audit log's changes and tables ("Valid until")."""
    words = [_FIELD_WORDS.get(word, word) for word in name.split("_") if word]
    text = " ".join(words)
    return text[:1].upper() + text[1:]


_SECTOR_CONDITION = re.compile(r"\b([a-z]+(?:_[a-z]+)*)/([a-z_]+)\b")
_WORD = re.compile(r"(?<![\w@./-])([a-z]+(?:_[a-z]+)+|[a-z]{5,})(?![\w@-])")


def readable(text: str) -> str:
    """``text`` written with codes (stored decision reasons, e.g. "mobile_devices/refurbished") with the
    sector, condition and outcome names in their place."""
    sectors = names("sector")
    if not text:
        return text

    def pair(match: re.Match) -> str:
        sector, condition = match.group(1), match.group(2)
        if sector in sectors and condition in CONDITIONS:
            return f"{sectors[sector]} ({CONDITIONS[condition]})"
        return match.group(0)

    def word(match: re.Match) -> str:
        code = match.group(1)
        if code in sectors:
            return sectors[code]
        if code in DECISION_OUTCOMES:
            return DECISION_OUTCOMES[code].lower()
        return code

    return _WORD.sub(word, _SECTOR_CONDITION.sub(pair, text))


def hts(code: str | None) -> str:
    """A 10-digit HTS code with its usual dots (``8517.13.0000``); other lengths as given."""
    code = (code or "").replace(".", "")
    return f"{code[:4]}.{code[4:6]}.{code[6:]}" if len(code) == 10 and code.isdigit() else (code or "")


def number(value: Any) -> str:
    """A quantity for people: thousands grouped, no trailing zeros (``1,200``, ``2.5``)."""
    if value is None or value == "":
        return ""
    try:
        amount = Decimal(str(value)).normalize()
    except InvalidOperation:
        return str(value)
    whole, _, fraction = f"{amount:f}".partition(".")
    return f"{int(whole):,}" + (f".{fraction}" if fraction else "")


def money(value: Any) -> str:
    """An amount in U.S. dollars (``$18,000.00``)."""
    if value is None or value == "":
        return ""
    try:
        return f"${Decimal(str(value)):,.2f}"
    except InvalidOperation:
        return str(value)


def template_helpers() -> dict[str, Callable]:
    """The label functions every template may call."""
    return {"label": label, "action_label": action_label, "outcome_label_of": outcome_label,
            "sector_name": lambda code: label("sector", code), "readable": readable, "field_label": field_label,
            "column_label": column_label, "hts": hts, "number": number, "money": money}


register("entity", ENTITY_NAMES)
register("decision_outcome", DECISION_OUTCOMES)
register("condition", CONDITIONS)
