"""Tables of enforcement cases: the case (one per detained decision), its timeline, detention images,
files attached to events, and the reminders sent about its response deadline."""

from __future__ import annotations

import datetime as dt
from datetime import date, datetime

from sqlalchemy import Boolean, CheckConstraint, Date, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from core.accounts.models import User
from core.extensions import db
from core.timeutil import UTCDateTime, utcnow
from core.uploads import StoredFile
from program.cases.states import ALL_EVENT_TYPES, Status, sql_list
from program.decisions.models import ReleaseDecision


class EnforcementCase(db.Model):
    """A detained shipment followed by its decision's UEI from detention to its outcome."""

    __tablename__ = "enforcement_case"
    __table_args__ = (
        CheckConstraint(f"status IN ({sql_list(Status)})", name="status"),
        # Closed exactly when an outcome was recorded: the outcome's date and the closing time go together.
        CheckConstraint(
            "(status = 'detained' AND closed_at IS NULL AND outcome_date IS NULL) OR "
            "(status <> 'detained' AND closed_at IS NOT NULL AND outcome_date IS NOT NULL)",
            name="closed",
        ),
        CheckConstraint("response_due > notice_date", name="response_due"),
        Index("ix_enforcement_case_status_due", "status", "response_due"),
    )

    id: Mapped[int] = mapped_column(primary_key=True, comment="Surrogate key")
    uei: Mapped[str] = mapped_column(String(15), unique=True, comment="The decision's UEI (canonical), the case's key")
    decision_id: Mapped[int] = mapped_column(
        ForeignKey("release_decision.id", ondelete="RESTRICT"), unique=True,
        comment="Release decision of the detained entry (one case per decision)",
    )
    status: Mapped[str] = mapped_column(String(12), default=Status.DETAINED.value, index=True,
                                        comment="detained, or the outcome that closed it")
    notice_date: Mapped[date] = mapped_column(Date, comment="Date of the detention notice to the importer")
    response_due: Mapped[date] = mapped_column(
        Date, comment="Seven business days after the notice (19 CFR 133.21(b)), weekends and holidays skipped"
    )
    port_code: Mapped[str] = mapped_column(String(4), comment="Port of entry where the goods are detained")
    country_of_origin: Mapped[str | None] = mapped_column(
        String(2), comment="ISO 3166-1 alpha-2 country of origin, as the reviewer gives it (mark owner may see it)"
    )
    importer_shared_on: Mapped[date | None] = mapped_column(Date, comment="First sharing of images with the importer")
    rights_holder_shared_on: Mapped[date | None] = mapped_column(
        Date, comment="First sharing of images with the rights holder(s)"
    )
    responded_on: Mapped[date | None] = mapped_column(Date, comment="Date of the importer's first response")
    outcome_date: Mapped[date | None] = mapped_column(Date, comment="Date of the outcome that closed the case")
    created_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="RESTRICT"), comment="Reviewer who detained the shipment"
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, comment="When the case was opened")
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime, comment="When an outcome closed the case")
    version: Mapped[int] = mapped_column(Integer, default=1, comment="Bumped by every event; guards concurrent outcomes")

    decision: Mapped[ReleaseDecision] = relationship(lazy="joined")
    created_by: Mapped[User | None] = relationship(foreign_keys=[created_by_id])
    events: Mapped[list[CaseEvent]] = relationship(
        back_populates="case", order_by=lambda: (CaseEvent.date, CaseEvent.id), cascade="all, delete-orphan"
    )
    images: Mapped[list[CaseImage]] = relationship(
        back_populates="case", order_by="CaseImage.id", cascade="all, delete-orphan"
    )

    @property
    def is_open(self) -> bool:
        """Whether no outcome has closed the case yet."""
        return self.status == Status.DETAINED

    def __repr__(self) -> str:
        return f"<EnforcementCase {self.uei} {self.status}>"


class CaseEvent(db.Model):
    """One step on a case's timeline: who did what, on which date, with a note and files."""

    __tablename__ = "case_event"
    __table_args__ = (
        CheckConstraint(f"type IN ({sql_list(ALL_EVENT_TYPES)})", name="type"),
        CheckConstraint("late = false OR type = 'importer_response'", name="late"),
        Index("ix_case_event_case_date", "case_id", "date"),
    )

    id: Mapped[int] = mapped_column(primary_key=True, comment="Surrogate key")
    case_id: Mapped[int] = mapped_column(ForeignKey("enforcement_case.id", ondelete="CASCADE"),
                                         comment="The case")
    type: Mapped[str] = mapped_column(String(32), comment="detained, images_shared_importer, ..., or an outcome")
    date: Mapped[dt.date] = mapped_column(Date, comment="Date the event took effect (never before the notice)")
    note: Mapped[str] = mapped_column(Text, default="", comment="What the actor wrote")
    late: Mapped[bool] = mapped_column(Boolean, default=False,
                                       comment="An importer response dated after response_due")
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="RESTRICT"),
                                                 comment="User who recorded it; null for the system")
    actor: Mapped[str] = mapped_column(String(254), comment="Actor's e-mail or 'system', as written then")
    actor_role: Mapped[str] = mapped_column(String(20), comment="Actor's role then")
    organization_id: Mapped[int | None] = mapped_column(
        ForeignKey("organization.id", ondelete="RESTRICT"), index=True,
        comment="Actor's organisation (a rights holder sees its own events)",
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, comment="When recorded")

    case: Mapped[EnforcementCase] = relationship(back_populates="events")
    files: Mapped[list[StoredFile]] = relationship(secondary="case_event_file", order_by=StoredFile.id, lazy="selectin")


class CaseEventFile(db.Model):
    """A file attached to an event (e.g. the importer's evidence with its response)."""

    __tablename__ = "case_event_file"

    event_id: Mapped[int] = mapped_column(ForeignKey("case_event.id", ondelete="CASCADE"), primary_key=True,
                                          comment="The event")
    file_id: Mapped[int] = mapped_column(ForeignKey("stored_file.id", ondelete="RESTRICT"), primary_key=True,
                                         unique=True, comment="The attached file")


class CaseImage(db.Model):
    """A detention image a reviewer uploaded; parties see it only after the share event for them."""

    __tablename__ = "case_image"

    id: Mapped[int] = mapped_column(primary_key=True, comment="Surrogate key")
    case_id: Mapped[int] = mapped_column(ForeignKey("enforcement_case.id", ondelete="CASCADE"), index=True,
                                         comment="The case")
    file_id: Mapped[int] = mapped_column(ForeignKey("stored_file.id", ondelete="RESTRICT"), unique=True,
                                         comment="The image (JPEG or PNG)")
    thumbnail_id: Mapped[int | None] = mapped_column(ForeignKey("stored_file.id", ondelete="RESTRICT"),
                                                     comment="Generated PNG thumbnail")
    caption: Mapped[str] = mapped_column(String(300), default="", comment="What the image shows")
    uploaded_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="RESTRICT"),
                                                       comment="Reviewer who uploaded it")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, comment="When uploaded")

    case: Mapped[EnforcementCase] = relationship(back_populates="images")
    file: Mapped[StoredFile] = relationship(foreign_keys=[file_id], lazy="joined")
    thumbnail: Mapped[StoredFile | None] = relationship(foreign_keys=[thumbnail_id], lazy="joined")


class CaseReminder(db.Model):
    """A response-deadline reminder queued for a case on one day (at most one per case per day)."""

    __tablename__ = "case_reminder"
    __table_args__ = (UniqueConstraint("case_id", "sent_on"),)

    id: Mapped[int] = mapped_column(primary_key=True, comment="Surrogate key")
    case_id: Mapped[int] = mapped_column(ForeignKey("enforcement_case.id", ondelete="CASCADE"),
                                         comment="The case reminded about")
    sent_on: Mapped[date] = mapped_column(Date, comment="Day the reminder was queued")
    recipients: Mapped[int] = mapped_column(Integer, comment="How many addresses it was queued for")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, comment="When queued")
