"""Screening jobs started from the web: run on RQ workers when ``REDIS_URL`` is set, else in-process.

The worker is ``flask --app app decisions worker`` (an RQ ``SimpleWorker`` inside the app, so jobs share
its configuration and database engine); a plain ``rq worker greenlane --url $REDIS_URL`` also works,
since :func:`perform` builds the app itself when no app context is active.

With ``SCREEN_PARTITIONS`` = N > 1 (or unset, for a file large enough: one partition per
:data:`~program.decisions.screen_parallel.MIN_ENTRIES_PER_WORKER` entries, at most
``SCREEN_MAX_PARTITIONS``), the job is split the way ``decisions screen --workers N`` splits a file
(entries citing blank-goods declarations together, in file order): the partitions and the merge plan
go to the shared storage (``STORAGE_URL``), one RQ job per partition screens it on whichever worker
takes it — on this machine or another — and a last job, run once all of them have finished, merges
their output back into file order, stores the result and finishes the job.
"""

from __future__ import annotations

import csv
import io
import json
import tempfile
import traceback
from array import array
from pathlib import Path
from typing import Any

from flask import current_app, has_app_context

from core.accounts.models import User
from core.extensions import db
from core.metrics import register_queue
from core.storage import storage
from core.timeutil import utcnow
from core.uploads import StoredFile, open_stored, register_file, reserve_path
from program.decisions.models import ScreenJob
from program.decisions.screen import Screener, ScreenInputError
from program.decisions.screen_job import finish_job, screen_file
from program.decisions.screen_parallel import MIN_ENTRIES_PER_WORKER, Plan, deal_file, merge_output
from program.decisions.screen_summary import ScreenSummary

QUEUE = "greenlane"


def queue_name() -> str:
    """The RQ queue screening jobs go to (``SCREEN_QUEUE``, default ``greenlane``)."""
    return current_app.config.get("SCREEN_QUEUE") or QUEUE


def _redis() -> Any:
    from redis import Redis

    return Redis.from_url(current_app.config["REDIS_URL"])


def _jobs_waiting(app: Any) -> int:
    """Screening jobs queued and not yet started (for ``/metrics``)."""
    from sqlalchemy import func, select

    try:
        return db.session.scalar(select(func.count()).select_from(ScreenJob).where(ScreenJob.status == "queued"))
    finally:
        db.session.remove()


def _rq_waiting(app: Any) -> int | None:
    """Length of the RQ screening queue (for ``/metrics``); None without Redis."""
    url = app.config.get("REDIS_URL")
    if not url:
        return None
    from redis import Redis

    connection = Redis.from_url(url, socket_connect_timeout=0.5, socket_timeout=0.5)
    return connection.llen(f"rq:queue:{app.config.get('SCREEN_QUEUE') or QUEUE}")


register_queue("screen_jobs", _jobs_waiting)
register_queue("rq_screening", _rq_waiting)


def submit(job_id: int) -> str:
    """Enqueue the job on RQ (``"rq"``; split into partitions when it is worth it) or, without Redis, run it
    now in this process (``"in-process"``)."""
    if current_app.config.get("REDIS_URL"):
        from rq import Queue

        queue = Queue(queue_name(), connection=_redis())
        if not _enqueue_partitions(queue, job_id):
            queue.enqueue(perform, job_id, job_timeout=3600, description=f"screening job {job_id}")
        return "rq"
    run_job(job_id)
    return "in-process"


def _part_key(job_id: int, name: str) -> str:
    return f"screen-jobs/{job_id}/{name}"


def _enqueue_partitions(queue: Any, job_id: int) -> bool:
    """Split the job's file into partitions in the shared storage and enqueue one RQ job per partition and
    the merge after them; False (nothing done) when one partition is enough."""
    from rq import Callback

    configured = current_app.config.get("SCREEN_PARTITIONS")
    wanted = int(configured) if configured else int(current_app.config.get("SCREEN_MAX_PARTITIONS") or 4)
    if wanted <= 1:
        return False
    job = db.session.get(ScreenJob, job_id)
    store = storage()
    with open_stored(db.session.get(StoredFile, job.input_file_id)) as raw, \
            tempfile.TemporaryDirectory(prefix="greenlane-split-") as folder:
        text = io.TextIOWrapper(raw, encoding="utf-8-sig", newline="")
        parts = [Path(folder) / f"part-{i}.csv" for i in range(wanted)]
        try:
            header, plan, counts, _ = deal_file(text, parts, ScreenSummary())
        except (ScreenInputError, UnicodeDecodeError):
            return False  # the single job reports it
        if not configured:  # automatic: one partition per MIN_ENTRIES_PER_WORKER entries
            wanted = max(1, min(wanted, len(plan) // MIN_ENTRIES_PER_WORKER))
            if wanted <= 1:
                return False
            parts = parts[:wanted]
            _, plan, counts, _ = deal_file(text, parts, ScreenSummary())
        for i, part in enumerate(parts):
            store.put_file(_part_key(job_id, f"part-{i}.csv"), part, "text/csv")
        store.put_bytes(_part_key(job_id, "plan.json"), json.dumps({
            "header": header, "partition": plan.partition.tolist(), "rows": plan.rows.tolist()}).encode(),
            "application/json")
    failed = Callback(partition_failed)
    partitions = [queue.enqueue(perform_partition, job_id, i, job_timeout=3600, on_failure=failed,
                                description=f"screening job {job_id}, partition {i + 1} of {len(parts)}")
                  for i in range(len(parts))]
    queue.enqueue(perform_merge, job_id, len(parts), depends_on=partitions, job_timeout=3600, on_failure=failed,
                  description=f"screening job {job_id}, merge")
    return True


def _in_app(function: Any, *args: Any) -> Any:
    """Run ``function`` in the current app, or in a new one (plain ``rq worker``)."""
    if has_app_context():
        try:
            return function(*args)
        finally:
            db.session.remove()
    from app import create_app

    with create_app().app_context():
        return function(*args)


def perform_partition(job_id: int, index: int) -> dict:
    """RQ job: screen partition ``index`` of the job from the shared storage into its output there."""
    return _in_app(_run_partition, job_id, index)


def _run_partition(job_id: int, index: int) -> dict:
    from rq import get_current_job

    job = db.session.get(ScreenJob, job_id)
    if job is None or job.status not in ("queued", "running"):
        return {}
    if job.status == "queued":
        job.status = "running"
    actor = db.session.get(User, job.created_by_id) if job.created_by_id else None
    db.session.commit()
    store = storage()
    header = json.loads(store.read_bytes(_part_key(job_id, "plan.json")))["header"]
    with store.open(_part_key(job_id, f"part-{index}.csv")) as raw, tempfile.TemporaryDirectory() as folder:
        target = Path(folder) / "out.csv"
        reader = csv.reader(io.TextIOWrapper(raw, encoding="utf-8", newline=""))
        next(reader)
        with open(target, "w", newline="", encoding="utf-8") as out:
            summary = Screener(job_id=job_id, actor=actor, acting_for=job.acting_for_organization_id).run_rows(
                header, ((int(row[0]), row[1:]) for row in reader), out, write_header=False, together=True)
        store.put_file(_part_key(job_id, f"out-{index}.csv"), target, "text/csv")
    current = get_current_job()
    worker = current.worker_name if current is not None else None
    store.put_bytes(_part_key(job_id, f"summary-{index}.json"), json.dumps({
        **summary.to_dict(), "entries": dict(summary.entries), "lines": dict(summary.lines), "errors": summary.errors,
        "worker": worker}).encode(), "application/json")
    return {"rows": summary.rows, "worker": worker}


def perform_merge(job_id: int, partitions: int) -> None:
    """RQ job (after every partition): merge the partitions' output in file order, store it, finish the job."""
    _in_app(_run_merge, job_id, partitions)


def _run_merge(job_id: int, partitions: int) -> None:
    store = storage()
    job = db.session.get(ScreenJob, job_id)
    if job is None or job.status not in ("queued", "running"):
        return
    actor = db.session.get(User, job.created_by_id) if job.created_by_id else None
    saved = json.loads(store.read_bytes(_part_key(job_id, "plan.json")))
    plan = Plan()
    plan.partition = array("H", saved["partition"])
    plan.rows = array("I", saved["rows"])
    summary = ScreenSummary(job_id=job_id)
    for index in range(partitions):
        data = json.loads(store.read_bytes(_part_key(job_id, f"summary-{index}.json")))
        part = ScreenSummary(rows=data["rows"], already_decided=data["already_decided"],
                             rejected_entries=data["rejected_entries"], rejected_lines=data["rejected_lines"],
                             bad_rows=data["bad_rows"], errors=data["errors"])
        part.entries.update(data["entries"])
        part.lines.update(data["lines"])
        summary.add(part)
    key, target = reserve_path("csv")
    with tempfile.TemporaryDirectory(prefix="greenlane-merge-") as folder:
        outputs = []
        for index in range(partitions):
            local = Path(folder) / f"out-{index}.csv"
            with store.open(_part_key(job_id, f"out-{index}.csv")) as raw, open(local, "wb") as copy:
                while block := raw.read(1 << 20):
                    copy.write(block)
            outputs.append(local)
        with open(target, "w", newline="", encoding="utf-8") as out:
            merge_output(plan, outputs, out, saved["header"])
    summary.elapsed = (utcnow() - job.created_at).total_seconds()
    stem = job.filename.rsplit(".", 1)[0][:100] or "screen"
    stored = register_file(target, key, name=f"{stem}-decisions.csv", content_type="text/csv", owner=actor)
    finish_job(job_id, summary, output_file_id=stored.id)
    for name in ["plan.json"] + [f"{kind}-{i}.{ext}" for i in range(partitions)
                                 for kind, ext in (("part", "csv"), ("out", "csv"), ("summary", "json"))]:
        store.delete(_part_key(job_id, name))


def partition_failed(job: Any, connection: Any, type_: Any, value: Any, tb: Any) -> None:
    """RQ failure callback of a partition or the merge: the screening job is marked failed."""
    job_id = job.args[0]

    def fail() -> None:
        screen_job = db.session.get(ScreenJob, job_id)
        if screen_job is not None and screen_job.status != "failed":
            finish_job(job_id, None, failure=f"{job.description}: {type_.__name__}: {value}")

    _in_app(fail)


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
            summary = screen_file(text, out, job_id=job_id, actor=actor, finish=False,
                                  acting_for=job.acting_for_organization_id)
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
