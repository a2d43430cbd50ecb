"""The life of a standard version: create, edit, propose, withdraw, publish (superseding), revise."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from core import audit
from core.errors import Conflict, ValidationFailed
from core.extensions import db
from core.timeutil import utcnow
from standards import states
from standards.lookups import latest_version_number, live_endorsement_count, open_version
from standards.models import RecordedMark, Requirement, Standard, StandardVersion, VersionCondition
from standards.models import mark_sector as ms
from standards.services.content import apply_content, clean_content, completeness_problems
from standards.services.notify import notify_organizations, version_link
from standards.states import Action, VersionStatus


def lock_version(version: StandardVersion) -> StandardVersion:
    """Take the version's row lock (PostgreSQL; SQLite serialises writers anyway) and re-read it, so two
    transitions never both pass the guard. The lock query has no eager joins: PostgreSQL refuses
    FOR UPDATE on the nullable side of an outer join."""
    db.session.flush()
    db.session.execute(select(StandardVersion.id).where(StandardVersion.id == version.id).with_for_update())
    db.session.refresh(version)
    return version




def _move(actor: Any, version: StandardVersion, action: Action) -> VersionStatus:
    return states.check(version.status, action, actor, version.author_organization_id)


def create_standard(actor: Any, *, sector: Any, title: Any, conditions: Any = None, requirements: Any = None,
                    change_note: Any = None) -> StandardVersion:
    """Start a standard of the actor's organisation: version 1, a draft."""
    clean = clean_content(sector="" if sector is None else sector, title="" if title is None else title,
                          conditions=conditions, requirements=requirements, change_note=change_note)
    standard = Standard(author_organization_id=actor.organization_id, created_by_id=actor.id)
    version = StandardVersion(standard=standard, version=1, status=VersionStatus.DRAFT,
                              created_by_id=actor.id, change_note="")
    apply_content(version, clean)
    db.session.add(version)
    db.session.flush()
    audit.record(actor, "standard.create", "standard", version.id, after=version.snapshot())
    return version


def update_draft(actor: Any, version: StandardVersion, *, sector: Any = None, title: Any = None,
                 conditions: Any = None, requirements: Any = None,
                 change_note: Any = None) -> StandardVersion:
    """Change a draft's content (only its authors; only while a draft)."""
    lock_version(version)
    _move(actor, version, Action.EDIT)
    clean = clean_content(sector=sector, title=title, conditions=conditions, requirements=requirements,
                          change_note=change_note)
    before = version.snapshot()
    apply_content(version, clean)
    db.session.flush()
    after = version.snapshot()
    if after != before:
        version.updated_at = utcnow()
        audit.record(actor, "standard.update", "standard", version.id, before=before, after=after)
    return version


def _rights_holders_in_sector(sector_code: str) -> set[int]:
    return set(db.session.scalars(
        select(RecordedMark.owner_organization_id).join(ms, ms.c.mark_id == RecordedMark.id)
        .where(ms.c.sector_code == sector_code)))


def propose_version(actor: Any, version: StandardVersion) -> StandardVersion:
    """Put a complete draft up for endorsement; rights holders with marks in its sector are told."""
    lock_version(version)
    target = _move(actor, version, Action.PROPOSE)
    if problems := completeness_problems(version):
        raise ValidationFailed("This draft is not ready to propose.", fields=problems)
    version.status, version.proposed_at = target, utcnow()
    db.session.flush()
    audit.record(actor, "standard.propose", "standard", version.id, before={"status": "draft"},
                 after={"status": version.status})
    notify_organizations(
        _rights_holders_in_sector(version.sector_code),
        f"A standard awaits your decision: {version.title}",
        f"{version.standard.author_organization.name} proposed version {version.version} of "
        f"\u201c{version.title}\u201d ({version.sector.name}). Endorse it for your marks, or decline with a "
        f"reason: {version_link(version.id)}",
        topic="standard.propose",
    )
    return version


def withdraw_version(actor: Any, version: StandardVersion, reason: Any = "") -> StandardVersion:
    """Withdraw a draft or proposal (its authors only)."""
    reason = reason.strip()[:2000] if isinstance(reason, str) else ""
    lock_version(version)
    target = _move(actor, version, Action.WITHDRAW)
    before = {"status": version.status}
    version.status, version.withdrawn_at, version.withdrawn_by_id = target, utcnow(), actor.id
    version.withdrawal_reason = reason
    db.session.flush()
    audit.record(actor, "standard.withdraw", "standard", version.id, before=before,
                 after={"status": version.status, "reason": reason})
    endorsers = {e.organization_id for e in version.endorsements if e.is_live}
    if endorsers:
        notify_organizations(endorsers, f"Standard withdrawn: {version.title}",
                             f"{version.standard.author_organization.name} withdrew version "
                             f"{version.version} of \u201c{version.title}\u201d. {reason}\n"
                             f"{version_link(version.id)}",
                             topic="standard.withdraw")
    return version


def publish_version(actor: Any, version: StandardVersion) -> StandardVersion:
    """Publish an endorsed proposal, superseding the standard's published version in the same transaction."""
    lock_version(version)
    target = _move(actor, version, Action.PUBLISH)
    if live_endorsement_count(version.id) < 1:
        raise Conflict("A standard is published only with at least one live endorsement of this version; "
                       "endorsements of earlier versions do not count.", code="no_endorsement")
    now = utcnow()
    previous = db.session.scalar(
        select(StandardVersion).where(StandardVersion.standard_id == version.standard_id,
                                      StandardVersion.status == VersionStatus.PUBLISHED,
                                      StandardVersion.id != version.id)
        .with_for_update(of=StandardVersion))
    if previous is not None:
        # SUPERSEDE is the system's move in the table, made only here, never asked for directly.
        previous.status = states.target_status(previous.status, Action.SUPERSEDE)
        previous.superseded_at, previous.superseded_by_id = now, version.id
        db.session.flush()  # free the one-published slot before taking it
        audit.record(actor, "standard.supersede", "standard", previous.id, before={"status": "published"},
                     after={"status": previous.status, "superseded_by": version.id})
    version.status, version.published_at, version.published_by_id = target, now, actor.id
    db.session.flush()
    audit.record(actor, "standard.publish", "standard", version.id, before={"status": "proposed"},
                 after={"status": version.status,
                        "supersedes": previous.id if previous is not None else None})
    parties = {version.author_organization_id} | {e.organization_id for e in version.live_endorsements}
    replaces = f" It replaces version {previous.version}." if previous is not None else ""
    notify_organizations(parties, f"Standard published: {version.title}",
                         f"CBP published version {version.version} of \u201c{version.title}\u201d "
                         f"({version.sector.name}).{replaces}\n{version_link(version.id)}",
                         topic="standard.publish")
    return version


def revise_version(actor: Any, version: StandardVersion) -> StandardVersion:
    """Copy the latest version into a new draft (version + 1); endorsements never carry over."""
    lock_version(version)
    _move(actor, version, Action.REVISE)
    if (pending := open_version(version.standard_id)) is not None:
        raise Conflict(f"Version {pending.version} is still {pending.status}; finish or withdraw it first.",
                       code="open_version")
    latest = latest_version_number(version.standard_id)
    if version.version != latest:
        raise Conflict(f"Only the latest version (version {latest}) can be revised.", code="not_latest")
    draft = StandardVersion(
        standard_id=version.standard_id, version=latest + 1, sector_code=version.sector_code,
        title=version.title, change_note="", status=VersionStatus.DRAFT, created_by_id=actor.id,
        conditions=[VersionCondition(condition=c) for c in version.condition_codes],
        requirements=[Requirement(position=r.position, code=r.code, text=r.text, evidence=r.evidence)
                      for r in version.requirements],
    )
    db.session.add(draft)
    db.session.flush()
    audit.record(actor, "standard.revise", "standard", draft.id,
                 after={**draft.snapshot(), "revised_from": version.id})
    return draft

