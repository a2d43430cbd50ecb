"""The ONE place a tier's features are checked. Every paid feature asks :func:`has_feature` (to decide) or
:func:`require_feature` (to refuse with 403 naming the tier needed); nothing else reads tiers.

For the integrator: e-mailed detention notices to owners are the feature ``email_detention_notices`` —
queue the e-mail only when ``has_feature(owner_organization, "email_detention_notices")``.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from core.accounts.roles import OrgKind
from core.errors import NotAllowed
from core.extensions import db
from program.tiers.models import OrganizationTier, ServiceTier
from program.tiers.states import DEFAULT_TIER, FEATURE_LABELS, FREE_FEATURES, PAID_FEATURES


def _organization_id(organization: Any) -> int | None:
    return organization if isinstance(organization, int) else getattr(organization, "id", None)


def tier_of(organization: Any) -> ServiceTier | None:
    """The organisation's tier (the free tier when none was set); None only if the free tier is missing."""
    assigned = db.session.scalar(select(OrganizationTier).where(
        OrganizationTier.organization_id == _organization_id(organization)))
    return assigned.tier if assigned is not None else db.session.get(ServiceTier, DEFAULT_TIER)


def has_feature(organization: Any, feature: str) -> bool:
    """Whether the organisation (object or id) may use ``feature``: free features always; CBP always;
    paid features when its tier lists them. Unknown feature names raise ``ValueError`` (a typo never grants)."""
    if feature not in FEATURE_LABELS:
        raise ValueError(f"unknown feature {feature!r}")
    if feature in FREE_FEATURES:
        return True
    if getattr(organization, "kind", None) == OrgKind.CBP:
        return True
    tier = tier_of(organization)
    return tier is not None and feature in (tier.features or [])


def tiers_with(feature: str) -> list[ServiceTier]:
    """Active tiers granting ``feature``, cheapest first."""
    return sorted((t for t in db.session.scalars(select(ServiceTier).where(ServiceTier.active.is_(True)))
                   if feature in (t.features or [])), key=lambda t: (t.annual_fee_usd, t.code))


def require_feature(organization: Any, feature: str) -> None:
    """403 (code ``tier_required``) naming the tier needed, unless the organisation has ``feature``."""
    if has_feature(organization, feature):
        return
    tier = tier_of(organization)
    needed = tiers_with(feature)
    label = PAID_FEATURES[feature]
    if needed:
        names = " or ".join(f"{t.name} (${t.annual_fee_usd:,.2f} a year)" for t in needed[:2])
        message = f"{label} needs the {names} tier; your organisation is on the {tier.name if tier else 'Free'} tier."
    else:
        message = f"{label} is not offered by any tier at present."
    raise NotAllowed(message, code="tier_required")
