"""Checking and applying a version's content: sector, title, conditions, requirements, change note.

Each field is checked for format whenever it is given (422 naming it); completeness (at least one
condition and one requirement) is checked only when a draft is proposed.
"""

from __future__ import annotations

import re
from typing import Any

from core.errors import NotFound, ValidationFailed
from core.extensions import db
from standards.models import Requirement, StandardVersion, VersionCondition
from standards.reference import CONDITIONS
from standards.services.sectors import get_sector

MAX_REQUIREMENTS = 100
MAX_TEXT = 2000
CODE_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,19}$")


def _text(value: Any, *, field: str, label: str, max_len: int, required: bool) -> str:
    if value is None:
        value = ""
    if not isinstance(value, str):
        raise ValidationFailed(f"The {label} must be text.", fields={field: ["Must be text."]})
    value = value.strip()
    if required and not value:
        raise ValidationFailed(f"The {label} is required.", fields={field: ["Required."]})
    if len(value) > max_len:
        raise ValidationFailed(f"The {label} is too long.",
                               fields={field: [f"At most {max_len} characters."]})
    return value


def clean_title(value: Any) -> str:
    """A non-empty title of at most 200 characters."""
    return _text(value, field="title", label="title", max_len=200, required=True)


def clean_sector(value: Any) -> str:
    """A known sector code."""
    if not isinstance(value, str) or not value.strip():
        raise ValidationFailed("Choose a sector.", fields={"sector": ["Required."]})
    try:
        return get_sector(value.strip()).code
    except NotFound as exc:
        raise ValidationFailed("Unknown sector.",
                               fields={"sector": [f"Unknown sector code: {value}."]}) from exc


def clean_conditions(value: Any) -> list[str]:
    """Covered conditions, each one of new_parallel, used, refurbished, recycled (duplicates dropped)."""
    if isinstance(value, str) or not isinstance(value, list | tuple):
        raise ValidationFailed("Give the conditions as a list.", fields={"conditions": ["Must be a list."]})
    bad = [str(c) for c in value if c not in CONDITIONS]
    if bad:
        raise ValidationFailed(
            "Unknown goods condition.",
            fields={"conditions": [f"Not a condition a standard can cover: {', '.join(bad)}. "
                                   f"Use {', '.join(CONDITIONS)}."]},
        )
    held = set(value)
    return [c for c in CONDITIONS if c in held]


def clean_requirements(value: Any) -> list[dict[str, str]]:
    """Ordered requirements ``{code, text, evidence}``; blank rows dropped, blank codes numbered R1, R2…"""
    if isinstance(value, str) or not isinstance(value, list | tuple):
        raise ValidationFailed("Give the requirements as a list.",
                               fields={"requirements": ["Must be a list."]})
    problems: list[str] = []
    rows: list[dict[str, str]] = []
    for number, item in enumerate(value, start=1):
        if not isinstance(item, dict):
            problems.append(f"Requirement {number}: must be an object with code and text.")
            continue
        try:
            code = _text(item.get("code"), field="code", label="code", max_len=20, required=False)
            text = _text(item.get("text"), field="text", label="text", max_len=MAX_TEXT, required=False)
            evidence = _text(item.get("evidence"), field="evidence", label="evidence", max_len=MAX_TEXT,
                             required=False)
        except ValidationFailed as exc:
            problems.append(f"Requirement {number}: {exc.message}")
            continue
        if not (code or text or evidence):
            continue  # an empty row of the web form
        if not text:
            label = f"Requirement {number} ({code})" if code else f"Requirement {number}"
            problems.append(f"{label}: the requirement text is required.")
        if code and not CODE_PATTERN.match(code):
            problems.append(f"Requirement {number}: the code {code!r} may hold only letters, digits, "
                            "'.', '-' and '_' (at most 20).")
        rows.append({"code": code, "text": text, "evidence": evidence})
    if len(rows) > MAX_REQUIREMENTS:
        problems.append(f"At most {MAX_REQUIREMENTS} requirements.")
    given = [r["code"].upper() for r in rows if r["code"]]
    duplicates = sorted({c for c in given if given.count(c) > 1})
    if duplicates:
        problems.append(f"Each requirement needs its own code; repeated: {', '.join(duplicates)}.")
    if problems:
        raise ValidationFailed("Some requirements are not valid.", fields={"requirements": problems})
    taken = set(given)
    counter = 0
    for row in rows:
        if not row["code"]:
            counter += 1
            while f"R{counter}" in taken:
                counter += 1
            row["code"] = f"R{counter}"
            taken.add(row["code"])
    return rows


def clean_change_note(value: Any) -> str:
    """An optional note of what changed (at most 2000 characters)."""
    return _text(value, field="change_note", label="change note", max_len=MAX_TEXT, required=False)


CLEANERS = {
    "sector": clean_sector,
    "title": clean_title,
    "conditions": clean_conditions,
    "requirements": clean_requirements,
    "change_note": clean_change_note,
}


def clean_content(**given: Any) -> dict[str, Any]:
    """Check every field that is given (not None); one 422 naming all failing fields."""
    errors: dict[str, list[str]] = {}
    clean: dict[str, Any] = {}
    for name, value in given.items():
        if value is None:
            continue
        try:
            clean[name] = CLEANERS[name](value)
        except ValidationFailed as exc:
            errors.update(exc.fields)
    if errors:
        raise ValidationFailed("Some fields are not valid.", fields=errors)
    return clean


def apply_content(version: StandardVersion, clean: dict[str, Any]) -> None:
    """Write checked content onto a version (conditions and requirements replace the old ones)."""
    if "sector" in clean:
        version.sector_code = clean["sector"]
    if "title" in clean:
        version.title = clean["title"]
    if "change_note" in clean:
        version.change_note = clean["change_note"]
    if "conditions" in clean:
        wanted = set(clean["conditions"])
        for row in list(version.conditions):
            if row.condition not in wanted:
                version.conditions.remove(row)
        held = {row.condition for row in version.conditions}
        version.conditions.extend(VersionCondition(condition=c) for c in clean["conditions"] if c not in held)
    if "requirements" in clean:
        if version.requirements and version.id is not None:
            version.requirements.clear()
            db.session.flush()  # delete the old rows before inserting new ones with the same codes
        version.requirements.extend(
            Requirement(position=i, code=r["code"], text=r["text"], evidence=r["evidence"])
            for i, r in enumerate(clean["requirements"], start=1)
        )


def completeness_problems(version: StandardVersion) -> dict[str, list[str]]:
    """What a draft still lacks before it can be proposed (empty when ready)."""
    problems: dict[str, list[str]] = {}
    if not (version.title or "").strip():
        problems["title"] = ["A title is required."]
    if not version.conditions:
        problems["conditions"] = ["Choose at least one goods condition the standard covers."]
    if not version.requirements:
        problems["requirements"] = ["Add at least one requirement."]
    return problems
