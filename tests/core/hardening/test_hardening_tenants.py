"""The cross-tenant matrix stays at zero: on the demo data, every API read route under a tenant's objects,
asked by each role from another organisation, never answers 200 with the owner's object (API.md: 403, or 404
where even existence must not leak)."""

from __future__ import annotations

import re

import pytest

from core.extensions import db
from program.seed import DEMO_PASSWORD, seed_demo

OWNER = "importer@northwind.example"
# Roles from other organisations, none of which has a right to Northwind's objects.
OUTSIDERS = {"other_importer": "importer@harbor.example", "industry_group": "group@electronics-alliance.example",
             "rights_holder": "rights@acme-brands.example"}
# Tenant data: the owner's list answers the ids; every GET route below the prefix is probed with each.
TENANT_PREFIXES = ("/api/v1/enrollments", "/api/v1/blank-declarations", "/api/v1/release-decisions",
                   "/api/v1/threads", "/api/v1/auth/tokens")
KEYS = ("id", "uei")


def _token(client, email: str) -> dict[str, str]:
    token = client.post("/api/v1/auth/token", json={"email": email, "password": DEMO_PASSWORD}).json["token"]
    return {"Authorization": f"Bearer {token}"}


def _routes_under(app, prefix: str) -> list[tuple[str, str]]:
    """(method, rule) of every read route (and, for tokens, the revocation) on one object under ``prefix``."""
    routes = []
    for rule in app.url_map.iter_rules():
        if rule.rule.startswith(prefix + "/<") and rule.rule.count("<") == 1:
            for method in ("GET", "DELETE") if prefix.endswith("tokens") else ("GET",):
                if method in (rule.methods or ()):
                    routes.append((method, rule.rule))
    return sorted(routes)


@pytest.mark.parametrize("outsider", sorted(OUTSIDERS))
def test_no_outsider_reads_a_tenants_objects(app, client, outsider):
    """Every route under every tenant prefix × this role: the demo data is seeded once per role."""
    with app.app_context():
        seed_demo()
        db.session.commit()
    owner = _token(client, OWNER)
    stranger = _token(client, OUTSIDERS[outsider])
    leaks, probed = [], {}
    for prefix in TENANT_PREFIXES:
        listing = client.get(prefix, headers=owner)
        assert listing.status_code == 200, listing.json
        body = listing.json
        items = body["items"] if isinstance(body, dict) else body
        assert items, f"the demo data has no {prefix} for {OWNER}"
        for method, rule in _routes_under(app, prefix):
            for item in items[:4]:
                for key in (k for k in KEYS if k in item):
                    url = re.sub(r"<[^>]+>", str(item[key]), rule)
                    answer = client.open(url, method=method, headers=stranger)
                    probed[rule] = probed.get(rule, 0) + 1
                    if answer.status_code < 300:
                        leaks.append(f"{method} {url} as {outsider}: {answer.status_code}")
        assert any(rule.startswith(prefix) for rule in probed), f"no route under {prefix} was probed"
    assert leaks == []
