"""Notifications: queued in an outbox table inside the caller's transaction, sent by SMTP when configured.

Queuing in the same transaction as the state change means a notification exists exactly when the
change was committed; ``flask --app app outbox send`` (or an RQ worker) delivers what is pending.
"""

from __future__ import annotations

import smtplib
from collections.abc import Iterable
from datetime import datetime
from email.message import EmailMessage

from flask import current_app
from sqlalchemy import CheckConstraint, String, Text, select
from sqlalchemy.orm import Mapped, mapped_column

from core.extensions import db
from core.timeutil import UTCDateTime, utcnow


class OutboxMessage(db.Model):
    """An e-mail waiting to be sent (or sent)."""

    __tablename__ = "outbox_message"
    __table_args__ = (CheckConstraint("status IN ('pending', 'sent', 'failed')", name="status"),)

    id: Mapped[int] = mapped_column(primary_key=True, comment="Surrogate key")
    recipient: Mapped[str] = mapped_column(String(254), index=True, comment="E-mail address")
    subject: Mapped[str] = mapped_column(String(200), comment="Subject line")
    body: Mapped[str] = mapped_column(Text, comment="Plain-text body")
    topic: Mapped[str] = mapped_column(
        String(80), default="", comment="What triggered it, e.g. enrollment.approve"
    )
    status: Mapped[str] = mapped_column(
        String(10), default="pending", index=True, comment="pending, sent or failed"
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, comment="When queued")
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime, comment="When handed to the SMTP server")
    error: Mapped[str] = mapped_column(Text, default="", comment="Last delivery error")


def queue_notification(recipients: Iterable[str], subject: str, body: str, *,
                       topic: str = "") -> list[OutboxMessage]:
    """Queue one message per distinct recipient in the current transaction."""
    messages = []
    for address in dict.fromkeys(r.strip().lower() for r in recipients if r and r.strip()):
        message = OutboxMessage(recipient=address, subject=subject[:200], body=body, topic=topic)
        db.session.add(message)
        messages.append(message)
    return messages


def send_pending(limit: int = 500) -> tuple[int, int]:
    """Deliver pending messages by SMTP; returns (sent, failed). Without MAIL_SERVER nothing is sent."""
    config = current_app.config
    if not config.get("MAIL_SERVER"):
        return 0, 0
    pending = db.session.scalars(
        select(OutboxMessage).where(OutboxMessage.status == "pending").order_by(OutboxMessage.id).limit(limit)
    ).all()
    sent = failed = 0
    if not pending:
        return 0, 0
    with smtplib.SMTP(config["MAIL_SERVER"], config["MAIL_PORT"], timeout=30) as smtp:
        if config.get("MAIL_USE_TLS"):
            smtp.starttls()
        if config.get("MAIL_USERNAME"):
            smtp.login(config["MAIL_USERNAME"], config["MAIL_PASSWORD"] or "")
        for item in pending:
            email = EmailMessage()
            email["From"] = config["MAIL_DEFAULT_SENDER"]
            email["To"] = item.recipient
            email["Subject"] = item.subject
            email.set_content(item.body)
            try:
                smtp.send_message(email)
            except smtplib.SMTPException as exc:
                item.status, item.error = "failed", str(exc)
                failed += 1
            else:
                item.status, item.sent_at = "sent", utcnow()
                sent += 1
    db.session.commit()
    return sent, failed
