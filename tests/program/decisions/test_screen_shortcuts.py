"""The bulk screen's shortcuts for values seen once (parcels' entry numbers and house bills) give what the
general path gives: the same parsed shipment or the same problem, and the same stored JSON."""

from __future__ import annotations

import random
from types import SimpleNamespace

import pytest

from program.decisions import inputs
from program.decisions.screen_read import _parcel_shipment, _shipment
from program.decisions.screen_store import ChunkStore, _compact_json

TYPES = ["", "formal", "section_321", " SECTION_321 ", "bogus"]
BILLS = ["", "  ", "HB000000001", " HB 2  x ", "x" * 200, "x" * 201, "a\x00b", "Ünïcode — bill \"quoted\""]
SELLERS = ["", "Saigon Crafts Co", "  Acme   Ltd ", "bad\x00name", "y" * 201]
COUNTRIES = ["", "VN", "vn", "XX"]
MARKETPLACES = ["", "bigmarket.example", "z" * 201]


def outcome(function, columns):
    try:
        return "ok", function(columns)
    except inputs.FieldProblem as problem:
        return "problem", (problem.field, str(problem))


def test_a_parcels_shipment_is_the_general_paths_on_random_columns():
    rng = random.Random(18)
    kinds = set()
    for _ in range(5_000):
        columns = (rng.choice(TYPES), rng.choice(BILLS), rng.choice(SELLERS), rng.choice(COUNTRIES),
                   rng.choice(MARKETPLACES))
        fast = outcome(_parcel_shipment, columns)
        general = outcome(_shipment.__wrapped__, columns)  # uncached
        assert fast == general, columns
        kinds.add(fast[0] if fast[0] == "problem" else ("none" if fast[1][0] is None else "shipment"))
    assert kinds == {"problem", "none", "shipment"}  # each kind of outcome was met


@pytest.mark.parametrize("bills", [["HB1", "HB2", None, "Ü \"q\" \\ x", "HB1"]])
def test_stored_shipment_json_is_the_encoders_for_every_house_bill(bills):
    store = ChunkStore.__new__(ChunkStore)
    store._shipment_cache = {}
    seller = {"name": "Saigon \"Crafts\" Ñ", "country": "VN"}
    for raw_bill in bills:
        shipment = {"type": "section_321", "house_bill": raw_bill, "seller": seller, "marketplace": "m.example"}
        group = SimpleNamespace(shipment=shipment,
                                raw_shipment=("section_321", raw_bill or "", "Saigon \"Crafts\" Ñ", "VN", "m.example"))
        assert store._shipment_json(group) == _compact_json(shipment)
    assert len(store._shipment_cache) == 1  # the text around the house bill was made once
    assert store._shipment_json(SimpleNamespace(shipment=None, raw_shipment=None)) is None
