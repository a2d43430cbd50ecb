"""Web forms of tiers and invoices (CSRF via Flask-WTF; the services check the rules again)."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import SelectField, StringField
from wtforms.validators import DataRequired, Length

from core.forms import choices
from program.tiers.states import PAID_FEATURES
from standards.forms import CheckboxesField


class TierForm(FlaskForm):
    """Define a tier."""

    code = StringField("Code", validators=[DataRequired(), Length(max=30)], description="e.g. standard")
    name = StringField("Name", validators=[DataRequired(), Length(max=100)])
    annual_fee_usd = StringField("Annual fee (USD)", validators=[DataRequired(), Length(max=20)])
    features = CheckboxesField("Paid features", choices=choices(PAID_FEATURES.items()))


class AssignForm(FlaskForm):
    """Put a rights holder on a tier."""

    organization_id = SelectField("Rights holder", validators=[DataRequired()])
    tier = SelectField("Tier", validators=[DataRequired()])


class IssueForm(FlaskForm):
    """Run a period's invoices."""

    period = StringField("Period (year)", validators=[DataRequired(), Length(max=4)])


class PayForm(FlaskForm):
    """Mark an invoice paid."""

    payment_reference = StringField("Payment reference", validators=[DataRequired(), Length(max=100)])


class WaiveForm(FlaskForm):
    """Waive an invoice."""

    reason = StringField("Reason", validators=[DataRequired(), Length(max=2000)])
