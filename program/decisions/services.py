"""Release decisions as records: decide an entry against the cached facts, store it with Core, consume blanks.

One request is one transaction: the decision row, its lines, the blank-quantity consumptions (each a
conditional ``UPDATE … WHERE remaining >= :q``) and the audit entry commit together or not at all. When
a consumption loses a race (another decision drew the quantity between our read and our update), the
transaction is rolled back and the entry decided again on the quantities now left, so a decision never
claims goods it could not draw. Replays of an ``Idempotency-Key`` return the stored decision and
consume nothing.

An entry number has one live decision (a partial unique index backs the rule on every database): a new
request for it is 409 ``entry_already_decided`` unless it names the live decision in ``supersedes``. The
superseding transaction marks the earlier decision superseded with a conditional ``UPDATE … WHERE status =
'live'`` (of two concurrent supersedes one wins, the other is 409), gives its blank-goods draws back to the
ledger, then reads the declared lines and decides afresh. An entry whose decision has an open case cannot be
superseded.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from flask import current_app
from sqlalchemy import ColumnElement, Select, and_, insert, or_, select, update
from sqlalchemy.exc import IntegrityError

from core import audit
from core.accounts.models import User
from core.accounts.roles import CBP_ROLES, Role
from core.errors import Conflict, NotAllowed, NotFound, ValidationFailed
from core.extensions import db
from core.metrics import count_decisions
from core.pipeline import pipelined
from core.timeutil import utcnow
from program.decisions import facts as program_facts
from program.decisions import policy as perms
from program.decisions.engine import EntryDecision, decide
from program.decisions.inputs import entry_input
from program.decisions.models import (
    INLINE_COLUMNS,
    LIVE,
    SUPERSEDED,
    DecisionBatch,
    DecisionLine,
    ReleaseDecision,
    status_is,
)
from program.decisions.reason_sets import key_of, reason_set_ids
from program.decisions.uei import format_uei, new_uei

_DECISIONS = ReleaseDecision.__table__
_LINES = DecisionLine.__table__
MAX_ATTEMPTS = 5
# Statements built once, not per request; the decision's INSERT also reads the facts version (see _store).
_INSERT_DECISION = insert(_DECISIONS).returning(_DECISIONS.c.id, program_facts.VERSION_NOW)
# Inline: no ``RETURNING id`` on a one-line entry's single row — nobody reads it (see core.pipeline).
_INSERT_LINES = insert(_LINES).inline()


class IdempotencyConflict(Conflict):
    """The Idempotency-Key was used before with a different body."""


class EntryAlreadyDecided(Conflict):
    """The entry number has a live decision and the request does not supersede it (``live_id`` names it)."""

    live_id: int | None = None


def request_hash(data: dict[str, Any]) -> str:
    """SHA-256 of the canonical JSON of a parsed request (key order and number spelling do not matter)."""
    return hashlib.sha256(json.dumps(data, sort_keys=True, default=str, separators=(",", ":")).encode()).hexdigest()


def sample_rate() -> float:
    """The configured share of fully expedited entries referred for random compliance verification."""
    return float(current_app.config.get("VERIFICATION_SAMPLE_RATE", 0.02))


def is_cbp(user: Any) -> bool:
    """CBP staff see every decision and the facts each relied on."""
    return user is not None and user.role in CBP_ROLES


@dataclass(frozen=True, slots=True)
class Outcome:
    """A stored (or replayed) decision, ready to serialise."""

    payload: dict[str, Any]
    created: bool


def check_may_ask(actor: Any, ior_number: str, snap: program_facts.Snapshot) -> None:
    """Importers may ask only about IOR numbers on an enrollment of their own organisation, brokers only for
    those of an importer that delegated ``decisions`` to them (API.md)."""
    if actor is not None and actor.role == Role.BROKER:
        perms.check_broker_may_ask(actor, ior_number, snap.iors_of)
        return
    if actor is None or actor.role != Role.IMPORTER:
        return
    mine = snap.iors_of(actor.organization_id)
    if not mine:
        raise NotAllowed("Your organisation has no enrollment, so it cannot ask for release decisions.",
                         code="not_enrolled")
    if ior_number not in mine:
        raise NotAllowed(f"Importer of record {ior_number} is not on an enrollment of your organisation.",
                         code="not_your_ior")


def check_sectors(data: dict[str, Any], snap: program_facts.Snapshot) -> None:
    """Every line's sector must be a known sector code (422 naming ``lines.N.sector``)."""
    problems = {
        f"lines.{i}.sector": [f"Unknown sector {line['sector']!r}; use a sector code such as mobile_devices."]
        for i, line in enumerate(data["lines"]) if line["sector"] not in snap.sectors
    }
    if problems:
        raise ValidationFailed("Some lines name an unknown sector.", fields=problems)


def request_decision(actor: Any, data: dict[str, Any], *, idempotency_key: str | None = None,
                     source: str = "api", snap: program_facts.Snapshot | None = None,
                     decided_at: datetime | None = None, trust_cache: bool = False) -> Outcome:
    """Decide one parsed request and commit it (or return the decision an earlier identical request got).

    ``decided_at`` backdates the record (demo data only); requests always use the current time.
    ``trust_cache`` decides on the cached facts snapshot without reading the facts version first; the
    version is then checked by the statement that stores the decision, and a stale decision is rolled back
    and made again — so only a caller with no uncommitted work of its own may ask for it (the API does).
    """
    key = _idempotency_key(idempotency_key)
    digest = request_hash(data) if key else None
    actor_id = getattr(actor, "id", None)
    if key is not None and (earlier := _replay(actor_id, key, digest)) is not None:
        return earlier
    # A caller's snapshot (a batch) is used as given. With ``trust_cache`` the cached one is used without
    # reading the facts version first: the statement that stores the decision reads it (``_store``), and a
    # decision made on facts that have changed since is made again on fresh ones before anything commits.
    unchecked = False
    if snap is None:
        snap = program_facts.cached_snapshot() if trust_cache else None
        unchecked = snap is not None
        snap = snap or program_facts.snapshot()
    try:
        _check_request(actor, data, snap)
    except (ValidationFailed, NotAllowed):
        if not unchecked or program_facts.current_version() == snap.version:
            raise
        snap, unchecked = program_facts.snapshot(), False  # refused on stale facts: ask the fresh ones
        _check_request(actor, data, snap)
    entry = entry_input(data)
    supersedes = _check_supersedes(actor, data)
    uei = new_uei()
    for _attempt in range(MAX_ATTEMPTS):
        if supersedes is not None:
            _supersede(actor, supersedes, uei=uei, now=decided_at)
        facts = program_facts.with_fresh_blank_lines(
            snap.facts, ((line.blank_declaration_id, line.blank_line_no) for line in entry.lines
                         if line.condition == "blank"))
        decision = decide(entry, facts, uei=uei, sample_rate=sample_rate())
        try:
            payload = _store(actor, data, decision, uei=uei, snap=snap, source=source, key=key, digest=digest,
                             now=decided_at, expect_version=snap.version if unchecked else None)
        except _LostRace:
            db.session.rollback()
            continue
        except _StaleFacts:
            db.session.rollback()
            snap, unchecked = program_facts.snapshot(), False
            _check_request(actor, data, snap)
            continue
        except IntegrityError:
            db.session.rollback()
            if key is not None and (earlier := _replay(actor_id, key, digest)) is not None:
                return earlier  # a concurrent request with the same key won
            if (live := _live_decision_id(data["entry_number"])) is not None:
                raise _already_decided(data["entry_number"], live) from None  # a concurrent decision won
            raise
        db.session.commit()
        count_decisions({decision.outcome: 1}, source)
        return Outcome(payload, created=True)
    raise Conflict("The blank-goods quantities cited kept changing; try again.", code="busy")


def entry_number_is(value: str) -> ColumnElement[bool]:
    """Decisions of entry number ``value``, live or superseded: one arm per status, so each arm is served by
    its partial index (``uq_release_decision_live_entry``, ``ix_release_decision_superseded_entry``)."""
    return or_(and_(ReleaseDecision.entry_number == value, status_is(LIVE)),
               and_(ReleaseDecision.entry_number == value, status_is(SUPERSEDED)))


def _live_decision_id(entry_number: str) -> int | None:
    return db.session.scalar(select(ReleaseDecision.id).where(ReleaseDecision.entry_number == entry_number,
                                                              status_is(LIVE)))


def _already_decided(entry_number: str, live_id: int) -> EntryAlreadyDecided:
    error = EntryAlreadyDecided(
        f"Entry {entry_number} already has a live release decision ({live_id}); name it in \"supersedes\" to "
        "decide the entry afresh.", code="entry_already_decided",
        fields={"supersedes": [f"Give {live_id} to supersede the live decision."]})
    error.live_id = live_id
    return error


def _check_supersedes(actor: Any, data: dict[str, Any]) -> int | None:
    """The live decision the request supersedes (None when it names none: then the unique index on live
    entries refuses the INSERT if the entry has one, and that becomes 409 ``entry_already_decided`` without
    a look-up on the hot path); 409 while the named decision's case is open or once it is superseded."""
    from program.cases.models import EnforcementCase

    entry_number, named = data["entry_number"], data.get("supersedes")
    if named is None:
        return None
    live = _live_decision_id(entry_number)
    earlier = db.session.get(ReleaseDecision, named)
    if earlier is None or earlier.entry_number != entry_number or not may_see(actor, earlier):
        raise ValidationFailed("The decision to supersede must be the live decision for this entry.",
                               fields={"supersedes": [f"No decision {named} for entry {entry_number}."]})
    if earlier.status != LIVE:
        raise Conflict(f"Decision {named} was already superseded; supersede the live decision ({live}) instead.",
                       code="already_superseded", fields={"supersedes": ["Already superseded."]})
    if db.session.scalar(select(EnforcementCase.id).where(EnforcementCase.decision_id == named,
                                                          EnforcementCase.status == "detained")) is not None:
        raise Conflict(f"Entry {entry_number} has an open enforcement case; its decision cannot be superseded "
                       "until the case is closed.", code="case_open")
    return named


def _supersede(actor: Any, decision_id: int, *, uei: str, now: datetime | None) -> None:
    """Mark ``decision_id`` superseded (only if still live) and give its blank-goods draws back, in the
    caller's transaction; 409 when another request superseded it first or a case was opened meanwhile."""
    from program.blanks.services import return_blank_draws
    from program.cases.models import EnforcementCase

    result = db.session.execute(
        update(_DECISIONS).where(_DECISIONS.c.id == decision_id, _DECISIONS.c.status == LIVE)
        .values(status=SUPERSEDED, superseded_at=now or utcnow()))
    if result.rowcount != 1:
        db.session.rollback()
        raise Conflict(f"Decision {decision_id} was superseded by another request at the same moment.",
                       code="already_superseded", fields={"supersedes": ["Already superseded."]})
    if db.session.scalar(select(EnforcementCase.id).where(EnforcementCase.decision_id == decision_id,
                                                          EnforcementCase.status == "detained")) is not None:
        db.session.rollback()
        raise Conflict("An enforcement case was opened on this entry; its decision cannot be superseded.",
                       code="case_open")
    returned = return_blank_draws(decision_id, reference=f"returned: superseded by {uei}")
    audit.record(actor, "supersede", "release_decision", decision_id, before={"status": LIVE},
                 after={"status": SUPERSEDED, "superseded_by_uei": uei,
                        "returned": [{"blank_line_id": line_id, "quantity": q} for line_id, q in returned]})


def may_see(user: Any, decision: ReleaseDecision) -> bool:
    """CBP staff see every decision; others their organisation's."""
    return is_cbp(user) or (user is not None and decision.organization_id == user.organization_id)


def _idempotency_key(value: str | None, field: str = "Idempotency-Key") -> str | None:
    key = value.strip() if value else None
    if key is not None and not 1 <= len(key) <= 200:
        raise ValidationFailed(f"The {field} is 1 to 200 characters.", fields={field: ["Use 1 to 200 characters."]})
    return key


def _check_request(actor: Any, data: dict[str, Any], snap: program_facts.Snapshot) -> None:
    """The refusals a request can get from the facts: unknown sectors (422), another organisation's IOR (403)."""
    check_sectors(data, snap)
    check_may_ask(actor, data["ior_number"], snap)


class _LostRace(Exception):
    """A blank-quantity consumption found less left than the decision was made on."""


class _StaleFacts(Exception):
    """The facts version moved after the cached snapshot the decision was made on."""


def _replay(actor_id: int | None, key: str, digest: str | None) -> Outcome | None:
    decision = db.session.scalar(
        select(ReleaseDecision).where(ReleaseDecision.requested_by_id == actor_id,
                                      ReleaseDecision.idempotency_key == key))
    if decision is None:
        return None
    if decision.request_hash != digest:
        raise IdempotencyConflict(
            "This Idempotency-Key was already used with a different request body.",
            code="idempotency_key_reused",
            fields={"Idempotency-Key": ["Already used with a different body; use a new key for a new request."]},
        )
    return Outcome(decision_payload(decision, None), created=False)


def _store(actor: Any, data: dict[str, Any], decision: EntryDecision, *, uei: str,
           snap: program_facts.Snapshot, source: str, key: str | None, digest: str | None,
           screen_job_id: int | None = None, now: datetime | None = None,
           expect_version: int | None = None) -> dict[str, Any]:
    """Insert the decision and its lines with Core, apply the consumptions, audit; flushes, never commits.

    With ``expect_version``, raises ``_StaleFacts`` (before anything else is written) when the facts version
    read by the decision's own INSERT differs: the decision was made on a snapshot that is out of date.
    """
    from program.blanks.services import consume_blank_quantity

    now = now or utcnow()
    enrollment = snap.facts.enrollments.get(data["ior_number"])
    organization_id = enrollment.organization_id if enrollment is not None else None
    if organization_id is None and actor is not None and actor.role == Role.IMPORTER:
        organization_id = actor.organization_id
    row = {
        "uei": uei, "entry_number": data["entry_number"], "port_code": data["port_code"],
        "ior_number": data["ior_number"], "organization_id": organization_id,
        "enrollment_id": decision.facts_used["enrollment_id"], "requested_by_id": getattr(actor, "id", None),
        "source": source, "screen_job_id": screen_job_id, "outcome": decision.outcome,
        "rules_version": decision.rules_version, "facts_used": decision.facts_used,
        "line_count": len(decision.lines), "idempotency_key": key, "request_hash": digest, "decided_at": now,
        "status": LIVE, "supersedes_id": data.get("supersedes"), "shipment": data.get("shipment"),
    }
    # Both inserts go straight to the transaction's connection (after the flush the Session would do):
    # the Session's per-statement bind look-up and ORM execution path cost more than the statements.
    session = db.session
    session.flush()
    connection = session.connection(bind_arguments={"clause": _INSERT_DECISION})
    set_ids = reason_set_ids(connection, [key_of(decided.reasons) for decided in decision.lines])
    lines = _line_rows(data["lines"], decision)
    one_line = len(lines) == 1  # a parcel: its line goes in the decision's own row (models.py)
    if one_line:
        row |= {INLINE_COLUMNS[name]: value for name, value in lines[0].items() if name in INLINE_COLUMNS}
        row["line_reason_set_id"] = set_ids[0]
    decision_id, facts_version = connection.execute(_INSERT_DECISION, row).one()
    if expect_version is not None and facts_version != expect_version:
        raise _StaleFacts
    for line in lines:
        line["decision_id"] = decision_id
    for consumption in decision.consumptions:  # each draw's row count is read: before the pipeline below
        if not consume_blank_quantity(consumption.blank_line_id, consumption.quantity, decision_id=decision_id,
                                      reference=uei):
            raise _LostRace
    # Nothing reads the results of the last two writes: on PostgreSQL they share one round trip. Whatever the
    # session still holds goes out first (inside, an ORM flush could not read its row counts).
    session.flush()
    with pipelined(connection):
        if not one_line:
            connection.execute(_INSERT_LINES, [{name: value for name, value in line.items() if name != "reasons"}
                                               | {"reason_set_id": set_id}
                                               for line, set_id in zip(lines, set_ids, strict=True)])
        audit.record(actor, "decide", "release_decision", decision_id,
                     after={"uei": uei, "entry_number": row["entry_number"], "ior_number": row["ior_number"],
                            "outcome": decision.outcome, "rules_version": decision.rules_version, "source": source})
    row["id"] = decision_id
    return _payload(row, lines, cbp=is_cbp(actor))


def _line_rows(lines: list[dict[str, Any]], decision: EntryDecision) -> list[dict[str, Any]]:
    """The lines as stored (their decision's id is added once it has one) with their reasons."""
    rows = []
    for line, decided in zip(lines, decision.lines, strict=True):
        rows.append({
            "decision_id": None, "line_no": line["line_no"], "description": line["description"],
            "hts_code": line["hts_code"], "quantity": line["quantity"], "value_usd": line["value_usd"],
            "sector": line["sector"], "condition": line["condition"],
            "recordation_number": line.get("recordation_number"), "lever_label": bool(line.get("lever_label")),
            "blank_declaration_id": line.get("blank_declaration_id"), "blank_line_no": line.get("blank_line_no"),
            "country_of_origin": line.get("country_of_origin"), "outcome": decided.outcome,
            "reasons": [{"code": r.code, "message": r.message} for r in decided.reasons],
        })
    return rows


_LINE_FIELDS = ("line_no", "outcome", "reasons", "description", "hts_code", "quantity", "value_usd", "sector",
                "condition", "recordation_number", "lever_label", "blank_declaration_id", "blank_line_no",
                "country_of_origin")


def _payload(row: dict[str, Any], lines: Iterable[dict[str, Any]], *, cbp: bool,
             superseded_by: int | None = None) -> dict[str, Any]:
    out = {
        "id": row["id"], "uei": row["uei"], "uei_display": format_uei(row["uei"]),
        "entry_number": row["entry_number"], "port_code": row["port_code"], "ior_number": row["ior_number"],
        "outcome": row["outcome"], "rules_version": row["rules_version"], "decided_at": row["decided_at"],
        "source": row["source"], "lines": [{f: line[f] for f in _LINE_FIELDS} for line in lines],
        "status": row["status"] or LIVE, "supersedes": row["supersedes_id"], "superseded_by": superseded_by,
        "shipment": row["shipment"],
    }
    if cbp:
        out["facts_used"] = row["facts_used"]
    return out


def decision_payload(decision: ReleaseDecision, viewer: Any) -> dict[str, Any]:
    """The API shape of a stored decision; the facts it relied on only for CBP staff."""
    row = {c.key: getattr(decision, c.key) for c in _DECISIONS.columns}
    return _payload(row, ({f: getattr(line, f) for f in _LINE_FIELDS} for line in decision.lines),
                    cbp=is_cbp(viewer), superseded_by=superseded_by(decision))


def superseded_by(decision: ReleaseDecision) -> int | None:
    """Id of the decision that superseded ``decision`` (None while it is live)."""
    if decision.status != SUPERSEDED:
        return None
    return db.session.scalar(select(ReleaseDecision.id).where(ReleaseDecision.supersedes_id == decision.id))


def _claim_batch(actor_id: int | None, key: str, digest: str, items: int) -> int:
    """The id of the batch recorded under ``key`` (recorded now, and committed, if new); 409 when the key was
    used with a different body."""
    for _attempt in range(2):
        row = db.session.execute(select(DecisionBatch.id, DecisionBatch.request_hash).where(
            DecisionBatch.requested_by_id == actor_id, DecisionBatch.idempotency_key == key)).first()
        if row is not None:
            if row.request_hash != digest:
                raise IdempotencyConflict(
                    "This Idempotency-Key was already used with a different batch.", code="idempotency_key_reused",
                    fields={"Idempotency-Key": ["Already used with a different body; use a new key for a new batch."]})
            return row.id
        batch = DecisionBatch(requested_by_id=actor_id, idempotency_key=key, request_hash=digest, items=items)
        db.session.add(batch)
        try:
            db.session.commit()
        except IntegrityError:
            db.session.rollback()  # the same batch, sent concurrently, was recorded first: read it
            continue
        return batch.id
    raise Conflict("The batch could not be recorded; try again.", code="busy")


def decide_batch(actor: Any, items: list[Any], load: Any, *, idempotency_key: str | None = None) -> list[dict[str, Any]]:
    """Decide each item of a batch on one facts snapshot; each valid item commits on its own.

    ``load`` parses one raw item (raising marshmallow's ``ValidationError``); bad items get an error entry
    in their place and do not stop the others. With ``idempotency_key`` each item is decided under a key of
    its own derived from the batch's (an item's own ``idempotency_key`` wins), so a replay of the same batch
    returns the same decisions and draws nothing again; the same key with another body is 409.
    """
    from marshmallow import ValidationError

    batch_key = _idempotency_key(idempotency_key)
    batch_id = (_claim_batch(getattr(actor, "id", None), batch_key, request_hash({"batch": items}), len(items))
                if batch_key is not None else None)
    snap = program_facts.snapshot()
    results: list[dict[str, Any]] = []
    for index, item in enumerate(items):
        try:
            item_key = f"batch-{batch_id}-{index}" if batch_id is not None else None
            if isinstance(item, dict) and "idempotency_key" in item:
                item = dict(item)
                own = item.pop("idempotency_key")
                if own is not None and not isinstance(own, str):
                    raise ValidationFailed("An item's idempotency_key is text.",
                                           fields={"idempotency_key": ["Use 1 to 200 characters."]})
                item_key = _idempotency_key(own, "idempotency_key") or item_key
            data = load(item)
            outcome = request_decision(actor, data, idempotency_key=item_key, source="batch", snap=snap)
        except ValidationError as error:
            results.append({"index": index, "status": 422, "code": "invalid",
                            "message": "This item has invalid fields.", "errors": {"json": error.messages}})
        except (ValidationFailed, NotAllowed, Conflict) as error:
            db.session.rollback()
            results.append({"index": index, **error.to_dict()})
        else:
            results.append(outcome.payload)
    return results


# --------------------------------------------------------------------------- reading


def visible_decisions(user: Any) -> Select:
    """Decisions ``user`` may list, newest first: all for CBP, the own organisation's for importers."""
    query = select(ReleaseDecision).order_by(ReleaseDecision.decided_at.desc(), ReleaseDecision.id.desc())
    if is_cbp(user):
        return query
    if user.role == Role.BROKER:  # the decisions its own users asked for, on its principals' behalf
        return query.where(ReleaseDecision.requested_by_id.in_(
            select(User.id).where(User.organization_id == user.organization_id)))
    return query.where(ReleaseDecision.organization_id == user.organization_id)


def get_decision_for(user: Any, decision_id: int) -> ReleaseDecision:
    """The decision if ``user`` may see it; 404 otherwise (another importer's must not leak)."""
    decision = db.session.get(ReleaseDecision, decision_id)
    if decision is None or not (is_cbp(user) or decision.organization_id == user.organization_id
                                or (user.role == Role.BROKER and _requested_within(decision, user.organization_id))):
        raise NotFound("No such release decision.")
    return decision


def _requested_within(decision: ReleaseDecision, organization_id: int) -> bool:
    requester = db.session.get(User, decision.requested_by_id) if decision.requested_by_id else None
    return requester is not None and requester.organization_id == organization_id


def filtered(query: Select, args: dict[str, Any]) -> Select:
    """Apply the list filters of API.md (IOR number, outcome) and a few more (entry, port, dates)."""
    from datetime import UTC, time

    if value := (args.get("ior_number") or "").strip().upper():
        query = query.where(ReleaseDecision.ior_number == value)
    if value := args.get("outcome"):
        query = query.where(ReleaseDecision.outcome == value)
    if value := args.get("status"):
        query = query.where(ReleaseDecision.status == value)
    if value := (args.get("entry_number") or "").strip().upper():
        query = query.where(entry_number_is(value))
    if value := (args.get("port_code") or "").strip():
        query = query.where(ReleaseDecision.port_code == value)
    if value := args.get("decided_from"):
        query = query.where(ReleaseDecision.decided_at >= datetime.combine(value, time.min, UTC))
    if value := args.get("decided_until"):
        query = query.where(ReleaseDecision.decided_at <= datetime.combine(value, time.max, UTC))
    return query
