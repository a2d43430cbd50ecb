"""Who is told about a new message, and what the e-mail says.

CBP → party: the party organisation's *focused contacts* (PRODUCT.md: several per importer, by purpose).
The enrollment domain owns those and answers through ``register_contact_resolver``; a case-related
thread goes to the ``enforcement`` contacts, else ``ipr``, else ``primary``; any other thread to
``primary``. When no resolver answers, the organisation's active users are told instead.

Party → CBP: the CBP staff who have written in the thread, or every active reviewer when none has.

The e-mail carries the thread's subject and a link, never the message body or attachment names: mail
leaves the system unencrypted and focused-contact mailboxes are often shared or forwarded, while the
body may hold an importer's confidential data (19 CFR 133.21 limits what even a rights holder may see).
Behind the link, sign-in and the thread guard decide who reads it, and the audit log records it.
"""

from __future__ import annotations

from collections.abc import Callable

from flask import url_for
from sqlalchemy import select

from core.accounts.models import User
from core.accounts.roles import CBP_ROLES, Role
from core.extensions import db
from core.notifications import queue_notification
from program.messages.models import Message, Thread

ContactResolver = Callable[[int, str], list[str] | None]

_CONTACT_RESOLVERS: list[ContactResolver] = []

CASE_PURPOSES = ("enforcement", "ipr", "primary")
DEFAULT_PURPOSES = ("primary",)


def register_contact_resolver(resolver: ContactResolver) -> ContactResolver:
    """Add ``resolver(organization_id, purpose) -> [e-mail]``; usable as a decorator."""
    if resolver not in _CONTACT_RESOLVERS:
        _CONTACT_RESOLVERS.append(resolver)
    return resolver


def unregister_contact_resolver(resolver: ContactResolver) -> None:
    """Remove a resolver (tests register fakes and remove them afterwards)."""
    if resolver in _CONTACT_RESOLVERS:
        _CONTACT_RESOLVERS.remove(resolver)


def purposes_for(thread: Thread) -> tuple[str, ...]:
    """Focused-contact purposes to try, in order, for a thread."""
    return CASE_PURPOSES if thread.related_type == "case" else DEFAULT_PURPOSES


def party_recipients(thread: Thread) -> list[str]:
    """Addresses to tell when CBP writes: focused contacts for the first purpose that has any, else active users."""
    for purpose in purposes_for(thread):
        found: list[str] = []
        for resolver in _CONTACT_RESOLVERS:
            found.extend(resolver(thread.organization_id, purpose) or [])
        if found:
            return list(dict.fromkeys(found))
    return list(db.session.scalars(
        select(User.email).where(User.organization_id == thread.organization_id, User.active.is_(True)).order_by(User.email)
    ))


def cbp_recipients(thread: Thread) -> list[str]:
    """Addresses to tell when the party writes: CBP staff who wrote in the thread, else every active reviewer."""
    cbp_roles = [str(role) for role in CBP_ROLES]
    authors = list(db.session.scalars(
        select(User.email).distinct().join(Message, Message.author_id == User.id)
        .where(Message.thread_id == thread.id, Message.from_cbp.is_(True), User.active.is_(True), User.role.in_(cbp_roles))
        .order_by(User.email)
    ))
    if authors:
        return authors
    return list(db.session.scalars(
        select(User.email).where(User.role == Role.REVIEWER.value, User.active.is_(True)).order_by(User.email)
    ))


def thread_link(thread: Thread) -> str:
    """Absolute link to the thread page when serving a request (or SERVER_NAME is set), else its path."""
    try:
        return url_for("messages.show", thread_id=thread.id, _external=True)
    except RuntimeError:  # CLI without SERVER_NAME (e.g. seeding): a path is the best we can do
        return f"/messages/{thread.id}"


def notify_new_message(thread: Thread, message: Message, *, first: bool) -> None:
    """Queue the e-mails for ``message`` in the current transaction (subject and link only)."""
    if message.from_cbp:
        recipients = party_recipients(thread)
        sender = "U.S. Customs and Border Protection"
    else:
        recipients = cbp_recipients(thread)
        sender = thread.organization.name
    what = "started a confidential conversation" if first else "wrote in the confidential conversation"
    body = (
        f"{sender} {what} “{thread.subject}” on Greenlane.\n\n"
        "For confidentiality the message is not included in this e-mail. Sign in to read and answer it:\n"
        f"{thread_link(thread)}\n"
    )
    queue_notification(recipients, f"Greenlane message: {thread.subject}", body,
                       topic="thread.create" if first else "thread.reply")
