"""Helpers shared by every WTForms form."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms.fields.choices import SelectChoice

from core.errors import ValidationFailed


def apply_errors(form: FlaskForm, error: ValidationFailed) -> None:
    """Attach a domain validation error to the form's fields (unknown fields go to the form as a whole)."""
    placed = False
    for name, messages in error.fields.items():
        field = getattr(form, name, None)
        # A copy: the messages may be the field's own error list (``fields=dict(form.errors)``), which extending
        # with a generator over itself grew without end — one bad upload took a worker's memory.
        items = [str(m) for m in messages] if isinstance(messages, (list, tuple)) else [str(messages)]
        if field is not None and hasattr(field, "errors"):
            shown = list(field.errors)
            field.errors = shown + [m for m in items if m not in shown]
            placed = True
    if not placed:
        form.form_errors.append(error.message)


def choices(pairs) -> list[SelectChoice]:
    """WTForms 3.3+ choices from ``(value, label)`` pairs (tuples are deprecated there)."""
    return [SelectChoice(value=str(value), label=str(label)) for value, label in pairs]
