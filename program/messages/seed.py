"""Demo conversations between CBP and the demo importers, rights holder and industry group; some unread."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select, update

from core.accounts.models import User
from core.extensions import db
from core.timeutil import utcnow
from program.messages import services
from program.messages.models import Message, Thread, ThreadRead
from program.seed import SEEDERS

REVIEWER = "reviewer@cbp.example.gov"
REVIEWER2 = "reviewer2@cbp.example.gov"

# (subject, who starts, [(author e-mail, hours ago, body)], close it?)
CONVERSATIONS: tuple[tuple[str, str, list[tuple[str, float, str]], bool], ...] = (
    ("Sourcing documents for your enrollment application", "importer@northwind.example", [
        (REVIEWER, 76, "Thank you for applying to the program. To assess your sourcing, please send invoices from "
                       "your authorised distributors in Japan for the watches you import, covering the last six months."),
        ("importer@northwind.example", 51, "Thank you. We buy through two distributors in Osaka; our broker is "
                                           "collecting the invoices and will upload them this week."),
        (REVIEWER, 3, "Received, thank you. One more item: the ISO 9001 certificate of your refurbishment partner "
                      "in Singapore, which your application mentions."),
    ], False),
    ("Condition grading for refurbished phones", "importer@harbor.example", [
        ("importer@harbor.example", 20, "Which condition grading scale does CBP accept for refurbished mobile "
                                        "phones? We use the CTIA grades A to D."),
        ("importer@harbor.example", 2, "To add: our grading reports are produced by an independent lab. "
                                       "Would a sample report help?"),
    ], False),
    ("Photographic guide for Acme handbags", "rights@acme-brands.example", [
        (REVIEWER2, 140, "Officers at LAX asked for an updated photographic guide for the 2026 handbag line. "
                         "Could you upload it to your standard?"),
        ("rights@acme-brands.example", 120, "Uploaded this morning, with close-ups of the new serial tags."),
        (REVIEWER2, 118, "Thank you, it is in use at the port. Closing this conversation."),
    ], True),
    ("Draft standard for used laptops: battery testing", "group@electronics-alliance.example", [
        ("group@electronics-alliance.example", 96, "Our members propose a battery health test (capacity of at least "
                                                   "80 %) as a requirement for used laptops. Is that evidence CBP "
                                                   "officers can check quickly?"),
        (REVIEWER, 70, "Yes, if the test report travels with the shipment and names the serial numbers. Please "
                       "add it as a numbered requirement in the draft."),
    ], False),
    ("Response deadline for a detention notice", "importer@bluewater.example", [
        ("importer@bluewater.example", 30, "We received a detention notice yesterday. Does the seven-business-day "
                                           "response period include the federal holiday next Monday?"),
        (REVIEWER2, 5, "No: the deadline skips weekends and U.S. federal holidays. The case page shows the exact "
                       "due date."),
    ], False),
)


def _backdate(thread: Thread, message: Message, author: User, when: datetime, first: bool) -> None:
    """Move a just-written message (and what it touched) to ``when`` so the demo has a history."""
    message.created_at = when
    thread.last_message_at = when
    if first:
        thread.created_at = when
    db.session.execute(update(ThreadRead).where(ThreadRead.thread_id == thread.id, ThreadRead.user_id == author.id)
                       .values(last_read_at=when))


def seed_messages(users: dict[str, User]) -> str:
    """Create the demo conversations; returns a summary line."""
    now = utcnow()
    party_of = {email: user.organization_id for email, user in users.items()}
    for subject, party_email, posts, close in CONVERSATIONS:
        thread = None
        for index, (author_email, hours_ago, body) in enumerate(posts):
            author, when = users[author_email], now - timedelta(hours=hours_ago)
            if thread is None:
                thread = services.start_thread(author, subject=subject, body=body,
                                               organization_id=party_of[party_email])
                message = db.session.scalar(select(Message).where(Message.thread_id == thread.id))
            else:
                message = services.post_message(author, thread, body=body)
            _backdate(thread, message, author, when, first=index == 0)
        if close:
            services.close_thread(users[posts[-1][0]], thread)
            thread.closed_at = thread.last_message_at
        db.session.flush()
    return f"{len(CONVERSATIONS)} message threads between CBP and demo organisations (some unread)"


SEEDERS.append(("messages", seed_messages))
