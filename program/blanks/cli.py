"""``flask --app app blanks expire`` (daily): close declarations whose validity has passed."""

from __future__ import annotations

from datetime import date, datetime

import click
from flask.cli import AppGroup

from core.extensions import db
from program.blanks import services

blanks_cli = AppGroup("blanks", help="Blank-goods declarations.")


@blanks_cli.command("expire")
@click.option("--as-of", type=click.DateTime(formats=["%Y-%m-%d"]), default=None,
              help="Expire declarations valid until before this day (default today).")
def expire_command(as_of: datetime | None) -> None:
    """Expire every filed or queried declaration whose validity has passed (run daily)."""
    day: date | None = as_of.date() if as_of else None
    expired = services.expire_declarations(day)
    db.session.commit()
    for declaration in expired:
        click.echo(f"expired declaration {declaration.public_id}, valid until {declaration.valid_until.isoformat()}")
    click.echo(f"{len(expired)} declaration(s) expired")
