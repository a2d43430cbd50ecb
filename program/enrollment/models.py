"""Tables of the enrollment domain: the application and its parts, its history, and the debarred list."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, Boolean, CheckConstraint, Date, ForeignKey, Index, Integer, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from core.accounts.models import Organization
from core.extensions import db
from core.timeutil import UTCDateTime, utcnow
from core.uploads import StoredFile
from program.enrollment.formats import COMPANY_TYPES, CONTACT_PURPOSES, DOCUMENT_KINDS
from program.enrollment.states import ACTIVE_STATUSES, PENDING_STATUSES, PROGRAM_STATUSES, Status, sql_list
from standards.models import Sector

_PROGRAM = sql_list(PROGRAM_STATUSES)
_PENDING = sql_list(PENDING_STATUSES)
_ACTIVE = sql_list(ACTIVE_STATUSES)


class Enrollment(db.Model):
    """One application of an importer organisation, from draft to its end; per organisation at most one on
    its way (draft to information requested) and one in the program (approved or suspended)."""

    __tablename__ = "enrollment"
    __table_args__ = (
        CheckConstraint(f"status IN ({sql_list(Status)})", name="status"),
        # program_id (and the validity date) exist exactly when the enrollment has been approved.
        CheckConstraint(
            f"(status IN ({_PROGRAM}) AND program_id IS NOT NULL AND valid_until IS NOT NULL) "
            f"OR (status NOT IN ({_PROGRAM}) AND program_id IS NULL)",
            name="program_id",
        ),
        CheckConstraint(f"company_type IS NULL OR company_type IN ({sql_list(COMPANY_TYPES)})", name="company_type"),
        CheckConstraint("version >= 1", name="version"),
        Index("uq_enrollment_pending_per_organization", "organization_id", unique=True,
              sqlite_where=text(f"status IN ({_PENDING})"), postgresql_where=text(f"status IN ({_PENDING})")),
        Index("uq_enrollment_active_per_organization", "organization_id", unique=True,
              sqlite_where=text(f"status IN ({_ACTIVE})"), postgresql_where=text(f"status IN ({_ACTIVE})")),
        Index("ix_enrollment_status_submitted_at", "status", "submitted_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True, comment="Surrogate key")
    organization_id: Mapped[int] = mapped_column(
        ForeignKey("organization.id", ondelete="RESTRICT"), index=True, comment="Importer organisation applying"
    )
    status: Mapped[str] = mapped_column(String(20), default=Status.DRAFT.value, index=True,
                                        comment="draft, submitted, info_requested, approved, denied, suspended, "
                                                "revoked, expired, withdrawn, renewed")
    version: Mapped[int] = mapped_column(Integer, default=1, comment="Bumped by every change; guards concurrent moves")
    legal_name: Mapped[str] = mapped_column(String(200), default="", comment="Legal name as on Form 5106")
    legal_name_normalized: Mapped[str] = mapped_column(
        String(200), default="", index=True, comment="Legal name without case, punctuation or corporate suffixes"
    )
    dba_name: Mapped[str] = mapped_column(String(200), default="", comment="Doing-business-as name, if any")
    company_type: Mapped[str | None] = mapped_column(String(20), comment="corporation, llc, partnership, ...")
    ior_number: Mapped[str | None] = mapped_column(String(16), index=True, comment="Importer of Record number")
    address_street: Mapped[str] = mapped_column(String(200), default="", comment="Street address")
    address_city: Mapped[str] = mapped_column(String(100), default="", comment="City")
    address_state: Mapped[str] = mapped_column(String(100), default="", comment="State, province or region")
    address_postal_code: Mapped[str] = mapped_column(String(20), default="", comment="Postal or ZIP code")
    address_country: Mapped[str | None] = mapped_column(String(2), comment="ISO 3166-1 alpha-2 country code")
    conditions: Mapped[list[str]] = mapped_column(JSON, default=list,
                                                  comment="Goods conditions requested: new_parallel, used, ...")
    sourcing_description: Mapped[str] = mapped_column(Text, default="",
                                                      comment="How the goods are sourced (channels, certifications)")
    enforcement_history: Mapped[str] = mapped_column(Text, default="", comment="Prior IPR enforcement, as declared")
    publish_consent: Mapped[bool] = mapped_column(Boolean, default=False,
                                                  comment="Importer agrees to be listed on the public verify page")
    attestation: Mapped[bool] = mapped_column(Boolean, default=False,
                                              comment="Importer attests the application is true and complete")
    attested_at: Mapped[datetime | None] = mapped_column(UTCDateTime, comment="When last attested (at submit)")
    attested_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="RESTRICT"), comment="User who attested at the last submit"
    )
    screening: Mapped[list[dict[str, Any]]] = mapped_column(
        JSON, default=list, comment="Screening findings [{code, message}] of the last submit; CBP eyes only"
    )
    screened_at: Mapped[datetime | None] = mapped_column(UTCDateTime, comment="When last screened")
    program_id: Mapped[str | None] = mapped_column(String(20), unique=True,
                                                   comment="Program ID given on approval, e.g. GL-2026-000123")
    valid_until: Mapped[date | None] = mapped_column(Date, comment="Last day the approval is valid")
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime, comment="First submission (queue age)")
    last_submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime, comment="Latest submission")
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime, comment="When approved or denied")
    decided_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="RESTRICT"), comment="Reviewer who approved or denied"
    )
    review_due: Mapped[date | None] = mapped_column(
        Date, comment="Next annual profile review (anniversary of the approval); null until approved"
    )
    other_programs: Mapped[list[dict[str, Any]]] = mapped_column(
        JSON, default=list, comment="Other programs held [{program, tier, account_number, mutual_recognition_country,"
                                    " verified, verified_by, verified_at, note}]"
    )
    bar_lifted_at: Mapped[datetime | None] = mapped_column(
        UTCDateTime, comment="When an admin lifted the re-application bar of this revocation"
    )
    bar_lifted_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="RESTRICT"), comment="Admin who lifted the re-application bar"
    )
    previous_id: Mapped[int | None] = mapped_column(
        ForeignKey("enrollment.id", ondelete="SET NULL"), index=True, comment="Earlier enrollment this one renews"
    )
    created_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="RESTRICT"), comment="User who started the application"
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, comment="When started")
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow,
                                                 comment="Last change of any kind")

    organization: Mapped[Organization] = relationship()
    contacts: Mapped[list[EnrollmentContact]] = relationship(
        back_populates="enrollment", order_by="EnrollmentContact.position", cascade="all, delete-orphan"
    )
    sectors: Mapped[list[EnrollmentSector]] = relationship(
        back_populates="enrollment", order_by="EnrollmentSector.sector_code", cascade="all, delete-orphan"
    )
    documents: Mapped[list[EnrollmentDocument]] = relationship(
        back_populates="enrollment", order_by="EnrollmentDocument.id", cascade="all, delete-orphan"
    )
    history: Mapped[list[EnrollmentStatusChange]] = relationship(
        back_populates="enrollment", order_by=lambda: (EnrollmentStatusChange.at, EnrollmentStatusChange.id),
        cascade="all, delete-orphan",
    )
    notices: Mapped[list[EnrollmentNotice]] = relationship(
        back_populates="enrollment", order_by="EnrollmentNotice.id", cascade="all, delete-orphan"
    )
    appeals: Mapped[list[EnrollmentAppeal]] = relationship(
        back_populates="enrollment", order_by="EnrollmentAppeal.id", cascade="all, delete-orphan"
    )

    @property
    def requested_sectors(self) -> list[str]:
        """Codes of the sectors applied for, sorted."""
        return [s.sector_code for s in self.sectors]

    @property
    def approved_sectors(self) -> list[str]:
        """Codes of the sectors CBP approved, sorted (empty until approval)."""
        return [s.sector_code for s in self.sectors if s.approved]

    @property
    def suspended_sectors(self) -> list[str]:
        """Codes of approved sectors CBP has suspended for now, sorted."""
        return [s.sector_code for s in self.sectors if s.suspended]

    @property
    def finding_codes(self) -> list[str]:
        """Distinct screening finding codes, in order of first appearance."""
        return list(dict.fromkeys(f.get("code", "") for f in self.screening or []))

    @property
    def is_debarred_match(self) -> bool:
        """Whether the stored screening found the IOR number or name on the debarred list."""
        return any(code.startswith("debarred") for code in self.finding_codes)

    def __repr__(self) -> str:
        return f"<Enrollment {self.id} {self.status} {self.legal_name!r}>"


class EnrollmentContact(db.Model):
    """A focused contact of the application (Form 5106 has one e-mail; the program asks for several)."""

    __tablename__ = "enrollment_contact"
    __table_args__ = (CheckConstraint(f"purpose IN ({sql_list(CONTACT_PURPOSES)})", name="purpose"),)

    id: Mapped[int] = mapped_column(primary_key=True, comment="Surrogate key")
    enrollment_id: Mapped[int] = mapped_column(
        ForeignKey("enrollment.id", ondelete="CASCADE"), index=True, comment="Application the contact belongs to"
    )
    position: Mapped[int] = mapped_column(Integer, default=0, comment="Order on the form, from 0")
    purpose: Mapped[str] = mapped_column(String(20), comment="primary, ipr, enforcement or division")
    name: Mapped[str] = mapped_column(String(200), comment="Person or desk to contact")
    email: Mapped[str] = mapped_column(String(254), comment="Validated e-mail address, lower-case")

    enrollment: Mapped[Enrollment] = relationship(back_populates="contacts")


class EnrollmentSector(db.Model):
    """A sector applied for; ``approved`` marks the subset CBP approved and in force, ``suspended`` an approved
    sector held for now (never both: the release rules read ``approved`` alone)."""

    __tablename__ = "enrollment_sector"
    __table_args__ = (CheckConstraint("NOT (approved AND suspended)", name="approved_or_suspended"),)

    enrollment_id: Mapped[int] = mapped_column(
        ForeignKey("enrollment.id", ondelete="CASCADE"), primary_key=True, comment="Application"
    )
    sector_code: Mapped[str] = mapped_column(
        ForeignKey("sector.code", ondelete="RESTRICT"), primary_key=True, index=True, comment="Sector applied for"
    )
    approved: Mapped[bool] = mapped_column(Boolean, default=False, comment="True when CBP approved this sector")
    suspended: Mapped[bool] = mapped_column(Boolean, default=False, server_default=text("false"),
                                            comment="True while CBP suspends this approved sector")

    enrollment: Mapped[Enrollment] = relationship(back_populates="sectors")
    sector: Mapped[Sector] = relationship(lazy="joined")


class EnrollmentDocument(db.Model):
    """A supporting document attached to the application (bytes in core.uploads' store)."""

    __tablename__ = "enrollment_document"
    __table_args__ = (CheckConstraint(f"kind IN ({sql_list(DOCUMENT_KINDS)})", name="kind"),)

    id: Mapped[int] = mapped_column(primary_key=True, comment="Surrogate key")
    enrollment_id: Mapped[int] = mapped_column(
        ForeignKey("enrollment.id", ondelete="CASCADE"), index=True, comment="Application"
    )
    stored_file_id: Mapped[int] = mapped_column(
        ForeignKey("stored_file.id", ondelete="RESTRICT"), unique=True, comment="The uploaded file"
    )
    kind: Mapped[str] = mapped_column(String(40), comment="business_registration, authorised_channel, ...")
    description: Mapped[str] = mapped_column(String(300), default="", comment="What the document shows")
    uploaded_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="RESTRICT"), comment="Uploader"
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, comment="When attached")

    enrollment: Mapped[Enrollment] = relationship(back_populates="documents")
    stored_file: Mapped[StoredFile] = relationship(lazy="joined")


class EnrollmentStatusChange(db.Model):
    """One step in an enrollment's history: who moved it, when, from where to where, and why."""

    __tablename__ = "enrollment_status_change"

    id: Mapped[int] = mapped_column(primary_key=True, comment="Surrogate key")
    enrollment_id: Mapped[int] = mapped_column(
        ForeignKey("enrollment.id", ondelete="CASCADE"), index=True, comment="Enrollment that changed"
    )
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, comment="When the change took effect (UTC)")
    action: Mapped[str] = mapped_column(String(20), comment="create, submit, approve, deny, ...")
    from_status: Mapped[str | None] = mapped_column(String(20), comment="Status before; null for a new draft")
    to_status: Mapped[str] = mapped_column(String(20), comment="Status after")
    actor_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="RESTRICT"), comment="User who acted; null for the system"
    )
    actor: Mapped[str] = mapped_column(String(254), comment="Actor's e-mail or 'system', as written then")
    actor_role: Mapped[str] = mapped_column(String(20), comment="Actor's role then, or 'system'")
    reason: Mapped[str] = mapped_column(Text, default="", comment="Why, as the actor wrote it")
    sectors: Mapped[list[str] | None] = mapped_column(
        JSON, comment="Sector codes a sector-level step suspended or reinstated; null otherwise"
    )

    enrollment: Mapped[Enrollment] = relationship(back_populates="history")


class EnrollmentNotice(db.Model):
    """A notice of proposed action (the right to be heard): what CBP intends, why, and the importer's reply."""

    __tablename__ = "enrollment_notice"
    __table_args__ = (CheckConstraint("action IN ('deny', 'revoke', 'suspend')", name="action"),)

    id: Mapped[int] = mapped_column(primary_key=True, comment="Surrogate key")
    enrollment_id: Mapped[int] = mapped_column(
        ForeignKey("enrollment.id", ondelete="CASCADE"), index=True, comment="Enrollment concerned"
    )
    action: Mapped[str] = mapped_column(String(20), comment="Proposed action: deny, suspend or revoke")
    reason: Mapped[str] = mapped_column(Text, comment="Why CBP proposes it, as the importer reads it")
    respond_by: Mapped[date] = mapped_column(Date, comment="Last day for the importer's reply")
    proposed_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="RESTRICT"), comment="Reviewer who proposed it"
    )
    proposed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, comment="When proposed")
    reply: Mapped[str] = mapped_column(Text, default="", comment="The importer's answer, if any")
    replied_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="RESTRICT"), comment="Importer user who replied"
    )
    replied_at: Mapped[datetime | None] = mapped_column(UTCDateTime, comment="When the importer replied")

    enrollment: Mapped[Enrollment] = relationship(back_populates="notices")


class EnrollmentAppeal(db.Model):
    """An importer's appeal of a denial, suspension or revocation, decided by another reviewer."""

    __tablename__ = "enrollment_appeal"
    __table_args__ = (
        CheckConstraint("outcome IS NULL OR outcome IN ('overturn', 'uphold')", name="outcome"),
        CheckConstraint("(outcome IS NULL AND decided_at IS NULL) OR (outcome IS NOT NULL AND decided_at IS NOT NULL)",
                        name="decided"),
    )

    id: Mapped[int] = mapped_column(primary_key=True, comment="Surrogate key")
    enrollment_id: Mapped[int] = mapped_column(
        ForeignKey("enrollment.id", ondelete="CASCADE"), index=True, comment="Enrollment concerned"
    )
    decision_change_id: Mapped[int] = mapped_column(
        ForeignKey("enrollment_status_change.id", ondelete="CASCADE"), unique=True,
        comment="The history step appealed (one appeal per decision)"
    )
    grounds: Mapped[str] = mapped_column(Text, comment="Why the importer says the decision is wrong")
    filed_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="RESTRICT"), comment="Importer user who appealed"
    )
    filed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, comment="When appealed")
    outcome: Mapped[str | None] = mapped_column(String(10), comment="overturn or uphold; null while open")
    reason: Mapped[str] = mapped_column(Text, default="", comment="The appeal decision's reason")
    decided_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="RESTRICT"), comment="Reviewer who decided the appeal"
    )
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime, comment="When the appeal was decided")

    enrollment: Mapped[Enrollment] = relationship(back_populates="appeals")
    decision_change: Mapped[EnrollmentStatusChange] = relationship(lazy="joined")


class EnrollmentReminder(db.Model):
    """A renewal reminder sent (one per enrollment and threshold, so the daily command never repeats one)."""

    __tablename__ = "enrollment_reminder"

    enrollment_id: Mapped[int] = mapped_column(
        ForeignKey("enrollment.id", ondelete="CASCADE"), primary_key=True, comment="Enrollment reminded of"
    )
    days_before: Mapped[int] = mapped_column(Integer, primary_key=True, comment="Threshold: 90, 30 or 7 days")
    sent_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, comment="When queued")


class DebarredParty(db.Model):
    """An entry of the suspended/debarred list: a name and optionally an IOR number, in force for a period."""

    __tablename__ = "debarred_party"
    __table_args__ = (CheckConstraint("end_date IS NULL OR end_date >= start_date", name="dates"),)

    id: Mapped[int] = mapped_column(primary_key=True, comment="Surrogate key")
    name: Mapped[str] = mapped_column(String(200), comment="Name of the suspended or debarred party")
    normalized_name: Mapped[str] = mapped_column(
        String(200), index=True, comment="Name without case, punctuation or corporate suffixes"
    )
    ior_number: Mapped[str | None] = mapped_column(String(16), index=True, comment="Importer of Record number")
    reason: Mapped[str] = mapped_column(Text, comment="Why the party is on the list")
    start_date: Mapped[date] = mapped_column(Date, comment="First day in force")
    end_date: Mapped[date | None] = mapped_column(
        Date, comment="First day no longer in force (null: until ended)"
    )
    created_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="RESTRICT"), comment="Reviewer who added it; null for imports"
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, comment="When added")
    ended_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="RESTRICT"), comment="Reviewer who ended it"
    )

    def is_active(self, as_of: date) -> bool:
        """Whether the entry is in force on ``as_of``."""
        return self.start_date <= as_of and (self.end_date is None or as_of < self.end_date)

    def to_dict(self) -> dict[str, Any]:
        """The entry as API clients see it."""
        return {"id": self.id, "name": self.name, "ior_number": self.ior_number, "reason": self.reason,
                "start_date": self.start_date, "end_date": self.end_date, "created_at": self.created_at}
