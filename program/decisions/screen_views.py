"""Pages of bulk screening: upload a CSV, follow the job's progress, download the result. CBP reviewers
screen any entries; a customs broker chooses the importer it screens for (its ``decisions`` delegations) and
sees its own organisation's jobs (:mod:`program.decisions.screen_job`).

The job runs on an RQ worker when ``REDIS_URL`` is set, otherwise in the upload request itself
(:mod:`program.decisions.jobs`). The progress page polls a JSON status endpoint
(``static/js/screen-progress.js``; no inline script under the strict CSP).
"""

from __future__ import annotations

from flask import Blueprint, abort, current_app, flash, jsonify, redirect, render_template, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from sqlalchemy import select
from wtforms import SelectField

from core import navigation, policy
from core.accounts import delegations
from core.accounts.models import Organization
from core.errors import NotAllowed, NotFound, ValidationFailed
from core.extensions import db
from core.forms import choices
from core.uploads import StoredFile, send_stored
from program.decisions import jobs
from program.decisions import policy as perms
from program.decisions.models import ScreenJob
from program.decisions.screen import INPUT_COLUMNS
from program.decisions.screen_job import create_job, job_for, max_upload_bytes, status_payload, visible_jobs
from program.decisions.screen_read import OPTIONAL_COLUMNS

bp = Blueprint("decisions_screen", __name__, url_prefix="/review/screening")

navigation.register("Screening", "decisions_screen.index", perms.SCREEN, order=45)


class ScreenUploadForm(FlaskForm):
    """The CSV to screen, and (brokers) the importer it is screened for."""

    on_behalf_of = SelectField("Importer you screen for", coerce=int, validate_choice=False,
                               description="Entries of other importers in the file are rejected (no_delegation).")
    file = FileField("CSV file of entry lines", render_kw={"accept": ".csv,text/csv"},
                     description="UTF-8 CSV with a header row: " + ", ".join(INPUT_COLUMNS)
                     + " (optionally " + ", ".join(OPTIONAL_COLUMNS) + "). Rows with the same entry number form one "
                     "entry, in any order.")


def _upload_form() -> ScreenUploadForm:
    form = ScreenUploadForm()
    if delegations.is_broker(current_user):
        principals = delegations.principals(current_user.organization_id, "decisions")
        names = dict(db.session.execute(select(Organization.id, Organization.name)
                                        .where(Organization.id.in_(principals))).all())
        form.on_behalf_of.choices = choices([(0, "Choose an importer")]
                                            + sorted(names.items(), key=lambda item: item[1]))
    else:
        del form.on_behalf_of
    return form


def _job_or_404(job_id: int) -> ScreenJob:
    try:
        return job_for(current_user, job_id)
    except NotFound:
        abort(404)


@bp.route("")
@policy.require(perms.SCREEN)
def index() -> ResponseReturnValue:
    """The upload form and the latest jobs."""
    return _render_index(_upload_form())


def _render_index(form: ScreenUploadForm, status: int = 200) -> ResponseReturnValue:
    recent = db.session.scalars(visible_jobs(current_user).limit(20)).all()
    names = dict(db.session.execute(select(Organization.id, Organization.name).where(
        Organization.id.in_({j.acting_for_organization_id for j in recent if j.acting_for_organization_id}))).all())
    return render_template("program/decisions/screen/index.html", form=form, jobs=recent, names=names,
                           queued=bool(current_app.config.get("REDIS_URL")), columns=INPUT_COLUMNS,
                           optional_columns=OPTIONAL_COLUMNS), status


@bp.route("", methods=["POST"])
@policy.require(perms.SCREEN)
def upload() -> ResponseReturnValue:
    """Store the CSV, record the job and run it (on RQ, or here and now without Redis)."""
    form = _upload_form()
    if not form.validate_on_submit():
        return _render_index(form, 400)
    try:
        job = create_job(current_user, form.file.data, max_bytes=max_upload_bytes(),
                         on_behalf_of=(form.on_behalf_of.data or None) if "on_behalf_of" in form else None)
    except (ValidationFailed, NotAllowed) as error:
        db.session.rollback()
        target = form.on_behalf_of if "on_behalf_of" in form and (
            isinstance(error, NotAllowed) or "on_behalf_of" in (error.fields or {})) else form.file
        target.errors = [*target.errors, error.message]
        return _render_index(form, 403 if isinstance(error, NotAllowed) else 422)
    db.session.commit()
    job_id = job.id
    how = jobs.submit(job_id)
    flash("Queued for a worker." if how == "rq" else "Screened.", "success")
    return redirect(url_for("decisions_screen.show", job_id=job_id))


@bp.route("/<int:job_id>")
@policy.require(perms.SCREEN)
def show(job_id: int) -> ResponseReturnValue:
    """The job's progress (polled while it runs), then its summary and the result download."""
    job = _job_or_404(job_id)
    return render_template("program/decisions/screen/show.html", job=job, status=status_payload(job))


@bp.route("/<int:job_id>/status")
@policy.require(perms.SCREEN)
def status(job_id: int) -> ResponseReturnValue:
    """JSON progress of the job."""
    response = jsonify(status_payload(_job_or_404(job_id)))
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.route("/<int:job_id>/result.csv")
@policy.require(perms.SCREEN)
def result(job_id: int) -> ResponseReturnValue:
    """The result CSV (input columns plus outcomes, reasons and UEI): CBP staff, or the broker's organisation."""
    job = _job_or_404(job_id)
    if job.output_file_id is None:
        abort(404)
    return send_stored(db.session.get(StoredFile, job.output_file_id))
