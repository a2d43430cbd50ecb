"""Demo release decisions: about 25 entries of the demo importers decided through the real service, so
every outcome and most rule codes show up on the pages, and the cases seeder that runs next finds
referred and standard-processing lines bearing recorded marks to open cases on.

Random verification is switched off while seeding (the outcomes are then a function of the demo data
alone), except for one entry seeded at rate 1 to show the ``random_verification`` reason. Blank lines
cite the demo declarations the ``blanks`` seeder files before this one; without any, they are skipped.
The records are dated over the last three months (oldest first) so weekly charts and case timelines
have something to show.
"""

from __future__ import annotations

from collections import Counter
from contextlib import contextmanager
from datetime import timedelta
from decimal import Decimal
from typing import Any

from flask import current_app
from sqlalchemy import select

from core.accounts.models import User
from core.extensions import db
from core.timeutil import today, utcnow
from program.decisions import facts as program_facts
from program.decisions import services
from program.decisions.entry_number import make_entry_number
from program.seed import SEEDERS

REVIEWER = "reviewer@cbp.example.gov"
NORTHWIND = ("importer@northwind.example", "12-3456789AB")
BROKER = ("broker@northwind.example", "12-3456789AB")
HARBOR = ("importer@harbor.example", "98-7654321")
BLUEWATER = ("importer@bluewater.example", "45-6789012")
EASTGATE = ("importer@eastgate.example", "210521-00042")
SILVERLINE = ("importer@silverline.example", "88-3456789")
OLDTOWN = ("importer@oldtown.example", "22-5678901")
PORTS = ("2704", "2709", "1001", "3001", "4601", "5301")


def _line(description: str, hts: str, quantity: int, value: str, sector: str, condition: str,
          mark: str | None = None, **extra: Any) -> dict[str, Any]:
    return {"description": description, "hts_code": hts, "quantity": quantity, "value_usd": value,
            "sector": sector, "condition": condition, "recordation_number": mark, **extra}


# Lines the demo data decides a known way (Northwind: enrolled for electronics, phones, bags, apparel).
PHONES_USED = _line("Used LUMEN smartphones, graded A", "8517.13.0000", 120, "18000.00", "consumer_electronics",
                    "used", "TMK 21-00123")
TABLETS_REFURB = _line("Refurbished LUMEN tablets", "8471.30.0100", 40, "9600.00", "consumer_electronics",
                       "refurbished", "TMK 21-00123")
LUMEN_PARALLEL_LABELLED = _line("New LUMEN earbuds for the Japanese market, 133.23(b) label applied",
                                "8518.30.2000", 300, "15000.00", "consumer_electronics", "new_parallel",
                                "TMK 21-00123", lever_label=True)
LUMEN_PARALLEL_UNLABELLED = _line("New LUMEN headphones for the EU market", "8518.30.2000", 150, "11250.00",
                                  "consumer_electronics", "new_parallel", "TMK 21-00123")
BAGS_USED = _line("Pre-owned ACME leather handbags", "4202.21.9000", 25, "12500.00", "handbags_accessories",
                  "used", "TMK 19-04567")
BAGS_PARALLEL = _line("New ACME handbags, parallel import", "4202.21.6000", 60, "21000.00",
                      "handbags_accessories", "new_parallel", "TMK 19-04567")
PHONES_MOBILE = _line("Used LUMEN phones (mobile devices)", "8517.13.0000", 80, "9600.00", "mobile_devices",
                      "used", "TMK 21-00123")
SNEAKERS = _line("Used ACME SPORT running shoes", "6404.11.2000", 200, "4000.00", "apparel_footwear", "used",
                 "TMK 20-07890")
SNEAKERS_PARALLEL = _line("New ACME SPORT trainers, parallel import", "6404.11.9000", 90, "5400.00",
                          "apparel_footwear", "new_parallel", "TMK 20-07890")
PILLS = _line("Generic ibuprofen tablets", "3004.90.9290", 500, "750.00", "pharmaceuticals", "used",
              "TMK 22-00456")
MONITORS = _line("Refurbished LUMENCARE patient monitors", "9018.19.9550", 6, "7200.00", "medical_devices",
                 "refurbished", "TMK 22-00456")
TOYS = _line("Used building-block sets", "9503.00.0073", 70, "1400.00", "toys_games", "used", "TMK 21-00123")
NO_MARK = _line("Used phone chargers, brand unknown", "8504.40.9580", 400, "1200.00", "consumer_electronics",
                "used")
UNKNOWN_MARK = _line("Used LUMIN-branded speakers", "8518.22.0000", 30, "900.00", "consumer_electronics", "used",
                     "TMK 23-99999")
ROUTERS = _line("Refurbished network routers", "8517.62.0090", 45, "6750.00", "computers_networking",
                "refurbished", "TMK 21-00123")
BLANK_UNCOVERED = _line("Plain tote bags, no logos", "4202.92.3131", 100, "300.00", "handbags_accessories",
                        "blank", blank_declaration_id="BGD-2019-000001", blank_line_no=1)

# (actor, ior, lines): actor None is the demo reviewer asking about an IOR number that is not theirs.
ENTRIES: tuple[tuple[tuple[str, str], tuple[dict[str, Any], ...]], ...] = (
    (NORTHWIND, (PHONES_USED, TABLETS_REFURB, LUMEN_PARALLEL_UNLABELLED)),
    (NORTHWIND, (PHONES_USED, BAGS_USED)),
    (NORTHWIND, (LUMEN_PARALLEL_LABELLED,)),
    (NORTHWIND, (PHONES_USED, PHONES_MOBILE, BAGS_PARALLEL)),
    (NORTHWIND, (SNEAKERS, SNEAKERS_PARALLEL)),
    (NORTHWIND, (BAGS_USED, TOYS, PILLS)),
    (NORTHWIND, (NO_MARK, UNKNOWN_MARK, PHONES_USED)),
    (NORTHWIND, (LUMEN_PARALLEL_UNLABELLED, BAGS_USED)),
    (BROKER, (TABLETS_REFURB, BAGS_USED, BLANK_UNCOVERED)),
    (BROKER, (BAGS_PARALLEL,)),
    (NORTHWIND, (MONITORS, PHONES_USED)),
    (HARBOR, (TABLETS_REFURB, ROUTERS)),
    (HARBOR, (PHONES_USED,)),
    (HARBOR, (LUMEN_PARALLEL_UNLABELLED, ROUTERS)),
    (HARBOR, (MONITORS,)),
    (BLUEWATER, (BAGS_USED, SNEAKERS)),
    (EASTGATE, (PHONES_USED,)),
    (SILVERLINE, (PHONES_USED, TABLETS_REFURB)),
    (OLDTOWN, (SNEAKERS, BAGS_USED)),
    ((REVIEWER, "55-5555555"), (BAGS_PARALLEL, BAGS_USED)),
    ((REVIEWER, "220419-00317"), (PHONES_USED,)),
    ((REVIEWER, "44-4567890"), (PHONES_USED, LUMEN_PARALLEL_UNLABELLED)),
    ((REVIEWER, "12-3456789AB"), (PHONES_USED, TABLETS_REFURB)),
    ((REVIEWER, "98-7654321"), (ROUTERS, MONITORS)),
)
# The entry shown with a random-verification pick (seeded at sample rate 1: a fully expedited entry).
SAMPLED = (NORTHWIND, (PHONES_USED, TABLETS_REFURB))


@contextmanager
def _sample_rate(rate: float):
    """Seed at a fixed verification sample rate, whatever the configuration says."""
    config = current_app.config
    old = config.get("VERIFICATION_SAMPLE_RATE", 0.02)
    config["VERIFICATION_SAMPLE_RATE"] = rate
    try:
        yield
    finally:
        config["VERIFICATION_SAMPLE_RATE"] = old


def _blank_lines(ior_of_org: dict[int, str]) -> list[tuple[str, dict[str, Any]]]:
    """Blank lines citing the live demo declarations (half their remaining quantity, then a line too big)."""
    from program.blanks.models import BlankDeclaration

    on = today()
    declarations = db.session.scalars(
        select(BlankDeclaration).where(BlankDeclaration.status.in_(("filed", "queried")),
                                       BlankDeclaration.valid_from <= on, BlankDeclaration.valid_until >= on)
        .order_by(BlankDeclaration.id)).all()
    out = []
    for declaration in declarations:
        ior = ior_of_org.get(declaration.organization_id)
        if ior is None or not declaration.lines:
            continue
        line = declaration.lines[0]
        remaining = Decimal(line.remaining_quantity)
        common = {"description": line.description, "hts_code": line.hts_code, "value_usd": "250.00",
                  "sector": "handbags_accessories", "condition": "blank", "recordation_number": None,
                  "blank_declaration_id": declaration.public_id, "blank_line_no": line.line_no}
        if remaining >= 2:
            out.append((ior, dict(common, quantity=int(remaining // 4) or 1)))
        out.append((ior, dict(common, quantity=int(remaining) + 50)))
        if len(out) >= 4:
            break
    return out


def seed_decisions(users: dict[str, User]) -> str:
    """Decide the demo entries through :func:`services.request_decision`; returns a summary line."""
    made: Counter[str] = Counter()
    codes: set[str] = set()
    serial = 4100

    # Spread the demo decisions over the last three months (oldest first), so weekly charts and case
    # timelines have something to show; the records say when, the rules ran on today's facts.
    total_entries = len(ENTRIES) + 5
    start = utcnow() - timedelta(days=90)

    def decide(who: tuple[str, str], lines: tuple[dict[str, Any], ...], port: str) -> None:
        nonlocal serial
        email, ior = who
        actor = users.get(email)
        if actor is None:
            return
        serial += 7
        data = {"entry_number": make_entry_number("NWT" if ior == NORTHWIND[1] else "GLD", 2600000 + serial),
                "port_code": port, "ior_number": ior,
                "lines": [dict(line, line_no=n, quantity=Decimal(line["quantity"]),
                               value_usd=Decimal(line["value_usd"]), hts_code=line["hts_code"].replace(".", ""))
                          for n, line in enumerate(lines, start=1)]}
        when = start + timedelta(days=90 * sum(made.values()) / total_entries)
        payload = services.request_decision(actor, data, source="web", decided_at=when).payload
        made[payload["outcome"]] += 1
        codes.update(r["code"] for line in payload["lines"] for r in line["reasons"])

    with _sample_rate(0.0):
        for index, (who, lines) in enumerate(ENTRIES):
            decide(who, lines, PORTS[index % len(PORTS)])
        snap = program_facts.snapshot()
        ior_of_org = {org: sorted(iors)[0] for org, iors in snap.iors_by_organization.items()}
        owner_of = {ior: org for org, ior in ior_of_org.items()}
        blanks = _blank_lines(ior_of_org)
        for ior, blank in blanks:
            importer = next((u for u in users.values() if u.role == "importer" and u.organization_id == owner_of[ior]),
                            None)
            who = (importer.email if importer is not None else REVIEWER, ior)
            decide(who, (blank, BAGS_USED) if ior == NORTHWIND[1] else (blank,), "2704")
    with _sample_rate(1.0):
        decide(SAMPLED[0], SAMPLED[1], "2704")

    total = sum(made.values())
    by_outcome = ", ".join(f"{made[o]} {o}" for o in sorted(made))
    return f"{total} release decisions ({by_outcome}); {len(codes)} rule codes fired"


SEEDERS.append(("decisions", seed_decisions))
