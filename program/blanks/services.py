"""Every change to a blank-goods declaration: filing, the moves of ``states.TRANSITIONS``, and the
atomic consumption of declared quantities by release decisions.

Services work in the caller's transaction (they flush, never commit), write the audit entry
(``blank_declaration``) and queue the notification to the importer's contacts. Illegal moves raise
``Conflict`` (409). Every change to what the release-decision engine sees calls the hooks in
:data:`on_facts_changed` (the decisions domain registers its facts-version bump there).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import func, select, update

from core import audit
from core.accounts.models import User
from core.errors import Conflict, NotAllowed, NotFound, ValidationFailed
from core.extensions import db
from core.notifications import queue_notification
from core.timeutil import utcnow
from program.blanks import csv_import
from program.blanks.models import BlankConsumption, BlankDeclaration, BlankLine, BlankParty, BlankQuery
from program.blanks.states import ACTION_LABELS, STATUS_LABELS, SYSTEM, TRANSITIONS, Action, Marking, Status
from program.blanks.validation import clean_declaration
from program.enrollment.queries import active_enrollment_for_organization, current_enrollment
from standards.models import RecordedMark

# Called (without arguments) after every change of a declaration's facts: file, query, answer, revoke,
# withdraw, expire. Consumption changes only remaining quantities and does not call them.
on_facts_changed: list[Callable[[], None]] = []

TEXT_MAX = 5000
_blank_line = BlankLine.__table__

_ROLES_OF: dict[Action, frozenset[str]] = {
    action: frozenset().union(*(roles for (_frm, a), (_to, roles) in TRANSITIONS.items() if a == action))
    for action in Action
}
_PAST = {Action.QUERY: "queried", Action.ANSWER: "answered", Action.REVOKE: "revoked",
         Action.WITHDRAW: "withdrawn", Action.EXPIRE: "expired"}


def facts_changed() -> None:
    """Tell every registered listener that declaration facts changed (in the caller's transaction)."""
    for hook in list(on_facts_changed):
        hook()


# --------------------------------------------------------------------------- consumption (the contract)


def consume_blank_quantity(line_id: int, quantity: Decimal, *, decision_id: int | None, reference: str) -> bool:
    """Draw ``quantity`` from a declared line if that much remains; True when drawn (ledger row written).

    One conditional UPDATE (``... WHERE remaining_quantity >= :q``) does the check and the draw at once,
    so concurrent decisions can never overdraw, on PostgreSQL and SQLite alike. Runs in the caller's
    transaction and never commits.
    """
    quantity = Decimal(quantity)
    if not draw_blank_quantity(line_id, quantity):
        return False
    db.session.execute(BlankConsumption.__table__.insert().values(
        line_id=line_id, quantity=quantity, decision_id=decision_id, reference=(reference or "")[:100],
        created_at=utcnow()))
    return True


def draw_blank_quantity(line_id: int, quantity: Decimal) -> bool:
    """The conditional UPDATE alone: take ``quantity`` off the line if that much remains (True when taken).

    The bulk screen draws a whole chunk's total per line at once and writes the ledger rows itself
    (:func:`record_blank_consumptions`), in the same transaction.
    """
    if quantity <= 0:
        raise ValueError("quantity must be greater than 0")
    result = db.session.execute(
        update(_blank_line)
        .where(_blank_line.c.id == line_id, _blank_line.c.remaining_quantity >= quantity)
        .values(remaining_quantity=_blank_line.c.remaining_quantity - quantity)
    )
    return result.rowcount == 1


def record_blank_consumptions(rows: list[dict[str, Any]]) -> None:
    """Write ledger rows ``{line_id, quantity, decision_id, reference, created_at}`` in one executemany."""
    if rows:
        db.session.execute(BlankConsumption.__table__.insert(), rows)


def return_blank_draws(decision_id: int, *, reference: str) -> list[tuple[int, Decimal]]:
    """Give back to their declared lines the net quantities decision ``decision_id`` drew (it was superseded):
    each is added to the line's remaining quantity and written to the ledger as a negative row. Runs in the
    caller's transaction; returns ``(line_id, quantity)`` per line given back."""
    ledger = BlankConsumption.__table__
    net = func.sum(ledger.c.quantity)
    rows = db.session.execute(select(ledger.c.line_id, net).where(ledger.c.decision_id == decision_id)
                              .group_by(ledger.c.line_id).having(net > 0).order_by(ledger.c.line_id)).all()
    now = utcnow()
    for line_id, quantity in rows:
        db.session.execute(update(_blank_line).where(_blank_line.c.id == line_id)
                           .values(remaining_quantity=_blank_line.c.remaining_quantity + quantity))
        db.session.execute(ledger.insert().values(line_id=line_id, quantity=-quantity, decision_id=decision_id,
                                                  reference=(reference or "")[:100], created_at=now))
    return [(line_id, Decimal(quantity)) for line_id, quantity in rows]


def consume_many(consumptions: Iterable[tuple[int, Decimal]], *, decision_id: int | None, reference: str) -> bool:
    """Draw each ``(line_id, quantity)`` in turn; False at the first that does not fit (the caller then rolls
    back its transaction, so nothing is drawn)."""
    for line_id, quantity in consumptions:
        if not consume_blank_quantity(line_id, quantity, decision_id=decision_id, reference=reference):
            return False
    return True


# --------------------------------------------------------------------------- filing


def public_id_for(declaration: BlankDeclaration, at: datetime) -> str:
    """``BGD-<year>-<id, 6+ digits>``: human-friendly and unique with the surrogate key."""
    return f"BGD-{at.year}-{declaration.id:06d}"


def _marks(numbers: set[str]) -> dict[str, RecordedMark]:
    if not numbers:
        return {}
    return {m.recordation_number: m for m in db.session.scalars(
        select(RecordedMark).where(RecordedMark.recordation_number.in_(sorted(numbers))))}


def file_declaration(actor: Any, data: dict[str, Any], *, now: datetime | None = None,
                     as_of: date | None = None) -> BlankDeclaration:
    """File a declaration for the actor's organisation (403 without an approved, unexpired enrollment;
    422 naming every failing field). Lines come from ``lines`` or, for bulk filing, the ``lines_csv`` text."""
    now = now or utcnow()
    if getattr(actor, "role", None) != "importer":
        raise NotAllowed("Only importers file blank-goods declarations.")
    enrollment = active_enrollment_for_organization(actor.organization_id, as_of or now.date())
    if enrollment is None:
        raise NotAllowed("Only importers with an approved, unexpired enrollment may file blank-goods declarations.",
                         code="not_enrolled")
    data, paths = dict(data), None
    if data.get("lines_csv") is not None and not data.get("lines"):
        data["lines"], paths = csv_import.read_lines(csv_import.decode(data["lines_csv"]))
    clean, errors = clean_declaration(data, paths)
    paths = paths or [f"lines.{i}" for i in range(len(clean["lines"]))]
    marks = _marks({line["recordation_number"] for line in clean["lines"] if line["recordation_number"]})
    for i, line in enumerate(clean["lines"]):
        number = line["recordation_number"]
        if number and number not in marks:
            errors.setdefault(f"{paths[i]}.recordation_number", []).append(
                f"{number} is not a mark recorded with CBP.")
    if errors:
        raise ValidationFailed("The declaration could not be filed: " + ", ".join(sorted(errors)) + ".",
                               fields=errors)
    declaration = BlankDeclaration(
        organization_id=actor.organization_id, enrollment_id=enrollment.id, status=Status.FILED.value,
        valid_from=clean["valid_from"], valid_until=clean["valid_until"], attestation=True,
        filed_by_id=actor.id, filed_at=now, updated_at=now,
        parties=[BlankParty(position=i, **party) for i, party in enumerate(clean["parties"])],
        lines=[BlankLine(line_no=line["line_no"], description=line["description"], hts_code=line["hts_code"],
                         quantity=line["quantity"], remaining_quantity=line["quantity"], unit=line["unit"],
                         country_of_origin=line["country_of_origin"], intended_marking=line["intended_marking"],
                         authorization_ref=line["authorization_ref"] if line["intended_marking"] == Marking.LICENSED
                         else None,
                         mark=marks.get(line["recordation_number"] or ""),
                         licence_status="pending" if line["intended_marking"] == Marking.LICENSED else None)
               for line in clean["lines"]],
    )
    db.session.add(declaration)
    db.session.flush()
    declaration.public_id = public_id_for(declaration, now)
    db.session.flush()
    audit.record(actor, "blank_declaration.file", "blank_declaration", declaration.public_id,
                 before=None, after=snapshot(declaration))
    _notify(declaration, Action.FILE, Status.FILED, "")
    facts_changed()
    return declaration


def snapshot(declaration: BlankDeclaration) -> dict[str, Any]:
    """What the audit log keeps of a declaration when it is filed."""
    return {
        "status": declaration.status, "organization_id": declaration.organization_id,
        "valid_from": declaration.valid_from, "valid_until": declaration.valid_until,
        "parties": [{"role": p.role, "name": p.name, "country": p.country} for p in declaration.parties],
        "lines": [{"line_no": ln.line_no, "hts_code": ln.hts_code, "quantity": ln.quantity,
                   "intended_marking": ln.intended_marking, "authorization_ref": ln.authorization_ref,
                   "recordation_number": ln.recordation_number} for ln in declaration.lines],
    }


# --------------------------------------------------------------------------- transitions


def _begin(declaration: BlankDeclaration, action: Action, actor: Any) -> tuple[Status, Status]:
    """Lock the row, then check the move is in the table from its current state and for the actor's role."""
    current = db.session.execute(
        select(BlankDeclaration.status).where(BlankDeclaration.id == declaration.id).with_for_update()
    ).scalar_one()
    if current != declaration.status:
        db.session.refresh(declaration)
    role = getattr(actor, "role", None) or SYSTEM
    if role not in _ROLES_OF[action]:
        raise NotAllowed("Your role cannot make this change to a blank-goods declaration.")
    move = TRANSITIONS.get((Status(current), action))
    if move is None or role not in move[1]:
        raise Conflict(f"A declaration that is {STATUS_LABELS[current].lower()} cannot be {_PAST[action]}.",
                       code="invalid_transition")
    return Status(current), move[0]


def _finish(declaration: BlankDeclaration, action: Action, actor: Any, frm: Status, to: Status, *,
            now: datetime, reason: str = "", values: dict[str, Any] | None = None) -> BlankDeclaration:
    """Apply the move with a conditional UPDATE, then write the audit entry and the notification."""
    version = declaration.version
    result = db.session.execute(
        update(BlankDeclaration)
        .where(BlankDeclaration.id == declaration.id, BlankDeclaration.status == frm.value)
        .values(status=to.value, version=BlankDeclaration.version + 1, updated_at=now, **(values or {}))
        .execution_options(synchronize_session="evaluate")
    )
    if result.rowcount != 1:
        raise Conflict("Someone else changed this declaration at the same moment; reload it and try again.",
                       code="invalid_transition")
    db.session.flush()
    audit.record(actor, f"blank_declaration.{action}", "blank_declaration", declaration.public_id,
                 before={"status": frm.value, "version": version},
                 after={"status": to.value, "version": version + 1, "reason": reason})
    _notify(declaration, action, to, reason)
    facts_changed()
    return declaration


def _text(value: str | None, field: str, what: str, *, required: bool = True) -> str:
    text = (value or "").strip()
    if required and not text:
        raise ValidationFailed(f"Give {what}.", fields={field: [f"{what[0].upper()}{what[1:]} is required."]})
    if len(text) > TEXT_MAX:
        raise ValidationFailed(f"The {field} is too long.", fields={field: [f"Use at most {TEXT_MAX} characters."]})
    return text


def query_declaration(actor: Any, declaration: BlankDeclaration, *, question: str,
                      now: datetime | None = None) -> BlankDeclaration:
    """CBP asks the importer a question; the declaration is queried until answered, and covers no shipments meanwhile."""
    now = now or utcnow()
    frm, to = _begin(declaration, Action.QUERY, actor)
    question = _text(question, "question", "a question")
    db.session.add(BlankQuery(declaration=declaration, question=question, asked_by_id=actor.id, asked_at=now))
    return _finish(declaration, Action.QUERY, actor, frm, to, now=now, reason=question)


def answer_query(actor: Any, declaration: BlankDeclaration, *, answer: str,
                 now: datetime | None = None) -> BlankDeclaration:
    """The importer answers CBP's open question; the declaration is filed again."""
    now = now or utcnow()
    frm, to = _begin(declaration, Action.ANSWER, actor)
    answer = _text(answer, "answer", "an answer")
    open_query = declaration.open_query
    if open_query is not None:
        open_query.answer, open_query.answered_by_id, open_query.answered_at = answer, actor.id, now
    return _finish(declaration, Action.ANSWER, actor, frm, to, now=now, reason=answer)


def revoke_declaration(actor: Any, declaration: BlankDeclaration, *, reason: str,
                       now: datetime | None = None) -> BlankDeclaration:
    """CBP revokes a filed or queried declaration for good; it no longer covers shipments."""
    now = now or utcnow()
    frm, to = _begin(declaration, Action.REVOKE, actor)
    reason = _text(reason, "reason", "a reason")
    return _finish(declaration, Action.REVOKE, actor, frm, to, now=now, reason=reason,
                   values={"revoked_reason": reason, "closed_at": now, "closed_by_id": actor.id})


def withdraw_declaration(actor: Any, declaration: BlankDeclaration, *, reason: str = "",
                         now: datetime | None = None) -> BlankDeclaration:
    """The importer withdraws its filed or queried declaration."""
    now = now or utcnow()
    frm, to = _begin(declaration, Action.WITHDRAW, actor)
    reason = _text(reason, "reason", "a reason", required=False)
    return _finish(declaration, Action.WITHDRAW, actor, frm, to, now=now, reason=reason,
                   values={"withdrawn_reason": reason or None, "closed_at": now, "closed_by_id": actor.id})


def _expire(declaration: BlankDeclaration, now: datetime) -> bool:
    try:
        frm, to = _begin(declaration, Action.EXPIRE, None)
    except Conflict:  # someone else closed it first: nothing left to do
        return False
    _finish(declaration, Action.EXPIRE, None, frm, to, now=now, values={"closed_at": now},
            reason=f"The declaration was valid until {declaration.valid_until.isoformat()}.")
    return True


def expire_if_due(declaration: BlankDeclaration, *, now: datetime | None = None) -> bool:
    """Expire a live declaration whose validity ended before today; True when it did."""
    now = now or utcnow()
    if declaration.status not in (Status.FILED, Status.QUERIED) or declaration.valid_until >= now.date():
        return False
    return _expire(declaration, now)


def expire_declarations(as_of: date | None = None, *, organization_id: int | None = None,
                        now: datetime | None = None) -> list[BlankDeclaration]:
    """Expire every live declaration (of one organisation, if given) valid until before ``as_of``."""
    now = now or utcnow()
    as_of = as_of or now.date()
    query = select(BlankDeclaration).where(BlankDeclaration.status.in_([Status.FILED, Status.QUERIED]),
                                           BlankDeclaration.valid_until < as_of)
    if organization_id is not None:
        query = query.where(BlankDeclaration.organization_id == organization_id)
    due = db.session.scalars(query.order_by(BlankDeclaration.id)).all()
    return [declaration for declaration in due if _expire(declaration, now)]


# --------------------------------------------------------------------------- notifications


def _recipients(declaration: BlankDeclaration) -> list[str]:
    enrollment = current_enrollment(declaration.organization_id)
    emails = [c.email for c in enrollment.contacts] if enrollment else []
    if not emails:
        emails = list(db.session.scalars(select(User.email).where(
            User.organization_id == declaration.organization_id, User.active.is_(True))))
    return emails


def _notify(declaration: BlankDeclaration, action: Action, to: Status, reason: str) -> None:
    subject = f"Greenlane blank-goods declaration {declaration.public_id}: {ACTION_LABELS[action].lower()}"
    lines = [f"Blank-goods declaration {declaration.public_id} is now {STATUS_LABELS[to].lower()}."]
    if action == Action.QUERY:
        lines += ["", f"CBP asks: {reason}", "", "Please sign in and answer the question."]
    elif reason:
        lines += ["", f"{'Answer' if action == Action.ANSWER else 'Reason'}: {reason}"]
    if action == Action.FILE:
        lines += ["", f"Valid from {declaration.valid_from.isoformat()} until {declaration.valid_until.isoformat()}; "
                      f"{len(declaration.lines)} line(s) declared."]
    lines += ["", "Sign in to Greenlane to see the declaration, its lines and what has been drawn from them.",
              "This is an automated message from the Greenlane trusted-importer program (CBP)."]
    queue_notification(_recipients(declaration), subject, "\n".join(lines), topic=f"blank_declaration.{action}")


# --------------------------------------------------------------------------- licences (mark owners)

LICENCE_ACTIONS = {"confirm": "confirmed", "reject": "rejected"}


def decide_licence(actor: Any, declaration: BlankDeclaration, line_no: int, *, action: str, note: str = "") -> BlankLine:
    """The owner of the mark a licensed line names confirms or rejects the licence (it may change its answer);
    a rejected licence refers the goods drawn on the line (rule ``licence_rejected``)."""
    line = next((ln for ln in declaration.lines if ln.line_no == line_no), None)
    if line is None:
        raise NotFound(f"Declaration {declaration.public_id} has no line {line_no}.")
    if line.intended_marking != Marking.LICENSED or line.mark is None:
        raise Conflict(f"Line {line_no} does not declare goods marked under licence.", code="not_licensed")
    if actor is None or line.mark.owner_organization_id != actor.organization_id:
        raise NotAllowed("Only the owner of the mark the line names may answer for its licence.")
    if action not in LICENCE_ACTIONS:
        raise ValidationFailed("Confirm or reject the licence.", fields={"action": ["Use confirm or reject."]})
    note = _text(note, "note", "a note saying why", required=action == "reject")
    before = {"line_no": line_no, "licence_status": line.licence_status}
    line.licence_status = LICENCE_ACTIONS[action]
    line.licence_note = note or None
    line.licence_decided_at = utcnow()
    line.licence_decided_by_id = actor.id
    db.session.flush()
    audit.record(actor, f"blank_declaration.licence_{line.licence_status}", "blank_declaration", declaration.public_id,
                 before=before, after={"line_no": line_no, "licence_status": line.licence_status, "note": note})
    verdict = "confirmed" if action == "confirm" else "rejected"
    queue_notification(
        _recipients(declaration),
        f"Greenlane blank-goods declaration {declaration.public_id}: licence {verdict}",
        "\n".join([f"The owner of {line.recordation_number} has {verdict} the licence cited on line {line_no} "
                   f"({line.authorization_ref}) of declaration {declaration.public_id}.",
                   *([f"Note: {note}"] if note else []),
                   *(["Goods drawn on this line are referred for examination until the licence is settled."]
                     if action == "reject" else []),
                   "", "This is an automated message from the Greenlane trusted-importer program (CBP)."]),
        topic=f"blank_declaration.licence_{verdict}")
    facts_changed()
    return line
