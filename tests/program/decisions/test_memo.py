"""The memoised engine path gives exactly the decisions of ``engine.decide``, entry after entry."""

from __future__ import annotations

import random
from dataclasses import replace
from decimal import Decimal

import pytest

from program.decisions import memo as memo_module
from program.decisions.engine import EntryInput, LineInput, ShipmentInput, decide
from program.decisions.entry_number import make_entry_number
from program.decisions.memo import DecisionMemo
from program.decisions.screen_read import INPUT_COLUMNS, OPTIONAL_COLUMNS, EntryReader
from program.decisions.screen_summary import ScreenSummary
from program.decisions.uei import new_uei
from tests.program.decisions.test_engine import (
    ACME,
    DEBARRED_ENROLLED,
    DEBARRED_NOT_ENROLLED,
    EXPIRED,
    EXPIRES_TODAY,
    FACTS,
    HTS,
    LAPSED,
    LAPSES_TODAY,
    LEVER,
    LEVER_SCOPED,
    PHARMA_HTS,
    PHONE_HTS,
    REPEAT,
    REPEAT_ORG,
    SHADY,
    SHIPPER,
    SUSPENDED,
    TMK,
    UNKNOWN,
    blank_line,
    entry,
    line,
)

IORS = (ACME, ACME, ACME, DEBARRED_ENROLLED, DEBARRED_NOT_ENROLLED, SHADY, SUSPENDED, EXPIRED, EXPIRES_TODAY,
        UNKNOWN, REPEAT, REPEAT_ORG)
HTS_CODES = (HTS, HTS, HTS, "6102100000", PHARMA_HTS, PHONE_HTS)
SHIPMENTS = (None, None, None, ShipmentInput(), ShipmentInput("section_321", "HB1", SHIPPER, "CN", "BigMarket"),
             ShipmentInput("section_321", "HB2", "Shenzen Fast Goods Trading", None),
             ShipmentInput("section_321", "HB3", "Honest Parcels GmbH", "DE"))
SECTORS = ("apparel", "consumer_electronics", "cosmetics", "toys", "pharmaceuticals")
CONDITIONS = ("new_parallel", "used", "refurbished", "recycled")
MARKS = (TMK, TMK, LEVER, LEVER, LEVER_SCOPED, LAPSED, LAPSES_TODAY, None, "", "TMK 19-99999")
DECLARED = (("BD-1", 1), ("BD-1", 2), ("BD-1", 3), ("BD-2", 1), ("BD-3", 1), ("BD-4", 1), ("BD-5", 1),
            ("BD-6", 1), ("BD-404", 1), (None, 1), ("BD-1", None), ("BD-8", 1), ("BD-8", 2), ("BD-9", 1))


def random_line(rng: random.Random, no: int) -> LineInput:
    """A line of any kind the rules distinguish: clean, unmarked, unknown mark, Lever, blank, bad blank."""
    if rng.random() < 0.25:
        decl, decl_line = rng.choice(DECLARED)
        return blank_line(no, decl, decl_line, quantity=Decimal(rng.choice((rng.randint(1, 40), 150))),
                          hts_code=rng.choice((HTS, HTS, "6202935099", PHARMA_HTS)), sector=rng.choice(SECTORS),
                          country_of_origin=rng.choice((None, "CN")))
    return line(no, sector=rng.choice(SECTORS), condition=rng.choice(CONDITIONS), recordation_number=rng.choice(MARKS),
                lever_label=rng.choice((True, False, None)), quantity=Decimal(rng.randint(1, 40)),
                hts_code=rng.choice(HTS_CODES), country_of_origin=rng.choice((None, "CN", "VN")))


def random_entry(rng: random.Random) -> EntryInput:
    """An entry of 1-8 random lines for a random importer (one in five of clean lines only)."""
    numbers = rng.sample(range(1, 30), rng.randint(1, 8))
    if rng.random() < 0.2:
        return entry(*(line(no, quantity=Decimal(rng.randint(1, 40))) for no in numbers), ior=ACME)
    return entry(*(random_line(rng, no) for no in numbers), ior=rng.choice(IORS), shipment=rng.choice(SHIPMENTS))


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_memo_decides_like_decide_on_random_entries(seed):
    rng = random.Random(seed)
    memo = DecisionMemo(FACTS)
    codes = set()
    for _ in range(2000):
        the_entry = random_entry(rng)
        uei = new_uei()
        expected = decide(the_entry, FACTS, uei=uei, sample_rate=0.3)
        assert memo.decide(the_entry, uei=uei, sample_rate=0.3) == expected
        codes.update(expected.codes)
    assert len(codes) == 14  # every rule fired somewhere, random verification included


def test_memo_follows_falling_blank_quantities():
    """As in the bulk screen: each entry's draws lower the declared lines the next entries see."""
    rng = random.Random(11)
    blank_lines = dict(FACTS.blank_lines)
    facts = replace(FACTS, blank_lines=blank_lines)
    by_id = {fact.line_id: key for key, fact in blank_lines.items()}
    memo = DecisionMemo(facts)
    exceeded = 0
    for _ in range(600):
        the_entry = random_entry(rng)
        uei = new_uei()
        expected = decide(the_entry, facts, uei=uei, sample_rate=0.1)
        assert memo.decide(the_entry, uei=uei, sample_rate=0.1) == expected
        exceeded += "blank_quantity_exceeded" in expected.codes
        for line_id, quantity in expected.consumptions:
            key = by_id[line_id]
            blank_lines[key] = replace(blank_lines[key], remaining=blank_lines[key].remaining - quantity)
    assert exceeded and sum(fact.remaining for fact in blank_lines.values()) < \
        sum(fact.remaining for fact in FACTS.blank_lines.values()) - 200


def test_unmarked_line_messages_quote_their_own_line_number():
    memo = DecisionMemo(FACTS)
    for no in (1, 2, 7):
        decided = memo.decide(entry(line(no, recordation_number=None)), uei=new_uei(), sample_rate=0.0)
        assert f"Line {no} gives no trademark recordation number" in decided.lines[0].reasons[0].message


def test_memo_starts_afresh_when_full(monkeypatch):
    monkeypatch.setattr(memo_module, "MAX_REMEMBERED", 3)
    rng = random.Random(5)
    memo = DecisionMemo(FACTS)
    for _ in range(200):
        the_entry = random_entry(rng)
        uei = new_uei()
        assert memo.decide(the_entry, uei=uei, sample_rate=0.2) == decide(the_entry, FACTS, uei=uei, sample_rate=0.2)
    assert len(memo._lines) <= 3 and len(memo._entries) <= 3


def _declaration_id(public_id: str | None) -> str | None:
    """The engine tests' short declaration ids ("BD-1") as the screen's ids ("BGD-2026-000001")."""
    return None if public_id is None else f"BGD-2026-{int(public_id[3:]):06d}"


SCREEN_FACTS = replace(FACTS, blank_lines={(_declaration_id(d), n): fact for (d, n), fact in FACTS.blank_lines.items()})


def _text(value: object) -> str:
    return "" if value is None else "true" if value is True else "false" if value is False else str(value)


def _screen_rows(rng: random.Random, the_entry: EntryInput) -> list[list[str]]:
    """The entry as rows of the bulk screen's CSV, the optional columns included (the shipment on the first row,
    or on every row)."""
    shipment = the_entry.shipment
    columns = ("", "", "", "", "") if shipment is None else (
        shipment.type, shipment.house_bill, shipment.seller_name, shipment.seller_country, shipment.marketplace)
    every_row = rng.random() < 0.5
    rows = []
    for i, ln in enumerate(the_entry.lines):
        rows.append([the_entry.entry_number, the_entry.port_code, the_entry.ior_number, *map(_text, ln[:11]),
                     _text(ln.country_of_origin), *map(_text, columns if i == 0 or every_row else ("",) * 5)])
    return rows


@pytest.mark.parametrize("seed", [4, 5])
def test_screen_columns_read_into_the_memo_decide_like_decide(seed):
    """Random entries written as screen rows with the optional columns (country of origin, shipment), read back by
    the screen's reader and decided by the memo, get the decisions ``decide`` gives the entries themselves."""
    rng = random.Random(seed)
    originals = []
    rows: list[list[str]] = []
    for serial in range(1, 1501):
        the_entry = random_entry(rng)
        the_entry = replace(the_entry, entry_number=make_entry_number("ABC", serial), lines=tuple(
            ln._replace(blank_declaration_id=_declaration_id(ln.blank_declaration_id)) for ln in the_entry.lines))
        originals.append(the_entry)
        rows.extend(_screen_rows(rng, the_entry))
    summary = ScreenSummary()
    reader = EntryReader([*INPUT_COLUMNS, *OPTIONAL_COLUMNS], sectors=set(FACTS.sector_names), summary=summary)
    groups = list(reader.entries(enumerate(rows, start=2)))
    assert summary.bad_rows == 0 and len(groups) == len(originals)
    memo = DecisionMemo(SCREEN_FACTS)
    codes = set()
    for the_entry, group in zip(originals, groups, strict=True):
        read = group.entry_input()
        assert read.shipment == the_entry.shipment
        assert [ln.country_of_origin for ln in read.lines] == [ln.country_of_origin for ln in the_entry.lines]
        uei = new_uei()
        expected = decide(the_entry, SCREEN_FACTS, uei=uei, sample_rate=0.3)
        assert memo.decide(read, uei=uei, sample_rate=0.3) == expected
        codes.update(expected.codes)
    assert len(codes) == 14 and "known_violative_shipper" in codes


@pytest.mark.parametrize("seed", [6, 7])
def test_one_line_entries_share_decisions_only_where_decide_agrees(seed):
    """Parcels: one-line entries reuse the decision of an earlier entry with the same line unless random
    verification picks them; every decision is still ``decide``'s."""
    rng = random.Random(seed)
    memo = DecisionMemo(FACTS)
    picked = 0
    seen: dict[int, object] = {}  # the decisions returned, kept alive so that their ids stay theirs
    shared = 0
    for _ in range(3000):
        the_entry = random_entry(rng)
        the_entry = replace(the_entry, lines=(the_entry.lines[0]._replace(line_no=1),))
        uei = new_uei()
        expected = decide(the_entry, FACTS, uei=uei, sample_rate=0.3)
        decided = memo.decide(the_entry, uei=uei, sample_rate=0.3)
        assert decided == expected
        picked += "random_verification" in expected.codes
        shared += id(decided) in seen
        seen[id(decided)] = decided
    assert picked and shared > 300  # random verification still picks; most parcels reuse a decision
