"""The audit log as people read it: filters (actor, action, object, dates), actors' and organisations' names,
and each entry's change as "field: before → after" rather than raw JSON."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import Select, or_, select

from core.accounts.models import Organization, User
from core.audit import AuditEntry
from core.extensions import db
from core.labels import AUDIT_ACTIONS, action_label, field_label, readable

MAX_VALUE = 160  # characters of one value shown in the list; the API has the whole entry


@dataclass(frozen=True)
class Change:
    """One field of an entry: its name, the value before and after (``None`` when absent)."""

    field: str
    before: str | None
    after: str | None


@dataclass(frozen=True)
class Filters:
    """The audit page's filters, read from the query string."""

    actor: str = ""
    action: str = ""
    entity_type: str = ""
    entity_id: str = ""
    start: date | None = None
    end: date | None = None
    errors: tuple[str, ...] = ()

    @classmethod
    def from_args(cls, args: Any) -> Filters:
        """Read the filters; a malformed date is reported, not applied."""
        errors, dates = [], {}
        for name, text in (("start", args.get("from", "")), ("end", args.get("to", ""))):
            try:
                dates[name] = date.fromisoformat(text) if text else None
            except ValueError:
                dates[name] = None
                errors.append(f"{'From' if name == 'start' else 'To'} date: enter a date like 2026-11-18.")
        return cls(actor=args.get("actor", "").strip(), action=args.get("action", "").strip(),
                   entity_type=args.get("entity_type", "").strip(), entity_id=args.get("entity_id", "").strip(),
                   errors=tuple(errors), **dates)

    def apply(self, query: Select) -> Select:
        """``query`` narrowed by every filter that is set."""
        if self.actor:
            pattern = f"%{self.actor.lower()}%"
            names = select(User.id).where(or_(User.email.ilike(pattern), User.full_name.ilike(pattern)))
            query = query.where(or_(AuditEntry.actor.ilike(pattern), AuditEntry.actor_id.in_(names)))
        if self.action:
            query = query.where(AuditEntry.action == self.action)
        if self.entity_type:
            query = query.where(AuditEntry.entity_type == self.entity_type)
        if self.entity_id:
            query = query.where(AuditEntry.entity_id == self.entity_id)
        if self.start:
            query = query.where(AuditEntry.at >= datetime.combine(self.start, time.min, UTC))
        if self.end:
            query = query.where(AuditEntry.at < datetime.combine(self.end + timedelta(days=1), time.min, UTC))
        return query


def action_choices() -> list[tuple[str, str]]:
    """Every audit action (known ones and any found in the log), by name."""
    found = set(db.session.scalars(select(AuditEntry.action).distinct()))
    return sorted(((code, action_label(code)) for code in set(AUDIT_ACTIONS) | found), key=lambda pair: pair[1])


def actors(entries: list[AuditEntry]) -> dict[int, tuple[str, str]]:
    """``actor_id → (name, organisation name)`` for the entries' actors, in one query."""
    ids = {e.actor_id for e in entries if e.actor_id is not None}
    if not ids:
        return {}
    rows = db.session.execute(select(User.id, User.full_name, User.email, Organization.name)
                              .join(Organization, Organization.id == User.organization_id).where(User.id.in_(ids)))
    return {uid: (name or email, org) for uid, name, email, org in rows}


_TIMESTAMP = re.compile(r"(\d{4}-\d{2}-\d{2})T(\d{2}:\d{2})(:\d{2}(\.\d+)?)?(\+00:00|Z)?")
_DIGEST = re.compile(r"[0-9a-f]{40,}")


def _show(value: Any) -> str:
    if isinstance(value, str) and _TIMESTAMP.fullmatch(value):
        match = _TIMESTAMP.fullmatch(value)
        return f"{match.group(1)} {match.group(2)}" + (" UTC" if match.group(5) else "")
    if isinstance(value, str) and _DIGEST.fullmatch(value):
        return value[:12] + "…"
    if value is None:
        return "—"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, list) and all(not isinstance(v, dict | list) for v in value):
        text = ", ".join(readable(str(v)) for v in value) or "none"
    elif isinstance(value, dict | list):
        text = json.dumps(value, ensure_ascii=False, sort_keys=True)
    else:
        text = readable(str(value))  # sector and outcome codes in values read as names
    return text if len(text) <= MAX_VALUE else text[:MAX_VALUE - 1] + "…"


def changes(entry: AuditEntry) -> list[Change]:
    """The fields the entry changed (before → after), or set (creation) or cleared (removal)."""
    before = entry.before if isinstance(entry.before, dict) else ({} if entry.before is None else {"value": entry.before})
    after = entry.after if isinstance(entry.after, dict) else ({} if entry.after is None else {"value": entry.after})
    rows = []
    for key in [*before, *(k for k in after if k not in before)]:
        if key in before and key in after and before[key] == after[key]:
            continue
        rows.append(Change(field_label(key), _show(before[key]) if key in before else None,
                           _show(after[key]) if key in after else None))
    return rows
