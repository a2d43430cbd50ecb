"""``flask --app app enrollments expire`` and ``enrollments remind`` (daily), and ``flask --app app debarred import
FILE.csv``."""

from __future__ import annotations

from datetime import date, datetime

import click
from flask.cli import AppGroup
from sqlalchemy import select

from core.accounts.models import User
from core.csv_cli import run_import
from core.extensions import db
from program.enrollment import debarred, lifecycle, services

enrollments_cli = AppGroup("enrollments", help="Trusted-importer enrollments.")
debarred_cli = AppGroup("debarred", help="The suspended/debarred list.")


@enrollments_cli.command("expire")
@click.option("--as-of", type=click.DateTime(formats=["%Y-%m-%d"]), default=None,
              help="Expire approvals valid until before this day (default today).")
def expire_command(as_of: datetime | None) -> None:
    """Expire every approved enrollment whose validity has passed (run daily)."""
    day: date | None = as_of.date() if as_of else None
    expired = services.expire_enrollments(day)
    db.session.commit()
    for enrollment in expired:
        click.echo(f"expired enrollment {enrollment.id} {enrollment.program_id} ({enrollment.legal_name}), "
                   f"valid until {enrollment.valid_until.isoformat()}")
    click.echo(f"{len(expired)} enrollment(s) expired")


@enrollments_cli.command("remind")
def remind_command() -> None:
    """E-mail the primary contact of each approved enrollment 90, 30 and 7 days before its valid_until (daily)."""
    sent = lifecycle.send_renewal_reminders()
    db.session.commit()
    for enrollment, days in sent:
        click.echo(f"reminded enrollment {enrollment.id} {enrollment.program_id} ({enrollment.legal_name}): "
                   f"{days}-day reminder, valid until {enrollment.valid_until.isoformat()}")
    click.echo(f"{len(sent)} reminder(s) queued")


@debarred_cli.command("import")
@click.argument("path", type=click.Path(exists=True, dir_okay=False))
@click.option("--by", "by_email", default=None, help="E-mail of the reviewer loading the list (for the audit log).")
def import_command(path: str, by_email: str | None) -> None:
    """Load entries from a CSV (name, ior_number, reason, start_date, end_date): all rows or none."""
    actor = None
    if by_email:
        actor = db.session.scalar(select(User).where(User.email == by_email.strip().lower()))
        if actor is None or actor.role != "reviewer":
            click.echo(f"error: {by_email} is not a reviewer", err=True)
            raise SystemExit(2)
    run_import(path, lambda text: debarred.import_debarred_csv(actor, text),
               lambda n: f"{n} entr{'y' if n == 1 else 'ies'}")
