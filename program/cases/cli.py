"""``flask --app app cases …``: the daily response-deadline reminders."""

from __future__ import annotations

import click
from flask.cli import AppGroup

from core.extensions import db
from program.cases import services

cases_cli = AppGroup("cases", help="Enforcement cases.")


@cases_cli.command("remind")
@click.option("--days-before", default=2, show_default=True, type=click.IntRange(min=0),
              help="Remind about responses due within this many business days (overdue ones are not reminded).")
def remind_command(days_before: int) -> None:
    """Queue reminders to importers' ipr/enforcement contacts (else primary) of unanswered open cases due soon;
    at most one per case per day, so running it twice a day is harmless."""
    reminded = services.send_reminders(days_before=days_before)
    db.session.commit()
    for case in reminded:
        click.echo(f"reminded: {case.uei} (response due {case.response_due.isoformat()})")
    click.echo(f"{len(reminded)} reminder{'s' if len(reminded) != 1 else ''} queued.")
