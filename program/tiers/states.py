"""Features a tier may grant, invoice states and the invoice transition table."""

from __future__ import annotations

from enum import StrEnum

# Features every organisation has, whatever its tier: the program depends on owners taking part.
FREE_FEATURES: dict[str, str] = {
    "endorsing": "Endorsing standards",
    "licences": "Licences and licensed-blank confirmations",
    "guides": "Product identification guides",
    "web": "The web view",
    "api": "The JSON API",
}
# Features a tier must list for an organisation to have them.
PAID_FEATURES: dict[str, str] = {
    "analytics_exports": "Analytics exports (CSV and JSON of detentions of your marks)",
    "email_detention_notices": "Detention notices by e-mail to your IPR contact",
}
FEATURE_LABELS: dict[str, str] = {**FREE_FEATURES, **PAID_FEATURES}

DEFAULT_TIER = "free"


class InvoiceStatus(StrEnum):
    """An invoice is issued, then paid (with a payment reference) or waived (with a reason)."""

    ISSUED = "issued"
    PAID = "paid"
    WAIVED = "waived"


INVOICE_TRANSITIONS: dict[tuple[InvoiceStatus, str], InvoiceStatus] = {
    (InvoiceStatus.ISSUED, "pay"): InvoiceStatus.PAID,
    (InvoiceStatus.ISSUED, "waive"): InvoiceStatus.WAIVED,
}

STATUS_LABELS = {InvoiceStatus.ISSUED: "Issued", InvoiceStatus.PAID: "Paid", InvoiceStatus.WAIVED: "Waived"}
