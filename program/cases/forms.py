"""Web forms of the cases pages (CSRF via Flask-WTF); the services check every rule again."""

from __future__ import annotations

from flask_wtf import FlaskForm
from flask_wtf.file import FileField, MultipleFileField
from wtforms import BooleanField, DateField, DecimalField, RadioField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from core.forms import choices
from program.cases.deadlines import BASES, BASIS_LABELS
from program.cases.services import CAPTION_MAX, CODES_MAX, NOTE_MAX
from program.cases.states import ALTERNATIVES_TO_SEIZURE, BULK_TYPES, EVENT_LABELS, OUTCOMES, POST_SEIZURE, STATUS_LABELS
from program.enrollment.countries import COUNTRIES
from program.enrollment.forms import MultiCheckboxField

IMAGE_ACCEPT = ".jpg,.jpeg,.png,image/jpeg,image/png"
FILE_ACCEPT = ".pdf,.jpg,.jpeg,.png,application/pdf,image/jpeg,image/png"


class DetainForm(FlaskForm):
    """Detain the shipment of a release decision: legal basis, the clock's dates, the detained lines."""

    basis = RadioField("Legal basis", default="suspected_counterfeit", validators=[DataRequired()],
                       choices=choices([(b, BASIS_LABELS[b]) for b in BASES]),
                       description="Counterfeits: the importer has seven business days from the notice. Gray-market "
                                   "and copying/simulating goods: the 30-day detention period.")
    presented_on = DateField("Goods presented for examination", validators=[Optional()],
                             description="Day 0 of the clock. Default: the date of the release decision.")
    detained_on = DateField("Decision to detain", validators=[Optional()],
                            description="The notice is due within five business days of it. Default: the presentation date.")
    notice_date = DateField("Date of the detention notice", validators=[DataRequired(message="Give the notice date.")],
                            description="Not in the future, nor before the decision to detain.")
    line_nos = MultiCheckboxField("Detained lines", coerce=int, validators=[Optional()],
                                  description="The owners of the marks on these lines are told of the detention. "
                                              "None ticked: every line.")
    country_of_origin = SelectField("Country of origin (optional)", validators=[Optional()],
                                    description="From the goods or their packaging. The mark owner may see it.")
    note = TextAreaField("Why the goods are detained", validators=[Optional(), Length(max=NOTE_MAX)],
                         render_kw={"rows": 4})

    def __init__(self, *args, lines=(), **kwargs):
        """Offer the countries by name and the entry's lines."""
        super().__init__(*args, **kwargs)
        self.line_nos.choices = [(line.line_no, f"Line {line.line_no}: {line.description}"
                                  + (f" ({line.recordation_number})" if line.recordation_number else "")) for line in lines]
        self.country_of_origin.choices = choices([("", "- Not known -"),
                                                  *sorted(COUNTRIES.items(), key=lambda item: item[1])])


class ImageForm(FlaskForm):
    """Upload one detention image."""

    image = FileField("Detention image", description="JPEG or PNG, up to 10 MB. The content is checked, not the name.",
                      render_kw={"accept": IMAGE_ACCEPT})
    caption = StringField("Caption (optional)", validators=[Optional(), Length(max=CAPTION_MAX)])
    codes = StringField("Codes on the goods (optional)", validators=[Optional(), Length(max=CODES_MAX)],
                        description="Serial numbers, UPC, SKU. The rights holder gets them only with unredacted images.")
    redacted = BooleanField("Redacted", description="Codes (serial numbers, UPC, SKU) and the importer's details are "
                                                    "blacked out. Only redacted images may be shared before the law "
                                                    "allows unredacted disclosure.")
    line_nos = MultiCheckboxField("Lines shown", coerce=int, validators=[Optional()],
                                  description="Each mark owner sees images of its own lines only. None ticked: all lines.")

    def __init__(self, *args, lines=(), **kwargs):
        """Offer the case's detained lines."""
        super().__init__(*args, **kwargs)
        self.line_nos.choices = [(n, f"Line {n}") for n in lines]


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
    manufacturer_name = StringField("Manufacturer (on seizure)", validators=[Optional(), Length(max=200)],
                                    description="Disclosed to the mark owner after seizure (19 CFR 133.21(e)).")
    manufacturer_address = StringField("Manufacturer's address", validators=[Optional(), Length(max=500)])
    exporter_name = StringField("Exporter (on seizure)", validators=[Optional(), Length(max=200)])
    exporter_address = StringField("Exporter's address", validators=[Optional(), Length(max=500)])


class ExtendForm(FlaskForm):
    """Extend the detention period for good cause (19 CFR 133.25(a))."""

    until = DateField("Extend the detention period until", validators=[DataRequired(message="Give the new end date.")])
    note = TextAreaField("Good cause", validators=[DataRequired(message="Say why."), Length(max=NOTE_MAX)],
                         render_kw={"rows": 2})


class SampleForm(FlaskForm):
    """Release a sample to the mark owner under bond (19 CFR 133.21(c))."""

    bond_reference = StringField("Bond reference", validators=[Optional(), Length(max=60)],
                                 description="A sample goes to the owner only under a bond.")
    note = TextAreaField("Sample released", validators=[Optional(), Length(max=NOTE_MAX)], render_kw={"rows": 2})


class PostSeizureForm(FlaskForm):
    """A step after seizure on the same UEI: forfeiture, petitions, penalties, liquidated damages."""

    step = SelectField("Step", choices=choices([(s, EVENT_LABELS[s]) for s in POST_SEIZURE]),
                       validators=[DataRequired(message="Choose the step.")])
    amount = DecimalField("Amount (USD)", places=2, validators=[Optional()],
                          description="For a penalty assessed or liquidated damages claimed.")
    date = DateField("Date", validators=[Optional()], description="Default today.")
    note = TextAreaField("Note (optional)", validators=[Optional(), Length(max=NOTE_MAX)], render_kw={"rows": 2})


class BulkForm(FlaskForm):
    """One outcome on the selected small parcels (each case audited on its own)."""

    type = RadioField("Record for every selected case", validators=[DataRequired(message="Choose what to record.")],
                      choices=choices([(t, STATUS_LABELS[t]) for t in BULK_TYPES]))
    note = TextAreaField("Note (optional)", validators=[Optional(), Length(max=NOTE_MAX)], render_kw={"rows": 2})
