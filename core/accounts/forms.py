"""Web forms for signing in, registering, tokens and user administration (CSRF via Flask-WTF)."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField, PasswordField, RadioField, SelectField, StringField
from wtforms.validators import DataRequired, Email, EqualTo, Length, Optional

from core.accounts.roles import ROLE_LABELS, Role
from core.accounts.services import MIN_PASSWORD_LENGTH, ORG_NAME_MAX, PASSWORD_RULE
from core.forms import choices


class LoginForm(FlaskForm):
    """E-mail and password."""

    email = EmailField("E-mail address", validators=[DataRequired(), Length(max=254)])
    password = PasswordField("Password", validators=[DataRequired()])


class RegisterForm(FlaskForm):
    """Self-registration of a new organisation and its first user."""

    kind = RadioField(
        "Your organisation is",
        choices=choices([
            ("importer", "An importer of parallel, used, refurbished, recycled or blank goods"),
            ("rights_holder", "A trademark owner with marks recorded with CBP"),
            ("industry_group", "A trade association or industry body"),
            ("broker", "A licensed customs broker or consultant acting for importers"),
        ]),
        validators=[DataRequired(message="Choose the kind of organisation.")],
    )
    org_name = StringField("Organisation name", validators=[DataRequired(), Length(max=200)])
    full_name = StringField("Your full name", validators=[DataRequired(), Length(max=200)])
    email = EmailField("Work e-mail address", validators=[DataRequired(), Email(), Length(max=254)])
    password = PasswordField(
        "Password",
        description=PASSWORD_RULE,
        validators=[DataRequired(), Length(min=MIN_PASSWORD_LENGTH,
                                           message=f"Use at least {MIN_PASSWORD_LENGTH} characters.")],
    )
    confirm = PasswordField("Type the password again",
                            validators=[DataRequired(),
                                        EqualTo("password", message="The passwords do not match.")])


class TokenForm(FlaskForm):
    """Name for a new API token."""

    name = StringField("Token name", description="E.g. the system that will use it.",
                       validators=[DataRequired(), Length(max=100)])


class EmptyForm(FlaskForm):
    """A form with only the CSRF token, for buttons that POST."""


ROLE_CHOICES = choices((role.value, ROLE_LABELS[role]) for role in Role)


class NewUserForm(FlaskForm):
    """Admin: create a user in a new or existing organisation."""

    email = EmailField("E-mail address", validators=[DataRequired(), Email(), Length(max=254)])
    full_name = StringField("Full name", validators=[Optional(), Length(max=200)])
    role = SelectField("Role", choices=ROLE_CHOICES, validators=[DataRequired()])
    org = StringField("Organisation",
                      description="An existing organisation of the right kind, or a new name.",
                      validators=[DataRequired(), Length(max=200)])
    password = PasswordField("Initial password", description=PASSWORD_RULE,
                             validators=[DataRequired(), Length(min=MIN_PASSWORD_LENGTH)])


class EditUserForm(FlaskForm):
    """Admin: change a user's name, role or access."""

    full_name = StringField("Full name", validators=[Optional(), Length(max=200)])
    role = SelectField("Role", choices=ROLE_CHOICES, validators=[DataRequired()])
    active = BooleanField("Account is active (can sign in and use API tokens)")


def _strip(value: str | None) -> str | None:
    """Trim surrounding spaces, so required and length checks see what will be stored."""
    return value.strip() if isinstance(value, str) else value


class OrganizationForm(FlaskForm):
    """Admin: rename an organisation."""

    name = StringField("Organisation name", filters=[_strip],
                       validators=[DataRequired(message="Enter the organisation's name."),
                                   Length(max=ORG_NAME_MAX, message=f"Use at most {ORG_NAME_MAX} characters.")])


class PasswordForm(FlaskForm):
    """Change one's own password."""

    current = PasswordField("Current password", validators=[DataRequired()])
    password = PasswordField("New password", description=PASSWORD_RULE,
                             validators=[DataRequired(), Length(min=MIN_PASSWORD_LENGTH)])
    confirm = PasswordField("Type the new password again",
                            validators=[DataRequired(),
                                        EqualTo("password", message="The passwords do not match.")])


class InviteForm(FlaskForm):
    """An organisation administrator invites a colleague by e-mail."""

    email = EmailField("Colleague's work e-mail address", validators=[DataRequired(), Email(), Length(max=254)])


class AcceptInvitationForm(FlaskForm):
    """The invited colleague chooses a name and password."""

    full_name = StringField("Your full name", validators=[DataRequired(), Length(max=200)])
    password = PasswordField(
        "Password", description=f"At least {MIN_PASSWORD_LENGTH} characters.",
        validators=[DataRequired(), Length(min=MIN_PASSWORD_LENGTH,
                                           message=f"Use at least {MIN_PASSWORD_LENGTH} characters.")])
    confirm = PasswordField("Type the password again", validators=[
        DataRequired(), EqualTo("password", message="The passwords do not match.")])
