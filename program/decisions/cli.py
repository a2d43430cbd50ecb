"""``flask --app app decisions …``: bulk screening of a CSV file, and the RQ worker for web uploads."""

from __future__ import annotations

import io
import os
import sys
import time
from pathlib import Path

import click
from flask.cli import AppGroup
from tqdm import tqdm

from core.csv_cli import run_import
from core.extensions import db
from program.decisions.screen import CHUNK_ENTRIES, CHUNK_LINES, ScreenInputError
from program.decisions.screen_job import screen_file, start_job

decisions_cli = AppGroup("decisions", help="Release decisions: bulk screening and its worker.")

MAX_ROWS_SHOWN = 100


@decisions_cli.command("screen")
@click.argument("input_path", metavar="INPUT.csv", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--output", "-o", "output_path", required=True, metavar="OUTPUT.csv",
              type=click.Path(dir_okay=False, writable=True, path_type=Path), help="Where to write the results.")
@click.option("--chunk", default=CHUNK_ENTRIES, show_default=True,
              help=f"Entries per transaction (at most {CHUNK_LINES:,} lines).")
@click.option("--workers", type=click.IntRange(min=1), default=None,
              help="Processes deciding in parallel, partitioned by entry (default: the number of cores; fewer for "
                   "a small file).")
@click.option("--progress/--no-progress", default=True, help="Show the progress bar (on stderr).")
def screen_command(input_path: Path, output_path: Path, chunk: int, workers: int | None, progress: bool) -> None:
    """Decide every entry of INPUT.csv and write OUTPUT.csv.

    Rows with the same entry_number form one entry. If an entry's rows are not together, the file is
    sorted by entry number first (on disk), and the output lists each entry's rows together.

    Bad rows are reported on stderr with their row number and do not stop the run; an entry with a bad
    row is rejected whole. A run can be started again after a crash: entries that already have a live
    decision are not decided again (reason already_decided in the output). Ends with a table of outcomes.
    """
    size = input_path.stat().st_size
    job = start_job(input_path.name)
    db.session.commit()
    shown = 0

    def on_bad_row(problem: dict) -> None:
        nonlocal shown
        shown += 1
        if shown <= MAX_ROWS_SHOWN:
            tqdm.write(f"row {problem['row']}: {problem['field']}: {problem['message']}", file=sys.stderr)
        elif shown == MAX_ROWS_SHOWN + 1:
            tqdm.write("… more bad rows: see the reasons column (invalid:<field>) of the output", file=sys.stderr)

    started = time.perf_counter()
    with open(input_path, "rb") as raw, open(output_path, "w", newline="", encoding="utf-8") as out, \
            tqdm(total=size, unit="B", unit_scale=True, file=sys.stderr, disable=not progress,
                 desc="screening", dynamic_ncols=True) as bar:
        def on_progress(summary) -> None:
            if summary.rows_total:  # sorted first: the file has been read; count rows instead of bytes
                bar.update(min(int(size * summary.rows / summary.rows_total), size) - bar.n)
            else:
                bar.update(min(raw.tell(), size) - bar.n)
            rate = summary.rows / max(time.perf_counter() - started, 1e-9)
            bar.set_postfix_str(f"{summary.rows:,} lines, {rate:,.0f} lines/s", refresh=False)

        text = io.TextIOWrapper(raw, encoding="utf-8-sig", newline="")
        try:
            summary = screen_file(text, out, job_id=job.id, chunk_entries=chunk, on_progress=on_progress,
                                  on_bad_row=on_bad_row, workers=workers)
        except ScreenInputError as error:
            raise click.ClickException(str(error)) from None
        except UnicodeDecodeError as error:
            raise click.ClickException(f"The file is not UTF-8 text ({error.reason} at byte {error.start}).") from None
        bar.update(size - bar.n)
    click.echo(f"Screening job {job.id}: {os.fspath(input_path)} -> {os.fspath(output_path)}")
    click.echo(summary.table())


@decisions_cli.command("worker")
@click.option("--burst", is_flag=True, help="Stop when the queue is empty.")
def worker_command(burst: bool) -> None:
    """Run an RQ worker for uploaded screening jobs, inside this app (needs REDIS_URL)."""
    from program.decisions.jobs import work

    work(burst=burst)


@decisions_cli.command("shippers-import")
@click.argument("path", type=click.Path(exists=True, dir_okay=False))
def shippers_import_command(path: str) -> None:
    """Load known violative shippers from a CSV (name, country, reason): all rows or none."""
    from program.decisions import shippers

    run_import(path, lambda text: shippers.import_shippers_csv(None, text), lambda n: f"{n} shipper(s)")
