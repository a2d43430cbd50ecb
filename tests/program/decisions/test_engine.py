"""The release-decision rules engine, table-driven: each rule alone, combinations, entries, sampling."""

from __future__ import annotations

import copy
from dataclasses import FrozenInstanceError, replace
from datetime import date
from decimal import Decimal

import pytest

from program.decisions.engine import (
    OUTCOMES,
    RULES,
    RULES_BY_CODE,
    RULES_VERSION,
    BlankLineFact,
    Consumption,
    EnrollmentFact,
    EntryDecision,
    EntryInput,
    Facts,
    LineInput,
    MarkFact,
    PriorViolationFact,
    ShipmentInput,
    decide,
    most_restrictive,
    normalize_name,
    rule_summary,
)
from program.decisions.sampling import verification_pick
from program.decisions.uei import new_uei

TODAY = date(2026, 11, 25)
ACME = "12-3456789"  # approved: apparel, consumer_electronics, cosmetics
DEBARRED_ENROLLED = "98-7654321"  # approved, but its IOR number is debarred
DEBARRED_NOT_ENROLLED = "99-9999999"
SHADY = "55-5555555"  # approved, legal name on the debarred list
SUSPENDED = "44-4444444"  # same organisation as ACME, enrollment suspended
EXPIRED = "33-3333333"
EXPIRES_TODAY = "22-2222222"
UNKNOWN = "11-1111111"
TMK = "TMK 21-00123"  # no Lever-rule protection
LEVER = "TMK 22-00456"  # Lever-rule protection
LEVER_SCOPED = "TMK 23-00789"  # Lever-rule protection for HTS 6202 only
LAPSED = "TMK 18-00001"  # recordation lapsed yesterday
LAPSES_TODAY = "TMK 18-00002"  # recordation valid through today
REPEAT = "66-6666666"  # approved, goods seized twice within the look-back (by IOR number)
REPEAT_ORG = "77-7777777"  # approved, its organisation's goods were seized under another IOR number
HTS = "6202935011"  # apparel, but left out of the HTS prefixes below so that other sectors can be declared
PHARMA_HTS = "3004909290"
PHONE_HTS = "8517130000"
SHIPPER = "Shenzhen Fast Goods Trading Co., Ltd."
UEI = "K7M2Q9XZ4TB3HDV"

SECTORS = frozenset({"apparel", "consumer_electronics", "cosmetics"})


def enrollment(eid: int, name: str, status: str = "approved", until: date = date(2027, 6, 30),
               org: int = 10) -> EnrollmentFact:
    """An enrollment fact approved for SECTORS unless told otherwise."""
    return EnrollmentFact(eid, org, name, status, until, SECTORS)


def blank(line_id: int, org: int = 10, status: str = "filed", start: date = date(2026, 1, 1),
          end: date = date(2027, 1, 1), hts: str = HTS, left: int = 100) -> BlankLineFact:
    """A declared blank line of ACME's organisation, live in 2026, 100 remaining unless told otherwise."""
    return BlankLineFact(line_id, line_id // 10, org, status, start, end, hts, Decimal(left))


FACTS = Facts(
    as_of=TODAY,
    debarred_iors=frozenset({DEBARRED_ENROLLED, DEBARRED_NOT_ENROLLED}),
    debarred_names=frozenset({normalize_name("Shady Imports Ltd")}),
    enrollments={
        ACME: enrollment(1, "Acme Imports, Inc."),
        DEBARRED_ENROLLED: enrollment(2, "Blameless Trading LLC", org=12),
        SHADY: enrollment(3, "SHADY IMPORTS, LTD.", org=13),
        SUSPENDED: enrollment(4, "Acme Imports, Inc.", status="suspended"),
        EXPIRED: enrollment(5, "Old Timer Co", until=date(2026, 11, 24), org=15),
        EXPIRES_TODAY: enrollment(6, "Last Day Corp", until=TODAY, org=16),
        REPEAT: enrollment(7, "Repeat Offender Ltd"),  # ACME's organisation, another IOR number
        REPEAT_ORG: enrollment(8, "Sister Company Ltd", org=18),
    },
    heightened_sectors=frozenset({"cosmetics", "pharmaceuticals"}),
    marks={TMK: MarkFact(501, 20, False), LEVER: MarkFact(502, 21, True),
           LEVER_SCOPED: MarkFact(503, 22, True, ("6202",)),
           LAPSED: MarkFact(504, 23, True, (), date(2026, 11, 24)),
           LAPSES_TODAY: MarkFact(505, 23, False, (), TODAY)},
    endorsed={
        ("apparel", "used", TMK): 71,
        ("apparel", "new_parallel", TMK): 72,
        ("apparel", "new_parallel", LEVER): 73,
        ("apparel", "used", LEVER): 74,
        ("cosmetics", "used", TMK): 75,
        ("toys", "used", TMK): 76,
        ("pharmaceuticals", "used", TMK): 77,
        ("apparel", "used", LEVER_SCOPED): 78,
        ("apparel", "used", LAPSED): 79,
        ("apparel", "used", LAPSES_TODAY): 80,
    },
    blank_lines={
        ("BD-1", 1): blank(301),
        ("BD-1", 2): blank(302),
        ("BD-1", 3): blank(303, hts="6202935099"),
        ("BD-2", 1): blank(311, org=99),
        ("BD-3", 1): blank(321, status="withdrawn"),
        ("BD-3", 2): blank(322, status="revoked"),
        ("BD-4", 1): blank(331, end=date(2026, 11, 24)),
        ("BD-5", 1): blank(341, start=date(2026, 11, 26)),
        ("BD-6", 1): blank(351, start=TODAY, end=TODAY),
        ("BD-7", 1): blank(361, status="queried"),
        ("BD-8", 1): replace(blank(371), licence_status="rejected"),
        ("BD-8", 2): replace(blank(372), licence_status="confirmed"),
        ("BD-8", 3): replace(blank(373), licence_status="pending"),
        ("BD-9", 1): blank(381, hts=PHARMA_HTS),
    },
    sector_names={"apparel": "Apparel", "consumer_electronics": "Consumer electronics", "cosmetics": "Cosmetics",
                  "toys": "Toys", "pharmaceuticals": "Pharmaceuticals"},
    hts_sectors={"3004": frozenset({"pharmaceuticals"}), "3304": frozenset({"cosmetics"}),
                 "851713": frozenset({"consumer_electronics"}), "9503": frozenset({"toys"})},
    prior_violations_by_ior={REPEAT: PriorViolationFact(2, date(2026, 10, 2))},
    prior_violations_by_org={18: PriorViolationFact(1, date(2026, 3, 1))},
    violative_shippers=frozenset({(normalize_name(SHIPPER), "CN", SHIPPER)}),
)

EXP, STD, REF = OUTCOMES


def line(no: int = 1, **overrides: object) -> LineInput:
    """A used apparel line of the recorded mark TMK, clean for ACME unless overridden."""
    base = dict(line_no=no, description="jackets", hts_code=HTS, quantity=Decimal(10),
                value_usd=Decimal("250.00"), sector="apparel", condition="used", recordation_number=TMK)
    base.update(overrides)
    return LineInput(**base)


def blank_line(
    no: int = 1, decl: str | None = "BD-1", decl_line: int | None = 1, **overrides: object
) -> LineInput:
    """A blank line citing a declaration line (BD-1 line 1, covered for ACME, unless told otherwise)."""
    overrides = {"condition": "blank", "recordation_number": None, "blank_declaration_id": decl,
                 "blank_line_no": decl_line, **overrides}
    return line(no, **overrides)


def entry(*lines: LineInput, ior: str = ACME, shipment: ShipmentInput | None = None) -> EntryInput:
    """An entry of ``lines`` for importer ``ior``."""
    return EntryInput("ABC-1234567-6", "2704", ior, tuple(lines), shipment)


def run(*lines: LineInput, ior: str = ACME, rate: float = 0.0, uei: str = UEI, facts: Facts = FACTS,
        shipment: ShipmentInput | None = None) -> EntryDecision:
    """Decide an entry of ``lines`` (no random verification unless a rate is given)."""
    return decide(entry(*lines, ior=ior, shipment=shipment), facts, uei=uei, sample_rate=rate)


# --- every rule on its own (and the pairs that cannot be separated) --------------------------------

CASES = [
    ("clean used line", dict(), ACME, (), EXP),
    ("clean new_parallel, no Lever rule", dict(condition="new_parallel"), ACME, (), EXP),
    ("lever label given", dict(condition="new_parallel", recordation_number=LEVER, lever_label=True), ACME,
     (), EXP),
    ("lever mark, used goods need the label too", dict(recordation_number=LEVER), ACME,
     ("lever_label_missing",), REF),
    ("lever mark, used goods labelled", dict(recordation_number=LEVER, lever_label=True), ACME, (), EXP),
    ("lever scope covers the HTS code", dict(recordation_number=LEVER_SCOPED), ACME, ("lever_label_missing",), REF),
    ("lever scope leaves the HTS code out", dict(recordation_number=LEVER_SCOPED, hts_code="6102100000"), ACME, (),
     EXP),
    ("lever mark, refurbished goods", dict(condition="refurbished", recordation_number=LEVER), ACME,
     ("no_endorsed_standard", "lever_label_missing"), REF),
    ("lapsed recordation counts as not recorded, no lever", dict(recordation_number=LAPSED), ACME,
     ("mark_not_recorded", "no_endorsed_standard"), STD),
    ("recordation valid through its expires_on", dict(recordation_number=LAPSES_TODAY), ACME, (), EXP),
    ("heightened by HTS whatever the declared sector", dict(hts_code=PHARMA_HTS), ACME,
     ("heightened_protection", "sector_hts_mismatch"), REF),
    ("HTS of another sector", dict(hts_code=PHONE_HTS), ACME, ("sector_hts_mismatch",), REF),
    ("HTS of the declared sector", dict(hts_code=PHONE_HTS, sector="consumer_electronics"), ACME,
     ("no_endorsed_standard",), STD),
    ("HTS of the declared heightened sector", dict(hts_code=PHARMA_HTS, sector="pharmaceuticals"), ACME,
     ("sector_not_approved", "heightened_protection"), STD),
    ("prior violation by IOR number", dict(), REPEAT, ("prior_violation",), STD),
    ("prior violation by organisation", dict(), REPEAT_ORG, ("prior_violation",), STD),
    ("enrollment valid through today", dict(), EXPIRES_TODAY, (), EXP),
    ("debarred IOR number", dict(), DEBARRED_ENROLLED, ("debarred",), REF),
    ("debarred enrolled name", dict(), SHADY, ("debarred",), REF),
    ("unknown importer", dict(), UNKNOWN, ("not_enrolled",), STD),
    ("suspended enrollment", dict(), SUSPENDED, ("not_enrolled",), STD),
    ("expired enrollment", dict(), EXPIRED, ("not_enrolled",), STD),
    ("not enrolled hides sector_not_approved", dict(sector="toys"), UNKNOWN, ("not_enrolled",), STD),
    ("sector not approved", dict(sector="toys"), ACME, ("sector_not_approved",), STD),
    ("heightened protection", dict(sector="cosmetics"), ACME, ("heightened_protection",), STD),
    ("no recordation number", dict(recordation_number=None), ACME,
     ("mark_not_recorded", "no_endorsed_standard"), STD),
    ("empty recordation number", dict(recordation_number=""), ACME,
     ("mark_not_recorded", "no_endorsed_standard"), STD),
    ("unknown recordation number", dict(recordation_number="TMK 19-99999"), ACME,
     ("mark_not_recorded", "no_endorsed_standard"), STD),
    ("no endorsed standard for condition", dict(condition="refurbished"), ACME,
     ("no_endorsed_standard",), STD),
    ("no endorsed standard for sector", dict(sector="consumer_electronics"), ACME,
     ("no_endorsed_standard",), STD),
    ("lever label missing", dict(condition="new_parallel", recordation_number=LEVER), ACME,
     ("lever_label_missing",), REF),
    ("lever label None", dict(condition="new_parallel", recordation_number=LEVER, lever_label=None), ACME,
     ("lever_label_missing",), REF),
]

COMBINATIONS = [
    ("heightened + not approved + no standard", dict(sector="pharmaceuticals", condition="refurbished"), ACME,
     ("sector_not_approved", "heightened_protection", "no_endorsed_standard"), STD),
    ("debarred and not enrolled", dict(), DEBARRED_NOT_ENROLLED, ("debarred", "not_enrolled"), REF),
    ("not enrolled + unknown mark", dict(recordation_number="TMK 00-00000"), UNKNOWN,
     ("not_enrolled", "mark_not_recorded", "no_endorsed_standard"), STD),
    ("lever missing + no standard", dict(sector="consumer_electronics", condition="new_parallel",
                                         recordation_number=LEVER), ACME,
     ("no_endorsed_standard", "lever_label_missing"), REF),
    ("debarred + heightened + lever",
     dict(sector="cosmetics", condition="new_parallel", recordation_number=LEVER), DEBARRED_ENROLLED,
     ("debarred", "heightened_protection", "no_endorsed_standard", "lever_label_missing"), REF),
    ("everything a marked line can hit", dict(sector="pharmaceuticals", condition="new_parallel",
                                              recordation_number=LEVER), SHADY,
     ("debarred", "sector_not_approved", "heightened_protection", "no_endorsed_standard",
      "lever_label_missing"), REF),
]


@pytest.mark.parametrize(("name", "overrides", "ior", "codes", "outcome"), CASES + COMBINATIONS,
                         ids=[c[0] for c in CASES + COMBINATIONS])
def test_marked_line_rules(name, overrides, ior, codes, outcome):
    decision = run(line(**overrides), ior=ior)
    (result,) = decision.lines
    assert result.codes == codes
    assert result.outcome == outcome == decision.outcome
    assert decision.consumptions == ()
    for reason in result.reasons:
        assert reason.message.endswith(".") and len(reason.message) > 40


BLANK_CASES = [
    ("covered", dict(), ACME, (), EXP, 301),
    # API.md: "no filed, unexpired declaration" — a declaration under a CBP query covers nothing until answered.
    ("queried declaration covers nothing until answered", dict(decl="BD-7"), ACME, ("no_blank_declaration",), STD,
     None),
    ("second line of a filed declaration", dict(decl_line=2), ACME, (), EXP, 302),
    ("valid exactly today", dict(decl="BD-6"), ACME, (), EXP, 351),
    ("quantity equals remaining", dict(quantity=Decimal(100)), ACME, (), EXP, 301),
    ("integer quantity", dict(quantity=7), ACME, (), EXP, 301),
    ("no mark rules on blank lines", dict(recordation_number="TMK 19-99999"), ACME, (), EXP, 301),
    ("no declaration cited", dict(decl=None, decl_line=None), ACME, ("no_blank_declaration",), STD, None),
    ("declaration line missing", dict(decl_line=None), ACME, ("no_blank_declaration",), STD, None),
    ("unknown declaration", dict(decl="BD-404"), ACME, ("no_blank_declaration",), STD, None),
    ("another importer's declaration", dict(decl="BD-2"), ACME, ("no_blank_declaration",), STD, None),
    ("withdrawn declaration", dict(decl="BD-3"), ACME, ("no_blank_declaration",), STD, None),
    ("revoked declaration", dict(decl="BD-3", decl_line=2), ACME, ("no_blank_declaration",), STD, None),
    ("expired declaration", dict(decl="BD-4"), ACME, ("no_blank_declaration",), STD, None),
    ("declaration not yet valid", dict(decl="BD-5"), ACME, ("no_blank_declaration",), STD, None),
    ("HTS code differs", dict(decl_line=3), ACME, ("no_blank_declaration",), STD, None),
    ("quantity exceeded", dict(quantity=Decimal("100.5")), ACME, ("blank_quantity_exceeded",), REF, None),
    ("unknown importer cannot own a declaration", dict(), UNKNOWN, ("not_enrolled", "no_blank_declaration"),
     STD, None),
    ("suspended importer's goods still consume", dict(), SUSPENDED, ("not_enrolled",), STD, 301),
    ("heightened sector still consumes", dict(sector="cosmetics"), ACME,
     ("heightened_protection",), STD, 301),
    ("not approved + exceeded", dict(sector="toys", quantity=Decimal(500)), ACME,
     ("sector_not_approved", "blank_quantity_exceeded"), REF, None),
    ("licence rejected: referred, still consumes", dict(decl="BD-8"), ACME, ("licence_rejected",), REF, 371),
    ("licence confirmed", dict(decl="BD-8", decl_line=2), ACME, (), EXP, 372),
    ("licence pending", dict(decl="BD-8", decl_line=3), ACME, (), EXP, 373),
    ("licence rejected + exceeded", dict(decl="BD-8", quantity=Decimal(101)), ACME,
     ("blank_quantity_exceeded", "licence_rejected"), REF, None),
    ("blank goods of a heightened HTS in another sector", dict(decl="BD-9", hts_code=PHARMA_HTS), ACME,
     ("heightened_protection", "sector_hts_mismatch"), REF, 381),
    ("prior violation, blank goods still consume", dict(), REPEAT, ("prior_violation",), STD, 301),
]


@pytest.mark.parametrize(("name", "overrides", "ior", "codes", "outcome", "consumed_from"), BLANK_CASES,
                         ids=[c[0] for c in BLANK_CASES])
def test_blank_line_rules(name, overrides, ior, codes, outcome, consumed_from):
    the_line = blank_line(**overrides)
    decision = run(the_line, ior=ior)
    (result,) = decision.lines
    assert result.codes == codes
    assert result.outcome == outcome
    if consumed_from is None:
        assert decision.consumptions == ()
    else:
        assert decision.consumptions == ((consumed_from, Decimal(the_line.quantity)),)
        assert decision.facts_used["blank_line_ids"] == [consumed_from]


def test_messages_say_what_to_do():
    decision = run(line(sector="consumer_electronics"))
    assert decision.lines[0].reasons[0].message == (
        "No published standard for Consumer electronics (used) is endorsed for TMK 21-00123 by its owner; the "
        "line goes to standard processing. Ask the mark owner to endorse the sector standard."
    )
    exceeded = run(blank_line(quantity=Decimal("120.5"))).lines[0].reasons[0].message
    assert "120.5" in exceeded and "only 100" in exceeded and "nothing is drawn" in exceeded
    assert "expired on 2026-11-24" in run(line(), ior=EXPIRED).lines[0].reasons[0].message
    assert "suspended" in run(line(), ior=SUSPENDED).lines[0].reasons[0].message
    assert "6202935099" in run(blank_line(decl_line=3)).lines[0].reasons[0].message


# --- entries ---------------------------------------------------------------------------------------

ENTRY_CASES = [
    ("all clean", [line(1), line(2, condition="new_parallel")], EXP, [EXP, EXP]),
    ("one standard line", [line(1), line(2, sector="cosmetics")], STD, [EXP, STD]),
    ("one referred line", [line(1, sector="cosmetics"), line(2, condition="new_parallel",
                                                              recordation_number=LEVER), line(3)],
     REF, [STD, REF, EXP]),
    ("blank and marked", [blank_line(1), line(2, recordation_number=None)], STD, [EXP, STD]),
    ("no lines", [], EXP, []),
]


@pytest.mark.parametrize(("name", "lines", "outcome", "line_outcomes"), ENTRY_CASES,
                         ids=[c[0] for c in ENTRY_CASES])
def test_entry_outcome_is_most_restrictive_line(name, lines, outcome, line_outcomes):
    decision = run(*lines)
    assert decision.outcome == outcome
    assert [result.outcome for result in decision.lines] == line_outcomes
    assert [result.line_no for result in decision.lines] == [the_line.line_no for the_line in lines]
    assert decision.rules_version == RULES_VERSION
    assert most_restrictive(line_outcomes) == outcome


def test_entry_level_reasons_on_every_line():
    decision = run(line(1), line(2, sector="cosmetics"), ior=DEBARRED_NOT_ENROLLED)
    assert [r.codes for r in decision.lines] == [
        ("debarred", "not_enrolled"), ("debarred", "not_enrolled", "heightened_protection")]
    assert decision.codes == ("debarred", "not_enrolled", "heightened_protection")


# --- random verification ---------------------------------------------------------------------------


def ueis_by_pick(rate: float, picked: bool, count: int = 3) -> list[str]:
    """UEIs whose verification pick at ``rate`` is ``picked`` (seeded, so every xdist worker collects the same ids)."""
    import random

    from program.decisions.uei import ALPHABET, BODY_LENGTH, check_character

    rng = random.Random(f"{rate}-{picked}")
    found = []
    while len(found) < count:
        body = "".join(rng.choice(ALPHABET) for _ in range(BODY_LENGTH))
        candidate = body + check_character(body)
        if verification_pick(candidate, rate) is picked:
            found.append(candidate)
    return found


@pytest.mark.parametrize("uei", ueis_by_pick(0.5, picked=True), ids=["uei-a", "uei-b", "uei-c"])
def test_random_verification_refers_an_expedited_entry_on_every_line(uei):
    decision = run(line(1), blank_line(2), rate=0.5, uei=uei)
    assert decision.outcome == REF
    assert [r.codes for r in decision.lines] == [("random_verification",)] * 2
    assert [r.outcome for r in decision.lines] == [REF, REF]
    assert decision.consumptions == ((301, Decimal(10)),)  # the goods arrive either way
    assert run(line(1), blank_line(2), rate=0.5, uei=uei) == decision  # deterministic


@pytest.mark.parametrize("uei", ueis_by_pick(0.5, picked=False), ids=["uei-a", "uei-b", "uei-c"])
def test_random_verification_not_picked(uei):
    assert run(line(1), rate=0.5, uei=uei).outcome == EXP


def test_random_verification_only_for_fully_expedited_entries():
    decision = run(line(1), line(2, sector="cosmetics"), rate=1.0)
    assert "random_verification" not in decision.codes
    assert run(line(1), rate=1.0).codes == ("random_verification",)
    assert run(line(1), rate=0.0).codes == ()


def test_random_verification_fraction_follows_rate():
    picked = sum(run(line(1), rate=0.1, uei=new_uei()).outcome == REF for _ in range(4000))
    assert 4000 * 0.1 - 5 * (4000 * 0.1 * 0.9) ** 0.5 < picked < 4000 * 0.1 + 5 * (4000 * 0.1 * 0.9) ** 0.5


# --- blank consumption inside one entry ------------------------------------------------------------

DRAW_CASES = [
    ("two fit exactly", [40, 60], [(), ()], [40, 60]),
    ("second would overdraw", [60, 60], [(), ("blank_quantity_exceeded",)], [60]),
    ("refused line draws nothing", [60, 50, 40], [(), ("blank_quantity_exceeded",), ()], [60, 40]),
    ("first too big, second fits", [150, 100], [("blank_quantity_exceeded",), ()], [100]),
]


@pytest.mark.parametrize(("name", "quantities", "codes", "drawn"), DRAW_CASES, ids=[c[0] for c in DRAW_CASES])
def test_running_remaining_within_an_entry(name, quantities, codes, drawn):
    lines = [blank_line(i + 1, quantity=Decimal(q)) for i, q in enumerate(quantities)]
    decision = run(*lines)
    assert [r.codes for r in decision.lines] == codes
    assert decision.consumptions == tuple(Consumption(301, Decimal(q)) for q in drawn)
    assert sum(c.quantity for c in decision.consumptions) <= 100


def test_overdraw_message_mentions_earlier_lines():
    decision = run(blank_line(1, quantity=Decimal(60)), blank_line(2, quantity=Decimal(60)))
    assert "only 40 remaining after earlier lines of this entry" in decision.lines[1].reasons[0].message


def test_separate_declaration_lines_draw_separately():
    decision = run(blank_line(1, quantity=Decimal(90)), blank_line(2, decl_line=2, quantity=Decimal(90)))
    assert decision.codes == ()
    assert decision.consumptions == ((301, Decimal(90)), (302, Decimal(90)))


# --- facts used, purity, catalogue -----------------------------------------------------------------


def test_facts_used():
    decision = run(line(1), line(2, condition="new_parallel", recordation_number=LEVER, lever_label=True),
                   line(3), blank_line(4), blank_line(5, decl="BD-404"))
    assert decision.facts_used == {
        "as_of": "2026-11-25",
        "enrollment_id": 1,
        "mark_ids": [501, 502],
        "standard_version_ids": [71, 73],
        "blank_line_ids": [301],
    }
    assert run(line(), ior=UNKNOWN).facts_used["enrollment_id"] is None


def test_decide_does_not_mutate_facts_or_input():
    snapshot = copy.deepcopy(FACTS)
    the_entry = entry(blank_line(1, quantity=Decimal(60)), blank_line(2, quantity=Decimal(60)), line(3))
    entry_snapshot = copy.deepcopy(the_entry)
    for _ in range(3):
        decide(the_entry, FACTS, uei=UEI, sample_rate=1.0)
    assert snapshot == FACTS
    assert FACTS.blank_lines[("BD-1", 1)].remaining == Decimal(100)
    assert the_entry == entry_snapshot
    with pytest.raises(FrozenInstanceError):
        FACTS.as_of = date(2030, 1, 1)


def test_same_facts_different_day():
    later = replace(FACTS, as_of=date(2027, 7, 1))
    assert run(line(), facts=later).codes == ("not_enrolled",)
    assert run(blank_line(), facts=later).codes == ("not_enrolled", "no_blank_declaration")


def test_rule_catalogue():
    assert [rule.code for rule in RULES] == [
        "debarred", "not_enrolled", "prior_violation", "known_violative_shipper", "sector_not_approved",
        "heightened_protection", "sector_hts_mismatch", "mark_not_recorded", "no_endorsed_standard",
        "lever_label_missing", "no_blank_declaration", "blank_quantity_exceeded", "licence_rejected",
        "random_verification",
    ]
    assert {code for code, rule in RULES_BY_CODE.items() if rule.outcome == REF} == {
        "debarred", "known_violative_shipper", "sector_hts_mismatch", "lever_label_missing",
        "blank_quantity_exceeded", "licence_rejected", "random_verification"}
    assert RULES_VERSION == "2026.12-1"
    assert all(rule.summary.endswith(".") and rule.scope in {"entry", "line", "sample"} for rule in RULES)
    assert OUTCOMES == ("expedited_release", "standard_processing", "refer_for_examination")


@pytest.mark.parametrize(
    ("left", "right"),
    [
        ("SHADY IMPORTS, LTD.", "Shady Imports Ltd"),
        ("Acme, L.L.C.", "ACME LLC"),
        ("Müller GmbH", "muller"),
        ("Smith & Wesson Co.", "smith and wesson"),
        ("  Foo   Bar  Inc ", "foo bar"),
        ("Acme Holdings Co., Ltd.", "acme holdings"),
        ("Coca-Cola Company", "coca cola"),
        ("O’Brien Trading Pty Ltd", "OBrien Trading"),
    ],
)
def test_normalize_name_equal(left, right):
    assert normalize_name(left) == normalize_name(right)


@pytest.mark.parametrize(("name", "normal"), [("Company", "company"), ("Acme Inc", "acme"), ("", "")])
def test_normalize_name_keeps_a_word(name, normal):
    assert normalize_name(name) == normal


def test_normalize_name_distinguishes_different_names():
    assert normalize_name("Shady Imports") != normalize_name("Shady Exports")


# --- shipments, sector names, rule history ---------------------------------------------------------

SHIPMENT_CASES = [
    ("listed seller", ShipmentInput("section_321", "HB123", SHIPPER, "CN", "BigMarket"), ("known_violative_shipper",)),
    ("resembling name", ShipmentInput("section_321", None, "Shenzen Fast Goods Trading Company Limited", "cn"),
     ("known_violative_shipper",)),
    ("country unknown on the request", ShipmentInput("section_321", None, "SHENZHEN FAST GOODS TRADING"),
     ("known_violative_shipper",)),
    ("same name, another country", ShipmentInput("section_321", None, SHIPPER, "VN"), ()),
    ("another seller", ShipmentInput("section_321", None, "Honest Parcels GmbH", "DE"), ()),
    ("no seller", ShipmentInput("section_321", "HB9"), ()),
    ("formal entry", ShipmentInput(), ()),
]


@pytest.mark.parametrize(("name", "shipment", "codes"), SHIPMENT_CASES, ids=[c[0] for c in SHIPMENT_CASES])
def test_known_violative_shipper_refers_every_line(name, shipment, codes):
    decision = run(line(1), blank_line(2), shipment=shipment)
    assert [result.codes for result in decision.lines] == [codes, codes]
    assert decision.outcome == (REF if codes else EXP)
    assert decision.consumptions == ((301, Decimal(10)),)  # covered blank goods arrive either way


def test_messages_name_sectors_not_codes():
    decided = run(line(1, sector="toys"), line(2, hts_code=PHARMA_HTS), line(3, sector="consumer_electronics"))
    messages = " ".join(r.message for result in decided.lines for r in result.reasons)
    assert "The sector Toys is not approved for this importer (approved: Apparel, Consumer electronics, " \
           "Cosmetics)" in messages
    assert "its HTS code belongs to Pharmaceuticals" in messages
    assert "No published standard for Consumer electronics (used)" in messages
    assert "consumer_electronics" not in messages and "pharmaceuticals" not in messages


def test_prior_violation_message_says_when():
    (reason,) = run(line(), ior=REPEAT).lines[0].reasons
    assert "seized in 2 enforcement cases closed within the last 365 days (most recently on 2026-10-02)" \
        in reason.message


def test_rule_summaries_keep_their_version():
    assert "new_parallel line" in rule_summary("lever_label_missing", "2026.11-1")
    assert "any condition" in rule_summary("lever_label_missing")
    assert rule_summary("debarred", "2026.11-1") == rule_summary("debarred") == RULES_BY_CODE["debarred"].summary
