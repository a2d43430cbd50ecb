"""Screening jobs: the job row (progress, summary, failure) and running a file through one or several
processes (:mod:`program.decisions.screen_parallel`)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, TextIO

from sqlalchemy import update

from core.extensions import db
from core.timeutil import utcnow
from program.decisions.models import ScreenJob
from program.decisions.screen import CHUNK_ENTRIES, Screener
from program.decisions.screen_parallel import screen_partitioned
from program.decisions.screen_summary import ScreenSummary

_JOBS = ScreenJob.__table__


def start_job(filename: str, *, created_by_id: int | None = None, input_file_id: int | None = None,
              rows_total: int | None = None, status: str = "running") -> ScreenJob:
    """Record a screening job (committed by the caller)."""
    job = ScreenJob(status=status, filename=filename[:255], created_by_id=created_by_id, input_file_id=input_file_id,
                    rows_total=rows_total)
    db.session.add(job)
    db.session.flush()
    return job


def finish_job(job_id: int, summary: ScreenSummary | None, *, failure: str | None = None,
               output_file_id: int | None = None) -> None:
    """Mark the job finished (with its summary) or failed, and commit."""
    values: dict[str, Any] = {"finished_at": utcnow()}
    if failure is not None:
        values.update(status="failed", failure=failure[:2000])
    else:
        values.update(status="finished")
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
        if workers == 1 or job_id is None or not seekable:
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
