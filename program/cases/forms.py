"""Web forms of the cases pages (CSRF via Flask-WTF); the services check every rule again."""

from __future__ import annotations

from flask_wtf import FlaskForm
from flask_wtf.file import FileField, MultipleFileField
from wtforms import DateField, RadioField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from core.forms import choices
from program.cases.services import CAPTION_MAX, NOTE_MAX
from program.cases.states import ALTERNATIVES_TO_SEIZURE, OUTCOMES, STATUS_LABELS
from program.enrollment.countries import COUNTRIES

IMAGE_ACCEPT = ".jpg,.jpeg,.png,image/jpeg,image/png"
FILE_ACCEPT = ".pdf,.jpg,.jpeg,.png,application/pdf,image/jpeg,image/png"


class DetainForm(FlaskForm):
    """Detain the shipment of a release decision."""

    notice_date = DateField("Date of the detention notice", validators=[DataRequired(message="Give the notice date.")],
                            description="The importer has seven business days from this date to respond "
                                        "(19 CFR 133.21(b)). Not in the future.")
    country_of_origin = SelectField("Country of origin (optional)", validators=[Optional()],
                                    description="From the goods or their packaging. The mark owner may see it.")
    note = TextAreaField("Why the goods are detained", validators=[Optional(), Length(max=NOTE_MAX)],
                         render_kw={"rows": 4})

    def __init__(self, *args, **kwargs):
        """Offer the countries by name."""
        super().__init__(*args, **kwargs)
        self.country_of_origin.choices = choices([("", "- Not known -"),
                                                  *sorted(COUNTRIES.items(), key=lambda item: item[1])])


class ImageForm(FlaskForm):
    """Upload one detention image."""

    image = FileField("Detention image", description="JPEG or PNG, up to 10 MB. The content is checked, not the name.",
                      render_kw={"accept": IMAGE_ACCEPT})
    caption = StringField("Caption (optional)", validators=[Optional(), Length(max=CAPTION_MAX)])


class ResponseForm(FlaskForm):
    """The importer's response to the detention notice, with evidence."""

    note = TextAreaField("Your response", validators=[DataRequired(message="Write your response."),
                                                      Length(max=NOTE_MAX)], render_kw={"rows": 6},
                         description="Show that the goods are genuine: where they were bought, invoices, serial numbers.")
    files = MultipleFileField("Evidence (optional)", description="PDF, JPEG or PNG, up to 10 MB each.",
                              render_kw={"accept": FILE_ACCEPT})


class AuthenticationForm(FlaskForm):
    """The mark owner's report on the goods' authenticity."""

    note = TextAreaField("Your authentication report", validators=[DataRequired(message="Write your report."),
                                                                   Length(max=NOTE_MAX)], render_kw={"rows": 6},
                         description="Are the goods genuine? Name the features you checked in the images.")


class OutcomeForm(FlaskForm):
    """A reviewer records the outcome that closes the case."""

    outcome = RadioField("Outcome", validators=[DataRequired(message="Choose the outcome.")],
                         choices=choices([(o, STATUS_LABELS[o] + (" — alternative to seizure"
                                                                  if o in ALTERNATIVES_TO_SEIZURE else ""))
                                          for o in OUTCOMES]))
    date = DateField("Date of the outcome", validators=[Optional()], description="Default today.")
    note = TextAreaField("Note (optional)", validators=[Optional(), Length(max=NOTE_MAX)], render_kw={"rows": 3})
