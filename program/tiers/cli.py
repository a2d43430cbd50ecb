"""``flask --app app invoices issue [--period YYYY]``: the yearly invoice run (safe to repeat)."""

from __future__ import annotations

import click
from flask.cli import AppGroup

from core.errors import ValidationFailed
from core.extensions import db
from core.timeutil import today
from program.tiers import services

invoices_cli = AppGroup("invoices", help="Rights-holder service tier invoices.")


@invoices_cli.command("issue")
@click.option("--period", default=None, help="Calendar year to invoice (default: the current year).")
def issue_command(period: str | None) -> None:
    """Invoice every rights holder on a paid tier for the period; those already invoiced are skipped."""
    try:
        issued = services.issue_invoices(None, period or str(today().year))
    except ValidationFailed as exc:
        raise click.BadParameter(exc.fields["period"][0], param_hint="--period") from exc
    db.session.commit()
    total = sum(i.amount_usd for i in issued)
    click.echo(f"Issued {len(issued)} invoice{'s' if len(issued) != 1 else ''} for {period or today().year}, "
               f"${total:,.2f} in total.")
    for invoice in issued:
        click.echo(f"  {invoice.number}  {invoice.organization.name}  {invoice.tier_code}  ${invoice.amount_usd:,.2f}")
