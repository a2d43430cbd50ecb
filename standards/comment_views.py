"""Web pages of comments on proposed standards: the public comment page (no sign-in), and the comment
panel of the standard's page (period, comments, answers) for signed-in users."""

from __future__ import annotations

from datetime import date

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import DateField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from core import policy
from core.errors import Conflict, NotAllowed, ValidationFailed
from core.extensions import db, limiter
from core.forms import apply_errors
from standards import lookups
from standards import policy as perms
from standards.services import comments

bp = Blueprint("standard_comments", __name__, url_prefix="/standards")


class PeriodForm(FlaskForm):
    """The drafter's comment period."""

    closes_on = DateField("Comments close on", validators=[DataRequired(message="Choose a date.")])


class CommentForm(FlaskForm):
    """A comment (signed in or public)."""

    text = TextAreaField("Your comment", validators=[DataRequired(message="Write a comment."),
                                                     Length(max=comments.TEXT_MAX)], render_kw={"rows": 5})
    name = StringField("Your name (optional)", validators=[Optional(), Length(max=200)])
    homepage = StringField("Leave this field empty", validators=[Optional()])


class AnswerForm(FlaskForm):
    """The drafter's answer."""

    response = TextAreaField("Answer", validators=[DataRequired(message="Write an answer."),
                                                   Length(max=comments.TEXT_MAX)], render_kw={"rows": 3})


def _limit() -> str:
    return current_app.config.get("PUBLIC_COMMENT_RATE_LIMIT", "20 per minute;200 per day")


@bp.app_template_global("standard_comments_for")
def standard_comments_for(version) -> dict:
    """What the standard page's comment panel needs (period, comments, forms, whether the user drafts)."""
    drafter = current_user.is_authenticated and comments.is_drafter(current_user, version)
    return {"period": comments.period_of(version), "open": comments.comments_open(version),
            "comments": comments.comments_on(version), "drafter": drafter,
            "period_form": PeriodForm(formdata=None), "comment_form": CommentForm(formdata=None),
            "answer_form": AnswerForm(formdata=None)}


@bp.route("/<int:version_id>/comment", methods=["GET", "POST"])
@policy.public
@limiter.limit(_limit, methods=["POST"])
def public_page(version_id: int) -> ResponseReturnValue:
    """A proposed (or published) standard for the public, with its comments and, while open, a comment form."""
    version = comments.public_version(version_id)
    form = CommentForm()
    status = 200
    if request.method == "POST":
        if not form.validate():
            status = 422
        elif (form.homepage.data or "").strip():  # the honeypot: keep nothing, thank as usual
            flash("Thank you: your comment was received.", "success")
            return redirect(url_for("standard_comments.public_page", version_id=version.id))
        else:
            try:
                comments.add_comment(None, version, form.text.data, public_name=form.name.data)
            except ValidationFailed as exc:
                db.session.rollback()
                apply_errors(form, exc)
                status = 422
            except Conflict as exc:
                db.session.rollback()
                flash(exc.message, "error")
                return redirect(url_for("standard_comments.public_page", version_id=version.id))
            else:
                db.session.commit()
                flash("Thank you: your comment was received. The drafters may answer it here.", "success")
                return redirect(url_for("standard_comments.public_page", version_id=version.id))
    return render_template("standards/standard/public_comment.html", version=version, form=form,
                           period=comments.period_of(version), open=comments.comments_open(version),
                           comments=comments.comments_on(version)), status


def _back(version_id: int) -> ResponseReturnValue:
    return redirect(url_for("standards.view", version_id=version_id) + "#comments")


@bp.route("/<int:version_id>/comment-period", methods=["POST"])
@policy.require(perms.STANDARDS_AUTHOR)
def set_period(version_id: int) -> ResponseReturnValue:
    """The drafter opens the comment period or moves its end."""
    version = lookups.visible_version(current_user, version_id)
    form = PeriodForm()
    try:
        if not form.validate() or not isinstance(form.closes_on.data, date):
            raise ValidationFailed("Choose the date comments close.", fields={"closes_on": ["Choose a date."]})
        comments.set_comment_period(current_user, version, form.closes_on.data)
    except (ValidationFailed, Conflict, NotAllowed) as exc:
        db.session.rollback()
        problems = " ".join(m for ms in getattr(exc, "fields", {}).values() for m in ms)
        flash(f"{exc.message} {problems}".strip(), "error")
        return _back(version.id)
    db.session.commit()
    flash(f"Comments are open until {form.closes_on.data:%-d %B %Y}.", "success")
    return _back(version.id)


@bp.route("/<int:version_id>/comments", methods=["POST"])
@policy.require(perms.STANDARDS_READ)
def comment(version_id: int) -> ResponseReturnValue:
    """A signed-in party comments on a proposed version."""
    version = lookups.visible_version(current_user, version_id)
    form = CommentForm()
    try:
        if not form.validate():
            raise ValidationFailed("Write a comment.", fields={"text": form.text.errors or ["Required."]})
        comments.add_comment(current_user, version, form.text.data)
    except (ValidationFailed, Conflict, NotAllowed) as exc:
        db.session.rollback()
        flash(exc.message, "error")
        return _back(version.id)
    db.session.commit()
    flash("Comment added.", "success")
    return _back(version.id)


@bp.route("/<int:version_id>/comments/<int:comment_id>/answer", methods=["POST"])
@policy.require(perms.STANDARDS_AUTHOR)
def answer(version_id: int, comment_id: int) -> ResponseReturnValue:
    """The drafter answers a comment."""
    version = lookups.visible_version(current_user, version_id)
    form = AnswerForm()
    try:
        if not form.validate():
            raise ValidationFailed("Write an answer.", fields={"response": form.response.errors or ["Required."]})
        comments.answer_comment(current_user, comments.get_comment(version, comment_id), form.response.data)
    except (ValidationFailed, NotAllowed) as exc:
        db.session.rollback()
        flash(exc.message, "error")
        return _back(version.id)
    db.session.commit()
    flash("Answer saved.", "success")
    return _back(version.id)
