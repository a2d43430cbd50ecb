"""Screening jobs: who may start and see one, the job row (progress, summary, failure) and running a file
through one or several processes (:mod:`program.decisions.screen_parallel`).

CBP reviewers screen any IOR numbers. A customs broker screens for one principal at a time
(``on_behalf_of``): the importer must give the broker's organisation a live ``decisions`` delegation (403
``no_delegation`` otherwise, as for a single release decision), and the run decides only that importer's
entries (:class:`~program.decisions.screen.Screener`). Brokers see the jobs of their own organisation only.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, TextIO

from flask import current_app, url_for
from sqlalchemy import Select, select, update
from werkzeug.datastructures import FileStorage

from core.accounts import delegations
from core.accounts.models import User
from core.errors import NotFound, ValidationFailed
from core.extensions import db
from core.timeutil import utcnow
from core.uploads import StoredFile, delete_stored, open_stored, store_text_upload
from program.decisions.models import ScreenJob
from program.decisions.screen import CHUNK_ENTRIES, INPUT_COLUMNS, Screener
from program.decisions.screen_parallel import screen_partitioned
from program.decisions.screen_summary import ScreenSummary

_JOBS = ScreenJob.__table__
DEFAULT_MAX_BYTES = 60 * 1024 * 1024  # under MAX_CONTENT_LENGTH (64 MiB): about 450,000 lines
ERRORS_SHOWN = 20


def start_job(filename: str, *, created_by_id: int | None = None, input_file_id: int | None = None,
              rows_total: int | None = None, status: str = "running",
              acting_for_organization_id: int | None = None) -> ScreenJob:
    """Record a screening job (committed by the caller)."""
    job = ScreenJob(status=status, filename=filename[:255], created_by_id=created_by_id, input_file_id=input_file_id,
                    rows_total=rows_total, acting_for_organization_id=acting_for_organization_id)
    db.session.add(job)
    db.session.flush()
    return job


def check_header(stored: StoredFile) -> int:
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


def create_job(user: Any, upload: FileStorage | None, *, max_bytes: int, on_behalf_of: int | None = None) -> ScreenJob:
    """Store an uploaded CSV and record its job, queued (committed by the caller). A broker names the importer
    it screens for: 422 without one, 403 ``no_delegation`` unless that importer gives it ``decisions``
    (the importer is then named on this request's audit entries); CBP staff screen for nobody in particular."""
    acting_for = None
    if delegations.is_broker(user):
        if on_behalf_of is None:
            raise ValidationFailed("Name the importer you screen for.",
                                   fields={"on_behalf_of": ["Required for a customs broker."]})
        acting_for = delegations.authorize(user, on_behalf_of, "decisions")
    stored = store_text_upload(upload, field="file", owner=user, max_bytes=max_bytes)
    rows = check_header(stored)
    return start_job(stored.original_name, created_by_id=user.id, input_file_id=stored.id, rows_total=rows,
                     status="queued", acting_for_organization_id=acting_for)


def visible_jobs(user: Any) -> Select:
    """Screening jobs ``user`` may see, newest first: CBP staff all, a broker its organisation's."""
    query = select(ScreenJob).order_by(ScreenJob.id.desc())
    if delegations.is_broker(user):
        query = query.join(User, User.id == ScreenJob.created_by_id).where(
            User.organization_id == user.organization_id)
    return query


def job_for(user: Any, job_id: int) -> ScreenJob:
    """One job ``user`` may see (404 otherwise)."""
    job = db.session.scalar(visible_jobs(user).where(ScreenJob.id == job_id))
    if job is None:
        raise NotFound("No such screening job.")
    return job


def max_upload_bytes() -> int:
    """The largest CSV accepted (``SCREEN_UPLOAD_MAX_BYTES``)."""
    return current_app.config.get("SCREEN_UPLOAD_MAX_BYTES") or DEFAULT_MAX_BYTES


def status_payload(job: ScreenJob, *, result_endpoint: str = "decisions_screen.result") -> dict[str, Any]:
    """What the progress page shows: rows done of total, rate, and the summary once finished."""
    end = job.finished_at or utcnow()
    elapsed = max((end - job.created_at).total_seconds(), 0.001)
    total = job.rows_total or 0
    done = job.rows_done or 0
    # While the job runs, its total is the upload's line count (the rows of a cell holding a line break, or of a file
    # without a last line break, differ from it a little); a finished job's is the rows it read.
    percent = 100.0 if job.status == "finished" else min(round(100 * done / total, 1), 100.0) if total else 0.0
    payload = {
        "id": job.id, "status": job.status, "filename": job.filename, "rows_done": done, "rows_total": total,
        "percent": percent,
        "entries_decided": job.entries_decided or 0, "bad_rows": job.bad_rows or 0,
        "rate": round(done / elapsed), "summary": job.summary, "errors": (job.errors or [])[:ERRORS_SHOWN],
        "failure": job.failure, "result_url": None, "acting_for_organization_id": job.acting_for_organization_id,
    }
    if job.status == "finished" and job.output_file_id:
        payload["result_url"] = url_for(result_endpoint, job_id=job.id)
    return payload


def finish_job(job_id: int, summary: ScreenSummary | None, *, failure: str | None = None,
               output_file_id: int | None = None) -> None:
    """Mark the job finished (with its summary) or failed, and commit."""
    values: dict[str, Any] = {"finished_at": utcnow()}
    if failure is not None:
        values.update(status="failed", failure=failure[:2000])
    else:
        values.update(status="finished")
        if summary is not None:  # the upload's line count was an estimate (see status_payload)
            values.update(rows_total=summary.rows)
    if summary is not None:
        values.update(summary=summary.to_dict(), errors=summary.errors, rows_done=summary.rows,
                      entries_decided=sum(summary.entries.values()), bad_rows=summary.bad_rows)
    if output_file_id is not None:
        values["output_file_id"] = output_file_id
    db.session.execute(update(_JOBS).where(_JOBS.c.id == job_id).values(**values))
    db.session.commit()


def screen_file(lines: Iterable[str], out: TextIO, *, job_id: int | None, actor: Any = None, finish: bool = True,
                workers: int | None = 1, **options: Any) -> ScreenSummary:
    """Screen ``lines`` into ``out`` in this process, or partitioned over ``workers`` processes (None: one per
    core) when ``lines`` is a seekable file of a job; the job is marked failed (with the reason) on error, and
    finished with its summary unless ``finish`` is false (the web job attaches its result file first)."""
    seekable = callable(getattr(lines, "seekable", None)) and lines.seekable()
    try:
        if workers == 1 or job_id is None or not seekable or options.get("acting_for") is not None:
            summary = Screener(job_id=job_id, actor=actor, **options).run(lines, out)
        else:
            progress = options.pop("on_progress", None)
            summary = screen_partitioned(
                lines, out, workers=workers, job_id=job_id, actor=actor,
                chunk_entries=options.pop("chunk_entries", CHUNK_ENTRIES), on_bad_row=options.pop("on_bad_row", None),
                on_progress=(lambda rows, total: progress(ScreenSummary(rows=rows, rows_total=total))) if progress else None)
    except Exception as error:
        db.session.rollback()
        if job_id is not None:
            finish_job(job_id, None, failure=str(error) or type(error).__name__)
        raise
    if job_id is not None and finish:
        finish_job(job_id, summary)
    return summary
