"""Tier enforcement, per feature, in the one place (``has_feature``/``require_feature``): free features for
everyone, paid ones by tier, 403 naming the tier needed."""

from __future__ import annotations

import pytest
from sqlalchemy import delete

from core.accounts.models import Organization
from core.errors import NotAllowed
from core.extensions import db
from program.tiers import features, services
from program.tiers.models import ServiceTier
from program.tiers.states import FREE_FEATURES, PAID_FEATURES


@pytest.mark.parametrize("feature", sorted(FREE_FEATURES))
@pytest.mark.parametrize("tier", [None, "free", "standard"])
def test_free_features_are_free_on_every_tier(app, tiers, make_user, feature, tier):
    rights = make_user("rights_holder")
    with app.app_context():
        if tier:
            services.set_tier(db.session.get(Organization, rights.organization_id).users[0], rights.organization_id, tier)
        assert features.has_feature(rights.organization_id, feature)


@pytest.mark.parametrize("feature", sorted(PAID_FEATURES))
@pytest.mark.parametrize(("tier", "expected"), [(None, False), ("free", False), ("standard", True), ("premium", True)])
def test_paid_features_follow_the_tier(app, tiers, make_user, feature, tier, expected):
    rights, admin = make_user("rights_holder"), make_user("admin")
    with app.app_context():
        from core.accounts.models import User

        if tier:
            services.set_tier(db.session.get(User, admin.id), rights.organization_id, tier)
        organization = db.session.get(Organization, rights.organization_id)
        assert features.has_feature(organization, feature) is expected
        if expected:
            features.require_feature(organization, feature)
        else:
            with pytest.raises(NotAllowed) as refused:
                features.require_feature(organization, feature)
            assert refused.value.code == "tier_required"
            assert "Standard ($2,500.00 a year) or Premium" in refused.value.message
            assert "Free tier" in refused.value.message


def test_cbp_has_every_feature_and_unknown_features_never_grant(app, tiers, make_user):
    reviewer = make_user("reviewer")
    with app.app_context():
        cbp = db.session.get(Organization, reviewer.organization_id)
        assert all(features.has_feature(cbp, f) for f in PAID_FEATURES)
        with pytest.raises(ValueError):
            features.has_feature(cbp, "email_detention_notice")  # a typo


def test_without_any_tier_defined_paid_features_are_off(app, make_user):
    rights = make_user("rights_holder")
    with app.app_context():
        db.session.execute(delete(ServiceTier))  # the migration's rows survive until the first test ends
        assert not features.has_feature(rights.organization_id, "analytics_exports")
        with pytest.raises(NotAllowed, match="not offered by any tier"):
            features.require_feature(rights.organization_id, "analytics_exports")


def test_analytics_export_api_needs_a_paid_tier(api_as, admin_api, tiers):
    rights = api_as("rights_holder")
    refused = rights.get("/api/v1/analytics/detentions")
    assert refused.status_code == 403
    assert refused.json["code"] == "tier_required" and "Standard" in refused.json["message"]
    assert admin_api.post(f"/api/v1/organizations/{rights.user.organization_id}/tier",
                         json={"tier": "standard"}).json["code"] == "standard"
    allowed = rights.get("/api/v1/analytics/detentions")
    assert allowed.status_code == 200 and len(allowed.json["by_month"]) == 12


def test_analytics_export_page_needs_a_paid_tier(client, login, make_user, admin_api, tiers):
    rights = make_user("rights_holder")
    login(rights)
    refused = client.get("/account/analytics/detentions.csv")
    assert refused.status_code == 403 and "Standard" in refused.text
    admin_api.post(f"/api/v1/organizations/{rights.organization_id}/tier", json={"tier": "premium"})
    allowed = client.get("/account/analytics/detentions.csv")
    assert allowed.status_code == 200 and allowed.mimetype == "text/csv"
    assert allowed.text.startswith("Month,Detained,Released,Seized,")


@pytest.mark.parametrize("role", ["importer", "industry_group", "reviewer", "admin"])
def test_analytics_export_is_for_rights_holders(api_as, role):
    assert api_as(role).get("/api/v1/analytics/detentions").status_code == 403
