"""Demo blank-goods declarations: the approved demo importers file them through the services, some
lines partly drawn (ledger rows with a 'demo' reference), one queried by CBP, one revoked."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from typing import Any

from core.accounts.models import User
from core.timeutil import today
from program.blanks import services
from program.seed import SEEDERS

REVIEWER = "reviewer@cbp.example.gov"


def _body(parties: list[dict[str, Any]], lines: list[dict[str, Any]], days: int = 180) -> dict[str, Any]:
    start = today()
    return {"valid_from": start.isoformat(), "valid_until": (start + timedelta(days=days)).isoformat(),
            "parties": parties, "lines": [dict(line, line_no=i + 1) for i, line in enumerate(lines)],
            "attestation": True}


def _line(description: str, hts: str, quantity: int, origin: str, unit: str = "pcs", **extra: Any) -> dict[str, Any]:
    return {"description": description, "hts_code": hts, "quantity": quantity, "unit": unit,
            "country_of_origin": origin, "intended_marking": "none", **extra}


MAKER_CN = {"role": "manufacturer", "name": "Guangzhou Plain Bags Co.", "country": "CN",
            "address": "12 Mill Road, Baiyun District, Guangzhou"}
MAKER_BD = {"role": "manufacturer", "name": "Dhaka Plain Caps Ltd", "country": "BD", "address": "Plot 4, Dhaka EPZ"}
SELLER = {"role": "seller", "name": "Pearl River Trading Ltd", "country": "HK", "address": "88 Queen's Road, Hong Kong"}


def seed_blanks(users: dict[str, User]) -> str:
    """File the demo declarations and draw on some lines; returns a summary line."""
    northwind, harbor = users["importer@northwind.example"], users["importer@harbor.example"]
    reviewer = users[REVIEWER]
    bags = services.file_declaration(northwind, _body([MAKER_CN, SELLER, {
        "role": "finisher", "name": "Acme Licensed Finishing LLC", "country": "US", "address": "Carson, CA"}], [
        _line("Plain cotton tote bags, no logos", "4202.92.3131", 5000, "CN"),
        _line("Plain polyester backpacks", "4202.92.3120", 1200, "CN"),
        _line("Plain caps for licensed ACME embroidery", "6505.00.8015", 800, "CN", intended_marking="licensed",
              authorization_ref="ACME-LIC-2026-017", recordation_number="TMK 19-04567"),
    ]))
    lines = {line.line_no: line for line in bags.lines}
    draws = [(1, 1800, "demo: entry NWT-0000001-1"), (1, 950, "demo: entry NWT-0000002-9"),
             (2, 1100, "demo: entry NWT-0000003-7"), (3, 200, "demo: entry NWT-0000004-5")]
    for line_no, quantity, reference in draws:
        services.consume_blank_quantity(lines[line_no].id, Decimal(quantity), decision_id=None, reference=reference)
    cases = services.file_declaration(northwind, _body([MAKER_CN], [
        _line("Blank silicone phone cases", "3926.90.9990", 20000, "CN"),
        _line("Plain phone pouches", "4202.32.9550", 3000, "VN"),
    ], days=90))
    services.query_declaration(reviewer, cases, question="Who supplies the finished printing, if any? "
                                                        "Please name the finisher or confirm the cases stay plain.")
    caps = services.file_declaration(northwind, _body([MAKER_BD, SELLER], [
        _line("Plain baseball caps", "6505.00.8015", 2400, "BD"),
    ], days=60))
    services.revoke_declaration(reviewer, caps, reason="Caps examined at Long Beach carried embroidered logos.")
    mugs = services.file_declaration(harbor, _body([{"role": "manufacturer", "name": "Jingdezhen Ceramics Co.",
                                                     "country": "CN"}], [
        _line("Plain white ceramic mugs", "6912.00.4400", 600, "CN", unit="doz"),
        # Awaiting Lumen's answer: the rights holder's dashboard lists it under pending licences.
        _line("Plain earbuds for licensed LUMEN printing", "8518.30.2000", 400, "CN", intended_marking="licensed",
              authorization_ref="LUMEN-LIC-2026-004", recordation_number="TMK 21-00123"),
    ]))
    services.consume_blank_quantity(mugs.lines[0].id, Decimal(150), decision_id=None, reference="demo: entry HRB-0000001-3")
    return f"4 blank-goods declarations ({len(draws) + 1} draws; 1 queried, 1 revoked)"


SEEDERS.append(("blanks", seed_blanks))
