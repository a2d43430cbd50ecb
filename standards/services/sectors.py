"""Sector administration: add, rename, change protection, and delete only what nothing uses."""

from __future__ import annotations

import re
from typing import Any

from sqlalchemy import func, select

from core import audit
from core.errors import Conflict, NotFound, ValidationFailed
from core.extensions import db
from standards.models import Sector

CODE_PATTERN = re.compile(r"^[a-z][a-z0-9_]{1,39}$")
HTS_PREFIX_PATTERN = re.compile(r"^\d{2,10}$")
MAX_PREFIXES = 200


def clean_hts_prefixes(value: Any, *, field: str = "hts_prefixes") -> list[str]:
    """HTS prefixes from a list or from text separated by commas or spaces (dots dropped): 2 to 10 digits each,
    sorted, without duplicates; 422 naming ``field`` otherwise."""
    if value is None:
        return []
    if isinstance(value, str):
        parts = re.split(r"[\s,;]+", value)
    elif isinstance(value, list | tuple) and all(isinstance(v, str) for v in value):
        parts = list(value)
    else:
        raise ValidationFailed("Give HTS prefixes as a list of digit strings.", fields={field: ["Must be a list."]})
    prefixes = sorted({p.strip().replace(".", "") for p in parts if p.strip()})
    bad = [p for p in prefixes if not HTS_PREFIX_PATTERN.match(p)]
    if bad:
        raise ValidationFailed("Some HTS prefixes are malformed.",
                               fields={field: [f"Not 2 to 10 digits: {', '.join(bad[:10])}."]})
    if len(prefixes) > MAX_PREFIXES:
        raise ValidationFailed("Too many HTS prefixes.", fields={field: [f"At most {MAX_PREFIXES}."]})
    return prefixes


def get_sector(code: str) -> Sector:
    """The sector with this code, or 404."""
    sector = db.session.get(Sector, code)
    if sector is None:
        raise NotFound("No such sector.")
    return sector


def _clean_name(name: str | None) -> str:
    name = (name or "").strip()
    if not name:
        raise ValidationFailed("The sector needs a name.", fields={"name": ["Required."]})
    if len(name) > 120:
        raise ValidationFailed("The name is too long.", fields={"name": ["At most 120 characters."]})
    return name


def add_sector(actor: Any, *, code: str, name: str, heightened_protection: bool, hts_prefixes: Any = None) -> Sector:
    """Add a sector; its code is permanent (other records refer to it)."""
    code = (code or "").strip().lower()
    errors: dict[str, list[str]] = {}
    try:
        prefixes = clean_hts_prefixes(hts_prefixes)
    except ValidationFailed as exc:
        errors.update(exc.fields)
    if not CODE_PATTERN.match(code):
        errors["code"] = ["2–40 lower-case letters, digits or underscores, starting with a letter."]
    try:
        name = _clean_name(name)
    except ValidationFailed as exc:
        errors.update(exc.fields)
    if errors:
        raise ValidationFailed("The sector could not be added.", fields=errors)
    if db.session.get(Sector, code) is not None:
        raise ValidationFailed("A sector with this code exists.", fields={"code": ["Already in use."]})
    if db.session.scalar(select(Sector.code).where(func.lower(Sector.name) == name.lower())):
        raise ValidationFailed("A sector with this name exists.", fields={"name": ["Already in use."]})
    sector = Sector(code=code, name=name, heightened_protection=bool(heightened_protection), hts_prefixes=prefixes)
    db.session.add(sector)
    db.session.flush()
    audit.record(actor, "sector.create", "sector", code, after=sector.to_dict())
    return sector


def update_sector(actor: Any, sector: Sector, *, name: str, heightened_protection: bool,
                  hts_prefixes: Any = None) -> Sector:
    """Rename a sector, change its heightened protection or its HTS prefixes (the code never changes);
    ``hts_prefixes`` None leaves them as they are."""
    name = _clean_name(name)
    prefixes = clean_hts_prefixes(hts_prefixes) if hts_prefixes is not None else list(sector.hts_prefixes or [])
    clash = db.session.scalar(
        select(Sector.code).where(func.lower(Sector.name) == name.lower(), Sector.code != sector.code)
    )
    if clash:
        raise ValidationFailed("Another sector has this name.", fields={"name": ["Already in use."]})
    before = sector.to_dict()
    sector.name = name
    sector.heightened_protection = bool(heightened_protection)
    sector.hts_prefixes = prefixes
    after = sector.to_dict()
    if after != before:
        db.session.flush()
        audit.record(actor, "sector.update", "sector", sector.code, before=before, after=after)
    return sector


def sector_usage(code: str) -> dict[str, int]:
    """Rows in every table that refer to the sector, by table (any domain's foreign keys count)."""
    usage: dict[str, int] = {}
    for table in db.metadata.sorted_tables:
        for fk in table.foreign_keys:
            if fk.column.table.name == "sector" and fk.column.name == "code":
                count = db.session.scalar(
                    select(func.count()).select_from(table).where(fk.parent == code)) or 0
                if count:
                    usage[table.name] = usage.get(table.name, 0) + count
    return usage


def delete_sector(actor: Any, sector: Sector) -> None:
    """Delete a sector nothing refers to; a sector in use is never dropped (409)."""
    usage = sector_usage(sector.code)
    if usage:
        where = ", ".join(f"{table.replace('_', ' ')} ({count})" for table, count in sorted(usage.items()))
        raise Conflict(f"{sector.name} is in use and cannot be deleted: {where}.", code="sector_in_use")
    before = sector.to_dict()
    db.session.delete(sector)
    db.session.flush()
    audit.record(actor, "sector.delete", "sector", before["code"], before=before)


def sectors_by_code(codes: Any, *, field: str = "sectors") -> list[Sector]:
    """The sectors named by ``codes`` (duplicates ignored); 422 naming ``field`` for unknown codes."""
    if codes is None:
        return []
    if isinstance(codes, str) or not all(isinstance(c, str) for c in codes):
        raise ValidationFailed("Give sector codes as a list of strings.",
                               fields={field: ["Must be a list of codes."]})
    wanted = list(dict.fromkeys(c.strip() for c in codes if c.strip()))
    found = ({s.code: s for s in db.session.scalars(select(Sector).where(Sector.code.in_(wanted)))}
             if wanted else {})
    unknown = [c for c in wanted if c not in found]
    if unknown:
        raise ValidationFailed("Unknown sector.",
                               fields={field: [f"Unknown sector code: {', '.join(unknown)}."]})
    return [found[c] for c in wanted]
