"""Screening jobs started from the web: run on an RQ worker when ``REDIS_URL`` is set, else in-process.

The worker is ``flask --app app decisions worker`` (an RQ ``SimpleWorker`` inside the app, so jobs share
its configuration and database engine); a plain ``rq worker greenlane --url $REDIS_URL`` also works,
since :func:`perform` builds the app itself when no app context is active.
"""

from __future__ import annotations

import io
import traceback
from typing import Any

from flask import current_app, has_app_context

from core.accounts.models import User
from core.extensions import db
from core.uploads import StoredFile, open_stored, register_file, reserve_path
from program.decisions.models import ScreenJob
from program.decisions.screen import ScreenInputError
from program.decisions.screen_job import finish_job, screen_file

QUEUE = "greenlane"


def queue_name() -> str:
    """The RQ queue screening jobs go to (``SCREEN_QUEUE``, default ``greenlane``)."""
    return current_app.config.get("SCREEN_QUEUE") or QUEUE


def _redis() -> Any:
    from redis import Redis

    return Redis.from_url(current_app.config["REDIS_URL"])


def submit(job_id: int) -> str:
    """Enqueue the job on RQ (``"rq"``) or, without Redis, run it now in this process (``"in-process"``)."""
    if current_app.config.get("REDIS_URL"):
        from rq import Queue

        Queue(queue_name(), connection=_redis()).enqueue(perform, job_id, job_timeout=3600,
                                                         description=f"screening job {job_id}")
        return "rq"
    run_job(job_id)
    return "in-process"


def perform(job_id: int) -> None:
    """The RQ job: run the screening job in the current app, or in a new one (plain ``rq worker``)."""
    if has_app_context():
        try:
            run_job(job_id)
        finally:
            db.session.remove()  # the worker's next job starts with a fresh session
        return
    from app import create_app

    with create_app().app_context():
        run_job(job_id)


def run_job(job_id: int) -> None:
    """Screen the job's uploaded file into a stored result CSV; failures are recorded on the job."""
    job = db.session.get(ScreenJob, job_id)
    if job is None or job.status not in ("queued", "running"):
        return
    job.status = "running"
    actor = db.session.get(User, job.created_by_id) if job.created_by_id else None
    source = db.session.get(StoredFile, job.input_file_id)
    db.session.commit()
    key, target = reserve_path("csv")
    try:
        with open_stored(source) as raw, open(target, "w", newline="", encoding="utf-8") as out:
            text = io.TextIOWrapper(raw, encoding="utf-8-sig", newline="")
            summary = screen_file(text, out, job_id=job_id, actor=actor, finish=False)
        stem = job.filename.rsplit(".", 1)[0][:100] or "screen"
        stored = register_file(target, key, name=f"{stem}-decisions.csv", content_type="text/csv",
                               owner=actor)
        finish_job(job_id, summary, output_file_id=stored.id)
    except (ScreenInputError, UnicodeDecodeError) as error:
        target.unlink(missing_ok=True)
        db.session.rollback()
        job = db.session.get(ScreenJob, job_id)
        if job is not None and job.status != "failed":
            finish_job(job_id, None, failure=str(error))
    except Exception:
        target.unlink(missing_ok=True)
        db.session.rollback()
        job = db.session.get(ScreenJob, job_id)
        if job is not None and job.status != "failed":
            finish_job(job_id, None, failure=traceback.format_exc(limit=3))
        raise


def work(*, burst: bool = False) -> None:
    """Run an RQ ``SimpleWorker`` on the screening queue in the current app context."""
    from rq import Queue, SimpleWorker

    if not current_app.config.get("REDIS_URL"):
        raise RuntimeError("REDIS_URL is not set: uploads run in-process, no worker is needed.")
    connection = _redis()
    SimpleWorker([Queue(queue_name(), connection=connection)], connection=connection).work(burst=burst)
