"""The release-decision rules engine: pure functions over an immutable snapshot of program facts.

No Flask, no database, no I/O. The caller builds a :class:`Facts` snapshot once (debarred list,
enrollments, heightened sectors, recorded marks, endorsed standards, blank-declaration lines) and calls
:func:`decide` for many entries. Every line starts ``expedited_release``; every rule that fires is
listed in the line's reasons and raises the line to the most restrictive outcome among them; the entry
takes the most restrictive outcome of its lines. Blank-goods consumptions are returned, not applied:
the caller applies them atomically (conditional ``UPDATE ... WHERE remaining >= :q``).
"""

from __future__ import annotations

import functools
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any, NamedTuple

from program.decisions.sampling import verification_pick

RULES_VERSION = "2026.11-1"

EXPEDITED_RELEASE = "expedited_release"
STANDARD_PROCESSING = "standard_processing"
REFER_FOR_EXAMINATION = "refer_for_examination"
OUTCOMES: tuple[str, ...] = (EXPEDITED_RELEASE, STANDARD_PROCESSING, REFER_FOR_EXAMINATION)
_EXP, _STD, _REF = 0, 1, 2

# API.md's rule: a line is covered only by a *filed*, unexpired declaration. One CBP has queried covers
# nothing until the importer answers (the answer files it again).
LIVE_DECLARATION_STATUSES = frozenset({"filed"})


def most_restrictive(outcomes: Iterable[str]) -> str:
    """The most restrictive of ``outcomes`` (``expedited_release`` when there are none)."""
    return OUTCOMES[max((OUTCOMES.index(o) for o in outcomes), default=_EXP)]


# --------------------------------------------------------------------------- inputs, facts, results


class LineInput(NamedTuple):
    """One entry line as presented (HTS code already normalised to 10 digits).

    A named tuple rather than a frozen dataclass: the bulk screen builds a million of them, and a tuple
    is made several times faster while being just as immutable.
    """

    line_no: int
    description: str
    hts_code: str
    quantity: Decimal | int
    value_usd: Decimal
    sector: str
    condition: str
    recordation_number: str | None = None
    lever_label: bool = False
    blank_declaration_id: str | None = None
    blank_line_no: int | None = None


@dataclass(frozen=True, slots=True)
class EntryInput:
    """One entry: number, port, importer of record and its lines."""

    entry_number: str
    port_code: str
    ior_number: str
    lines: tuple[LineInput, ...]


@dataclass(frozen=True, slots=True)
class EnrollmentFact:
    """The importer's enrollment as it matters to decisions (one per IOR number)."""

    enrollment_id: Any
    organization_id: Any
    legal_name: str
    status: str
    valid_until: date | None
    approved_sectors: frozenset[str]


@dataclass(frozen=True, slots=True)
class MarkFact:
    """A recorded mark: who owns it and whether it has Lever-rule protection."""

    mark_id: Any
    owner_organization_id: Any
    lever_rule: bool


@dataclass(frozen=True, slots=True)
class BlankLineFact:
    """A line of a blank-goods declaration with what is left of its declared quantity."""

    line_id: Any
    declaration_id: Any
    organization_id: Any
    status: str
    valid_from: date
    valid_until: date
    hts_code: str
    remaining: Decimal


@dataclass(frozen=True, slots=True, kw_only=True)
class Facts:
    """Immutable snapshot of everything the rules look at, built once and reused for many entries.

    ``debarred_names`` holds names already passed through :func:`normalize_name`; ``endorsed`` maps
    ``(sector, condition, recordation_number)`` to the published standard version endorsed for that
    mark by its owner; ``blank_lines`` maps ``(declaration public id, line_no)`` to the declared line.
    """

    as_of: date
    debarred_iors: frozenset[str] = frozenset()
    debarred_names: frozenset[str] = frozenset()
    enrollments: dict[str, EnrollmentFact] = field(default_factory=dict)
    heightened_sectors: frozenset[str] = frozenset()
    marks: dict[str, MarkFact] = field(default_factory=dict)
    endorsed: dict[tuple[str, str, str], Any] = field(default_factory=dict)
    blank_lines: dict[tuple[Any, int], BlankLineFact] = field(default_factory=dict)


class Reason(NamedTuple):
    """Why a line's outcome was raised: the rule's fixed code and what to do about it."""

    code: str
    message: str


class LineDecision(NamedTuple):
    """The outcome of one line and every reason that raised it."""

    line_no: int
    outcome: str
    reasons: tuple[Reason, ...]

    @property
    def codes(self) -> tuple[str, ...]:
        """The reason codes in rule order."""
        return tuple(r.code for r in self.reasons)


_line_decision = functools.partial(tuple.__new__, LineDecision)  # every field given: skips the named tuple's Python __new__


class Consumption(NamedTuple):
    """Quantity to draw from a declared blank line (one per covered entry line, in line order)."""

    blank_line_id: Any
    quantity: Decimal


@dataclass(frozen=True, slots=True)
class EntryDecision:
    """The decision for an entry: outcome, per-line decisions, facts relied on, blank consumptions."""

    outcome: str
    lines: tuple[LineDecision, ...]
    facts_used: dict[str, Any]
    consumptions: tuple[Consumption, ...]
    rules_version: str = RULES_VERSION

    @property
    def codes(self) -> tuple[str, ...]:
        """Every distinct reason code of the entry, in order of first appearance."""
        return tuple(dict.fromkeys(r.code for line in self.lines for r in line.reasons))


# --------------------------------------------------------------------------- names

_CORPORATE_SUFFIXES = frozenset(
    ("inc", "incorporated", "llc", "ltd", "limited", "corp", "corporation", "co", "company", "plc", "gmbh")
    + ("sa", "srl", "bv", "ag", "pty", "lp", "llp")
)
_JOINING = frozenset(".'\u2019")  # "L.L.C." -> "llc", "O'Brien" -> "obrien"


@functools.lru_cache(maxsize=65536)
def normalize_name(name: str) -> str:
    """Exact-match form of an organisation name: case-folded, accents, punctuation and suffixes dropped."""
    out: list[str] = []
    for ch in unicodedata.normalize("NFKD", name.casefold()):
        if ch in _JOINING:
            continue
        if ch == "&":
            out.append(" and ")
            continue
        category = unicodedata.category(ch)
        if category == "Mn":
            continue
        out.append(" " if category[0] in "PSZC" else ch)
    words = "".join(out).split()
    while len(words) > 1 and words[-1] in _CORPORATE_SUFFIXES:
        words.pop()
    return " ".join(words)


# --------------------------------------------------------------------------- rules


@dataclass(frozen=True, slots=True)
class Rule:
    """A rule's fixed code, the outcome it raises a line to, and a plain-language summary."""

    code: str
    outcome: str
    scope: str  # "entry": same for every line; "line": per line; "sample": after all rules
    summary: str

    def reason(self, message: str) -> Reason:
        """A :class:`Reason` of this rule with ``message``."""
        return Reason(self.code, message)


_S, _R = STANDARD_PROCESSING, REFER_FOR_EXAMINATION
RULES: tuple[Rule, ...] = tuple(Rule(*row) for row in (
    ("debarred", _R, "entry",
     "The IOR number or importer name is on the suspended/debarred list now."),
    ("not_enrolled", _S, "entry",
     "The importer has no enrollment that is approved and unexpired today."),
    ("sector_not_approved", _S, "line",
     "The line's sector is not among the enrollment's approved sectors."),
    ("heightened_protection", _S, "line",
     "The line's sector has heightened protection."),
    ("mark_not_recorded", _S, "line",
     "A non-blank line's recordation number is missing or unknown."),
    ("no_endorsed_standard", _S, "line",
     "No published standard for the line's sector/condition is endorsed for its mark by the mark's owner."),
    ("lever_label_missing", _R, "line",
     "A new_parallel line of a mark with Lever-rule protection does not carry the Lever-rule label."),
    ("no_blank_declaration", _S, "line",
     "A blank line is not covered by a live, unexpired declaration line of this importer with its HTS code."),
    ("blank_quantity_exceeded", _R, "line",
     "The declared line's remaining quantity is below the line's quantity."),
    ("random_verification", _R, "sample",
     "A fully expedited entry was picked for random compliance verification (a function of its UEI)."),
))
(DEBARRED, NOT_ENROLLED, SECTOR_NOT_APPROVED, HEIGHTENED_PROTECTION, MARK_NOT_RECORDED, NO_ENDORSED_STANDARD,
 LEVER_LABEL_MISSING, NO_BLANK_DECLARATION, BLANK_QUANTITY_EXCEEDED, RANDOM_VERIFICATION) = RULES
RULES_BY_CODE: dict[str, Rule] = {rule.code: rule for rule in RULES}

_RANK = {rule.code: OUTCOMES.index(rule.outcome) for rule in RULES}
_RANDOM_REASON = RANDOM_VERIFICATION.reason(
    "Picked at random for compliance verification; nothing on the entry is at fault. Present the goods "
    "for examination as usual."
)


class EntryContext:
    """Per-call working state of :func:`decide` (the facts themselves are only read)."""

    __slots__ = ("facts", "active", "organization_id", "drawn", "consumptions", "used")

    def __init__(self, facts: Facts, enrollment: EnrollmentFact | None, active: bool) -> None:
        self.facts = facts
        self.active = enrollment if active else None
        self.organization_id = enrollment.organization_id if enrollment is not None else None
        self.drawn: dict[Any, Decimal] = {}  # taken from each declared line by earlier lines
        self.consumptions: list[Consumption] = []
        self.used: tuple[dict, dict, dict] = ({}, {}, {})  # mark, standard version, blank line ids


def _debarred(ior: str, enrollment: EnrollmentFact | None, facts: Facts) -> Reason | None:
    if ior in facts.debarred_iors:
        return DEBARRED.reason(
            f"Importer of record {ior} is on the suspended/debarred list; every line is referred for "
            "examination. Contact the CBP program office; entries cannot be expedited while it lasts."
        )
    names = facts.debarred_names
    if enrollment is not None and names and normalize_name(enrollment.legal_name) in names:
        return DEBARRED.reason(
            f"The importer's name ({enrollment.legal_name}) matches or closely resembles a name on the "
            "suspended/debarred list; every line is referred for examination. Contact the CBP program office if "
            "this is a different company."
        )
    return None


def _not_enrolled(ior: str, enrollment: EnrollmentFact | None, as_of: date) -> Reason | None:
    if enrollment is None:
        why = "has no Greenlane enrollment"
    elif enrollment.status != "approved":
        why = f"has an enrollment that is {enrollment.status}, not approved"
    elif enrollment.valid_until is not None and enrollment.valid_until < as_of:
        why = f"has an enrollment that expired on {enrollment.valid_until.isoformat()}"
    else:
        return None
    return NOT_ENROLLED.reason(
        f"Importer of record {ior} {why}; its lines go to standard processing. Apply for (or renew) "
        "enrollment to have entries considered for expedited release."
    )


def _sector_not_approved(line: LineInput, ctx: EntryContext) -> Reason | None:
    active = ctx.active
    if active is None or line.sector in active.approved_sectors:
        return None  # an importer without a live enrollment already got not_enrolled
    return _sector_reason(line.sector, active.approved_sectors)


# Reasons depend only on a few values, so they are made once and shared (the bulk screen decides a
# million lines; the messages are the same few hundred).
@functools.lru_cache(maxsize=4096)
def _sector_reason(sector: str, approved_sectors: frozenset[str]) -> Reason:
    approved = ", ".join(sorted(approved_sectors)) or "none"
    return SECTOR_NOT_APPROVED.reason(
        f"Sector {sector} is not approved for this importer (approved: {approved}); the line goes "
        "to standard processing. Ask CBP to add the sector to the enrollment."
    )


@functools.lru_cache(maxsize=1024)
def _heightened_reason(sector: str) -> Reason:
    return HEIGHTENED_PROTECTION.reason(
        f"Sector {sector} has heightened protection; its lines always go to standard processing for "
        "document review. No action is needed to release the goods."
    )


def _heightened_protection(line: LineInput, ctx: EntryContext) -> Reason | None:
    return _heightened_reason(line.sector) if line.sector in ctx.facts.heightened_sectors else None


def _mark_not_recorded(line: LineInput, ctx: EntryContext) -> Reason | None:
    rec = line.recordation_number
    mark = ctx.facts.marks.get(rec) if rec else None
    if mark is not None:
        ctx.used[0][mark.mark_id] = None
        return None
    return _unmarked_reason(line.line_no) if not rec else _unknown_mark_reason(rec)


@functools.lru_cache(maxsize=1024)
def _unmarked_reason(line_no: int) -> Reason:
    return MARK_NOT_RECORDED.reason(
        f"Line {line_no} gives no trademark recordation number; it goes to standard processing. "
        "Give the recordation number (TMK YY-NNNNN) of the mark the goods bear."
    )


@functools.lru_cache(maxsize=4096)
def _unknown_mark_reason(rec: str) -> Reason:
    return MARK_NOT_RECORDED.reason(
        f"{rec} is not a mark recorded with Greenlane; the line goes to standard processing. Check the "
        "number, or ask the mark owner to record the mark."
    )


def _no_endorsed_standard(line: LineInput, ctx: EntryContext) -> Reason | None:
    rec = line.recordation_number
    version_id = ctx.facts.endorsed.get((line.sector, line.condition, rec)) if rec else None
    if version_id is not None and rec in ctx.facts.marks:
        ctx.used[1][version_id] = None
        return None
    return _no_standard_reason(line.sector, line.condition, rec)


@functools.lru_cache(maxsize=8192)
def _no_standard_reason(sector: str, condition: str, rec: str | None) -> Reason:
    if not rec:
        return NO_ENDORSED_STANDARD.reason(
            f"No published standard for {sector}/{condition} can apply: the line names no mark; "
            "the line goes to standard processing. Give the recordation number of the mark the goods bear."
        )
    return NO_ENDORSED_STANDARD.reason(
        f"No published standard for {sector}/{condition} is endorsed for {rec} by its owner; "
        "the line goes to standard processing. Ask the mark owner to endorse the sector standard."
    )


def _lever_label_missing(line: LineInput, ctx: EntryContext) -> Reason | None:
    if line.condition != "new_parallel" or line.lever_label is True or not line.recordation_number:
        return None
    mark = ctx.facts.marks.get(line.recordation_number)
    if mark is None or not mark.lever_rule:
        return None
    return LEVER_LABEL_MISSING.reason(
        f"{line.recordation_number} has Lever-rule protection and this new_parallel line does not declare "
        "the Lever-rule label; it is referred for examination. Label the goods as 19 CFR 133.23 requires "
        "and declare lever_label: true."
    )


def _blank_declaration(line: LineInput, ctx: EntryContext) -> Reason | None:
    """Rules ``no_blank_declaration`` and ``blank_quantity_exceeded``; records the consumption if covered."""
    facts = ctx.facts
    ref = f"{line.blank_declaration_id} line {line.blank_line_no}"
    fact = facts.blank_lines.get((line.blank_declaration_id, line.blank_line_no))
    if line.blank_declaration_id is None or line.blank_line_no is None:
        why = "names no blank-goods declaration line (blank_declaration_id and blank_line_no)"
    elif fact is None or ctx.organization_id is None or fact.organization_id != ctx.organization_id:
        why = f"cites {ref}, which is not a declaration line of this importer"
    elif fact.status == "queried":
        why = f"cites {ref}, whose declaration CBP has queried: it covers shipments again once the query is answered"
    elif fact.status not in LIVE_DECLARATION_STATUSES:
        why = f"cites {ref}, whose declaration is {fact.status}"
    elif not fact.valid_from <= facts.as_of <= fact.valid_until:
        why = f"cites {ref}, valid only from {fact.valid_from} to {fact.valid_until}"
    elif fact.hts_code != line.hts_code:
        why = f"has HTS {line.hts_code} but {ref} declares HTS {fact.hts_code}"
    else:
        why = None
    if why is not None:
        return NO_BLANK_DECLARATION.reason(
            f"Blank line {line.line_no} {why}; it goes to standard processing. File a blank-goods "
            "declaration covering these goods and cite it on the line."
        )
    ctx.used[2][fact.line_id] = None
    taken = ctx.drawn.get(fact.line_id, 0)
    left = fact.remaining - taken
    if left < line.quantity:
        earlier = " after earlier lines of this entry" if taken else ""
        return BLANK_QUANTITY_EXCEEDED.reason(
            f"Blank line {line.line_no} declares {_qty(line.quantity)} but {ref} has only {_qty(left)} "
            f"remaining{earlier}; the line is referred for examination and nothing is drawn. File a new "
            "declaration for the extra quantity."
        )
    quantity = Decimal(line.quantity)
    ctx.drawn[fact.line_id] = taken + quantity
    ctx.consumptions.append(Consumption(fact.line_id, quantity))
    return None


def _qty(value: Decimal | int) -> str:
    return format(value, "f") if isinstance(value, Decimal) else str(value)


_MARKED_LINE_CHECKS = (
    _sector_not_approved, _heightened_protection, _mark_not_recorded, _no_endorsed_standard,
    _lever_label_missing,
)
_BLANK_LINE_CHECKS = (_sector_not_approved, _heightened_protection, _blank_declaration)


# --------------------------------------------------------------------------- decide


def decide(entry: EntryInput, facts: Facts, *, uei: str, sample_rate: float) -> EntryDecision:
    """Apply every rule to every line of ``entry`` against ``facts`` (never mutated) and decide it."""
    enrollment, common, common_rank, active = entry_rules(entry.ior_number, facts)
    ctx = EntryContext(facts, enrollment, active)
    results = [line_rules(line, ctx, common, common_rank) for line in entry.lines]
    return finish_decision(facts, enrollment, ctx, results, uei=uei, sample_rate=sample_rate)


# The pieces of :func:`decide`, shared with :class:`program.decisions.memo.DecisionMemo` so that the
# memoised path runs the very same rules.


def entry_rules(ior: str, facts: Facts) -> tuple[EnrollmentFact | None, tuple[Reason, ...], int, bool]:
    """The entry-level rules for importer ``ior``: its enrollment, the reasons every line gets, their rank,
    and whether the enrollment is live (approved and unexpired)."""
    enrollment = facts.enrollments.get(ior)
    not_enrolled = _not_enrolled(ior, enrollment, facts.as_of)
    common = tuple(r for r in (_debarred(ior, enrollment, facts), not_enrolled) if r is not None)
    return enrollment, common, max((_RANK[r.code] for r in common), default=_EXP), not_enrolled is None


def line_rules(line: LineInput, ctx: EntryContext, common: tuple[Reason, ...], common_rank: int
               ) -> tuple[int, int, list[Reason]]:
    """``(line_no, rank, reasons)`` of one line: the entry's ``common`` reasons, then each line rule that fires."""
    reasons = list(common)
    rank = common_rank
    rank_of = _RANK
    for check in _BLANK_LINE_CHECKS if line.condition == "blank" else _MARKED_LINE_CHECKS:
        reason = check(line, ctx)
        if reason is not None:
            reasons.append(reason)
            if rank_of[reason.code] > rank:
                rank = rank_of[reason.code]
    return line.line_no, rank, reasons


def finish_decision(facts: Facts, enrollment: EnrollmentFact | None, ctx: EntryContext,
                    results: list[tuple[int, int, list[Reason]]], *, uei: str, sample_rate: float) -> EntryDecision:
    """The entry's decision from its lines' ``(line_no, rank, reasons)``: random verification, facts used."""
    entry_rank = max((rank for _, rank, _ in results), default=_EXP)
    if entry_rank == _EXP and verification_pick(uei, sample_rate):
        entry_rank = _REF
        results = [(line_no, _REF, [*reasons, _RANDOM_REASON]) for line_no, _, reasons in results]

    mark_ids, version_ids, blank_ids = ctx.used
    return EntryDecision(
        outcome=OUTCOMES[entry_rank],
        lines=tuple([_line_decision((no, OUTCOMES[rank], tuple(reasons))) for no, rank, reasons in results]),
        facts_used={
            "as_of": facts.as_of.isoformat(),
            "enrollment_id": enrollment.enrollment_id if enrollment is not None else None,
            "mark_ids": list(mark_ids),
            "standard_version_ids": list(version_ids),
            "blank_line_ids": list(blank_ids),
        },
        consumptions=tuple(ctx.consumptions),
        rules_version=RULES_VERSION,
    )
