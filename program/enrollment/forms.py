"""Web forms: the application wizard's steps, the reviewer's decision and lifecycle forms, the debarred list."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import (
    BooleanField,
    DateField,
    FieldList,
    Form,
    FormField,
    RadioField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.validators import InputRequired, Length, Optional, ValidationError
from wtforms.widgets import CheckboxInput, ListWidget

from core.forms import choices
from program.enrollment import formats
from program.enrollment.countries import COUNTRIES


def _format(problem_of: Callable[[str], str | None]) -> Callable[..., None]:
    """A WTForms validator from one of ``formats``' ``*_problem`` functions (empty values pass)."""

    def validator(form: Any, field: Any) -> None:
        """Raise the problem ``problem_of`` finds in the field's value."""
        if field.data and (problem := problem_of(field.data)):
            raise ValidationError(problem)

    return validator


class MultiCheckboxField(SelectMultipleField):
    """A group of checkboxes with several answers."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


COUNTRY_CHOICES = choices([("", "- Select a country -")] + sorted(COUNTRIES.items(), key=lambda item: item[1]))
COMPANY_CHOICES = choices([("", "- Select -"), *formats.COMPANY_TYPES.items()])
PURPOSE_CHOICES = choices(formats.CONTACT_PURPOSES.items())
CONDITION_CHOICES = choices(formats.CONDITIONS.items())
KIND_CHOICES = choices(formats.DOCUMENT_KINDS.items())


class IdentityForm(FlaskForm):
    """Step 1: who the importer is (Form 5106) and where."""

    legal_name = StringField("Legal name of the company", validators=[
        InputRequired("Enter the company's legal name."), Length(max=formats.NAME_MAX)])
    dba_name = StringField("Doing business as (DBA), if different", validators=[Optional(), Length(max=formats.NAME_MAX)])
    company_type = SelectField("Type of company", choices=COMPANY_CHOICES,
                               validators=[InputRequired("Choose the type of company.")])
    ior_number = StringField("Importer of Record number", description=formats.IOR_HINT, validators=[
        InputRequired("Enter the Importer of Record number."), _format(formats.ior_problem)])
    street = StringField("Street address", validators=[InputRequired("Enter the street address."), Length(max=200)])
    city = StringField("City", validators=[InputRequired("Enter the city."), Length(max=100)])
    # No Optional(): it would stop the chain before validate_state could require a state for U.S. addresses.
    state = StringField("State, province or region", description="Required for U.S. addresses.",
                        validators=[Length(max=100)])
    postal_code = StringField("ZIP or postal code", validators=[InputRequired("Enter the postal code."), Length(max=20)])
    country = SelectField("Country", choices=COUNTRY_CHOICES, validators=[InputRequired("Choose the country.")])

    def validate_state(self, field: Any) -> None:
        """U.S. addresses need a state."""
        if self.country.data == "US" and not (field.data or "").strip():
            raise ValidationError("Enter the state.")

    def validate_postal_code(self, field: Any) -> None:
        """ZIP codes for U.S. addresses."""
        if problem := formats.postal_code_problem(field.data, self.country.data):
            raise ValidationError(problem)


class ContactForm(Form):
    """One focused contact (a row of the contacts step)."""

    purpose = SelectField("Purpose", choices=PURPOSE_CHOICES, validators=[InputRequired("Choose the purpose.")])
    name = StringField("Name", validators=[InputRequired("Enter the contact's name."), Length(max=formats.NAME_MAX)])
    email = StringField("E-mail address", validators=[InputRequired("Enter an e-mail address."),
                                                      _format(formats.email_problem)])


class ContactsForm(FlaskForm):
    """Step 2: focused contacts, any number, at least one primary."""

    contacts = FieldList(FormField(ContactForm), min_entries=1)

    def validate_contacts(self, field: Any) -> None:
        """At least one primary contact."""
        if not any(entry.form.purpose.data == "primary" for entry in field.entries):
            raise ValidationError("Add at least one primary contact.")


class SectorsForm(FlaskForm):
    """Step 3: sectors and goods conditions applied for, sourcing and enforcement history."""

    sectors = MultiCheckboxField("Sectors you ask trust for", validators=[
        InputRequired("Choose at least one sector.")])
    conditions = MultiCheckboxField("Goods conditions", choices=CONDITION_CHOICES, validators=[
        InputRequired("Choose at least one goods condition.")])
    sourcing_description = TextAreaField(
        "How you source these goods",
        description="Authorised channels you buy from, refurbishment or recycling certifications, how you check "
                    "serial numbers and condition.",
        validators=[InputRequired("Describe how you source the goods."), Length(max=formats.TEXT_MAX)])
    enforcement_history = TextAreaField(
        "Prior IPR enforcement history",
        description="Detentions, seizures or penalties for intellectual-property reasons in the last five years, "
                    "and how they ended. Write \u201cNone\u201d if there were none.",
        validators=[Optional(), Length(max=formats.TEXT_MAX)])


class DocumentForm(FlaskForm):
    """Step 4: attach a supporting document."""

    file = FileField("File (PDF, JPEG or PNG, up to 10 MB)")
    kind = SelectField("What it is", choices=KIND_CHOICES, validators=[InputRequired()])
    description = StringField("Short description", validators=[Optional(), Length(max=300)])


class ReviewForm(FlaskForm):
    """Step 5: publication consent and the attestation, then submit."""

    publish_consent = BooleanField(
        "List us publicly",
        description="Anyone may check our program ID, legal name, approved sectors and validity on the public "
                    "verification page.")
    attestation = BooleanField(
        "I attest that this application is true and complete",
        description="I am authorised to act for the company; false statements may end the enrollment and lead to "
                    "penalties.",
        validators=[InputRequired("Tick the attestation to submit.")])


class DecisionForm(FlaskForm):
    """A reviewer's decision on a submitted enrollment."""

    action = RadioField("Decision", choices=choices([
        ("approve", "Approve"), ("request_info", "Request more information"), ("deny", "Deny")]),
        validators=[InputRequired("Choose a decision.")])
    reason = TextAreaField("Reason", description="The importer sees this.", validators=[
        InputRequired("Give a reason; the importer sees it."), Length(max=5000)])
    sectors = MultiCheckboxField("Approved sectors", description="A subset of the sectors requested.",
                                 validators=[Optional()])
    valid_until = DateField("Valid until", description="Last day the approval is valid.", validators=[Optional()])


class LifecycleForm(FlaskForm):
    """Suspend, reinstate or revoke, with a reason."""

    action = RadioField("Action", choices=choices([("suspend", "Suspend"), ("reinstate", "Reinstate"),
                                                   ("revoke", "Revoke")]),
                        validators=[InputRequired("Choose an action.")])
    reason = TextAreaField("Reason", description="The importer sees this.", validators=[
        InputRequired("Give a reason; the importer sees it."), Length(max=5000)])


class WithdrawForm(FlaskForm):
    """The importer withdraws its application."""

    reason = TextAreaField("Why are you withdrawing? (optional)", validators=[Optional(), Length(max=5000)])


class DebarredForm(FlaskForm):
    """A new entry of the suspended/debarred list."""

    name = StringField("Name of the party", validators=[InputRequired("Enter the party's name."), Length(max=200)])
    ior_number = StringField("Importer of Record number (if known)", description=formats.IOR_HINT,
                             validators=[Optional(), _format(formats.ior_problem)])
    reason = TextAreaField("Reason", validators=[InputRequired("Say why the party is on the list."),
                                                 Length(max=formats.TEXT_MAX)])
    start_date = DateField("In force from", validators=[InputRequired("Enter the first day in force.")])
    end_date = DateField("No longer in force from (optional)", validators=[Optional()])


class EndDebarredForm(FlaskForm):
    """End an entry today."""


class TextForm(FlaskForm):
    """One required text: a reply to a notice, the grounds of an appeal, a reason."""

    text = TextAreaField("Your answer", validators=[InputRequired("Write something first."), Length(max=5000)])


class ConsentForm(FlaskForm):
    """The importer's consent to be listed on the public register, while approved."""

    publish_consent = BooleanField("List us on the public register of approved importers")


class AnnualReviewForm(FlaskForm):
    """The annual profile review: confirm (or note what changed) and attest."""

    changes = TextAreaField("What changed since the last review (optional)",
                            description="Locations, ownership, suppliers, security procedures.",
                            validators=[Optional(), Length(max=5000)])
    attestation = BooleanField("I attest that our Greenlane profile, contacts and sourcing are current.",
                               validators=[InputRequired("Tick the attestation to confirm the review.")])


class ProposeForm(FlaskForm):
    """A reviewer's notice of proposed action."""

    action = RadioField("Proposed action", choices=choices([("deny", "Deny"), ("suspend", "Suspend"),
                                                            ("revoke", "Revoke")]),
                        validators=[InputRequired("Choose the action proposed.")])
    reason = TextAreaField("Reason", description="The importer sees this and may reply.", validators=[
        InputRequired("Give a reason; the importer sees it."), Length(max=5000)])
    respond_by = DateField("Reply by (default: 30 days)", validators=[Optional()])


class LiftBarForm(FlaskForm):
    """A CBP administrator lifts a revoked organisation's re-application bar."""

    reason = TextAreaField("Reason", description="Kept in the enrollment's history and the audit log; the importer "
                           "is told.", validators=[InputRequired("Give a reason for lifting the bar."),
                                                   Length(max=5000)])
    confirm = BooleanField("I confirm that this organisation may apply again before the three years are over.",
                           validators=[InputRequired("Tick the box to confirm.")])


class AppealDecisionForm(FlaskForm):
    """A second reviewer's decision on an appeal."""

    action = RadioField("Decision on the appeal", choices=choices([
        ("overturn", "Overturn: restore the state before the decision"), ("uphold", "Uphold the decision")]),
        validators=[InputRequired("Choose uphold or overturn.")])
    reason = TextAreaField("Reason", description="The importer sees this.", validators=[
        InputRequired("Give a reason; the importer sees it."), Length(max=5000)])


class SectorsActionForm(FlaskForm):
    """Suspend or reinstate some sectors of an approval."""

    action = RadioField("Action", choices=choices([("suspend", "Suspend these sectors"),
                                                   ("reinstate", "Reinstate these sectors")]),
                        validators=[InputRequired("Choose suspend or reinstate.")])
    sectors = MultiCheckboxField("Sectors", validators=[Optional()])
    reason = TextAreaField("Reason", description="The importer sees this.", validators=[
        InputRequired("Give a reason; the importer sees it."), Length(max=5000)])


class VerifyProgramForm(FlaskForm):
    """A reviewer's check of a listed program."""

    verified = RadioField("Result", choices=choices([("yes", "Verified"), ("no", "Could not verify")]),
                          validators=[InputRequired("Choose a result.")])
    note = StringField("Note (CBP only)", validators=[Optional(), Length(max=500)])
