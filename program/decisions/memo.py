"""Memoised release decisions for runs over many entries against one unchanging snapshot of facts.

The bulk screen decides a million lines against facts that cannot change during the run, and most
lines repeat a few hundred combinations of importer, sector, condition, mark and label. A non-blank
line's outcome and reasons depend on nothing else (plus its line number, which only the
``mark_not_recorded`` message for a line without a recordation number quotes), so
:class:`DecisionMemo` runs the engine's own rules once per combination and reuses the result. Blank
lines depend on the quantities still left on the declared lines, so they always run the rules live.
Entry-level rules (``debarred``, ``not_enrolled``, ``prior_violation``) are worked out once per importer
(``known_violative_shipper`` per seller, behind the engine's own cache), the HTS code's meaning (its sectors, the
mark's Lever-rule scope) once per code and mark, and random
verification is applied per entry from its UEI exactly as :func:`engine.decide` does: the result is
the same :class:`EntryDecision` that ``decide`` gives (tests hold the two together). A one-line entry
(a de minimis parcel) that random verification does not pick gets the very decision object of the
previous such entry with the same line, since nothing else distinguishes them.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from program.decisions.engine import (
    EXPEDITED_RELEASE,
    OUTCOMES,
    EnrollmentFact,
    EntryContext,
    EntryDecision,
    EntryInput,
    Facts,
    LineInput,
    Reason,
    ShipmentInput,
    entry_rules,
    finish_decision,
    hts_sectors,
    lever_covers,
    line_rules,
    live_mark,
    shipment_rules,
    with_entry_reasons,
)
from program.decisions.sampling import verification_pick

_EXP = OUTCOMES.index(EXPEDITED_RELEASE)
MAX_REMEMBERED = 200_000  # line combinations kept before starting afresh (a bound, not a tuning knob)
MAX_SINGLES = 20_000  # one-line entries' decisions kept (each holds its facts record: about a kilobyte)

_EntryState = tuple[EnrollmentFact | None, tuple[Reason, ...], int, bool]
_LineResult = tuple[int, tuple[Reason, ...], tuple[Any, ...], tuple[Any, ...]]


class DecisionMemo:
    """``decide`` for many entries against ``facts``, remembering per-importer and per-line results.

    ``facts`` must not change while the memo is in use, except for the remaining quantities of blank
    lines (the bulk screen lowers them as it draws), which are never remembered.
    """

    __slots__ = ("facts", "_entries", "_lines", "_goods", "_singles")

    def __init__(self, facts: Facts) -> None:
        self.facts = facts
        self._entries: dict[tuple, _EntryState] = {}
        self._lines: dict[tuple, _LineResult] = {}
        self._goods: dict[tuple[str, str | None], tuple[frozenset[str], bool]] = {}
        # Whole decisions of one-line entries (de minimis parcels) that random verification did not pick: they
        # depend on nothing else, and decisions are immutable and only read, so such entries share them.
        self._singles: dict[tuple, EntryDecision] = {}

    def decide(self, entry: EntryInput, *, uei: str, sample_rate: float) -> EntryDecision:
        """The same decision as ``engine.decide(entry, self.facts, uei=uei, sample_rate=sample_rate)``."""
        return self.decide_parts(entry.ior_number, entry.lines, entry.shipment, uei=uei, sample_rate=sample_rate)

    def decide_parts(self, ior: str, lines: Sequence[LineInput], shipment: ShipmentInput | None, *, uei: str,
                     sample_rate: float) -> EntryDecision:
        """:meth:`decide` for the entry of importer of record ``ior`` with ``lines`` and ``shipment`` (what the
        rules read of an :class:`EntryInput`; the bulk screen has them at hand without making one)."""
        facts = self.facts
        # Keyed on what the seller means to the rules (a listed shipper's reason, mostly none), not on the
        # seller: parcels name many sellers, and the remembered lines would multiply with them.
        shipped = shipment_rules(shipment, facts)
        entry_key = (ior, shipped)
        state = self._entries.get(entry_key)
        if state is None:
            state = self._remember_entry(entry_key, ior, shipped)
        enrollment, common, common_rank, active = state
        goods = self._goods
        ctx: EntryContext | None = None  # made once needed: a parcel whose decision is shared never needs it
        remembered = self._lines
        results: list[tuple[int, int, Any]] = []
        single_key = None
        for line in lines:
            if line.condition == "blank":
                if ctx is None:
                    ctx = EntryContext(facts, enrollment, active)
                results.append(line_rules(line, ctx, common, common_rank))
                continue
            rec = line.recordation_number
            # What the HTS code means to the rules: the sectors it belongs to, and whether the mark's Lever-rule
            # protection covers it (messages never quote the code itself).
            hts_class = goods.get((line.hts_code, rec))
            if hts_class is None:
                hts_class = self._remember_goods(line.hts_code, rec)
            # Keyed on every line field a non-blank rule reads; the line number only where a message quotes it.
            key = (entry_key, line.sector, line.condition, rec, line.lever_label is True, 0 if rec else line.line_no,
                   hts_class)
            known = remembered.get(key)
            if known is None:
                known = self._remember_line(key, line, state)
            rank, reasons, marks, versions = known
            if len(lines) == 1 and (rank != _EXP or not verification_pick(uei, sample_rate)):
                single_key = (key, line.line_no)
                decision = self._singles.get(single_key)
                if decision is not None:
                    return decision
            if ctx is None:
                ctx = EntryContext(facts, enrollment, active)
            mark_ids, version_ids, _ = ctx.used
            for mark_id in marks:
                mark_ids[mark_id] = None
            for version_id in versions:
                version_ids[version_id] = None
            results.append((line.line_no, rank, reasons))
        if ctx is None:  # an entry without lines
            ctx = EntryContext(facts, enrollment, active)
        decision = finish_decision(facts, enrollment, ctx, results, uei=uei, sample_rate=sample_rate)
        if single_key is not None:  # not picked, so the decision of every entry with this one line
            if len(self._singles) >= MAX_SINGLES:
                self._singles.clear()
            self._singles[single_key] = decision
        return decision

    def _remember_entry(self, entry_key: tuple, ior: str, shipped: tuple[Reason, ...]) -> _EntryState:
        if len(self._entries) >= MAX_REMEMBERED:
            self._entries.clear()
        enrollment, common, rank, active = entry_rules(ior, self.facts)
        if shipped:
            common, rank = with_entry_reasons(common, rank, shipped)
        state = self._entries[entry_key] = (enrollment, common, rank, active)
        return state

    def _remember_goods(self, hts: str, rec: str | None) -> tuple[frozenset[str], bool]:
        if len(self._goods) >= MAX_REMEMBERED:
            self._goods.clear()
        facts = self.facts
        result = self._goods[(hts, rec)] = (hts_sectors(hts, facts), lever_covers(live_mark(rec, facts), hts))
        return result

    def _remember_line(self, key: tuple, line: LineInput, state: _EntryState) -> _LineResult:
        """Run the line's rules on a scratch context and keep the outcome and the facts they touched."""
        enrollment, common, common_rank, active = state
        scratch = EntryContext(self.facts, enrollment, active)
        _, rank, reasons = line_rules(line, scratch, common, common_rank)
        if len(self._lines) >= MAX_REMEMBERED:
            self._lines.clear()
        result = self._lines[key] = (rank, tuple(reasons), tuple(scratch.used[0]), tuple(scratch.used[1]))
        return result
