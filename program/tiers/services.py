"""Every change to tiers and invoices: define and edit tiers, set an organisation's tier, issue a period's
invoices (idempotent), mark an invoice paid or waived. Audited in the caller's transaction (flush only)."""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation
from typing import Any

from sqlalchemy import func, select

from core import audit
from core.accounts.models import Organization
from core.accounts.roles import OrgKind
from core.errors import Conflict, NotFound, ValidationFailed
from core.extensions import db
from core.notifications import queue_notification
from core.timeutil import utcnow
from program.tiers.features import tier_of
from program.tiers.models import Invoice, OrganizationTier, ServiceTier
from program.tiers.states import INVOICE_TRANSITIONS, PAID_FEATURES, InvoiceStatus

CODE = re.compile(r"[a-z][a-z0-9_]{1,29}")
PERIOD = re.compile(r"20\d{2}")
MAX_FEE = Decimal("10000000")


def _text(raw: Any, field: str, max_len: int, errors: dict[str, list[str]], *, required: bool = True) -> str:
    value = raw.strip() if isinstance(raw, str) else ""
    if raw is not None and not isinstance(raw, str):
        errors[field] = ["Must be text."]
    elif "\x00" in value:
        errors[field] = ["Contains a NUL character."]
    elif required and not value:
        errors[field] = ["Required."]
    elif len(value) > max_len:
        errors[field] = [f"At most {max_len} characters."]
    return value


def _fee(raw: Any, errors: dict[str, list[str]]) -> Decimal:
    try:
        fee = Decimal(str(raw).strip())
    except (InvalidOperation, ValueError):
        errors["annual_fee_usd"] = ["A decimal amount in U.S. dollars, e.g. 2500.00."]
        return Decimal(0)
    if isinstance(raw, bool) or not fee.is_finite() or fee < 0 or fee >= MAX_FEE or fee != fee.quantize(Decimal("0.01")):
        errors["annual_fee_usd"] = ["From 0 to 9,999,999.99, at most two decimals."]
        return Decimal(0)
    return fee.quantize(Decimal("0.01"))


def _features(raw: Any, errors: dict[str, list[str]]) -> list[str]:
    if raw is None:
        return []
    if not isinstance(raw, list) or not all(isinstance(f, str) for f in raw):
        errors["features"] = ["A list of feature names."]
        return []
    unknown = sorted(set(raw) - set(PAID_FEATURES))
    if unknown:
        errors["features"] = [f"Unknown paid feature: {', '.join(u[:40] for u in unknown[:5])}. "
                              f"Known: {', '.join(PAID_FEATURES)}."]
    return sorted(set(raw))


def define_tier(actor: Any, *, code: Any, name: Any, annual_fee_usd: Any, features: Any = None) -> ServiceTier:
    """An admin defines a new tier (409 when the code exists)."""
    errors: dict[str, list[str]] = {}
    code = _text(code, "code", 30, errors)
    if code and "code" not in errors and not CODE.fullmatch(code):
        errors["code"] = ["Lower-case letters, digits and underscores, starting with a letter."]
    tier = ServiceTier(code=code, name=_text(name, "name", 100, errors), annual_fee_usd=_fee(annual_fee_usd, errors),
                       features=_features(features, errors), active=True, created_at=utcnow())
    if errors:
        raise ValidationFailed("The tier could not be saved.", fields=errors)
    if db.session.get(ServiceTier, code) is not None:
        raise Conflict(f"A tier with code {code!r} exists.", code="tier_exists")
    db.session.add(tier)
    db.session.flush()
    audit.record(actor, "service_tier.create", "service_tier", code, after=tier.snapshot())
    return tier


def update_tier(actor: Any, tier: ServiceTier, changes: dict[str, Any]) -> ServiceTier:
    """Change a tier's name, fee, features or whether it is offered (invoices already issued keep their amount)."""
    errors: dict[str, list[str]] = {}
    before = tier.snapshot()
    values: dict[str, Any] = {}
    if "name" in changes:
        values["name"] = _text(changes["name"], "name", 100, errors)
    if "annual_fee_usd" in changes:
        values["annual_fee_usd"] = _fee(changes["annual_fee_usd"], errors)
    if "features" in changes:
        values["features"] = _features(changes["features"], errors)
    if "active" in changes:
        if not isinstance(changes["active"], bool):
            errors["active"] = ["true or false."]
        values["active"] = changes["active"]
    if errors:
        raise ValidationFailed("The tier could not be saved.", fields=errors)
    for key, value in values.items():
        setattr(tier, key, value)
    db.session.flush()
    audit.record(actor, "service_tier.update", "service_tier", tier.code, before=before, after=tier.snapshot())
    return tier


def get_tier(code: str) -> ServiceTier:
    """The tier, or 404."""
    tier = db.session.get(ServiceTier, code) if isinstance(code, str) and len(code) <= 30 else None
    if tier is None:
        raise NotFound("No such tier.")
    return tier


def set_tier(actor: Any, organization_id: Any, tier_code: Any) -> OrganizationTier:
    """An admin puts a rights-holder organisation on a tier (422 for an unknown or inactive tier)."""
    organization = db.session.get(Organization, organization_id) if isinstance(organization_id, int) and \
        0 < organization_id < 2**31 else None
    if organization is None or organization.kind != OrgKind.RIGHTS_HOLDER:
        raise NotFound("No such rights-holder organisation.")
    tier = db.session.get(ServiceTier, tier_code) if isinstance(tier_code, str) and len(tier_code) <= 30 else None
    if tier is None or not tier.active:
        raise ValidationFailed("Choose an offered tier.", fields={"tier": ["No such offered tier."]})
    before_tier = tier_of(organization)
    row = db.session.get(OrganizationTier, organization.id)
    if row is None:
        row = OrganizationTier(organization_id=organization.id, tier_code=tier.code)
        db.session.add(row)
    row.tier_code, row.since, row.set_by_id = tier.code, utcnow(), actor.id
    db.session.flush()
    db.session.expire(row, ["tier"])
    audit.record(actor, "organization.tier", "organization", organization.id,
                 before={"tier": before_tier.code if before_tier else None}, after={"tier": tier.code})
    return row


def _next_number(period: str) -> str:
    count = db.session.scalar(select(func.count()).select_from(Invoice).where(Invoice.period == period)) or 0
    while True:
        count += 1
        number = f"INV-{period}-{count:05d}"
        if db.session.scalar(select(Invoice.id).where(Invoice.number == number)) is None:
            return number


def check_period(period: Any) -> str:
    """A calendar year 2000-2099 as text; 422 naming ``period`` otherwise."""
    text = str(period).strip() if isinstance(period, (str, int)) and not isinstance(period, bool) else ""
    if not PERIOD.fullmatch(text):
        raise ValidationFailed("The period is a calendar year, e.g. 2026.", fields={"period": ["A year 2000-2099."]})
    return text


def issue_invoices(actor: Any, period: Any) -> list[Invoice]:
    """Invoice every rights holder on a tier with a fee for ``period`` (those already invoiced are skipped,
    so the yearly run can be repeated); the organisation's users are e-mailed."""
    period = check_period(period)
    issued = []
    rows = db.session.scalars(select(OrganizationTier).join(ServiceTier).where(ServiceTier.annual_fee_usd > 0))
    for row in rows:
        exists = db.session.scalar(select(Invoice.id).where(Invoice.organization_id == row.organization_id,
                                                            Invoice.period == period))
        if exists is not None:
            continue
        invoice = Invoice(number=_next_number(period), organization_id=row.organization_id, period=period,
                          tier_code=row.tier_code, amount_usd=row.tier.annual_fee_usd, status=InvoiceStatus.ISSUED.value,
                          issued_at=utcnow())
        db.session.add(invoice)
        db.session.flush()
        audit.record(actor, "invoice.issue", "invoice", invoice.id, after=invoice.snapshot())
        organization = db.session.get(Organization, row.organization_id)
        queue_notification([u.email for u in organization.users if u.active],
                           f"Greenlane invoice {invoice.number} ({row.tier.name}, {period})",
                           f"Your organisation's Greenlane {row.tier.name} tier for {period}: "
                           f"${invoice.amount_usd:,.2f}.\nInvoice {invoice.number}. Sign in to see it under Account "
                           "→ Tier and invoices.\n", topic="invoice.issue")
        issued.append(invoice)
    return issued


def get_invoice(invoice_id: int) -> Invoice:
    """The invoice, or 404."""
    invoice = db.session.get(Invoice, invoice_id) if 0 < invoice_id < 2**31 else None
    if invoice is None:
        raise NotFound("No such invoice.")
    return invoice


def _settle(actor: Any, invoice: Invoice, action: str, *, reference: str = "", reason: str = "") -> Invoice:
    target = INVOICE_TRANSITIONS.get((InvoiceStatus(invoice.status), action))
    if target is None:
        raise Conflict(f"This invoice is already {invoice.status}.", code=f"invoice_{invoice.status}")
    before = invoice.snapshot()
    invoice.status, invoice.settled_at, invoice.settled_by_id = target.value, utcnow(), actor.id
    invoice.payment_reference, invoice.waiver_reason = reference, reason
    db.session.flush()
    audit.record(actor, f"invoice.{action}", "invoice", invoice.id, before=before, after=invoice.snapshot())
    return invoice


def mark_paid(actor: Any, invoice: Invoice, payment_reference: Any) -> Invoice:
    """Record the payment (a reference is required); 409 unless the invoice is issued."""
    errors: dict[str, list[str]] = {}
    reference = _text(payment_reference, "payment_reference", 100, errors)
    if errors:
        raise ValidationFailed("A payment reference is required.", fields=errors)
    return _settle(actor, invoice, "pay", reference=reference)


def waive(actor: Any, invoice: Invoice, reason: Any) -> Invoice:
    """Waive the fee with a reason; 409 unless the invoice is issued."""
    errors: dict[str, list[str]] = {}
    text = _text(reason, "reason", 2000, errors)
    if errors:
        raise ValidationFailed("A reason is required.", fields=errors)
    return _settle(actor, invoice, "waive", reason=text)
