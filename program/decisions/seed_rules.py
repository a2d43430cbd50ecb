"""Demo data for the release rules of 2026.12: known violative shippers, a licence its owner rejected, and
decisions in which each new rule fires — a de minimis parcel from a listed seller, insulin pens declared as
handbags, goods of an importer whose earlier shipment was seized, used goods of a Lever-protected mark without
the label, goods drawn on the rejected licence — and one entry decided again with ``supersedes``.

Registered as the seeder ``decision-rules``, which runs after the cases seeder (it needs a seizure)."""

from __future__ import annotations

from collections import Counter
from decimal import Decimal
from typing import Any

from sqlalchemy import select

from core.accounts.models import User
from core.extensions import db
from core.timeutil import utcnow
from program.decisions import services, shippers
from program.decisions.entry_number import make_entry_number
from program.decisions.seed import NORTHWIND, REVIEWER, _sample_rate
from program.seed import SEEDERS

SHIPPERS_CSV = """name,country,reason
"Shenzhen Fast Goods Trading Co., Ltd.",CN,"Four seizures of counterfeit LUMEN earbuds in de minimis parcels, 2026."
Bright Star Wholesale Ltd,HK,Referred by Lumen Electronics (test purchases on bigmarket.example).
Global Replica Outlet,,"Marketplace seller named in allegation AL-2026-000118; country unknown."
"""

INSULIN = {"description": "Insulin pens, 3 ml", "hts_code": "3004310000", "quantity": Decimal(200),
           "value_usd": Decimal("5200.00"), "sector": "handbags_accessories", "condition": "used",
           "recordation_number": "TMK 21-00123"}
EARBUDS = {"description": "LUMEN earbuds (one parcel)", "hts_code": "8518302000", "quantity": Decimal(2),
           "value_usd": Decimal("78.00"), "sector": "consumer_electronics", "condition": "new_parallel",
           "recordation_number": "TMK 21-00123", "lever_label": True, "country_of_origin": "CN"}
SNEAKERS_USED = {"description": "Used ACME SPORT running shoes, no 133.23(b) label", "hts_code": "6404112000",
                 "quantity": Decimal(60), "value_usd": Decimal("1200.00"), "sector": "apparel_footwear",
                 "condition": "used", "recordation_number": "TMK 20-07890"}
SPEAKERS = {"description": "Used LUMEN smart speakers", "hts_code": "8518220000", "quantity": Decimal(30),
            "value_usd": Decimal("2400.00"), "sector": "consumer_electronics", "condition": "used",
            "recordation_number": "TMK 21-00123", "lever_label": True}


def _lines(*lines: dict[str, Any]) -> list[dict[str, Any]]:
    return [dict(line, line_no=n) for n, line in enumerate(lines, start=1)]


def seed_rule_demo(users: dict[str, User]) -> str:
    """List violative shippers, reject one licence and decide the entries that show each new rule."""
    from program.blanks.models import BlankDeclaration, BlankLine
    from program.blanks.services import decide_licence
    from program.cases.models import EnforcementCase
    from program.decisions.models import ReleaseDecision

    reviewer, northwind = users.get(REVIEWER), users.get(NORTHWIND[0])
    acme = users.get("rights@acme-brands.example")
    if reviewer is None or northwind is None:
        return "no decision-rule demo (demo users missing)"
    listed = shippers.import_shippers_csv(reviewer, SHIPPERS_CSV)
    made: Counter[str] = Counter()
    fired: set[str] = set()
    serial = iter(range(2_700_001, 2_800_000, 7))

    def decide(actor: User, ior: str, lines: list[dict[str, Any]], **extra: Any) -> dict[str, Any]:
        data = {"entry_number": make_entry_number("GLR", next(serial)), "port_code": "2704", "ior_number": ior,
                "lines": lines, **extra}
        payload = services.request_decision(actor, data, source="web", decided_at=utcnow()).payload
        made[payload["outcome"]] += 1
        fired.update(r["code"] for line in payload["lines"] for r in line["reasons"])
        return payload

    with _sample_rate(0.0):
        parcel = {"type": "section_321", "house_bill": "HAWB-CN-884211", "marketplace": "bigmarket.example",
                  "seller": {"name": "Shenzhen Fast Goods Trading Company", "country": "CN"}}
        decide(northwind, NORTHWIND[1], _lines(EARBUDS), shipment=parcel)
        decide(northwind, NORTHWIND[1], _lines(INSULIN, SPEAKERS))
        decide(northwind, NORTHWIND[1], _lines(SNEAKERS_USED))
        # A licence Acme never gave: goods drawn on it are referred (the quantity is drawn all the same).
        caps = db.session.scalars(
            select(BlankLine).join(BlankLine.declaration)
            .where(BlankLine.intended_marking == "licensed", BlankDeclaration.status == "filed")
            .order_by(BlankLine.id)).first()
        if caps is not None and acme is not None and caps.mark.owner_organization_id == acme.organization_id:
            decide_licence(acme, caps.declaration, caps.line_no, action="reject",
                           note="ACME-LIC-2026-017 was never issued to this finisher; do not apply our mark.")
            decide(northwind, NORTHWIND[1], _lines({
                "description": "Plain caps for ACME embroidery", "hts_code": caps.hts_code, "quantity": Decimal(50),
                "value_usd": Decimal("150.00"), "sector": "apparel_footwear", "condition": "blank",
                "blank_declaration_id": caps.declaration.public_id, "blank_line_no": caps.line_no}))
        # An importer whose goods were seized (the cases seeder closed a case as seized) asks again.
        seized = db.session.execute(
            select(ReleaseDecision.ior_number).join(EnforcementCase, EnforcementCase.decision_id == ReleaseDecision.id)
            .where(EnforcementCase.status == "seized").order_by(EnforcementCase.id)).first()
        if seized is not None:
            decide(reviewer, seized.ior_number, _lines(SPEAKERS))
        # A broker keyed the wrong quantity: the entry is decided again, superseding the first decision.
        first = decide(northwind, NORTHWIND[1], _lines(dict(SPEAKERS, quantity=Decimal(300))))
        again = {"entry_number": first["entry_number"], "port_code": "2704", "ior_number": NORTHWIND[1],
                 "lines": _lines(SPEAKERS), "supersedes": first["id"]}
        payload = services.request_decision(northwind, again, source="web").payload
        made[payload["outcome"]] += 1
    total = sum(made.values())
    return (f"{len(listed)} known violative shippers; {total} decisions under rules 2026.12 "
            f"({', '.join(sorted(fired))}), one superseded")


SEEDERS.append(("decision-rules", seed_rule_demo))
