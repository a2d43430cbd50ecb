"""The screen's reader on random rows: every row is read into its entry or reported, and nothing stops the run."""

from __future__ import annotations

import random

import pytest

from program.decisions import grouping
from program.decisions.entry_number import make_entry_number
from program.decisions.screen_read import INPUT_COLUMNS, OPTIONAL_COLUMNS, EntryReader
from program.decisions.screen_summary import ScreenSummary

SECTORS = {"apparel", "consumer_electronics", "cosmetics"}
GOOD = {
    "port_code": ("2704", " 1001 ", "3004"),
    "ior_number": ("12-3456789", "123456-78901", " 12-3456789ab"),
    "description": ("Used phones", "  Jackets ", "Café crème, 12 oz"),
    "hts_code": ("6202935011", "6202.93.5011", "8517.13.0000"),
    "quantity": ("1", "40", " 2.5"),
    "value_usd": ("10.00", "0", "89999.99", " 12 "),
    "sector": ("apparel", " cosmetics", "consumer_electronics"),
    "condition": ("used", "new_parallel", "blank", " refurbished "),
    "recordation_number": ("", "TMK 21-00123", "tmk  19-04567"),
    "lever_label": ("", "true", "no", "YES"),
    "blank_declaration_id": ("", "BGD-2026-000006", "bgd-2026-000123"),
    "blank_line_no": ("", "1", " 7"),
    "country_of_origin": ("", "CN", "vn"),
}
BAD = {
    "entry_number": ("XYZ{n}", "ABC-{n:07d}-X", ""),  # rows with the same bad number make a block go row by row
    "port_code": ("27", ""),
    "ior_number": ("nope", ""),
    "line_no": ("0", "x", ""),
    "description": ("", "   ", "x" * 501),
    "hts_code": ("12.34", ""),
    "quantity": ("-1", "0", "many"),
    "value_usd": ("abc", "-5", "NaN"),
    "sector": ("nosuch", ""),
    "condition": ("NEW", "mint"),
    "recordation_number": ("TMK",),
    "lever_label": ("maybe",),
    "blank_declaration_id": ("??",),
    "blank_line_no": ("x", "0"),
    "country_of_origin": ("Narnia",),
    "shipment_type": ("courier",),
    "seller_country": ("XX",),
}
SHIPMENTS = (("", "", "", "", ""), ("formal", "", "", "", ""),
             ("section_321", "HB{n}", "Saigon Crafts Co", "VN", "bigmarket.example"),
             ("section_321", "HB{n}", "Shenzen Fast Goods Trading", "", ""), (" Section_321 ", "hb {n} ", "", "", ""))


def _rows(rng: random.Random, header: list[str], count: int, stretch: int) -> list[tuple[int, list[str]]]:
    """Numbered rows: mostly one-line entries (parcels), some entries of several lines, bad fields of every kind,
    entries that come back, empty, short and long rows; entry numbers spelt in the ways the reader groups alike."""
    rows: list[tuple[int, list[str]]] = []
    serial = 0
    row_no = 1
    used: list[str] = []
    while len(rows) < count:
        serial += 1
        number = make_entry_number("ABC", serial)
        parcels_only = (serial // stretch) % 3 != 0  # two stretches of parcels, then one of mixed entries, and so on
        if not parcels_only and rng.random() < 0.05 and used:
            number = rng.choice(used)  # an entry that comes back after others
        spelt = rng.choice((number, number, number.lower(), number.replace("-", ""), f" {number} "))
        used.append(number)
        lines = 1 if parcels_only or rng.random() < 0.5 else rng.randint(2, 4)
        shipment = [part.format(n=serial) for part in rng.choice(SHIPMENTS)]
        for line_no in range(1, lines + 1):
            values = {"entry_number": spelt, "line_no": str(line_no if rng.random() < 0.98 else 1)}
            for column, choices in GOOD.items():
                values[column] = rng.choice(choices)
            for column, part in zip(OPTIONAL_COLUMNS[1:], shipment, strict=True):
                values[column] = part if line_no == 1 or rng.random() < 0.5 else ""
            if rng.random() < 0.08:
                column = rng.choice(sorted(BAD))
                values[column] = rng.choice(BAD[column]).format(n=serial)
            row = [values.get(name, "") for name in header]
            shape = rng.random()
            if shape < 0.01:
                row = row[:rng.randint(1, len(row) - 1)]  # a short row: the rest read as empty
            elif shape < 0.02:
                row = row + ["extra"]
            row_no += 1
            rows.append((row_no, row))
            if rng.random() < 0.01:
                row_no += 1
                rows.append((row_no, []))  # an empty line
    return rows


def _read(header: list[str], rows: list[tuple[int, list[str]]], *, together: bool = False):
    summary = ScreenSummary()
    reported: list[dict] = []
    reader = EntryReader(header, sectors=SECTORS, summary=summary, on_bad_row=reported.append, together=together)
    groups = list(reader.entries(iter([(n, list(row)) for n, row in rows])))
    seen = [(g.key, g.first_row, g.entry_number, g.port, g.ior, g.raw_port, g.raw_ior, g.rows, g.lines, g.line_nos,
             g.bad, g.shipment, g.shipment_input, g.raw_shipment) for g in groups]
    return seen, summary.bad_rows, summary.errors, reported, groups


HEADERS = {
    "all columns": [*INPUT_COLUMNS, *OPTIONAL_COLUMNS],
    "fixed columns": list(INPUT_COLUMNS),
    "country only": [*INPUT_COLUMNS, "country_of_origin"],
    "shipment, no country": [*INPUT_COLUMNS, *OPTIONAL_COLUMNS[1:]],
    "another order": [*reversed(OPTIONAL_COLUMNS), *reversed(INPUT_COLUMNS)],
}


@pytest.mark.parametrize("shape", sorted(HEADERS))
def test_random_rows_are_read_into_entries_or_reported(shape):
    """Rows of every kind (bad fields, entries that come back, short and long rows, shipments spelt several ways) are
    each read into one entry, in file order, or reported with the field at fault; nothing stops the reading."""
    rng = random.Random(shape)
    header = HEADERS[shape]
    rows = _rows(rng, header, 6000, stretch=300)
    seen, bad_rows, _, reported, groups = _read(header, rows)
    names = set(header)
    assert [row for g in groups for row in g.rows] == [
        [row[header.index(c)] if header.index(c) < len(row) else "" for c in [*INPUT_COLUMNS, *(
            c for c in OPTIONAL_COLUMNS if c in names)]] for _, row in rows if row]
    assert bad_rows == len(reported) == sum(len(g.bad) for g in groups if g.bad) > 300
    assert {problem["field"] for problem in reported} >= set(BAD) & names
    assert {problem["field"] for problem in reported} <= names
    for group in groups:  # a good entry has a line for each row (a bad one may too: an entry that came back)
        assert group.bad is not None or (len(group.lines) == len(group.rows) and group.entry_number is not None)
    assert any(p["message"].startswith("Entry ") and "already appeared" in p["message"] for p in reported)


def test_a_later_row_may_name_the_formal_entry_its_first_row_left_unsaid():
    """An entry's first row without shipment columns is a formal entry; a later row saying ``formal`` agrees (it
    used to stop the whole run with a StopIteration), one saying ``section_321`` is a bad row naming the column."""
    header = [*INPUT_COLUMNS, *OPTIONAL_COLUMNS]
    goods = ["Jacket", "6202935011", "1", "10.00", "apparel", "used", "", "", "", "", "CN"]
    first, second = make_entry_number("ABC", 1), make_entry_number("ABC", 2)
    rows = [(2, [first, "2704", "12-3456789", "1", *goods, "", "", "", "", ""]),
            (3, [first, "2704", "12-3456789", "2", *goods, "formal", "", "", "", ""]),
            (4, [second, "2704", "12-3456789", "1", *goods, "", "", "", "", ""]),
            (5, [second, "2704", "12-3456789", "2", *goods, "section_321", "HB1", "", "", ""])]
    seen, bad_rows, errors, _, _ = _read(header, rows)
    assert [(g[2], g[10], g[11]) for g in seen] == [(first, None, None), (second, {1: "shipment_type"}, None)]
    assert bad_rows == 1 and errors[0]["row"] == 5 and "one shipment" in errors[0]["message"]


def test_rows_known_to_be_together_are_read_alike_without_the_look_back():
    """Rows whose entries are known to be together (a checked or sorted file, a partition dealt from one) are read
    into the same entries and reports, without keeping the look-back of closed entries."""
    header = HEADERS["all columns"]
    rows = _rows(random.Random(7), header, 6000, stretch=300)
    first_of: dict[str, int] = {}  # the rows of each entry together: ordered by where its first row was
    keys = [grouping.entry_key(row[0]) if row else "" for _, row in rows]
    for key, (n, _) in zip(keys, rows, strict=True):
        first_of.setdefault(key, n)
    together = [row for _, row in sorted(zip(keys, rows, strict=True), key=lambda kr: first_of[kr[0]])]
    seen, bad_rows, errors, reported, _ = _read(header, together)
    assert not any("already appeared" in p["message"] for p in reported)
    assert _read(header, together, together=True)[:4] == (seen, bad_rows, errors, reported)
    summary = ScreenSummary()
    reader = EntryReader(header, sectors=SECTORS, summary=summary, together=True)
    assert sum(1 for _ in reader.entries(iter(together))) == len(seen) and reader.recent == {}
