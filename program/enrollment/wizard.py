"""Glue between the wizard's WTForms and the services: payloads out, service errors back onto fields."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from wtforms import Form

from core.errors import ValidationFailed
from core.forms import choices
from core.inputs import whole_number
from program.enrollment.presenters import sector_names


def _add(field: Any, messages: list[str]) -> None:
    if not isinstance(field.errors, list):
        field.errors = list(field.errors)
    field.errors.extend(messages)


def apply_service_errors(form: Form, error: ValidationFailed, field_map: Callable[[str], Any] | None = None) -> None:
    """Put a service's field errors on the form's fields (``contacts.1.email`` on that row's e-mail box).

    ``field_map`` turns a service field name into a form field name, or into ``(entries, name)`` for rows.
    """
    placed = False
    for name, messages in error.fields.items():
        items = [str(m) for m in (messages if isinstance(messages, list) else [messages])]
        target = field_map(name) if field_map else name
        if isinstance(target, tuple):
            entries, name = target
            parts = name.split(".")
            index = whole_number(parts[1]) if len(parts) == 3 else None
            if index is not None and index < len(entries):
                sub = getattr(entries[index].form, parts[2], None)
                if sub is not None:
                    _add(sub, items)
                    placed = True
                    continue
            target = parts[0]
        field = getattr(form, target, None)
        if field is not None and hasattr(field, "errors"):
            _add(field, items)
            placed = True
    if not placed:
        form.form_errors.append(error.message)


def contacts_payload(form: Any) -> tuple[list[dict[str, str]], list[Any]]:
    """The non-blank contact rows as the service takes them, and the form entries they came from."""
    payload, entries = [], []
    for entry in form.contacts.entries:
        row = {key: (getattr(entry.form, key).data or "").strip() for key in ("purpose", "name", "email")}
        if row["name"] or row["email"]:
            payload.append(row)
            entries.append(entry)
    return payload, entries


def sector_choices() -> list[Any]:
    """Sectors to tick: ordinary ones first, heightened-protection ones last, by name."""
    sectors = sorted(sector_names().values(), key=lambda s: (s.heightened_protection, s.name))
    return choices((s.code, s.name) for s in sectors)


def field_errors(form: Form) -> list[tuple[str, str]]:
    """Every error of a form as ``(field id, message)``, rows included, for the error summary."""
    found: list[tuple[str, str]] = [("", message) for message in form.form_errors]
    for field in form:
        if field.type == "CSRFTokenField":
            if field.errors:
                found.append(("", "Your session expired or the form was sent twice. Please submit it again."))
            continue
        if field.type == "FieldList":
            for message in field.errors:
                if isinstance(message, str):
                    found.append((field.id, message))
            for entry in field.entries:
                for sub in entry.form:
                    found.extend((sub.id, message) for message in sub.errors)
            continue
        found.extend((field.id, str(message)) for message in field.errors)
    return found
