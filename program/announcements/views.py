"""Web pages of announcements: the list (and, for reviewers, the publish form); a home-page panel."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from core import navigation, policy
from core.errors import ValidationFailed
from core.extensions import db
from core.forms import apply_errors, choices
from program.announcements import policy as perms
from program.announcements import services
from standards.lookups import sectors

bp = Blueprint("announcements", __name__)

navigation.register("Notices", "announcements.index", perms.PUBLISH, order=88)


class AnnouncementForm(FlaskForm):
    """Publish an announcement."""

    title = StringField("Title", validators=[DataRequired(), Length(max=200)])
    body = TextAreaField("Announcement", validators=[DataRequired(), Length(max=20_000)], render_kw={"rows": 6})
    sector = SelectField("For", validators=[Optional()])


def home_announcements(user) -> dict:
    """The home page's latest announcements for the user (``program.dashboards`` HOME_CONTEXT provider)."""
    return {"announcements": services.announcements_for(user, limit=5)}


def _form() -> AnnouncementForm:
    form = AnnouncementForm()
    form.sector.choices = choices([("", "Every participant"), *((s.code, f"{s.name} participants") for s in sectors())])
    return form


@bp.route("/announcements", methods=["GET", "POST"])
@policy.require(perms.READ)
def index() -> ResponseReturnValue:
    """Announcements for the user; reviewers publish new ones here."""
    can_publish = policy.can(current_user, perms.PUBLISH)
    form = _form() if can_publish else None
    status = 200
    if request.method == "POST":
        if not can_publish:
            policy.ensure(perms.PUBLISH)
        if form.validate():
            try:
                made = services.publish_announcement(current_user, title=form.title.data, body=form.body.data,
                                                     sector=form.sector.data or None)
            except ValidationFailed as exc:
                db.session.rollback()
                apply_errors(form, exc)
                status = 422
            else:
                db.session.commit()
                flash(f"Published; {made.emailed} primary contact{'s' if made.emailed != 1 else ''} e-mailed.", "success")
                return redirect(url_for("announcements.index"))
        else:
            status = 422
    return render_template("program/announcements/index.html", form=form,
                           announcements=services.announcements_for(current_user)), status
