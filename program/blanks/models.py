"""Tables of the blank-goods domain: declarations, their parties and lines, the quantity ledger and
CBP's queries with the importer's answers."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    Integer,
    Numeric,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from core.accounts.models import Organization, User
from core.extensions import db
from core.timeutil import UTCDateTime, utcnow
from program.blanks.states import Marking, PartyRole, Status, sql_list
from standards.models import RecordedMark

QUANTITY = Numeric(18, 3)


class BlankDeclaration(db.Model):
    """An enrolled importer's advance declaration of unbranded goods, valid for a period."""

    __tablename__ = "blank_declaration"
    __table_args__ = (
        CheckConstraint(f"status IN ({sql_list(Status)})", name="status"),
        CheckConstraint("valid_until >= valid_from", name="validity"),
        CheckConstraint("version >= 1", name="version"),
        # A revoked declaration always says why (the importer sees it).
        CheckConstraint("status <> 'revoked' OR revoked_reason IS NOT NULL", name="revoked_reason"),
        Index("ix_blank_declaration_status_valid_until", "status", "valid_until"),
    )

    id: Mapped[int] = mapped_column(primary_key=True, comment="Surrogate key")
    public_id: Mapped[str | None] = mapped_column(
        String(20), unique=True,
        comment="Public ID, BGD-YYYY-NNNNNN; set from the surrogate key in the filing transaction")
    organization_id: Mapped[int] = mapped_column(
        ForeignKey("organization.id", ondelete="RESTRICT"), index=True, comment="Importer organisation that filed")
    enrollment_id: Mapped[int] = mapped_column(
        ForeignKey("enrollment.id", ondelete="RESTRICT"), index=True,
        comment="The approved enrollment the importer held when filing")
    status: Mapped[str] = mapped_column(String(20), default=Status.FILED.value,
                                        comment="filed, queried, revoked, withdrawn or expired")
    version: Mapped[int] = mapped_column(Integer, default=1, comment="Bumped by every change; guards concurrent moves")
    valid_from: Mapped[date] = mapped_column(Date, comment="First day the declaration covers shipments")
    valid_until: Mapped[date] = mapped_column(Date, comment="Last day the declaration covers shipments")
    attestation: Mapped[bool] = mapped_column(
        Boolean, default=False, comment="Importer attests the goods bear no marks and the declaration is true")
    filed_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="RESTRICT"), comment="User who filed and attested")
    filed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, comment="When filed")
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow,
                                                 comment="Last change of any kind")
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime, comment="When revoked, withdrawn or expired")
    closed_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="RESTRICT"), comment="Who revoked or withdrew it; null for expiry")
    revoked_reason: Mapped[str | None] = mapped_column(Text, comment="Why CBP revoked it")
    withdrawn_reason: Mapped[str | None] = mapped_column(Text, comment="Why the importer withdrew it, if said")

    organization: Mapped[Organization] = relationship()
    filed_by: Mapped[User | None] = relationship(foreign_keys=[filed_by_id])
    parties: Mapped[list[BlankParty]] = relationship(
        back_populates="declaration", order_by="BlankParty.position", cascade="all, delete-orphan")
    lines: Mapped[list[BlankLine]] = relationship(
        back_populates="declaration", order_by="BlankLine.line_no", cascade="all, delete-orphan")
    queries: Mapped[list[BlankQuery]] = relationship(
        back_populates="declaration", order_by="BlankQuery.id", cascade="all, delete-orphan")

    @property
    def open_query(self) -> BlankQuery | None:
        """The question CBP asked that still waits for an answer, if any."""
        return next((q for q in self.queries if q.answer is None), None)

    @property
    def remaining_percent(self) -> int:
        """What is left of all its lines together, as a whole percentage of what was declared."""
        declared = sum(line.quantity for line in self.lines)
        return int(sum(line.remaining_quantity for line in self.lines) * 100 / declared) if declared else 0

    def __repr__(self) -> str:
        return f"<BlankDeclaration {self.public_id} {self.status}>"


class BlankParty(db.Model):
    """A party to the transaction: manufacturer, seller, buyer, consignee or finisher."""

    __tablename__ = "blank_party"
    __table_args__ = (CheckConstraint(f"role IN ({sql_list(PartyRole)})", name="role"),)

    id: Mapped[int] = mapped_column(primary_key=True, comment="Surrogate key")
    declaration_id: Mapped[int] = mapped_column(
        ForeignKey("blank_declaration.id", ondelete="CASCADE"), index=True, comment="Declaration naming the party")
    position: Mapped[int] = mapped_column(Integer, default=0, comment="Order on the form, from 0")
    role: Mapped[str] = mapped_column(String(20), comment="manufacturer, seller, buyer, consignee or finisher")
    name: Mapped[str] = mapped_column(String(200), comment="Name of the party")
    country: Mapped[str] = mapped_column(String(2), comment="ISO 3166-1 alpha-2 country code")
    address: Mapped[str] = mapped_column(Text, default="", comment="Postal address, free text")

    declaration: Mapped[BlankDeclaration] = relationship(back_populates="parties")


class BlankLine(db.Model):
    """A declared line: goods, HTS code, declared and remaining quantity, and intended marking."""

    __tablename__ = "blank_line"
    __table_args__ = (
        UniqueConstraint("declaration_id", "line_no", name="uq_blank_line_declaration_line_no"),
        CheckConstraint("line_no >= 1", name="line_no"),
        CheckConstraint("length(hts_code) = 10", name="hts_code"),
        CheckConstraint("quantity > 0", name="quantity"),
        # The ledger never overdraws: consumption is a conditional UPDATE that keeps this true.
        CheckConstraint("remaining_quantity >= 0 AND remaining_quantity <= quantity", name="remaining_quantity"),
        CheckConstraint(f"intended_marking IN ({sql_list(Marking)})", name="intended_marking"),
        CheckConstraint("intended_marking = 'none' OR (authorization_ref IS NOT NULL AND mark_id IS NOT NULL)",
                        name="licensed_authorization"),
        CheckConstraint("(intended_marking = 'licensed') = (licence_status IS NOT NULL) AND "
                        "(licence_status IS NULL OR licence_status IN ('pending', 'confirmed', 'rejected'))",
                        name="licence_status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True, comment="Surrogate key")
    declaration_id: Mapped[int] = mapped_column(
        ForeignKey("blank_declaration.id", ondelete="CASCADE"), index=True, comment="Declaration of the line")
    line_no: Mapped[int] = mapped_column(Integer, comment="Line number, unique within the declaration, from 1")
    description: Mapped[str] = mapped_column(String(500), comment="Plain description of the goods")
    hts_code: Mapped[str] = mapped_column(String(10), index=True, comment="HTSUS code, 10 digits without dots")
    quantity: Mapped[Decimal] = mapped_column(QUANTITY, comment="Declared quantity, in ``unit``")
    remaining_quantity: Mapped[Decimal] = mapped_column(
        QUANTITY, comment="Declared quantity not yet consumed by release decisions")
    unit: Mapped[str] = mapped_column(String(20), comment="Unit of quantity, e.g. pcs, doz, kg")
    country_of_origin: Mapped[str] = mapped_column(String(2), comment="ISO 3166-1 alpha-2 country of origin")
    intended_marking: Mapped[str] = mapped_column(String(10), default=Marking.NONE.value,
                                                  comment="none, or licensed (marks applied under licence)")
    authorization_ref: Mapped[str | None] = mapped_column(
        String(100), comment="The mark owner's authorisation reference (licensed lines)")
    mark_id: Mapped[int | None] = mapped_column(
        ForeignKey("recorded_mark.id", ondelete="RESTRICT"), index=True,
        comment="Recorded mark to be applied under licence (licensed lines)")
    licence_status: Mapped[str | None] = mapped_column(
        String(10), comment="Licensed lines: pending, confirmed or rejected by the mark's owner; None otherwise")
    licence_note: Mapped[str | None] = mapped_column(Text, comment="What the mark owner wrote confirming or rejecting")
    licence_decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime, comment="When the owner confirmed or rejected")
    licence_decided_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="RESTRICT"), comment="Rights-holder user who confirmed or rejected")

    declaration: Mapped[BlankDeclaration] = relationship(back_populates="lines")
    mark: Mapped[RecordedMark | None] = relationship(lazy="joined")
    consumptions: Mapped[list[BlankConsumption]] = relationship(
        back_populates="line", order_by="BlankConsumption.id", viewonly=True)

    @property
    def recordation_number(self) -> str | None:
        """The licensed mark's CBP recordation number (None for unmarked goods)."""
        return self.mark.recordation_number if self.mark else None

    @property
    def consumed_quantity(self) -> Decimal:
        """How much release decisions have drawn so far."""
        return self.quantity - self.remaining_quantity

    @property
    def remaining_percent(self) -> int:
        """Remaining quantity as a whole percentage of the declared quantity (for progress bars)."""
        return int(self.remaining_quantity * 100 / self.quantity) if self.quantity else 0

    @property
    def hts_display(self) -> str:
        """The HTS code with its usual dots, ``6202.93.5011``."""
        code = self.hts_code
        return f"{code[:4]}.{code[4:6]}.{code[6:]}" if len(code) == 10 else code


class BlankConsumption(db.Model):
    """One draw on a line's quantity by a release decision (the ledger; rows are never changed). A superseded
    decision's draws come back as rows of negative quantity, so the ledger always sums to what is drawn."""

    __tablename__ = "blank_consumption"
    __table_args__ = (CheckConstraint("quantity <> 0", name="quantity"),)

    id: Mapped[int] = mapped_column(primary_key=True, comment="Surrogate key")
    line_id: Mapped[int] = mapped_column(
        ForeignKey("blank_line.id", ondelete="RESTRICT"), index=True, comment="Declared line drawn on")
    quantity: Mapped[Decimal] = mapped_column(QUANTITY, comment="Quantity drawn")
    # No foreign key yet: release_decision arrives in a later migration; the id and reference are kept.
    decision_id: Mapped[int | None] = mapped_column(Integer, index=True, comment="Release decision that drew it")
    reference: Mapped[str] = mapped_column(String(100), default="",
                                           comment="What drew it, as shown to people (e.g. the decision's UEI)")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, comment="When drawn (UTC)")

    line: Mapped[BlankLine] = relationship(back_populates="consumptions")


class BlankQuery(db.Model):
    """A question CBP asked about a declaration, and the importer's answer."""

    __tablename__ = "blank_query"

    id: Mapped[int] = mapped_column(primary_key=True, comment="Surrogate key")
    declaration_id: Mapped[int] = mapped_column(
        ForeignKey("blank_declaration.id", ondelete="CASCADE"), index=True, comment="Declaration queried")
    question: Mapped[str] = mapped_column(Text, comment="What CBP asked")
    asked_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="RESTRICT"), comment="Reviewer who asked")
    asked_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, comment="When asked")
    answer: Mapped[str | None] = mapped_column(Text, comment="The importer's answer; null while open")
    answered_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="RESTRICT"), comment="Importer user who answered")
    answered_at: Mapped[datetime | None] = mapped_column(UTCDateTime, comment="When answered")

    declaration: Mapped[BlankDeclaration] = relationship(back_populates="queries")
    asked_by: Mapped[User | None] = relationship(foreign_keys=[asked_by_id])
    answered_by: Mapped[User | None] = relationship(foreign_keys=[answered_by_id])
