"""``flask --app app cases …``: the daily reminders (importers: responses due; reviewers: notices due and
detentions about to end)."""

from __future__ import annotations

import click
from flask.cli import AppGroup

from core.extensions import db
from program.cases import reminders

cases_cli = AppGroup("cases", help="Enforcement cases.")


@cases_cli.command("remind")
@click.option("--days-before", default=2, show_default=True, type=click.IntRange(min=0),
              help="Remind about responses due within this many business days (overdue ones are not reminded).")
def remind_command(days_before: int) -> None:
    """Queue reminders to importers' ipr/enforcement contacts (else primary) of unanswered open cases due soon;
    at most one per case per day, so running it twice a day is harmless."""
    reminded = reminders.send_reminders(days_before=days_before)
    db.session.commit()
    for case in reminded:
        click.echo(f"reminded: {case.uei} (response due {case.response_due.isoformat()})")
    click.echo(f"{len(reminded)} reminder{'s' if len(reminded) != 1 else ''} queued.")


@cases_cli.command("digest")
@click.option("--days-before", default=3, show_default=True, type=click.IntRange(min=0),
              help="Include notices due and detention periods ending within this many business days.")
def digest_command(days_before: int) -> None:
    """Daily reminder to reviewers (queued to every active reviewer and printed): detention notices due for
    referred entries not yet released or detained, and open detentions whose 30-day period ends soon or ended."""
    found = reminders.send_reviewer_digest(days_before=days_before)
    db.session.commit()
    for n in found["notices_due"]:
        late = f", overdue by {n['overdue_by']} business days" if n["overdue_by"] else ""
        click.echo(f"notice due: {n['uei']} entry {n['entry_number']} port {n['port_code']} "
                   f"by {n['notice_due'].isoformat()}{late}")
    for d in found["detentions_ending"]:
        excluded = " (deemed excluded)" if d["deemed_excluded"] else ""
        click.echo(f"detention ending: {d['uei']} entry {d['entry_number']} port {d['port_code']} "
                   f"on {d['detention_ends'].isoformat()}{excluded}")
    notices, ending = len(found["notices_due"]), len(found["detentions_ending"])
    click.echo(f"{notices} notice{'s' if notices != 1 else ''} due, {ending} detention{'s' if ending != 1 else ''} ending.")
