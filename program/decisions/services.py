"""Release decisions as records: decide an entry against the cached facts, store it with Core, consume blanks.

One request is one transaction: the decision row, its lines, the blank-quantity consumptions (each a
conditional ``UPDATE … WHERE remaining >= :q``) and the audit entry commit together or not at all. When
a consumption loses a race (another decision drew the quantity between our read and our update), the
transaction is rolled back and the entry decided again on the quantities now left, so a decision never
claims goods it could not draw. Replays of an ``Idempotency-Key`` return the stored decision and
consume nothing.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from flask import current_app
from sqlalchemy import Select, insert, select
from sqlalchemy.exc import IntegrityError

from core import audit
from core.accounts.roles import CBP_ROLES, Role
from core.errors import Conflict, NotAllowed, NotFound, ValidationFailed
from core.extensions import db
from core.metrics import count_decisions
from core.timeutil import utcnow
from program.decisions import facts as program_facts
from program.decisions.engine import EntryDecision, decide
from program.decisions.inputs import entry_input
from program.decisions.models import DecisionLine, ReleaseDecision
from program.decisions.uei import format_uei, new_uei

_DECISIONS = ReleaseDecision.__table__
_LINES = DecisionLine.__table__
MAX_ATTEMPTS = 5
# Statements built once, not per request; the decision's INSERT also reads the facts version (see _store).
_INSERT_DECISION = insert(_DECISIONS).returning(_DECISIONS.c.id, program_facts.VERSION_NOW)
_INSERT_LINES = insert(_LINES)


class IdempotencyConflict(Conflict):
    """The Idempotency-Key was used before with a different body."""


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
    """Importers may ask only about IOR numbers on an enrollment of their own organisation (API.md)."""
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
    key = idempotency_key.strip() if idempotency_key else None
    if key is not None and not 1 <= len(key) <= 200:
        raise ValidationFailed("The Idempotency-Key header is 1 to 200 characters.",
                               fields={"Idempotency-Key": ["Use 1 to 200 characters."]})
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
    uei = new_uei()
    for _attempt in range(MAX_ATTEMPTS):
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
            raise
        db.session.commit()
        count_decisions({decision.outcome: 1}, source)
        return Outcome(payload, created=True)
    raise Conflict("The blank-goods quantities cited kept changing; try again.", code="busy")


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
    }
    # Both inserts go straight to the transaction's connection (after the flush the Session would do):
    # the Session's per-statement bind look-up and ORM execution path cost more than the statements.
    session = db.session
    session.flush()
    connection = session.connection(bind_arguments={"clause": _INSERT_DECISION})
    decision_id, facts_version = connection.execute(_INSERT_DECISION, row).one()
    if expect_version is not None and facts_version != expect_version:
        raise _StaleFacts
    lines = _line_rows(decision_id, data["lines"], decision)
    connection.execute(_INSERT_LINES, lines)
    for consumption in decision.consumptions:
        if not consume_blank_quantity(consumption.blank_line_id, consumption.quantity, decision_id=decision_id,
                                      reference=uei):
            raise _LostRace
    audit.record(actor, "decide", "release_decision", decision_id,
                 after={"uei": uei, "entry_number": row["entry_number"], "ior_number": row["ior_number"],
                        "outcome": decision.outcome, "rules_version": decision.rules_version, "source": source})
    row["id"] = decision_id
    return _payload(row, lines, cbp=is_cbp(actor))


def _line_rows(decision_id: int, lines: list[dict[str, Any]], decision: EntryDecision) -> list[dict[str, Any]]:
    rows = []
    for line, decided in zip(lines, decision.lines, strict=True):
        rows.append({
            "decision_id": decision_id, "line_no": line["line_no"], "description": line["description"],
            "hts_code": line["hts_code"], "quantity": line["quantity"], "value_usd": line["value_usd"],
            "sector": line["sector"], "condition": line["condition"],
            "recordation_number": line.get("recordation_number"), "lever_label": bool(line.get("lever_label")),
            "blank_declaration_id": line.get("blank_declaration_id"), "blank_line_no": line.get("blank_line_no"),
            "outcome": decided.outcome,
            "reasons": [{"code": r.code, "message": r.message} for r in decided.reasons],
        })
    return rows


_LINE_FIELDS = ("line_no", "outcome", "reasons", "description", "hts_code", "quantity", "value_usd", "sector",
                "condition", "recordation_number", "lever_label", "blank_declaration_id", "blank_line_no")


def _payload(row: dict[str, Any], lines: Iterable[dict[str, Any]], *, cbp: bool) -> dict[str, Any]:
    out = {
        "id": row["id"], "uei": row["uei"], "uei_display": format_uei(row["uei"]),
        "entry_number": row["entry_number"], "port_code": row["port_code"], "ior_number": row["ior_number"],
        "outcome": row["outcome"], "rules_version": row["rules_version"], "decided_at": row["decided_at"],
        "source": row["source"], "lines": [{f: line[f] for f in _LINE_FIELDS} for line in lines],
    }
    if cbp:
        out["facts_used"] = row["facts_used"]
    return out


def decision_payload(decision: ReleaseDecision, viewer: Any) -> dict[str, Any]:
    """The API shape of a stored decision; the facts it relied on only for CBP staff."""
    row = {c.key: getattr(decision, c.key) for c in _DECISIONS.columns}
    return _payload(row, ({f: getattr(line, f) for f in _LINE_FIELDS} for line in decision.lines),
                    cbp=is_cbp(viewer))


def decide_batch(actor: Any, items: list[Any], load: Any) -> list[dict[str, Any]]:
    """Decide each item of a batch on one facts snapshot; each valid item commits on its own.

    ``load`` parses one raw item (raising marshmallow's ``ValidationError``); bad items get an error entry
    in their place and do not stop the others.
    """
    from marshmallow import ValidationError

    snap = program_facts.snapshot()
    results: list[dict[str, Any]] = []
    for index, item in enumerate(items):
        try:
            data = load(item)
            outcome = request_decision(actor, data, source="batch", snap=snap)
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
    return query.where(ReleaseDecision.organization_id == user.organization_id)


def get_decision_for(user: Any, decision_id: int) -> ReleaseDecision:
    """The decision if ``user`` may see it; 404 otherwise (another importer's must not leak)."""
    decision = db.session.get(ReleaseDecision, decision_id)
    if decision is None or not (is_cbp(user) or decision.organization_id == user.organization_id):
        raise NotFound("No such release decision.")
    return decision


def filtered(query: Select, args: dict[str, Any]) -> Select:
    """Apply the list filters of API.md (IOR number, outcome) and a few more (entry, port, dates)."""
    from datetime import UTC, time

    if value := (args.get("ior_number") or "").strip().upper():
        query = query.where(ReleaseDecision.ior_number == value)
    if value := args.get("outcome"):
        query = query.where(ReleaseDecision.outcome == value)
    if value := (args.get("entry_number") or "").strip().upper():
        query = query.where(ReleaseDecision.entry_number == value)
    if value := (args.get("port_code") or "").strip():
        query = query.where(ReleaseDecision.port_code == value)
    if value := args.get("decided_from"):
        query = query.where(ReleaseDecision.decided_at >= datetime.combine(value, time.min, UTC))
    if value := args.get("decided_until"):
        query = query.where(ReleaseDecision.decided_at <= datetime.combine(value, time.max, UTC))
    return query
