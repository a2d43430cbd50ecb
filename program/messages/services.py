"""Every change to a thread: start it, reply (with attachments), close and reopen it.

Each function checks its input and the state it moves from, changes the rows, writes the audit entry
and queues the e-mails, all in the caller's transaction (flush only; the caller commits once).
Message bodies never go into the audit log or e-mails: the audit entry keeps a SHA-256 of the body,
which proves what was written without copying confidential text into a second place.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from typing import Any

from sqlalchemy import select
from werkzeug.datastructures import FileStorage

import program.messages.policy  # noqa: F401 (registers the permissions with core.policy)
from core import audit
from core.accounts.models import Organization
from core.errors import Conflict, NotAllowed, NotFound, ValidationFailed
from core.extensions import db
from core.timeutil import utcnow
from core.uploads import DOCUMENT_TYPES, StoredFile, store_upload
from program.messages import contacts, related
from program.messages.models import Message, MessageAttachment, Thread
from program.messages.queries import is_cbp, mark_read
from program.messages.states import ATTACHMENTS_MAX, BODY_MAX, PARTY_KINDS, SUBJECT_MAX, TRANSITIONS, ThreadStatus


def can_view(user: Any, thread: Thread) -> bool:
    """Whether ``user`` may see ``thread``: CBP always, a party only its own organisation's."""
    return is_cbp(user) or thread.organization_id == getattr(user, "organization_id", None)


def get_thread(viewer: Any, thread_id: int) -> Thread:
    """The thread, or 404 when it does not exist or belongs to another party (existence never leaks)."""
    thread = db.session.get(Thread, thread_id)
    if thread is None or not can_view(viewer, thread):
        raise NotFound("No such conversation.")
    return thread


def get_attachment(viewer: Any, thread_id: int, file_id: int) -> StoredFile:
    """A file sent in a thread the viewer may see; 404 otherwise (also for files of other threads)."""
    thread = get_thread(viewer, thread_id)
    stored = db.session.scalar(
        select(StoredFile).join(MessageAttachment, MessageAttachment.stored_file_id == StoredFile.id)
        .join(Message, Message.id == MessageAttachment.message_id)
        .where(StoredFile.id == file_id, Message.thread_id == thread.id)
    )
    if stored is None:
        raise NotFound("No such file in this conversation.")
    return stored


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def _clean_body(body: str | None, has_files: bool, errors: dict[str, list[str]]) -> str:
    text = (body or "").strip()
    if not text and not has_files:
        errors["body"] = ["Write a message."]
    elif len(text) > BODY_MAX:
        errors["body"] = [f"At most {BODY_MAX:,} characters."]
    return text


def _real_files(files: Sequence[FileStorage] | None, field: str, errors: dict[str, list[str]]) -> list[FileStorage]:
    chosen = [f for f in (files or []) if f is not None and f.filename]
    if len(chosen) > ATTACHMENTS_MAX:
        errors[field] = [f"Attach at most {ATTACHMENTS_MAX} files to one message."]
    return chosen


def _party_organization(actor: Any, organization_id: Any, errors: dict[str, list[str]]) -> Organization | None:
    """The thread's party: CBP must name one; a party writes for its own organisation only."""
    if organization_id in ("", None):
        organization_id = None
    else:
        try:
            organization_id = int(organization_id)
        except (TypeError, ValueError):
            errors["organization_id"] = ["Must be an organisation id."]
            return None
    if not is_cbp(actor):
        # A party always writes to CBP about itself. Naming another organisation is refused rather than
        # silently ignored: the client meant something else, and the same message answers every other id.
        if organization_id is not None and organization_id != actor.organization_id:
            errors["organization_id"] = ["Leave it out: you write to CBP for your own organisation."]
            return None
        return db.session.get(Organization, actor.organization_id)
    if organization_id is None:
        errors["organization_id"] = ["Choose the importer, rights holder or industry group to write to."]
        return None
    organization = db.session.get(Organization, organization_id)
    if organization is None or organization.kind not in PARTY_KINDS:
        errors["organization_id"] = ["No such importer, rights holder or industry group."]
        return None
    return organization


def _store_files(actor: Any, message: Message, files: list[FileStorage], field: str) -> list[dict]:
    stored = []
    for upload in files:
        item = store_upload(upload, field=field, owner=actor, allowed=DOCUMENT_TYPES)
        db.session.add(MessageAttachment(message_id=message.id, stored_file_id=item.id))
        stored.append({"id": item.id, "name": item.original_name, "sha256": item.sha256})
    return stored


def _add_message(actor: Any, thread: Thread, body: str, files: list[FileStorage], field: str) -> tuple[Message, list]:
    message = Message(thread_id=thread.id, author_id=actor.id, from_cbp=is_cbp(actor), body=body, created_at=utcnow())
    db.session.add(message)
    db.session.flush()
    stored = _store_files(actor, message, files, field)
    thread.last_message_at = message.created_at
    db.session.flush()
    db.session.expire(message, ["attachments"])
    mark_read(actor, thread, message.created_at)
    return message, stored


def start_thread(actor: Any, *, subject: str | None, body: str | None, organization_id: Any = None,
                 related_type: str | None = None, related_id: Any = None,
                 files: Sequence[FileStorage] | None = None, files_field: str = "attachments") -> Thread:
    """Start a thread between CBP and a party with its first message; 422 naming every bad field."""
    errors: dict[str, list[str]] = {}
    subject = (subject or "").strip()
    if not subject:
        errors["subject"] = ["Write a subject."]
    elif len(subject) > SUBJECT_MAX:
        errors["subject"] = [f"At most {SUBJECT_MAX} characters."]
    chosen = _real_files(files, files_field, errors)
    text = _clean_body(body, bool(chosen), errors)
    party = _party_organization(actor, organization_id, errors)
    ref = None
    try:
        ref = related.check_related(related_type, related_id, party.id if party else None)
    except ValidationFailed as exc:
        errors.update(exc.fields)
    if errors:
        raise ValidationFailed("The conversation could not be started.", fields=errors)
    now = utcnow()
    thread = Thread(subject=subject, organization_id=party.id, created_by_id=actor.id, created_at=now,
                    last_message_at=now, status=ThreadStatus.OPEN.value)
    if ref is not None:
        thread.related_type, thread.related_id = related_type.strip(), str(related_id).strip()
        thread.related_label = ref.label[:200]
    db.session.add(thread)
    db.session.flush()
    message, stored = _add_message(actor, thread, text, chosen, files_field)
    audit.record(actor, "thread.create", "thread", thread.id,
                 after={**thread.snapshot(), "message_id": message.id, "body_sha256": _digest(text), "attachments": stored})
    contacts.notify_new_message(thread, message, first=True)
    return thread


def post_message(actor: Any, thread: Thread, *, body: str | None, files: Sequence[FileStorage] | None = None,
                 files_field: str = "attachments") -> Message:
    """Reply in an open thread (409 when closed); the other side is notified."""
    if not can_view(actor, thread):
        raise NotFound("No such conversation.")
    if thread.status != ThreadStatus.OPEN:
        raise Conflict("This conversation is closed; CBP can reopen it.", code="thread_closed")
    errors: dict[str, list[str]] = {}
    chosen = _real_files(files, files_field, errors)
    text = _clean_body(body, bool(chosen), errors)
    if errors:
        raise ValidationFailed("The message could not be sent.", fields=errors)
    before = {"last_message_at": thread.last_message_at}
    message, stored = _add_message(actor, thread, text, chosen, files_field)
    audit.record(actor, "thread.reply", "thread", thread.id, before=before,
                 after={"last_message_at": thread.last_message_at, "message_id": message.id,
                        "from_cbp": message.from_cbp, "body_sha256": _digest(text), "attachments": stored})
    contacts.notify_new_message(thread, message, first=False)
    return message


def _transition(actor: Any, thread: Thread, action: str) -> Thread:
    if not can_view(actor, thread):
        raise NotFound("No such conversation.")
    if not is_cbp(actor):
        raise NotAllowed("Only CBP can close or reopen a conversation.")
    target = TRANSITIONS.get((ThreadStatus(thread.status), action))
    if target is None:
        raise Conflict(f"This conversation is already {thread.status}.", code=f"thread_{thread.status}")
    before = thread.snapshot()
    thread.status = target.value
    if target == ThreadStatus.CLOSED:
        thread.closed_at, thread.closed_by_id = utcnow(), actor.id
    else:
        thread.closed_at, thread.closed_by_id = None, None
    db.session.flush()
    audit.record(actor, f"thread.{action}", "thread", thread.id, before=before, after=thread.snapshot())
    return thread


def close_thread(actor: Any, thread: Thread) -> Thread:
    """CBP closes an open thread: no more replies until reopened (409 if already closed)."""
    return _transition(actor, thread, "close")


def reopen_thread(actor: Any, thread: Thread) -> Thread:
    """CBP reopens a closed thread (409 if it is open)."""
    return _transition(actor, thread, "reopen")


def party_organizations() -> list[Organization]:
    """Organisations CBP can write to, by kind then name (for the new-thread form)."""
    return list(db.session.scalars(
        select(Organization).where(Organization.kind.in_(sorted(PARTY_KINDS))).order_by(Organization.kind, Organization.name)
    ))
