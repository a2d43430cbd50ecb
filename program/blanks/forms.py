"""WTForms of the blank-goods pages. Fields stay plain text: the rules live in ``validation`` (shared
with the API and the CSV import), whose errors are placed back on the fields by :func:`place_errors`."""

from __future__ import annotations

import re

from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import BooleanField, DateField, FieldList, Form, FormField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from core.errors import ValidationFailed
from core.forms import choices
from core.inputs import whole_number
from program.blanks.states import Marking, PartyRole
from program.enrollment.forms import COUNTRY_CHOICES

PARTY_ROLES = [(r.value, r.value.title()) for r in PartyRole]
MARKINGS = [(Marking.NONE.value, "None (stays plain)"), (Marking.LICENSED.value, "Licensed marks applied later")]


class PartyForm(Form):
    """One party to the transaction."""

    role = SelectField("Role", choices=choices(PARTY_ROLES))
    name = StringField("Name", validators=[Optional(), Length(max=200)])
    country = SelectField("Country", choices=COUNTRY_CHOICES, validate_choice=False)  # the service names a bad code
    address = StringField("Address", validators=[Optional(), Length(max=2000)])


class LineForm(Form):
    """One declared line."""

    description = StringField("Description", validators=[Optional(), Length(max=500)])
    hts_code = StringField("HTS code", validators=[Optional(), Length(max=14)])
    quantity = StringField("Quantity", validators=[Optional(), Length(max=24)])
    unit = StringField("Unit", default="pcs", validators=[Optional(), Length(max=20)])
    country_of_origin = SelectField("Country of origin", choices=COUNTRY_CHOICES, validate_choice=False)
    intended_marking = SelectField("Intended marking", choices=choices(MARKINGS), default=Marking.NONE.value)
    authorization_ref = StringField("Authorisation reference", validators=[Optional(), Length(max=100)])
    recordation_number = StringField("Recordation number", validators=[Optional(), Length(max=12)])


class DeclarationForm(FlaskForm):
    """A new declaration: validity, parties, lines (or a CSV of lines) and the attestation."""

    valid_from = DateField("Valid from", validators=[DataRequired("Give the first day.")])
    valid_until = DateField("Valid until", validators=[DataRequired("Give the last day.")])
    parties = FieldList(FormField(PartyForm), min_entries=1, max_entries=20)
    lines = FieldList(FormField(LineForm), min_entries=1, max_entries=500)
    lines_csv = FileField("Or upload the lines as CSV",
                          description="Columns: description, hts_code, quantity, unit, country_of_origin, "
                                      "intended_marking, authorization_ref, recordation_number (header row first). "
                                      "An uploaded file replaces the lines typed above.")
    attestation = BooleanField("I attest that these goods bear no marks on arrival and that this declaration is "
                               "true and complete.")

    def to_data(self) -> dict:
        """The form as the service's input (a declaration body)."""
        data = {"valid_from": self.valid_from.data, "valid_until": self.valid_until.data,
                "parties": [entry.data for entry in self.parties.entries if any(_filled(entry.data, "role"))],
                "lines": [{**entry.data, "quantity": plain_number(entry.data.get("quantity"))}
                          for entry in self.lines.entries if any(_filled(entry.data, "intended_marking", "unit"))],
                "attestation": bool(self.attestation.data)}
        upload = self.lines_csv.data
        if upload is not None and getattr(upload, "filename", ""):
            data["lines_csv"] = upload.read()
            data["lines"] = []
        return data


_GROUPED = re.compile(r"\d{1,3}(,\d{3})+(\.\d+)?")


def plain_number(text: str | None) -> str | None:
    """A number as people type it ("24,000", " 1,250.5 ") as the validator reads it ("24000", "1250.5");
    anything else is left for the validator to name."""
    value = (text or "").strip()
    return value.replace(",", "") if _GROUPED.fullmatch(value) else text


def error_list(form: DeclarationForm) -> list[tuple[str, str]]:
    """Every field error as ``(field id, "Line 2, quantity: …")`` in page order, for the error summary's links."""
    found: list[tuple[str, str]] = []

    def add(field, where: str) -> None:
        found.extend((field.id, f"{where}: {message}") for message in field.errors)

    add(form.valid_from, form.valid_from.label.text)
    add(form.valid_until, form.valid_until.label.text)
    for list_name, noun in (("parties", "Party"), ("lines", "Line")):
        for number, entry in enumerate(getattr(form, list_name).entries, 1):
            for sub in entry.form:
                text = sub.label.text
                add(sub, f"{noun} {number}, {text if text[1:2].isupper() else text[:1].lower() + text[1:]}")
    add(form.lines_csv, "CSV file")
    add(form.attestation, "Attestation")
    return found


def _filled(values: dict, *ignore: str):
    return (bool(str(v or "").strip()) for k, v in values.items() if k not in ignore)


class ReasonForm(FlaskForm):
    """A reason (revoke, withdraw), a question (query) or an answer."""

    text = TextAreaField("Reason", validators=[DataRequired("This is required."), Length(max=5000)])


class OptionalReasonForm(FlaskForm):
    """An optional reason (withdraw)."""

    text = TextAreaField("Reason (optional)", validators=[Optional(), Length(max=5000)])


def place_errors(form: DeclarationForm, error: ValidationFailed) -> list[str]:
    """Put the service's ``parties.0.country``-style errors on the form's fields; returns messages that
    belong to no single field (CSV rows, the list of parties), each prefixed with what it is about."""
    loose: list[str] = []
    for path, messages in error.fields.items():
        parts = path.split(".")
        target = None
        index = whole_number(parts[1]) if parts[0] in ("parties", "lines") and len(parts) == 3 else None
        if index is not None:
            entries = getattr(form, parts[0]).entries
            if index < len(entries):
                target = getattr(entries[index].form, parts[2], None)
        elif len(parts) == 1 and parts[0] in ("valid_from", "valid_until", "attestation"):
            target = getattr(form, parts[0])
        if target is not None:
            target.errors = [*list(target.errors), *messages]
        else:
            where = parts[1].capitalize() + ", " + parts[2] if parts[0] == "lines_csv" and len(parts) == 3 \
                else " ".join(parts)
            loose.extend(f"{where}: {m}" for m in messages)
    return loose
