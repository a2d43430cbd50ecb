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

from rapidfuzz import fuzz, process

from program.decisions.sampling import verification_pick

RULES_VERSION = "2026.12-1"
NAME_MATCH_THRESHOLD = 90  # rapidfuzz token_sort_ratio on normalised names: debarred list and violative shippers
PRIOR_VIOLATION_DAYS = 365

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
    country_of_origin: str | None = None


@dataclass(frozen=True, slots=True)
class ShipmentInput:
    """How the goods travel: a formal entry or a Section 321 (de minimis) parcel, with its seller."""

    type: str = "formal"
    house_bill: str | None = None
    seller_name: str | None = None
    seller_country: str | None = None
    marketplace: str | None = None


@dataclass(frozen=True, slots=True)
class EntryInput:
    """One entry: number, port, importer of record, its lines and (optionally) the shipment."""

    entry_number: str
    port_code: str
    ior_number: str
    lines: tuple[LineInput, ...]
    shipment: ShipmentInput | None = None


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
    """A recorded mark: who owns it, its Lever-rule protection (for which HTS prefixes; empty = all of the
    mark's goods) and the last day of its recordation (None: open-ended)."""

    mark_id: Any
    owner_organization_id: Any
    lever_rule: bool
    lever_scope: tuple[str, ...] = ()
    expires_on: date | None = None


@dataclass(frozen=True, slots=True)
class PriorViolationFact:
    """Seizures of an importer's goods in cases closed within the look-back window."""

    seizures: int
    last_on: date


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
    licence_status: str | None = None  # licensed lines: pending, confirmed or rejected by the mark owner


@dataclass(frozen=True, slots=True, kw_only=True)
class Facts:
    """Immutable snapshot of everything the rules look at, built once and reused for many entries.

    ``debarred_names`` holds names already passed through :func:`normalize_name`; ``endorsed`` maps
    ``(sector, condition, recordation_number)`` to the published standard version endorsed for that
    mark by its owner; ``blank_lines`` maps ``(declaration public id, line_no)`` to the declared line.
    ``hts_sectors`` maps each HTS prefix (2 to 10 digits) to the sectors that list it; ``sector_names``
    gives the names people read; ``prior_violations_*`` hold seizures within ``PRIOR_VIOLATION_DAYS``
    by IOR number and by organisation; ``violative_shippers`` holds ``(normalised name, country or None,
    name as listed)``.
    """

    as_of: date
    debarred_iors: frozenset[str] = frozenset()
    debarred_names: frozenset[str] = frozenset()
    enrollments: dict[str, EnrollmentFact] = field(default_factory=dict)
    heightened_sectors: frozenset[str] = frozenset()
    marks: dict[str, MarkFact] = field(default_factory=dict)
    endorsed: dict[tuple[str, str, str], Any] = field(default_factory=dict)
    blank_lines: dict[tuple[Any, int], BlankLineFact] = field(default_factory=dict)
    sector_names: dict[str, str] = field(default_factory=dict)
    hts_sectors: dict[str, frozenset[str]] = field(default_factory=dict)
    prior_violations_by_ior: dict[str, PriorViolationFact] = field(default_factory=dict)
    prior_violations_by_org: dict[Any, PriorViolationFact] = field(default_factory=dict)
    prior_violation_days: int = PRIOR_VIOLATION_DAYS
    violative_shippers: frozenset[tuple[str, str | None, str]] = frozenset()


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
    ("prior_violation", _S, "entry",
     "The importer had goods seized in an enforcement case closed within the last 365 days (PRIOR_VIOLATION_DAYS)."),
    ("known_violative_shipper", _R, "entry",
     "The shipment's seller matches a listed known violative shipper (same fuzzy match as the debarred list)."),
    ("sector_not_approved", _S, "line",
     "The line's sector is not among the enrollment's approved sectors."),
    ("heightened_protection", _S, "line",
     "The line's sector, or the sector its HTS code belongs to, has heightened protection."),
    ("sector_hts_mismatch", _R, "line",
     "The line's HTS code belongs to one or more sectors and the declared sector is not among them."),
    ("mark_not_recorded", _S, "line",
     "A non-blank line's recordation number is missing, unknown or lapsed."),
    ("no_endorsed_standard", _S, "line",
     "No published standard for the line's sector/condition is endorsed for its mark by the mark's owner."),
    ("lever_label_missing", _R, "line",
     "A non-blank line (any condition) of a mark whose Lever-rule protection covers its HTS code does not "
     "carry the Lever-rule label."),
    ("no_blank_declaration", _S, "line",
     "A blank line is not covered by a live, unexpired declaration line of this importer with its HTS code."),
    ("blank_quantity_exceeded", _R, "line",
     "The declared line's remaining quantity is below the line's quantity."),
    ("licence_rejected", _R, "line",
     "A blank line drawn on a licensed declaration line whose licence the mark owner rejected."),
    ("random_verification", _R, "sample",
     "A fully expedited entry was picked for random compliance verification (a function of its UEI)."),
))
(DEBARRED, NOT_ENROLLED, PRIOR_VIOLATION, KNOWN_VIOLATIVE_SHIPPER, SECTOR_NOT_APPROVED, HEIGHTENED_PROTECTION,
 SECTOR_HTS_MISMATCH, MARK_NOT_RECORDED, NO_ENDORSED_STANDARD, LEVER_LABEL_MISSING, NO_BLANK_DECLARATION,
 BLANK_QUANTITY_EXCEEDED, LICENCE_REJECTED, RANDOM_VERIFICATION) = RULES
RULES_BY_CODE: dict[str, Rule] = {rule.code: rule for rule in RULES}

# Earlier rule sets, for decisions that keep explaining themselves by the version that made them: each
# maps a code to the summary it had then (codes not listed read as today's).
RULE_HISTORY: dict[str, dict[str, str]] = {
    "2026.11-1": {
        "heightened_protection": "The line's sector has heightened protection.",
        "mark_not_recorded": "A non-blank line's recordation number is missing or unknown.",
        "lever_label_missing": "A new_parallel line of a mark with Lever-rule protection does not carry the "
                               "Lever-rule label.",
    },
}


def rule_summary(code: str, version: str = RULES_VERSION) -> str:
    """What rule ``code`` checked in rule set ``version`` (today's summary when the version did not differ)."""
    older = RULE_HISTORY.get(version, {})
    if code in older:
        return older[code]
    rule = RULES_BY_CODE.get(code)
    return rule.summary if rule is not None else code


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


def _prior_violation(ior: str, enrollment: EnrollmentFact | None, facts: Facts) -> Reason | None:
    fact = facts.prior_violations_by_ior.get(ior)
    if fact is None and enrollment is not None:
        fact = facts.prior_violations_by_org.get(enrollment.organization_id)
    if fact is None:
        return None
    cases = "an enforcement case" if fact.seizures == 1 else f"{fact.seizures} enforcement cases"
    return PRIOR_VIOLATION.reason(
        f"Goods of importer of record {ior} were seized in {cases} closed within the last "
        f"{facts.prior_violation_days} days (most recently on {fact.last_on.isoformat()}); every line goes to "
        "standard processing until the look-back period has passed."
    )


@functools.lru_cache(maxsize=8192)
def _match_shipper(name: str, country: str | None, listed: frozenset[tuple[str, str | None, str]]) -> str | None:
    """The listed name a seller matches at :data:`NAME_MATCH_THRESHOLD` (countries must agree when both are
    known), or None."""
    candidates = {normal: shown for normal, listed_country, shown in listed
                  if not (country and listed_country and listed_country != country)}
    normal = normalize_name(name)
    if not normal or not candidates:
        return None
    if normal in candidates:
        return candidates[normal]
    found = process.extractOne(normal, list(candidates), scorer=fuzz.token_sort_ratio, score_cutoff=NAME_MATCH_THRESHOLD)
    return candidates[found[0]] if found is not None else None


def shipment_rules(shipment: ShipmentInput | None, facts: Facts) -> tuple[Reason, ...]:
    """The entry-level rules that look at the shipment (``known_violative_shipper``)."""
    if shipment is None or not shipment.seller_name or not facts.violative_shippers:
        return ()
    country = shipment.seller_country.upper() if shipment.seller_country else None
    listed = _match_shipper(shipment.seller_name, country, facts.violative_shippers)
    if listed is None:
        return ()
    return (KNOWN_VIOLATIVE_SHIPPER.reason(
        f"The seller {shipment.seller_name} matches {listed} on the list of known violative shippers; every "
        "line is referred for examination. Contact the CBP program office if this is a different seller."
    ),)


def sector_name(code: str, facts: Facts) -> str:
    """The sector's display name (its code when the facts do not know it)."""
    return facts.sector_names.get(code, code)


def hts_sectors(hts: str, facts: Facts) -> frozenset[str]:
    """Codes of the sectors whose HTS prefixes cover ``hts`` (empty when none does)."""
    index = facts.hts_sectors
    if not index:
        return frozenset()
    found: frozenset[str] = frozenset()
    for end in range(2, min(len(hts), 10) + 1):
        sectors = index.get(hts[:end])
        if sectors:
            found = found | sectors
    return found


def lever_covers(mark: MarkFact | None, hts: str) -> bool:
    """Whether ``mark`` has Lever-rule protection for goods of HTS code ``hts``."""
    if mark is None or not mark.lever_rule:
        return False
    return not mark.lever_scope or any(hts.startswith(prefix) for prefix in mark.lever_scope)


def live_mark(rec: str | None, facts: Facts) -> MarkFact | None:
    """The recorded mark ``rec`` if its recordation has not lapsed (``expires_on`` is its last valid day)."""
    mark = facts.marks.get(rec) if rec else None
    if mark is None or (mark.expires_on is not None and mark.expires_on < facts.as_of):
        return None
    return mark


def _sector_not_approved(line: LineInput, ctx: EntryContext) -> Reason | None:
    active = ctx.active
    if active is None or line.sector in active.approved_sectors:
        return None  # an importer without a live enrollment already got not_enrolled
    names = ctx.facts.sector_names
    return _sector_reason(names.get(line.sector, line.sector),
                          tuple(sorted(names.get(code, code) for code in active.approved_sectors)))


# Reasons depend only on a few values, so they are made once and shared (the bulk screen decides a
# million lines; the messages are the same few hundred).
@functools.lru_cache(maxsize=4096)
def _sector_reason(sector: str, approved_sectors: tuple[str, ...]) -> Reason:
    approved = ", ".join(approved_sectors) or "none"
    return SECTOR_NOT_APPROVED.reason(
        f"The sector {sector} is not approved for this importer (approved: {approved}); the line goes "
        "to standard processing. Ask CBP to add the sector to the enrollment."
    )


@functools.lru_cache(maxsize=1024)
def _heightened_reason(sector: str | None, by_hts: tuple[str, ...]) -> Reason:
    if sector is not None:
        return HEIGHTENED_PROTECTION.reason(
            f"The sector {sector} has heightened protection; its lines always go to standard processing for "
            "document review. No action is needed to release the goods."
        )
    return HEIGHTENED_PROTECTION.reason(
        f"The line's HTS code belongs to {' and '.join(by_hts)}, which has heightened protection, whatever "
        "sector is declared; the line goes to standard processing for document review."
    )


def _heightened_protection(line: LineInput, ctx: EntryContext) -> Reason | None:
    facts = ctx.facts
    heightened = facts.heightened_sectors
    if line.sector in heightened:
        return _heightened_reason(sector_name(line.sector, facts), ())
    by_hts = hts_sectors(line.hts_code, facts) & heightened
    if by_hts:
        return _heightened_reason(None, tuple(sorted(sector_name(code, facts) for code in by_hts)))
    return None


def _sector_hts_mismatch(line: LineInput, ctx: EntryContext) -> Reason | None:
    facts = ctx.facts
    sectors = hts_sectors(line.hts_code, facts)
    if not sectors or line.sector in sectors:
        return None
    return _mismatch_reason(sector_name(line.sector, facts), tuple(sorted(sector_name(code, facts) for code in sectors)))


@functools.lru_cache(maxsize=4096)
def _mismatch_reason(declared: str, by_hts: tuple[str, ...]) -> Reason:
    return SECTOR_HTS_MISMATCH.reason(
        f"The line is declared in the sector {declared}, but its HTS code belongs to {' or '.join(by_hts)}; "
        "it is referred for examination. Declare the sector the tariff classification belongs to."
    )


def _mark_not_recorded(line: LineInput, ctx: EntryContext) -> Reason | None:
    rec = line.recordation_number
    mark = live_mark(rec, ctx.facts)
    if mark is not None:
        ctx.used[0][mark.mark_id] = None
        return None
    if not rec:
        return _unmarked_reason(line.line_no)
    lapsed = ctx.facts.marks.get(rec)
    if lapsed is not None:
        return _lapsed_mark_reason(rec, lapsed.expires_on)
    return _unknown_mark_reason(rec)


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


@functools.lru_cache(maxsize=1024)
def _lapsed_mark_reason(rec: str, expired: date) -> Reason:
    return MARK_NOT_RECORDED.reason(
        f"The recordation of {rec} lapsed after {expired.isoformat()}, so it counts as not recorded; the line "
        "goes to standard processing. Ask the mark owner to renew the recordation."
    )


def _no_endorsed_standard(line: LineInput, ctx: EntryContext) -> Reason | None:
    rec = line.recordation_number
    facts = ctx.facts
    version_id = facts.endorsed.get((line.sector, line.condition, rec)) if rec else None
    if version_id is not None and live_mark(rec, facts) is not None:
        ctx.used[1][version_id] = None
        return None
    return _no_standard_reason(sector_name(line.sector, facts), line.condition, rec)


@functools.lru_cache(maxsize=8192)
def _no_standard_reason(sector: str, condition: str, rec: str | None) -> Reason:
    if not rec:
        return NO_ENDORSED_STANDARD.reason(
            f"No published standard for {sector} ({condition}) can apply: the line names no mark; "
            "the line goes to standard processing. Give the recordation number of the mark the goods bear."
        )
    return NO_ENDORSED_STANDARD.reason(
        f"No published standard for {sector} ({condition}) is endorsed for {rec} by its owner; "
        "the line goes to standard processing. Ask the mark owner to endorse the sector standard."
    )


def _lever_label_missing(line: LineInput, ctx: EntryContext) -> Reason | None:
    if line.lever_label is True or not line.recordation_number:
        return None
    if not lever_covers(live_mark(line.recordation_number, ctx.facts), line.hts_code):
        return None
    return _lever_reason(line.recordation_number, line.condition)


@functools.lru_cache(maxsize=4096)
def _lever_reason(rec: str, condition: str) -> Reason:
    return LEVER_LABEL_MISSING.reason(
        f"{rec} has Lever-rule protection covering these goods, and this {condition} line does not declare the "
        "Lever-rule label; it is referred for examination. Label the goods as 19 CFR 133.23 requires (physically "
        "and materially different goods) and declare lever_label: true."
    )


def _licence_rejected(line: LineInput, ctx: EntryContext) -> Reason | None:
    fact = ctx.facts.blank_lines.get((line.blank_declaration_id, line.blank_line_no))
    if fact is None or fact.licence_status != "rejected" or fact.organization_id != ctx.organization_id:
        return None
    return LICENCE_REJECTED.reason(
        f"Blank line {line.line_no} draws on {line.blank_declaration_id} line {line.blank_line_no}, whose licence "
        "the mark owner rejected; it is referred for examination. Settle the licence with the mark owner before "
        "applying its marks."
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
    _sector_not_approved, _heightened_protection, _sector_hts_mismatch, _mark_not_recorded, _no_endorsed_standard,
    _lever_label_missing,
)
_BLANK_LINE_CHECKS = (_sector_not_approved, _heightened_protection, _sector_hts_mismatch, _blank_declaration,
                      _licence_rejected)


# --------------------------------------------------------------------------- decide


def decide(entry: EntryInput, facts: Facts, *, uei: str, sample_rate: float) -> EntryDecision:
    """Apply every rule to every line of ``entry`` against ``facts`` (never mutated) and decide it."""
    enrollment, common, common_rank, active = entry_rules(entry.ior_number, facts)
    if shipped := shipment_rules(entry.shipment, facts):
        common, common_rank = with_entry_reasons(common, common_rank, shipped)
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
    common = tuple(r for r in (_debarred(ior, enrollment, facts), not_enrolled,
                               _prior_violation(ior, enrollment, facts)) if r is not None)
    return enrollment, common, max((_RANK[r.code] for r in common), default=_EXP), not_enrolled is None


def with_entry_reasons(common: tuple[Reason, ...], rank: int, more: tuple[Reason, ...]) -> tuple[tuple[Reason, ...], int]:
    """The entry's ``common`` reasons and rank with ``more`` entry-level reasons added."""
    return common + more, max(rank, *(_RANK[r.code] for r in more))


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
