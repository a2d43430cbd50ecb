"""Reviewer pages of bulk screening: upload a CSV, follow the job's progress, download the result.

The job runs on an RQ worker when ``REDIS_URL`` is set, otherwise in the upload request itself
(:mod:`program.decisions.jobs`). The progress page polls a JSON status endpoint
(``static/js/screen-progress.js``; no inline script under the strict CSP).
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, current_app, flash, jsonify, redirect, render_template, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from sqlalchemy import select

from core import navigation, policy
from core.errors import ValidationFailed
from core.extensions import db
from core.timeutil import utcnow
from core.uploads import StoredFile, delete_stored, open_stored, send_stored, store_text_upload
from program.decisions import jobs
from program.decisions import policy as perms
from program.decisions.models import ScreenJob
from program.decisions.screen import INPUT_COLUMNS
from program.decisions.screen_job import start_job
from program.decisions.screen_read import OPTIONAL_COLUMNS
from program.decisions.services import is_cbp

bp = Blueprint("decisions_screen", __name__, url_prefix="/review/screening")

navigation.register("Screening", "decisions_screen.index", perms.SCREEN, order=45)

DEFAULT_MAX_BYTES = 60 * 1024 * 1024  # under MAX_CONTENT_LENGTH (64 MiB): about 450,000 lines
ERRORS_SHOWN = 20


class ScreenUploadForm(FlaskForm):
    """The CSV to screen."""

    file = FileField("CSV file of entry lines", render_kw={"accept": ".csv,text/csv"},
                     description="UTF-8 CSV with a header row: " + ", ".join(INPUT_COLUMNS)
                     + " (optionally " + ", ".join(OPTIONAL_COLUMNS) + "). Rows with the same entry number form one "
                     "entry, in any order.")


def _job_or_404(job_id: int) -> ScreenJob:
    job = db.session.get(ScreenJob, job_id)
    if job is None or not is_cbp(current_user):
        abort(404)
    return job


def _check_header(stored: StoredFile) -> int:
    """Refuse a file whose header lacks a column; return the number of data lines (for the progress bar)."""
    with open_stored(stored) as handle:
        header = {name.strip().lower() for name in handle.readline().decode("utf-8-sig").split(",")}
        missing = [c for c in INPUT_COLUMNS if c not in header]
        handle.seek(0)
        lines = sum(block.count(b"\n") for block in iter(lambda: handle.read(1 << 20), b""))
    if missing:
        delete_stored(stored)
        raise ValidationFailed("The file's first row must name the columns; missing: " + ", ".join(missing) + ".",
                               fields={"file": [f"Missing column(s): {', '.join(missing)}."]})
    return max(lines - 1, 0)


@bp.route("")
@policy.require(perms.SCREEN)
def index() -> ResponseReturnValue:
    """The upload form and the latest jobs."""
    return _render_index(ScreenUploadForm())


def _render_index(form: ScreenUploadForm, status: int = 200) -> ResponseReturnValue:
    recent = db.session.scalars(select(ScreenJob).order_by(ScreenJob.id.desc()).limit(20)).all()
    return render_template("program/decisions/screen/index.html", form=form, jobs=recent,
                           queued=bool(current_app.config.get("REDIS_URL")), columns=INPUT_COLUMNS,
                           optional_columns=OPTIONAL_COLUMNS), status


@bp.route("", methods=["POST"])
@policy.require(perms.SCREEN)
def upload() -> ResponseReturnValue:
    """Store the CSV, record the job and run it (on RQ, or here and now without Redis)."""
    form = ScreenUploadForm()
    if not form.validate_on_submit():
        return _render_index(form, 400)
    try:
        stored = store_text_upload(form.file.data, field="file", owner=current_user,
                                   max_bytes=current_app.config.get("SCREEN_UPLOAD_MAX_BYTES") or DEFAULT_MAX_BYTES)
        rows = _check_header(stored)
    except ValidationFailed as error:
        db.session.rollback()
        form.file.errors = [*form.file.errors, error.message]
        return _render_index(form, 422)
    job = start_job(stored.original_name, created_by_id=current_user.id, input_file_id=stored.id, rows_total=rows,
                    status="queued")
    db.session.commit()
    job_id = job.id
    how = jobs.submit(job_id)
    flash("Queued for a worker." if how == "rq" else "Screened.", "success")
    return redirect(url_for("decisions_screen.show", job_id=job_id))


def status_payload(job: ScreenJob) -> dict[str, Any]:
    """What the progress page shows: rows done of total, rate, and the summary once finished."""
    end = job.finished_at or utcnow()
    elapsed = max((end - job.created_at).total_seconds(), 0.001)
    total = job.rows_total or 0
    done = job.rows_done or 0
    payload = {
        "id": job.id, "status": job.status, "filename": job.filename, "rows_done": done, "rows_total": total,
        "percent": round(100 * done / total, 1) if total else (100.0 if job.status == "finished" else 0.0),
        "entries_decided": job.entries_decided or 0, "bad_rows": job.bad_rows or 0,
        "rate": round(done / elapsed), "summary": job.summary, "errors": (job.errors or [])[:ERRORS_SHOWN],
        "failure": job.failure, "result_url": None,
    }
    if job.status == "finished" and job.output_file_id:
        payload["result_url"] = url_for("decisions_screen.result", job_id=job.id)
    return payload


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
    """The result CSV (input columns plus outcomes, reasons and UEI): CBP staff only."""
    job = _job_or_404(job_id)
    if job.output_file_id is None:
        abort(404)
    return send_stored(db.session.get(StoredFile, job.output_file_id))
