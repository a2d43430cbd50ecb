"""Web forms of release decisions: the request form (entry and its lines) and the list filters.

The fields are plain text boxes and selects; their values are checked by the same marshmallow schema
(and so the same :mod:`program.decisions.inputs` parsers) as the API, and its flattened error names
(``lines.1.hts_code``) are put back onto the fields they name, so every entry point agrees on formats.
"""

from __future__ import annotations

from contextlib import suppress
from typing import Any

from flask_wtf import FlaskForm
from marshmallow import ValidationError
from wtforms import BooleanField, DateField, FieldList, Form, FormField, HiddenField, SelectField, StringField
from wtforms.validators import Optional

from core.errors import ValidationFailed
from core.forms import choices
from core.inputs import whole_number
from program.decisions.engine import OUTCOMES
from program.decisions.inputs import CONDITIONS, MAX_LINES, FieldProblem, parse_entry
from program.decisions.schemas import DecisionRequestSchema
from program.enrollment.forms import COUNTRY_CHOICES
from standards.reference import CONDITION_LABELS

OUTCOME_LABELS = {
    "expedited_release": "Expedited release",
    "standard_processing": "Standard processing",
    "refer_for_examination": "Refer for examination",
}
CONDITION_CHOICES = choices([("", "- Condition -")] + [(c, CONDITION_LABELS.get(c, c)) for c in CONDITIONS])
LINE_FIELDS = ("line_no", "description", "hts_code", "quantity", "value_usd", "sector", "condition",
               "country_of_origin", "recordation_number", "lever_label", "blank_declaration_id", "blank_line_no")
SHIPMENT_TYPE_CHOICES = choices([("formal", "Formal entry"), ("section_321", "Section 321 (de minimis) parcel")])
# The shipment fields of the form and where the schema's error names (``shipment.seller.name``) point.
SHIPMENT_FIELDS = {"shipment.type": "shipment_type", "shipment.house_bill": "house_bill",
                   "shipment.seller.name": "seller_name", "shipment.seller.country": "seller_country",
                   "shipment.seller": "seller_name", "shipment.marketplace": "marketplace", "shipment": "shipment_type"}
# What to say when a field the schema requires is left empty (kinder than the parser's "got ''").
REQUIRED = {
    "entry_number": "Enter the entry number, e.g. ABC-1234567-6.",
    "port_code": "Enter the 4-digit port code, e.g. 2704.",
    "ior_number": "Choose the Importer of Record number.",
    "description": "Describe the goods.",
    "hts_code": "Enter the 10-digit HTS code.",
    "quantity": "Enter the quantity.",
    "value_usd": "Enter the value in U.S. dollars.",
    "sector": "Choose the sector.",
    "condition": "Choose the condition.",
}

_schema = DecisionRequestSchema()


class LineForm(Form):
    """One entry line (a row of the request form; CSRF belongs to the enclosing form)."""

    line_no = StringField("Line no.")
    description = StringField("Description")
    hts_code = StringField("HTS code", description="10 digits, dots allowed")
    quantity = StringField("Quantity")
    value_usd = StringField("Value (USD)")
    sector = SelectField("Sector", validate_choice=False)
    condition = SelectField("Condition", choices=CONDITION_CHOICES, validate_choice=False)
    country_of_origin = SelectField("Country of origin", choices=COUNTRY_CHOICES, validate_choice=False)
    recordation_number = StringField("Recordation number", description="TMK YY-NNNNN of the mark the goods bear")
    lever_label = BooleanField("Carries the Lever-rule label (19 CFR 133.23(b))")
    blank_declaration_id = StringField("Blank declaration", description="BGD-YYYY-NNNNNN, blank goods only")
    blank_line_no = StringField("Declaration line")

    def is_empty(self) -> bool:
        """True when nothing was typed or chosen in the row (such rows are ignored)."""
        return not any((getattr(self, name).data or "") not in ("", False)
                       for name in LINE_FIELDS if name != "line_no")


class DecisionRequestForm(FlaskForm):
    """Request a release decision: entry number, port, importer of record and any number of lines."""

    entry_number = StringField("Entry number", description="E.g. ABC-1234567-6 (dashes optional)")
    port_code = StringField("Port of entry", description="Schedule D code, e.g. 2704")
    ior_number = StringField("Importer of Record number", description="Any IOR number, enrolled or not")
    ior_choice = SelectField("Importer of Record number", validate_choice=False,
                             description="Your organisation's enrolled numbers")
    shipment_type = SelectField("How the goods travel", choices=SHIPMENT_TYPE_CHOICES, default="formal",
                                validate_choice=False)
    house_bill = StringField("House bill", description="The parcel's house air waybill or bill of lading")
    seller_name = StringField("Foreign seller", description="Who sold the goods abroad, as on the invoice")
    seller_country = SelectField("Seller's country", choices=COUNTRY_CHOICES, validate_choice=False)
    marketplace = StringField("Marketplace", description="The online marketplace the goods were bought on")
    supersedes = HiddenField()
    supersede = BooleanField("Decide the entry afresh, superseding its live decision",
                             description="The earlier decision stops releasing the goods and its blank-goods "
                                         "draws go back to their declarations.")
    lines = FieldList(FormField(LineForm), min_entries=1, max_entries=MAX_LINES)

    @property
    def live_decision_id(self) -> int | None:
        """The live decision the entry already has (set by the view on a conflict), if the field holds an id."""
        return whole_number((self.supersedes.data or "").strip())

    def setup(self, *, sectors: list[Any], iors: list[str] | None) -> DecisionRequestForm:
        """Offer the sectors on every line; importers choose among their ``iors`` instead of typing one."""
        self.sector_choices = choices([("", "- Sector -")] + [(s.code, s.name) for s in sectors])
        for entry in self.lines.entries:
            entry.form.sector.choices = self.sector_choices
        self.iors = iors
        self.ior_select = iors is not None
        if iors is not None:
            self.ior_choice.choices = choices([("", "- Choose -")] + [(i, i) for i in iors])
        return self

    @property
    def ior_field(self) -> Any:
        """The field the IOR number is entered in (a select for importers, a text box for CBP)."""
        return self.ior_choice if self.ior_select else self.ior_number

    def request_data(self) -> dict[str, Any]:
        """The request body the form describes, parsed and checked as the API would; raises ValidationFailed.

        Rows left wholly empty are skipped; a line number left empty is the row's position.
        """
        problems: dict[str, list[str]] = {}
        raw: dict[str, Any] = {"entry_number": self.entry_number.data or "", "port_code": self.port_code.data or "",
                               "ior_number": self.ior_field.data or "", "lines": []}
        for name in ("entry_number", "port_code", "ior_number"):
            if not str(raw[name]).strip():
                problems[name] = [REQUIRED[name]]
        shipment = self._shipment()
        if shipment is not None:
            raw["shipment"] = shipment
            if shipment.get("seller") and not shipment["seller"]["name"]:
                problems["shipment.seller.name"] = ["Give the seller's name with its country."]
        if self.supersede.data and (self.supersedes.data or "").strip():
            value = self.supersedes.data.strip()
            number = whole_number(value)
            raw["supersedes"] = number if number is not None else value
        self._rows = [entry for entry in self.lines.entries if not entry.form.is_empty()]
        if not self._rows:
            problems["lines"] = ["Add at least one line."]
        for index, entry in enumerate(self._rows):
            sub = entry.form
            line: dict[str, Any] = {}
            for name in LINE_FIELDS:
                value = getattr(sub, name).data
                if name == "lever_label":
                    line[name] = bool(value)
                    continue
                value = (value or "").strip()
                if name == "line_no" and not value:
                    value = str(index + 1)
                if not value and name in REQUIRED:
                    problems[f"lines.{index}.{name}"] = [REQUIRED[name]]
                line[name] = value or None
            raw["lines"].append(line)
        try:
            data = _schema.load(raw)
        except ValidationError as error:
            for name, messages in error.messages.items():
                problems.setdefault(name, list(messages) if isinstance(messages, list) else [str(messages)])
            data = None
        if problems:
            raise ValidationFailed("Some fields need correcting.", fields=problems)
        return data

    def _shipment(self) -> dict[str, Any] | None:
        """The shipment the fields describe, or None for a formal entry with none of them filled."""
        text = {name: (getattr(self, name).data or "").strip()
                for name in ("house_bill", "seller_name", "seller_country", "marketplace")}
        kind = (self.shipment_type.data or "formal").strip()
        if kind == "formal" and not any(text.values()):
            return None
        shipment: dict[str, Any] = {"type": kind, "house_bill": text["house_bill"] or None,
                                    "marketplace": text["marketplace"] or None}
        if text["seller_name"] or text["seller_country"]:
            shipment["seller"] = {"name": text["seller_name"], "country": text["seller_country"] or None}
        return shipment

    def entry_fields(self) -> list[Any]:
        """The fields about the entry as a whole, in page order (for the error summary)."""
        return [self.entry_number, self.port_code, self.ior_field, self.shipment_type, self.house_bill,
                self.seller_name, self.seller_country, self.marketplace]

    def apply_errors(self, error: ValidationFailed) -> None:
        """Show each problem next to the field it names (``lines.N.field`` → that row's field)."""
        rows = getattr(self, "_rows", self.lines.entries)
        for name, messages in error.fields.items():
            items = [str(m) for m in (messages if isinstance(messages, list) else [messages])]
            field = self._field_named(name, rows)
            if field is None:
                self.form_errors.extend(items)
                continue
            if not isinstance(field.errors, list):
                field.errors = list(field.errors)
            field.errors.extend(items)

    def _field_named(self, name: str, rows: list[Any]) -> Any:
        parts = name.split(".")
        if parts[0] == "ior_number":
            return self.ior_field
        if parts[0] in ("entry_number", "port_code"):
            return getattr(self, parts[0])
        if name in SHIPMENT_FIELDS:
            return getattr(self, SHIPMENT_FIELDS[name])
        if parts[0] == "supersedes":
            return self.entry_number
        index = whole_number(parts[1]) if parts[0] == "lines" and len(parts) == 3 else None
        if index is not None and index < len(rows):
            return getattr(rows[index].form, parts[2], None)
        return None

    def has_problems(self) -> bool:
        """True when any field, row or the form as a whole has an error to show."""
        return bool(self.form_errors or self.line_errors()
                    or any(f.errors for f in self.entry_fields())
                    or "csrf_token" in self.errors)

    def line_errors(self) -> list[tuple[int, str, str, str]]:
        """Every row problem as (row position, field label, message, field id), for the summary at the top."""
        out = []
        for position, entry in enumerate(self.lines.entries, start=1):
            for name in LINE_FIELDS:
                field = getattr(entry.form, name)
                for message in field.errors if isinstance(field.errors, list) else []:
                    out.append((position, field.label.text, message, field.id))
        return out


class DecisionFilterForm(FlaskForm):
    """Filters of the decision list (a GET form: no CSRF)."""

    class Meta:
        csrf = False

    outcome = SelectField("Outcome", choices=choices([("", "Any outcome")] + [(o, OUTCOME_LABELS[o]) for o in OUTCOMES]),
                          validators=[Optional()])
    ior_number = StringField("IOR number", validators=[Optional()])
    entry_number = StringField("Entry number", validators=[Optional()])
    port_code = StringField("Port", validators=[Optional()])
    decided_from = DateField("Decided from", validators=[Optional()])
    decided_until = DateField("Decided until", validators=[Optional()])

    def args(self) -> dict[str, Any]:
        """The valid filters as :func:`program.decisions.services.filtered` takes them."""
        out: dict[str, Any] = {}
        for name in ("outcome", "ior_number", "entry_number", "port_code", "decided_from", "decided_until"):
            field = getattr(self, name)
            if field.data and not field.errors:
                out[name] = field.data
        if out.get("outcome") not in (None, *OUTCOMES):
            out.pop("outcome")
        if "entry_number" in out:
            with suppress(FieldProblem):  # a malformed number is filtered as typed: it matches nothing
                out["entry_number"] = parse_entry(out["entry_number"])
        return out
