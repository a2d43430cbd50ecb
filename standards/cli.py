"""``flask --app app marks import FILE.csv``: bulk load of trademark recordations (all rows or none)."""

from __future__ import annotations

import click
from flask.cli import AppGroup

from core.csv_cli import run_import
from standards.services import marks as mark_services

marks_cli = AppGroup("marks", help="Recorded marks (CBP trademark recordations).")


@marks_cli.command("import")
@click.argument("path", type=click.Path(exists=True, dir_okay=False))
def import_command(path: str) -> None:
    """Load recordations from a CSV (recordation_number, mark, owner, expires_on, lever_rule, lever_scope)."""
    run_import(path, lambda text: mark_services.import_marks_csv(None, text), lambda n: f"{n} recordation(s)")
