"""Versions as the JSON API shows them (what a viewer sees depends on who asks)."""

from __future__ import annotations

from typing import Any

from standards.lookups import history
from standards.models import StandardVersion
from standards.states import Decision


def version_payload(version: StandardVersion, viewer: Any, *, with_history: bool = True) -> dict[str, Any]:
    """The version with its requirements, endorsements, declines and (optionally) sibling versions."""
    author = version.standard.author_organization
    body = public_payload(version)
    body.update({
        "status": version.status,
        "change_note": version.change_note,
        "author_organization": {"id": author.id, "name": author.name},
        "created_at": version.created_at,
        "updated_at": version.updated_at,
        "proposed_at": version.proposed_at,
        "published_at": version.published_at,
        "superseded_at": version.superseded_at,
        "superseded_by": version.superseded_by_id,
        "withdrawn_at": version.withdrawn_at,
        "withdrawal_reason": version.withdrawal_reason,
        "endorsements": [e.to_dict() for e in version.endorsements if e.decision == Decision.ENDORSE],
        "declines": [e.to_dict() for e in version.endorsements if e.decision == Decision.DECLINE],
    })
    if with_history:
        body["versions"] = [{"id": v.id, "version": v.version, "status": v.status}
                            for v in history(viewer, version)]
    return body


def public_payload(version: StandardVersion) -> dict[str, Any]:
    """The content of a version, without who endorsed it (for the public catalogue)."""
    author = version.standard.author_organization
    return {
        "id": version.id,
        "standard_id": version.standard_id,
        "version": version.version,
        "sector": version.sector_code,
        "sector_name": version.sector.name,
        "heightened_protection": version.sector.heightened_protection,
        "expedited_release_possible": not version.sector.heightened_protection,
        "title": version.title,
        "conditions": version.condition_codes,
        "requirements": [r.to_dict() for r in version.requirements],
        "author_organization": {"id": author.id, "name": author.name},
        "published_at": version.published_at,
    }
