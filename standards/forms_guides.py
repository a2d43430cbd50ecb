"""Web forms of product identification guides (CSRF through Flask-WTF; the services check the rules)."""

from __future__ import annotations

from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import EmailField, IntegerField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, NumberRange, Optional

from core.forms import choices
from standards.forms import CheckboxesField
from standards.models.identification_guide import GUIDE_SECTIONS, IMAGE_SECTIONS

SECTION_LABELS = {key: heading for key, heading, _hint in GUIDE_SECTIONS} | {"general": "General"}


class IdentificationGuideForm(FlaskForm):
    """A whole version of a guide: what it covers, the four sections and the authentication contact."""

    title = StringField("Title", validators=[DataRequired(), Length(max=200)],
                        description="E.g. \u201cAcme Diver watches, 2026 line\u201d.")
    marks = CheckboxesField("Marks covered", validators=[DataRequired(message="Choose at least one of your marks.")])
    sectors = CheckboxesField("Sectors", description="Leave all unticked to use the sectors CBP recorded for the marks.")
    hts_prefixes = StringField("HTS prefixes", validators=[Optional(), Length(max=500)],
                               description="2 to 10 digits each, separated by commas, e.g. 9102, 910211.")
    genuine_features = TextAreaField(GUIDE_SECTIONS[0][1], description=GUIDE_SECTIONS[0][2], render_kw={"rows": 5})
    packaging_labels = TextAreaField(GUIDE_SECTIONS[1][1], description=GUIDE_SECTIONS[1][2], render_kw={"rows": 4})
    serial_formats = TextAreaField(GUIDE_SECTIONS[2][1], description=GUIDE_SECTIONS[2][2], render_kw={"rows": 4})
    counterfeit_tells = TextAreaField(GUIDE_SECTIONS[3][1], description=GUIDE_SECTIONS[3][2], render_kw={"rows": 4})
    contact_name = StringField("Authentication contact", validators=[Optional(), Length(max=200)],
                               description="Who answers officers' authentication requests.")
    contact_email = EmailField("Contact e-mail", validators=[Optional(), Length(max=254)])
    contact_phone = StringField("Contact telephone", validators=[Optional(), Length(max=40)])
    service_hours = IntegerField("Answers within (hours)", validators=[Optional(), NumberRange(min=1, max=720)],
                                 description="E.g. 24 or 48.")
    change_note = TextAreaField("What changed (new versions)", validators=[Optional(), Length(max=4000)],
                                render_kw={"rows": 2})

    def set_choices(self, marks, sectors) -> None:
        """Offer the organisation's marks and every sector."""
        self.marks.choices = choices((m.recordation_number, f"{m.recordation_number} {m.mark}") for m in marks)
        self.sectors.choices = choices((s.code, s.name) for s in sectors)

    def content(self) -> dict:
        """The form as the service's content mapping (the API body's shape)."""
        return {"title": self.title.data, "marks": self.marks.data or [], "sectors": self.sectors.data or [],
                "hts_prefixes": self.hts_prefixes.data, "genuine_features": self.genuine_features.data,
                "packaging_labels": self.packaging_labels.data, "serial_formats": self.serial_formats.data,
                "counterfeit_tells": self.counterfeit_tells.data, "contact_name": self.contact_name.data,
                "contact_email": self.contact_email.data, "contact_phone": self.contact_phone.data,
                "service_hours": self.service_hours.data, "change_note": self.change_note.data}

    def fill_from(self, version) -> None:
        """Pre-fill from a version (for a revision)."""
        for key in ("title", "genuine_features", "packaging_labels", "serial_formats", "counterfeit_tells",
                    "contact_name", "contact_email", "contact_phone", "service_hours"):
            getattr(self, key).data = getattr(version, key)
        self.marks.data = [m.recordation_number for m in version.marks]
        self.sectors.data = [s.code for s in version.sectors]
        self.hts_prefixes.data = ", ".join(version.hts_prefixes)


class GuideImageForm(FlaskForm):
    """Add a captioned picture to a guide."""

    file = FileField("Image", description="JPEG or PNG, checked by content.")
    caption = StringField("Caption", validators=[DataRequired(message="Write a caption."), Length(max=300)])
    section = SelectField("Section it illustrates", choices=choices((s, SECTION_LABELS[s]) for s in IMAGE_SECTIONS),
                          default="general")
