"""Rights holders' decisions: endorse a version for some of their own marks, decline it, or withdraw."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from core import audit
from core.errors import Conflict, NotAllowed, NotFound, ValidationFailed
from core.extensions import db
from core.timeutil import utcnow
from standards import states
from standards.lookups import live_decisions
from standards.models import Endorsement, RecordedMark, StandardVersion, endorsement_mark
from standards.services.marks import normalize_recordation_number
from standards.services.notify import notify_organizations, version_link
from standards.services.versions import lock_version
from standards.states import Action, Decision


def _statement(value: Any, *, field: str, label: str) -> str:
    text = value.strip() if isinstance(value, str) else ""
    if not text:
        raise ValidationFailed(f"The {label} is required.", fields={field: ["Required."]})
    if len(text) > 4000:
        raise ValidationFailed(f"The {label} is too long.", fields={field: ["At most 4000 characters."]})
    return text


def _mark_numbers(marks: Any) -> list[str]:
    if isinstance(marks, str) or not isinstance(marks, list | tuple) or not marks:
        raise ValidationFailed("Choose at least one of your marks.",
                               fields={"marks": ["Give a non-empty list of recordation numbers."]})
    numbers: list[str] = []
    for value in marks:
        try:
            numbers.append(normalize_recordation_number(value, field="marks"))
        except ValidationFailed as exc:
            raise ValidationFailed(exc.message, fields={"marks": exc.fields["marks"]}) from exc
    return list(dict.fromkeys(numbers))


def get_decision(version_id: int, endorsement_id: int) -> Endorsement:
    """One endorsement or decline of this version, or 404."""
    found = db.session.get(Endorsement, endorsement_id)
    if found is None or found.version_id != version_id:
        raise NotFound("No such endorsement of this standard.")
    return found


def endorse_version(actor: Any, version: StandardVersion, *, marks: Any, statement: Any) -> Endorsement:
    """Endorse a proposed or published version for marks the actor's organisation owns."""
    errors: dict[str, list[str]] = {}
    numbers: list[str] = []
    try:
        numbers = _mark_numbers(marks)
    except ValidationFailed as exc:
        errors.update(exc.fields)
    try:
        statement = _statement(statement, field="statement", label="endorsement statement")
    except ValidationFailed as exc:
        errors.update(exc.fields)
    if errors:
        raise ValidationFailed("The endorsement could not be recorded.", fields=errors)
    lock_version(version)
    states.check(version.status, Action.ENDORSE, actor, version.author_organization_id)
    records = {m.recordation_number: m for m in db.session.scalars(
        select(RecordedMark).where(RecordedMark.recordation_number.in_(numbers)))}
    unknown = [n for n in numbers if n not in records]
    if unknown:
        raise ValidationFailed("Some marks are not recorded.",
                               fields={"marks": [f"Not a recorded mark: {', '.join(unknown)}."]})
    foreign = [n for n in numbers if records[n].owner_organization_id != actor.organization_id]
    if foreign:
        raise NotAllowed(f"Your organisation does not own {', '.join(foreign)}; you can endorse only for "
                         "your own marks.", code="not_your_mark")
    mine = live_decisions(version.id, actor.organization_id)
    if any(d.decision == Decision.DECLINE for d in mine):
        raise Conflict("Your organisation has declined this version; withdraw the decline first.",
                       code="declined")
    already = sorted({m.recordation_number for d in mine for m in d.marks} & set(numbers))
    if already:
        raise Conflict(f"Already endorsed for {', '.join(already)}.", code="already_endorsed")
    endorsement = Endorsement(version_id=version.id, organization_id=actor.organization_id,
                              decision=Decision.ENDORSE, statement=statement, created_by_id=actor.id,
                              marks=[records[n] for n in numbers])
    db.session.add(endorsement)
    db.session.flush()
    audit.record(actor, "endorsement.create", "endorsement", endorsement.id,
                 after={"version_id": version.id, "organization_id": actor.organization_id, "marks": numbers,
                        "statement": statement})
    notify_organizations({version.author_organization_id}, f"Endorsement received: {version.title}",
                         f"{actor.organization.name} endorsed version {version.version} of "
                         f"\u201c{version.title}\u201d for {', '.join(numbers)}.\n{version_link(version.id)}",
                         topic="endorsement.create")
    return endorsement


def decline_version(actor: Any, version: StandardVersion, *, reason: Any) -> Endorsement:
    """Decline a proposed or published version, with a reason its authors and CBP can read."""
    reason = _statement(reason, field="reason", label="reason for declining")
    lock_version(version)
    states.check(version.status, Action.DECLINE, actor, version.author_organization_id)
    mine = live_decisions(version.id, actor.organization_id)
    if any(d.decision == Decision.DECLINE for d in mine):
        raise Conflict("Your organisation has already declined this version.", code="already_declined")
    if mine:
        raise Conflict("Your organisation endorses this version; withdraw the endorsement before declining.",
                       code="endorsed")
    decline = Endorsement(version_id=version.id, organization_id=actor.organization_id,
                          decision=Decision.DECLINE, statement=reason, created_by_id=actor.id)
    db.session.add(decline)
    db.session.flush()
    audit.record(actor, "endorsement.decline", "endorsement", decline.id,
                 after={"version_id": version.id, "organization_id": actor.organization_id, "reason": reason})
    notify_organizations({version.author_organization_id}, f"Standard declined: {version.title}",
                         f"{actor.organization.name} declined version {version.version} of "
                         f"\u201c{version.title}\u201d:\n{reason}\n{version_link(version.id)}",
                         topic="endorsement.decline")
    return decline


def withdraw_decision(actor: Any, decision: Endorsement) -> Endorsement:
    """Withdraw one's organisation's endorsement or decline; release decisions stop counting it at once."""
    if decision.organization_id != actor.organization_id:
        raise NotAllowed("Only the organisation that gave it can withdraw it.")
    if decision.withdrawn_at is not None:
        raise Conflict("It has already been withdrawn.", code="already_withdrawn")
    decision.withdrawn_at, decision.withdrawn_by_id = utcnow(), actor.id
    db.session.flush()
    audit.record(actor, "endorsement.withdraw", "endorsement", decision.id, before={"live": True},
                 after={"live": False, "decision": decision.decision, "version_id": decision.version_id})
    return decision


def endorsed_mark_ids(version_id: int) -> set[int]:
    """Marks with a live endorsement of this version."""
    return set(db.session.scalars(
        select(endorsement_mark.c.mark_id)
        .join(Endorsement, Endorsement.id == endorsement_mark.c.endorsement_id)
        .where(Endorsement.version_id == version_id, Endorsement.withdrawn_at.is_(None))))
