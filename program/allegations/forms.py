"""Web forms of Report IP theft (CSRF via Flask-WTF); the services check every rule again."""

from __future__ import annotations

from flask_wtf import FlaskForm
from flask_wtf.file import MultipleFileField
from wtforms import EmailField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from core.forms import choices
from program.allegations.states import (
    DETAILS_MAX,
    EVIDENCE_FILES_MAX,
    NAME_MAX,
    NOTE_MAX,
    STATUS_LABELS,
    SUMMARY_MAX,
    TRIAGE_TARGETS,
    WEBSITE_MAX,
)

ACCEPT = ".pdf,.jpg,.jpeg,.png,application/pdf,image/jpeg,image/png"
# The honeypot: a field people never see (hidden by CSS and from assistive technology); bots fill it in.
HONEYPOT = "homepage"


class ReportForm(FlaskForm):
    """Report IP theft: anyone, no account; contact details are optional."""

    summary = StringField("Summary", validators=[DataRequired(message="Write a one-line summary."),
                                                 Length(max=SUMMARY_MAX)],
                          description="One line, e.g. “Fake Acme watches sold on Example Market”.")
    details = TextAreaField("What did you see?", validators=[DataRequired(message="Describe what you saw."),
                                                              Length(max=DETAILS_MAX)],
                            description="Where and when, what the goods look like, why you think they infringe.",
                            render_kw={"rows": 8})
    suspect_name = StringField("Seller or importer name (optional)", validators=[Optional(), Length(max=NAME_MAX)])
    suspect_website = StringField("Website or listing address (optional)", validators=[Optional(), Length(max=WEBSITE_MAX)])
    suspect_marketplace = StringField("Marketplace (optional)", validators=[Optional(), Length(max=NAME_MAX)])
    suspect_country = StringField("Country (optional)", validators=[Optional(), Length(max=100)])
    ports = StringField("Ports of entry (optional)", validators=[Optional(), Length(max=200)],
                        description="Four-digit CBP port codes, separated by commas, e.g. 2704, 4601.")
    evidence = MultipleFileField("Evidence (optional)", render_kw={"accept": ACCEPT},
                                 description=f"Photos or PDFs: JPEG, PNG or PDF, up to 5 MB each, at most "
                                             f"{EVIDENCE_FILES_MAX} files. The content is checked, not the name.")
    reporter_name = StringField("Your name (optional)", validators=[Optional(), Length(max=NAME_MAX)])
    reporter_email = EmailField("Your e-mail (optional)", validators=[Optional(), Length(max=254)],
                                description="We send the receipt number here. Leave both empty to stay anonymous.")
    homepage = StringField("Leave this field empty", validators=[Optional()])

    def report_data(self) -> dict:
        """The form as the service's report mapping (the same shape as the API body)."""
        return {"summary": self.summary.data, "details": self.details.data, "ports": self.ports.data,
                "suspect": {"name": self.suspect_name.data, "website": self.suspect_website.data,
                            "marketplace": self.suspect_marketplace.data, "country": self.suspect_country.data},
                "reporter": {"name": self.reporter_name.data, "email": self.reporter_email.data}}


class TriageForm(FlaskForm):
    """A reviewer's triage step."""

    status = SelectField("Move to", choices=choices((s, STATUS_LABELS[s]) for s in TRIAGE_TARGETS),
                         validators=[DataRequired()])
    note = TextAreaField("Note", validators=[DataRequired(message="Write a note."), Length(max=NOTE_MAX)],
                         render_kw={"rows": 4})
    organization_id = SelectField("Importer organisation (optional)", validators=[Optional()], validate_choice=False)
    ior_number = StringField("IOR number (optional)", validators=[Optional(), Length(max=20)],
                             description="NN-NNNNNNN(XX) or YYDDPP-NNNNN")
    case_uei = StringField("Case UEI (optional)", validators=[Optional(), Length(max=40)])

    def set_importers(self, organizations) -> None:
        """Offer the importer organisations by name."""
        self.organization_id.choices = choices([("", "- None -"), *((o.id, o.name) for o in organizations)])
