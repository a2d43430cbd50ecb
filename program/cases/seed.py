"""Demo cases in every state, on the demo release decisions that were not expedited (the decisions
seeder runs first). Without any such decision (the decisions domain not installed yet), a few demo
decisions are made here by :func:`_fallback_demo_decisions` with the real rules engine."""

from __future__ import annotations

import io
from datetime import date, timedelta
from decimal import Decimal

from sqlalchemy import select
from werkzeug.datastructures import FileStorage

from core.accounts.models import User
from core.extensions import db
from core.timeutil import today, utcnow
from program.cases import policy, services
from program.cases.deadlines import is_business_day
from program.decisions.engine import REFER_FOR_EXAMINATION, STANDARD_PROCESSING
from program.decisions.models import DecisionLine, ReleaseDecision
from program.seed import SEEDERS

REVIEWER = "reviewer@cbp.example.gov"
# (importer e-mail, IOR, port, lines: (description, hts, qty, value, sector, condition, recordation number))
_FALLBACK_ENTRIES = (
    ("importer@northwind.example", "12-3456789AB", "2704", [
        ("LUMEN X2 smartphones, 128 GB", "8517130000", 240, "71880.00", "mobile_devices", "new_parallel", "TMK 21-00123"),
        ("ACME leather tote bags", "4202210000", 60, "5400.00", "handbags_accessories", "used", "TMK 19-04567")]),
    ("importer@northwind.example", "12-3456789AB", "1001", [
        ("ACME SPORT running shoes", "6404110000", 300, "9000.00", "apparel_footwear", "new_parallel", "TMK 20-07890")]),
    ("importer@harbor.example", "98-7654321", "2704", [
        ("Refurbished LUMEN tablets", "8471300100", 120, "18000.00", "consumer_electronics", "refurbished",
         "TMK 21-00123")]),
    ("importer@northwind.example", "12-3456789AB", "3002", [
        ("LUMEN wireless earbuds", "8518300000", 500, "12500.00", "consumer_electronics", "new_parallel",
         "TMK 21-00123")]),
    ("importer@harbor.example", "98-7654321", "1303", [
        ("Used ACME handbags, assorted", "4202210000", 45, "3150.00", "handbags_accessories", "used", "TMK 19-04567")]),
    ("importer@northwind.example", "12-3456789AB", "4601", [
        ("ACME SPORT football jerseys", "6110200000", 800, "16000.00", "sporting_goods", "new_parallel", "TMK 20-07890")]),
    ("importer@harbor.example", "98-7654321", "2704", [
        ("Recycled LUMEN phone housings", "8517790000", 2000, "4000.00", "mobile_devices", "recycled", "TMK 21-00123")]),
    ("importer@northwind.example", "12-3456789AB", "5301", [
        ("LUMENCARE pulse oximeters", "9018190000", 150, "7500.00", "medical_devices", "new_parallel", "TMK 22-00456")]),
)


def _entry_number(n: int) -> str:
    """A valid demo entry number ``DMO-00000NN-C`` (check digit per API.md)."""
    from program.decisions.entry_number import make_entry_number

    return make_entry_number("DMO", n)


def _fallback_demo_decisions(users: dict[str, User]) -> list[ReleaseDecision]:
    """Demo decisions (source ``api``) decided by the real engine on a hand-built snapshot, for when the
    decisions seeder is absent. Never used once demo decisions exist."""
    from program.decisions import engine
    from program.decisions.uei import new_uei
    from program.enrollment.queries import enrollments_by_ior
    from standards.models import RecordedMark

    iors = {ior for _e, ior, _p, _l in _FALLBACK_ENTRIES}
    enrollments = enrollments_by_ior(iors)
    marks = {m.recordation_number: m for m in db.session.scalars(select(RecordedMark))}
    facts = engine.Facts(
        as_of=today(),
        enrollments={ior: engine.EnrollmentFact(e.id, e.organization_id, e.legal_name, e.status, e.valid_until,
                                                frozenset(e.approved_sectors)) for ior, e in enrollments.items()},
        marks={n: engine.MarkFact(m.id, m.owner_organization_id, m.lever_rule) for n, m in marks.items()},
        heightened_sectors=frozenset({"medical_devices", "pharmaceuticals"}),
    )
    made = []
    for n, (email, ior, port, lines) in enumerate(_FALLBACK_ENTRIES, start=1):
        inputs = tuple(engine.LineInput(i, d, hts, Decimal(q), Decimal(v), sector, cond, rec)
                       for i, (d, hts, q, v, sector, cond, rec) in enumerate(lines, start=1))
        entry = engine.EntryInput(_entry_number(n), port, ior, inputs)
        uei = new_uei()
        result = engine.decide(entry, facts, uei=uei, sample_rate=0.0)
        enrollment = enrollments.get(ior)
        decision = ReleaseDecision(
            uei=uei, entry_number=entry.entry_number, port_code=port, ior_number=ior,
            organization_id=enrollment.organization_id if enrollment else None,
            enrollment_id=enrollment.id if enrollment else None, requested_by_id=users[email].id, source="api",
            outcome=result.outcome, rules_version=result.rules_version, facts_used=result.facts_used,
            line_count=len(inputs), decided_at=utcnow() - timedelta(days=100 - 8 * n))
        decision.lines = [DecisionLine(
            line_no=line.line_no, description=line.description, hts_code=line.hts_code, quantity=line.quantity,
            value_usd=line.value_usd, sector=line.sector, condition=line.condition,
            recordation_number=line.recordation_number, outcome=decided.outcome,
            reasons=[{"code": r.code, "message": r.message} for r in decided.reasons])
            for line, decided in zip(inputs, result.lines, strict=True)]
        db.session.add(decision)
        made.append(decision)
    db.session.flush()
    return made


def _png(label: str) -> bytes:
    from PIL import Image, ImageDraw

    image = Image.new("RGB", (480, 320), (214, 219, 222))
    draw = ImageDraw.Draw(image)
    draw.rectangle((40, 40, 440, 280), fill=(245, 241, 232), outline=(90, 90, 90), width=4)
    draw.rectangle((70, 80, 250, 240), fill=(40, 40, 40))
    draw.text((270, 100), label, fill=(20, 20, 20))
    draw.text((270, 130), "Detention photo", fill=(90, 90, 90))
    out = io.BytesIO()
    image.save(out, "PNG")
    return out.getvalue()


def _business_days_ago(n: int) -> date:
    day = today()
    while n:
        day -= timedelta(days=1)
        if is_business_day(day):
            n -= 1
    return day


def seed_cases(users: dict[str, User]) -> str:
    """Cases in every state on the demo decisions that were not expedited; returns a summary line."""
    decisions = list(db.session.scalars(
        select(ReleaseDecision).where(ReleaseDecision.outcome.in_([REFER_FOR_EXAMINATION, STANDARD_PROCESSING]))
        .order_by(ReleaseDecision.decided_at, ReleaseDecision.id)))
    note = ""
    if not decisions:
        decisions = [d for d in _fallback_demo_decisions(users) if d.outcome != "expedited_release"]
        note = " (on demo decisions made by the cases seeder)"
    if not decisions:
        return "cases: none (no demo release decisions to detain)"
    reviewer = users[REVIEWER]
    plan = ["detained", "detained_shared_late", "released", "seized", "abandoned", "manipulated", "exported",
            "destroyed"]
    made = 0
    for decision, state in zip(decisions, plan, strict=False):
        recent = state.startswith("detained")
        notice = _business_days_ago(2 if state == "detained" else 9 if recent else 20)
        notice = max(notice, decision.decided_at.date())
        presented = max(decision.decided_at.date(), notice - timedelta(days=3))
        gray = state in ("detained", "released")  # a Lever-rule detention: the 30-day period is the importer's
        case = services.open_case(reviewer, decision, notice_date=notice, presented_on=presented,
                                  basis="gray_market" if gray else "suspected_counterfeit",
                                  country_of_origin="CN" if made % 2 else "VN",
                                  note=("Gray-market goods without the Lever-rule label." if gray
                                        else "Suspected counterfeit marks found on examination."))
        line = decision.lines[0]
        for redacted in (True, False):
            services.add_image(reviewer, case, FileStorage(io.BytesIO(_png(line.description[:24])),
                                                           filename=f"detention-{line.line_no}.png"),
                               caption="Goods as presented" + (", codes blacked out" if redacted else ""),
                               redacted=redacted, line_nos=[line.line_no])
        if state == "detained":
            services.record_event(reviewer, case, event_type="detention_extended", event_date=notice,
                                  until=case.detention_ends + timedelta(days=30),
                                  note="The importer asked for time to show the goods carry the Lever-rule label.")
        if state != "detained":
            services.record_event(reviewer, case, event_type="images_shared_importer", event_date=notice)
            if policy.mark_owners(case):
                services.record_event(reviewer, case, event_type="images_shared_rights_holder", event_date=notice)
            importer = db.session.scalar(select(User).where(User.organization_id == decision.organization_id)
                                         .order_by(User.id)) if decision.organization_id else None
            if importer is not None:
                answered = min(case.response_due + timedelta(days=1) if recent else case.response_due, today())
                services.record_event(importer, case, event_type="importer_response", event_date=answered,
                                      note="Invoices from the authorised distributor attached to the entry file.")
        if state == "detained_shared_late" and policy.unredacted_permitted(case, today())[0]:
            services.record_event(reviewer, case, event_type="unredacted_disclosed",
                                  note="The importer did not answer within seven business days.")
        if not recent:
            closed = min(case.response_due + timedelta(days=3 + made), today())
            extra = ({"manufacturer": {"name": "Shenzhen Bright Star Electronics", "address": "Bao'an District, Shenzhen, CN"},
                      "exporter": {"name": "Pearl River Trading Co.", "address": "Tianhe District, Guangzhou, CN"}}
                     if state == "seized" else {})
            services.record_event(reviewer, case, event_type=state, event_date=closed,
                                  note=f"Outcome recorded: {state}.", **extra)
            if state == "seized":
                services.record_event(reviewer, case, event_type="forfeiture_notice", event_date=closed)
                services.record_event(reviewer, case, event_type="penalty_assessed", event_date=closed,
                                      amount="25000.00", note="19 U.S.C. 1526(f) civil fine.")
        made += 1
    return (f"{made} enforcement cases (gray-market detention extended, unredacted disclosure after a late response, "
            f"every outcome, a seizure with a penalty){note}")


SEEDERS.append(("cases", seed_cases))
