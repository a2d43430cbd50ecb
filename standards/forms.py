"""Web forms of the standards domain (CSRF through Flask-WTF; the services check the rules)."""

from __future__ import annotations

from typing import Any

from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import (
    BooleanField,
    DateField,
    FieldList,
    Form,
    FormField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Length, Optional
from wtforms.widgets import CheckboxInput, ListWidget

from core.forms import choices
from standards.reference import CONDITION_LABELS, CONDITIONS

CONDITION_CHOICES = choices((c, CONDITION_LABELS[c]) for c in CONDITIONS)


class CheckboxesField(SelectMultipleField):
    """A multiple choice shown as checkboxes."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class RequirementForm(Form):
    """One row of the requirements table (no CSRF of its own: it lives inside StandardForm)."""

    code = StringField("Code", description="Short reference, e.g. R1. Left blank, one is assigned.",
                       validators=[Optional(), Length(max=20)])
    text = TextAreaField("Requirement", validators=[Optional(), Length(max=2000)])
    evidence = TextAreaField("Evidence expected", validators=[Optional(), Length(max=2000)])


class StandardForm(FlaskForm):
    """Draft or edit a standard version: sector, title, conditions, and rows of requirements."""

    sector = SelectField("Sector", validators=[DataRequired(message="Choose a sector.")])
    title = StringField("Title",
                        validators=[DataRequired(message="Give the standard a title."), Length(max=200)])
    conditions = CheckboxesField(
        "Goods conditions covered", choices=CONDITION_CHOICES,
        description="Release is expedited only for the conditions a published standard covers.",
    )
    requirements = FieldList(FormField(RequirementForm), min_entries=1, max_entries=100)
    change_note = TextAreaField("What changed in this version", validators=[Optional(), Length(max=2000)],
                                description="Shown in the version history; leave blank for a first version.")

    def set_sector_choices(self, sectors: list[Any]) -> None:
        """Offer every sector, marking heightened ones."""
        self.sector.choices = choices(
            [("", "- Choose a sector -")]
            + [(s.code, s.name + (" (heightened protection)" if s.heightened_protection else ""))
               for s in sectors]
        )

    def requirement_rows(self) -> list[dict[str, str]]:
        """Rows as the service takes them (empty rows are dropped there)."""
        return [{"code": e.form.code.data or "", "text": e.form.text.data or "",
                 "evidence": e.form.evidence.data or ""} for e in self.requirements.entries]

    def content(self) -> dict[str, Any]:
        """Everything the service needs to create or update a version."""
        return {"sector": self.sector.data or "", "title": self.title.data or "",
                "conditions": list(self.conditions.data or []), "requirements": self.requirement_rows(),
                "change_note": self.change_note.data or ""}


class EndorseForm(FlaskForm):
    """Endorse a version for some of one's marks."""

    marks = CheckboxesField("Endorse for these marks", validate_choice=True,
                            validators=[DataRequired(message="Choose at least one of your marks.")])
    statement = TextAreaField("Endorsement statement",
                              description="What you confirm: these requirements show your goods are genuine.",
                              validators=[DataRequired(message="Write the endorsement statement."),
                                          Length(max=4000)])


class DeclineForm(FlaskForm):
    """Decline a version with a reason."""

    reason = TextAreaField("Reason for declining", description="The authors and CBP read this.",
                           validators=[DataRequired(message="Say why you decline."), Length(max=4000)])


class WithdrawForm(FlaskForm):
    """Withdraw a draft or proposal."""

    reason = TextAreaField("Reason (optional)", validators=[Optional(), Length(max=2000)])


class MarkForm(FlaskForm):
    """Reviewer: register a recorded mark."""

    recordation_number = StringField("Recordation number", description="As recorded with CBP: TMK YY-NNNNN.",
                                     validators=[DataRequired(), Length(max=20)])
    mark = StringField("Mark", description="The word mark, or a short description of a design mark.",
                       validators=[DataRequired(), Length(max=200)])
    owner_organization_id = SelectField("Owner (rights holder)", coerce=int,
                                        validators=[DataRequired(message="Choose the owner.")])
    lever_rule = BooleanField("Lever-rule protection (19 CFR 133.23)",
                              description="Physically and materially different gray-market goods need the "
                                          "133.23(b) label.")
    lever_scope = StringField("Lever-rule scope (HTS prefixes)", validators=[Length(max=2000)],
                              description="Products the protection is granted for, e.g. 8518 851713; empty for all "
                                          "of the mark's goods.")
    expires_on = DateField("Recordation expires on (optional)", validators=[Optional()],
                           description="Its last valid day; after it the mark counts as not recorded.")
    sectors = CheckboxesField("Sectors the mark's goods are traded in",
                              description="Standards in these sectors will await the owner's decision.")


class MarkEditForm(FlaskForm):
    """Reviewer: change a mark's text, Lever-rule protection or sectors."""

    mark = StringField("Mark", validators=[DataRequired(), Length(max=200)])
    lever_rule = BooleanField("Lever-rule protection (19 CFR 133.23)")
    lever_scope = StringField("Lever-rule scope (HTS prefixes)", validators=[Length(max=2000)],
                              description="Products the protection is granted for; empty for all of the mark's goods.")
    expires_on = DateField("Recordation expires on (optional)", validators=[Optional()])
    sectors = CheckboxesField("Sectors the mark's goods are traded in")


class GuideForm(FlaskForm):
    """Rights holder: upload a photographic standards guide."""

    sector = SelectField("Sector", validators=[DataRequired(message="Choose a sector.")])
    title = StringField("Title", description="E.g. \u201cSerial-number label positions, 2024 models\u201d.",
                        validators=[DataRequired(), Length(max=200)])
    description = TextAreaField("Notes for officers", validators=[Optional(), Length(max=4000)])
    file = FileField("Image or PDF", description="JPEG, PNG or PDF, checked by content; size-capped.")


class SectorForm(FlaskForm):
    """Admin: add a sector."""

    code = StringField("Code", description="Permanent; lower-case letters, digits and underscores.",
                       validators=[DataRequired(), Length(max=40)])
    name = StringField("Name", validators=[DataRequired(), Length(max=120)])
    heightened_protection = BooleanField(
        "Heightened protection (health and safety)",
        description="Standards and enrollments allowed; expedited release never.",
    )
    hts_prefixes = StringField(
        "HTS prefixes",
        description="HTS codes that belong to the sector: prefixes of 2 to 10 digits, separated by commas or spaces "
                    "(e.g. 61, 62, 6404). Goods of these codes are held to the sector whatever sector is declared.",
        validators=[Length(max=2000)],
    )


class SectorEditForm(FlaskForm):
    """Admin: rename a sector or change its protection."""

    name = StringField("Name", validators=[DataRequired(), Length(max=120)])
    heightened_protection = BooleanField(
        "Heightened protection (health and safety)",
        description="Standards and enrollments allowed; expedited release never.",
    )
    hts_prefixes = StringField(
        "HTS prefixes",
        description="HTS codes that belong to the sector: prefixes of 2 to 10 digits, separated by commas or spaces "
                    "(e.g. 61, 62, 6404). Goods of these codes are held to the sector whatever sector is declared.",
        validators=[Length(max=2000)],
    )
