"""Web forms of the messages domain (CSRF via Flask-WTF); the services check the rules again."""

from __future__ import annotations

from flask_wtf import FlaskForm
from flask_wtf.file import MultipleFileField
from wtforms import HiddenField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from core.forms import choices
from program.messages.states import ATTACHMENTS_MAX, BODY_MAX, PARTY_KIND_LABELS, SUBJECT_MAX

ACCEPT = ".pdf,.jpg,.jpeg,.png,application/pdf,image/jpeg,image/png"
ATTACH_HINT = f"PDF, JPEG or PNG, up to 10 MB each, at most {ATTACHMENTS_MAX} files. The content is checked, not the name."


class NewThreadForm(FlaskForm):
    """Start a conversation; CBP picks the party organisation, a party always writes to CBP."""

    organization_id = SelectField(
        "Write to", validators=[DataRequired(message="Choose who to write to.")],
        description="The importer, rights holder or industry group. Only it and CBP will see the conversation.",
    )
    subject = StringField("Subject", validators=[DataRequired(message="Write a subject."), Length(max=SUBJECT_MAX)])
    body = TextAreaField("Message", validators=[Optional(), Length(max=BODY_MAX)], render_kw={"rows": 8})
    attachments = MultipleFileField("Attach files (optional)", description=ATTACH_HINT, render_kw={"accept": ACCEPT})
    related_type = HiddenField()
    related_id = HiddenField()

    def set_organizations(self, organizations) -> None:
        """Offer the party organisations, grouped by kind."""
        options = [choices([("", "- Choose an organisation -")])[0]]
        for org in organizations:
            option = choices([(org.id, org.name)])[0]
            option.optgroup = PARTY_KIND_LABELS.get(org.kind, org.kind)
            options.append(option)
        self.organization_id.choices = options


class ReplyForm(FlaskForm):
    """Answer in a thread, with optional attachments."""

    body = TextAreaField("Your reply", validators=[Optional(), Length(max=BODY_MAX)], render_kw={"rows": 6})
    attachments = MultipleFileField("Attach files (optional)", description=ATTACH_HINT, render_kw={"accept": ACCEPT})

