"""Reading threads: what a viewer may see, unread counts, the inbox, one thread, read state.

Read state is kept per user (``thread_read``), because colleagues of one importer, or two reviewers,
each need to know what *they* have not read. A message is unread for a user when it comes from the
other side (CBP for a party user, the party for CBP staff) and is newer than the user's last read of
the thread: one's own side's messages are outgoing, not news.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Select, and_, func, or_, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import aliased, selectinload

from core.accounts.roles import CBP_ROLES
from core.extensions import db
from core.pagination import DEFAULT_PAGE_SIZE, Page, paginate
from core.timeutil import utcnow
from program.messages.models import Message, Thread, ThreadRead


def is_cbp(user: Any) -> bool:
    """CBP staff (reviewers, admins) see and write every thread; everyone else is a party."""
    return getattr(user, "role", None) in {str(role) for role in CBP_ROLES}


def visible_threads(viewer: Any) -> Select:
    """``select(Thread)`` limited to what ``viewer`` may see: all for CBP, its organisation's for a party."""
    query = select(Thread)
    if not is_cbp(viewer):
        query = query.where(Thread.organization_id == viewer.organization_id)
    return query


def _unread_condition(viewer: Any, read) -> Any:
    """Messages from the other side that are newer than the viewer's read mark (``read`` may be outer-joined)."""
    return and_(Message.from_cbp.is_(not is_cbp(viewer)),
                or_(read.last_read_at.is_(None), Message.created_at > read.last_read_at))


def unread_count(viewer: Any) -> int:
    """Unread messages for the viewer across every thread it may see (one query; the navigation badge)."""
    if viewer is None or not getattr(viewer, "is_authenticated", True):
        return 0
    read = aliased(ThreadRead)
    query = (select(func.count(Message.id))
             .outerjoin(read, and_(read.thread_id == Message.thread_id, read.user_id == viewer.id))
             .where(_unread_condition(viewer, read)))
    if not is_cbp(viewer):
        query = query.join(Thread, Thread.id == Message.thread_id).where(Thread.organization_id == viewer.organization_id)
    return int(db.session.scalar(query) or 0)


def _listing(viewer: Any) -> tuple[Select, Any]:
    """Visible threads with each one's unread and total message counts, most recent activity first."""
    read = aliased(ThreadRead)
    unread = (select(func.count(Message.id)).where(Message.thread_id == Thread.id, _unread_condition(viewer, read))
              .correlate(Thread, read).scalar_subquery())
    total = select(func.count(Message.id)).where(Message.thread_id == Thread.id).correlate(Thread).scalar_subquery()
    query = (visible_threads(viewer).add_columns(unread.label("unread"), total.label("total"))
             .outerjoin(read, and_(read.thread_id == Thread.id, read.user_id == viewer.id))
             .order_by(Thread.last_message_at.desc(), Thread.id.desc()))
    return query, unread


def _annotate(rows) -> list[Thread]:
    threads = []
    for thread, unread, total in rows:
        thread.unread_count, thread.message_count = int(unread or 0), int(total or 0)
        threads.append(thread)
    return threads


def list_threads(viewer: Any, *, status: str | None = None, organization_id: int | None = None,
                 related_type: str | None = None, related_id: str | None = None, unread_only: bool = False,
                 q: str | None = None, page: int = 1, page_size: int = DEFAULT_PAGE_SIZE) -> Page:
    """One page of the viewer's inbox (threads carry ``unread_count`` and ``message_count``)."""
    query, unread = _listing(viewer)
    if status:
        query = query.where(Thread.status == status)
    if organization_id is not None:
        query = query.where(Thread.organization_id == organization_id)
    if related_type:
        query = query.where(Thread.related_type == related_type)
    if related_id:
        query = query.where(Thread.related_id == str(related_id))
    if unread_only:
        query = query.where(unread > 0)
    if q and q.strip():
        query = query.where(func.lower(Thread.subject).contains(q.strip().lower(), autoescape=True))
    result = paginate(query, page, page_size, scalars=False)
    result.items = _annotate(result.items)
    return result


def threads_for(related_type: str, related_id: Any, viewer: Any, limit: int = 20) -> list[Thread]:
    """Threads about one object that ``viewer`` may see, most recent first (for the object's page)."""
    if viewer is None or not getattr(viewer, "is_authenticated", True):
        return []
    query, _unread = _listing(viewer)
    query = query.where(Thread.related_type == related_type, Thread.related_id == str(related_id)).limit(limit)
    return _annotate(db.session.execute(query).unique())


def summary(viewer: Any, thread: Thread) -> Thread:
    """``thread`` with its ``unread_count`` and ``message_count`` for the viewer filled in."""
    query, _unread = _listing(viewer)
    _annotate(db.session.execute(query.where(Thread.id == thread.id)).unique())
    return thread


def mark_read(user: Any, thread: Thread, up_to: datetime | None = None) -> None:
    """Record that ``user`` has seen ``thread`` up to ``up_to`` (an upsert, safe when two tabs race)."""
    values = {"thread_id": thread.id, "user_id": user.id, "last_read_at": up_to or utcnow()}
    dialect = db.session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    statement = insert(ThreadRead).values(**values)
    # Never move the mark backwards (an older page finishing after a newer one).
    statement = statement.on_conflict_do_update(index_elements=["thread_id", "user_id"],
                                                set_={"last_read_at": statement.excluded.last_read_at},
                                                where=ThreadRead.last_read_at < statement.excluded.last_read_at)
    db.session.execute(statement)


def last_read_at(user: Any, thread: Thread) -> datetime | None:
    """When ``user`` last read ``thread`` (None if never)."""
    return db.session.scalar(select(ThreadRead.last_read_at).where(ThreadRead.thread_id == thread.id,
                                                                   ThreadRead.user_id == user.id))


def _load_messages(thread: Thread) -> list[Message]:
    return list(db.session.scalars(
        select(Message).where(Message.thread_id == thread.id).options(selectinload(Message.attachments))
        .order_by(Message.created_at, Message.id)
    ))


def reload_after_commit(thread: Thread) -> None:
    """Re-read a thread and its messages in a few queries once a commit has expired them (``is_new`` flags stay)."""
    db.session.refresh(thread)
    _load_messages(thread)


def open_thread(viewer: Any, thread: Thread) -> list[Message]:
    """The thread's messages, oldest first, flagged ``is_new`` when unread for the viewer; marks them read."""
    messages = _load_messages(thread)
    previous = last_read_at(viewer, thread)
    other_side = not is_cbp(viewer)
    for message in messages:
        message.is_new = message.from_cbp == other_side and (previous is None or message.created_at > previous)
    thread.unread_count, thread.message_count = 0, len(messages)
    newest = max((m.created_at for m in messages), default=None)
    if newest is not None and (previous is None or newest > previous):
        mark_read(viewer, thread, newest)
    return messages
