"""Roles and organisation kinds, and which kind of organisation each role belongs to."""

from __future__ import annotations

from enum import StrEnum


class Role(StrEnum):
    """The one role each user has (PRODUCT.md, "Who uses it")."""

    IMPORTER = "importer"
    RIGHTS_HOLDER = "rights_holder"
    INDUSTRY_GROUP = "industry_group"
    BROKER = "broker"
    REVIEWER = "reviewer"
    ADMIN = "admin"


class OrgKind(StrEnum):
    """Kinds of organisation; reviewers and admins belong to CBP."""

    IMPORTER = "importer"
    RIGHTS_HOLDER = "rights_holder"
    INDUSTRY_GROUP = "industry_group"
    BROKER = "broker"
    CBP = "cbp"


ORG_KIND_FOR_ROLE: dict[Role, OrgKind] = {
    Role.IMPORTER: OrgKind.IMPORTER,
    Role.RIGHTS_HOLDER: OrgKind.RIGHTS_HOLDER,
    Role.INDUSTRY_GROUP: OrgKind.INDUSTRY_GROUP,
    Role.BROKER: OrgKind.BROKER,
    Role.REVIEWER: OrgKind.CBP,
    Role.ADMIN: OrgKind.CBP,
}

ROLE_LABELS: dict[Role, str] = {
    Role.IMPORTER: "Importer",
    Role.RIGHTS_HOLDER: "Rights holder",
    Role.INDUSTRY_GROUP: "Industry group",
    Role.BROKER: "Customs broker",
    Role.REVIEWER: "CBP reviewer",
    Role.ADMIN: "CBP administrator",
}

ORG_KIND_LABELS: dict[OrgKind, str] = {
    OrgKind.IMPORTER: ROLE_LABELS[Role.IMPORTER],
    OrgKind.RIGHTS_HOLDER: ROLE_LABELS[Role.RIGHTS_HOLDER],
    OrgKind.INDUSTRY_GROUP: ROLE_LABELS[Role.INDUSTRY_GROUP],
    OrgKind.BROKER: ROLE_LABELS[Role.BROKER],
    OrgKind.CBP: "CBP",
}

# Kinds of organisation that may sign themselves up; CBP accounts are created by an admin.
SELF_REGISTERING_KINDS = (OrgKind.IMPORTER, OrgKind.RIGHTS_HOLDER, OrgKind.INDUSTRY_GROUP, OrgKind.BROKER)
CBP_ROLES = frozenset({Role.REVIEWER, Role.ADMIN})
