"""Tables of enforcement cases: the case (one per detained decision), its timeline, detention images,
files attached to events, and the reminders sent about its response deadline."""

from __future__ import annotations

import datetime as dt
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import JSON, Boolean, CheckConstraint, Date, ForeignKey, Index, Integer, Numeric, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from core.accounts.models import User
from core.extensions import db
from core.timeutil import UTCDateTime, utcnow
from core.uploads import StoredFile
from program.cases.deadlines import BASES
from program.cases.states import ALL_EVENT_TYPES, WITH_AMOUNT, Status, sql_list
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
        CheckConstraint(f"basis IN ({sql_list(BASES)})", name="basis"),
        # 19 CFR 151.16: presentation, then the decision to detain, then the notice.
        CheckConstraint("presented_on <= detained_on AND detained_on <= notice_date", name="clock_order"),
        CheckConstraint("detention_ends > presented_on", name="detention_ends"),
        Index("ix_enforcement_case_status_due", "status", "response_due"),
        Index("ix_enforcement_case_status_ends", "status", "detention_ends"),
    )

    id: Mapped[int] = mapped_column(primary_key=True, comment="Surrogate key")
    uei: Mapped[str] = mapped_column(String(15), unique=True, comment="The decision's UEI (canonical), the case's key")
    decision_id: Mapped[int] = mapped_column(
        ForeignKey("release_decision.id", ondelete="RESTRICT"), unique=True,
        comment="Release decision of the detained entry (one case per decision)",
    )
    status: Mapped[str] = mapped_column(String(12), default=Status.DETAINED.value, index=True,
                                        comment="detained, or the outcome that closed it")
    basis: Mapped[str] = mapped_column(String(24), default="suspected_counterfeit",
                                       comment="Legal basis: suspected_counterfeit (133.21), gray_market (133.23), "
                                               "copying_simulating (133.22)")
    presented_on: Mapped[date] = mapped_column(Date, comment="Goods presented for examination: day 0 of the clock")
    detained_on: Mapped[date] = mapped_column(Date, comment="CBP's decision to detain (151.16(b))")
    notice_date: Mapped[date] = mapped_column(Date, comment="Date of the detention notice to the importer")
    notice_due: Mapped[date] = mapped_column(Date, comment="Five business days after the decision to detain (151.16(c))")
    detention_ends: Mapped[date] = mapped_column(
        Date, comment="30 calendar days after presentation, or the last extension's date (1499(c), 133.25(a))")
    response_due: Mapped[date] = mapped_column(
        Date, comment="Counterfeit: seven business days after the notice (133.21(b)); otherwise detention_ends"
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
    insufficient_on: Mapped[date | None] = mapped_column(
        Date, comment="When a reviewer found the importer's response insufficient (opens unredacted disclosure)")
    unredacted_disclosed_on: Mapped[date | None] = mapped_column(
        Date, comment="When unredacted images and codes were disclosed to the mark owner(s) (133.21(b)(2)(ii))")
    manufacturer_name: Mapped[str] = mapped_column(String(200), default="", comment="Manufacturer, for the owner after seizure")
    manufacturer_address: Mapped[str] = mapped_column(String(500), default="", comment="Manufacturer's address")
    exporter_name: Mapped[str] = mapped_column(String(200), default="", comment="Exporter, for the owner after seizure")
    exporter_address: Mapped[str] = mapped_column(String(500), default="", comment="Exporter's address")
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
    detained_lines: Mapped[list[CaseLine]] = relationship(order_by="CaseLine.line_no", cascade="all, delete-orphan",
                                                          lazy="selectin")

    @property
    def line_nos(self) -> list[int]:
        """The entry's detained lines (by default all of them)."""
        return [line.line_no for line in self.detained_lines]

    @property
    def is_open(self) -> bool:
        """Whether no outcome has closed the case yet."""
        return self.status == Status.DETAINED

    def __repr__(self) -> str:
        return f"<EnforcementCase {self.uei} {self.status}>"


class CaseLine(db.Model):
    """A line of the entry the case detains: the owners of the marks on these lines are the case's owners."""

    __tablename__ = "case_line"

    case_id: Mapped[int] = mapped_column(ForeignKey("enforcement_case.id", ondelete="CASCADE"), primary_key=True,
                                         comment="The case")
    line_no: Mapped[int] = mapped_column(Integer, primary_key=True, comment="Line number on the entry")


class CaseEvent(db.Model):
    """One step on a case's timeline: who did what, on which date, with a note and files."""

    __tablename__ = "case_event"
    __table_args__ = (
        CheckConstraint(f"type IN ({sql_list(ALL_EVENT_TYPES)})", name="type"),
        CheckConstraint("late = false OR type = 'importer_response'", name="late"),
        CheckConstraint(f"(amount IS NOT NULL AND amount > 0) = (type IN ({sql_list(WITH_AMOUNT)}))", name="amount"),
        CheckConstraint("(until IS NOT NULL) = (type = 'detention_extended')", name="until"),
        CheckConstraint("(bond_reference IS NOT NULL) = (type = 'sample_released')", name="bond_reference"),
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
    amount: Mapped[Decimal | None] = mapped_column(
        Numeric(14, 2), comment="USD: penalty_assessed and liquidated_damages_claimed only")
    until: Mapped[dt.date | None] = mapped_column(Date, comment="detention_extended: the new end of the detention period")
    bond_reference: Mapped[str | None] = mapped_column(String(60), comment="sample_released: the owner's bond (133.21(c))")
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
    """A detention image of some of the entry's lines: the importer sees it from upload; a mark owner sees it
    (for its own lines only) once shared if redacted, once disclosure is permitted if unredacted."""

    __tablename__ = "case_image"

    id: Mapped[int] = mapped_column(primary_key=True, comment="Surrogate key")
    case_id: Mapped[int] = mapped_column(ForeignKey("enforcement_case.id", ondelete="CASCADE"), index=True,
                                         comment="The case")
    file_id: Mapped[int] = mapped_column(ForeignKey("stored_file.id", ondelete="RESTRICT"), unique=True,
                                         comment="The image (JPEG or PNG)")
    thumbnail_id: Mapped[int | None] = mapped_column(ForeignKey("stored_file.id", ondelete="RESTRICT"),
                                                     comment="Generated PNG thumbnail")
    caption: Mapped[str] = mapped_column(String(300), default="", comment="What the image shows")
    codes: Mapped[str] = mapped_column(String(500), default="",
                                       comment="Serial numbers, UPC, SKU seen on the goods: the owner gets them with "
                                               "unredacted images only")
    redacted: Mapped[bool] = mapped_column(Boolean, default=False,
                                           comment="Codes and identifying marks of the importer blacked out (133.21(b)(3))")
    line_nos: Mapped[list[Any]] = mapped_column(JSON, default=list,
                                                comment="Entry lines the image shows; an owner sees images of its lines only")
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
