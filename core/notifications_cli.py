"""``flask --app app outbox …``: deliver queued notifications."""

from __future__ import annotations

import click
from flask import current_app
from flask.cli import AppGroup
from sqlalchemy import func, select

from core.extensions import db
from core.notifications import OutboxMessage, send_pending

outbox_cli = AppGroup("outbox", help="Queued e-mail notifications.")


@outbox_cli.command("send")
def send_command() -> None:
    """Send pending notifications by SMTP (MAIL_SERVER must be set)."""
    if not current_app.config.get("MAIL_SERVER"):
        pending = db.session.scalar(select(func.count()).where(OutboxMessage.status == "pending"))
        click.echo(f"MAIL_SERVER is not set: {pending} notification(s) stay in the outbox.")
        return
    sent, failed = send_pending()
    click.echo(f"sent {sent}, failed {failed}")
