"""Tables of the messages domain: threads, their messages and attachments, and per-user read state."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, CheckConstraint, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from core.accounts.models import Organization, User
from core.extensions import db
from core.timeutil import UTCDateTime, utcnow
from core.uploads import StoredFile
from program.messages.states import RELATED_LABELS, RELATED_TYPES, ThreadStatus

_STATUSES = ", ".join(f"'{s.value}'" for s in ThreadStatus)
_RELATED = ", ".join(f"'{t}'" for t in RELATED_TYPES)


class Thread(db.Model):
    """A confidential conversation between CBP and one party organisation, optionally about one object."""

    __tablename__ = "thread"
    __table_args__ = (
        CheckConstraint(f"status IN ({_STATUSES})", name="status"),
        CheckConstraint(f"related_type IS NULL OR related_type IN ({_RELATED})", name="related_type"),
        CheckConstraint("(related_type IS NULL AND related_id IS NULL) OR (related_type IS NOT NULL AND related_id IS NOT NULL)",
                        name="related_pair"),
        CheckConstraint("(status = 'closed' AND closed_at IS NOT NULL) OR (status = 'open' AND closed_at IS NULL)",
                        name="closed_at"),
        Index("ix_thread_org_activity", "organization_id", "last_message_at"),
        Index("ix_thread_related", "related_type", "related_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True, comment="Surrogate key")
    subject: Mapped[str] = mapped_column(String(200), comment="Subject line chosen by whoever started the thread")
    organization_id: Mapped[int] = mapped_column(
        ForeignKey("organization.id", ondelete="RESTRICT"),
        comment="The party organisation (importer, rights holder or industry group); the other side is CBP",
    )
    related_type: Mapped[str | None] = mapped_column(
        String(30), comment="Kind of object the thread is about: enrollment, standard, blank_declaration, case"
    )
    related_id: Mapped[str | None] = mapped_column(String(64), comment="Identifier of that object, as its domain writes it")
    related_label: Mapped[str] = mapped_column(
        String(200), default="", comment="The object's label when the thread was started (kept for lists)"
    )
    created_by_id: Mapped[int] = mapped_column(
        ForeignKey("user_account.id", ondelete="RESTRICT"), index=True, comment="User who started the thread"
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, comment="When the thread was started")
    last_message_at: Mapped[datetime] = mapped_column(
        UTCDateTime, default=utcnow, index=True, comment="When the latest message was written (orders the inbox)"
    )
    status: Mapped[str] = mapped_column(String(10), default=ThreadStatus.OPEN.value, comment="open or closed")
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime, comment="When CBP closed it; set exactly when closed")
    closed_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="RESTRICT"), comment="CBP user who closed it"
    )

    organization: Mapped[Organization] = relationship(lazy="joined")
    created_by: Mapped[User] = relationship(foreign_keys=[created_by_id], lazy="joined")
    messages: Mapped[list[Message]] = relationship(back_populates="thread", order_by=lambda: (Message.created_at, Message.id))

    # Filled in by the listing queries (program.messages.queries); not stored.
    unread_count = 0
    message_count = 0
    related_url = None
    loaded_messages = None

    @property
    def is_open(self) -> bool:
        """Whether replies are accepted."""
        return self.status == ThreadStatus.OPEN

    @property
    def related_type_label(self) -> str:
        """Human name of the related object's kind ("Enrollment", …), or empty."""
        return RELATED_LABELS.get(self.related_type or "", "")

    def snapshot(self) -> dict:
        """The thread's state as the audit log records it (never message bodies)."""
        return {"subject": self.subject, "organization_id": self.organization_id, "related_type": self.related_type,
                "related_id": self.related_id, "status": self.status}


class Message(db.Model):
    """One message in a thread, by a CBP user or a user of the party organisation."""

    __tablename__ = "message"
    __table_args__ = (Index("ix_message_thread_created", "thread_id", "created_at"),)

    id: Mapped[int] = mapped_column(primary_key=True, comment="Surrogate key")
    thread_id: Mapped[int] = mapped_column(ForeignKey("thread.id", ondelete="CASCADE"), comment="The thread")
    author_id: Mapped[int] = mapped_column(
        ForeignKey("user_account.id", ondelete="RESTRICT"), index=True, comment="User who wrote it"
    )
    from_cbp: Mapped[bool] = mapped_column(
        Boolean, comment="True when written by CBP (reviewer or admin), false when by the party; drives unread counts"
    )
    body: Mapped[str] = mapped_column(Text, comment="The message text (confidential; never e-mailed)")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, comment="When it was written")

    thread: Mapped[Thread] = relationship(back_populates="messages")
    author: Mapped[User] = relationship(lazy="joined")
    attachments: Mapped[list[StoredFile]] = relationship(secondary="message_attachment", order_by=StoredFile.id,
                                                         lazy="selectin")

    # Set by thread_detail: the message arrived since the viewer last read the thread; not stored.
    is_new = False


class MessageAttachment(db.Model):
    """Links a stored file to the message it was sent with (a file belongs to one message)."""

    __tablename__ = "message_attachment"

    message_id: Mapped[int] = mapped_column(
        ForeignKey("message.id", ondelete="CASCADE"), primary_key=True, comment="The message"
    )
    stored_file_id: Mapped[int] = mapped_column(
        ForeignKey("stored_file.id", ondelete="RESTRICT"), primary_key=True, unique=True,
        comment="The uploaded file (core.uploads)",
    )


class ThreadRead(db.Model):
    """How far one user has read one thread; messages from the other side after it are unread for that user."""

    __tablename__ = "thread_read"

    thread_id: Mapped[int] = mapped_column(ForeignKey("thread.id", ondelete="CASCADE"), primary_key=True,
                                           comment="The thread")
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"), primary_key=True,
                                         index=True, comment="The reader")
    last_read_at: Mapped[datetime] = mapped_column(
        UTCDateTime, comment="Creation time of the newest message the user has seen in the thread"
    )
