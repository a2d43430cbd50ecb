"""``flask --app app marks import FILE.csv``: bulk load of trademark recordations (all rows or none)."""

from __future__ import annotations

import click
from flask.cli import AppGroup

from core.extensions import db
from standards.services import marks as mark_services

marks_cli = AppGroup("marks", help="Recorded marks (CBP trademark recordations).")


@marks_cli.command("import")
@click.argument("path", type=click.Path(exists=True, dir_okay=False))
def import_command(path: str) -> None:
    """Load recordations from a CSV (recordation_number, mark, owner, expires_on, lever_rule, lever_scope)."""
    with open(path, encoding="utf-8-sig", newline="") as handle:
        text = handle.read()
    try:
        made = mark_services.import_marks_csv(None, text)
    except mark_services.ImportFailed as exc:
        db.session.rollback()
        for row, field, message in exc.errors:
            click.echo(f"row {row}: {field + ': ' if field else ''}{message}", err=True)
        click.echo(f"nothing imported: {len(exc.errors)} problem(s) in {path}", err=True)
        raise SystemExit(1) from exc
    db.session.commit()
    click.echo(f"imported {len(made)} recordation(s) from {path}")
