"""``flask --app app seed demo`` decides about 25 demo entries through the real service: every outcome,
most rule codes, referred and standard lines bearing recorded marks for the cases seeder, blank lines
citing the demo declarations when there are any."""

from __future__ import annotations

from collections import Counter

from sqlalchemy import select

from core.audit import verify_chain
from core.extensions import db
from program.decisions.models import DecisionLine, ReleaseDecision


def _decisions(*, rule_demo: bool = False) -> list[ReleaseDecision]:
    """The demo decisions of the ``decisions`` seeder (or, with ``rule_demo``, of ``decision-rules``: GLR-…)."""
    query = select(ReleaseDecision).order_by(ReleaseDecision.id)
    glr = ReleaseDecision.entry_number.like("GLR-%")
    return list(db.session.scalars(query.where(glr if rule_demo else ~glr)))


def _cites_a_declaration(decision: ReleaseDecision) -> bool:
    return any(line.blank_declaration_id not in (None, "BGD-2019-000001") for line in decision.lines)


def test_seed_demo_decides_every_outcome_and_is_safe_twice(app, runner):
    result = runner.invoke(args=["seed", "demo"])
    assert result.exit_code == 0, result.output
    assert "release decisions (" in result.output
    with app.app_context():
        decisions = _decisions()
        # Entries citing declarations the blanks seeder filed (none without it) come on top of the fixed 25.
        fixed = [d for d in decisions if not _cites_a_declaration(d)]
        assert len(fixed) == 25
        outcomes = Counter(d.outcome for d in fixed)
        # Bluewater Goods Co. (not approved) is referred too: its name resembles the debarred Bluewater Good Co.
        assert outcomes == {"expedited_release": 5, "standard_processing": 10, "refer_for_examination": 10}
        codes = {r["code"] for d in decisions for line in d.lines for r in line.reasons}
        assert codes >= {"debarred", "not_enrolled", "sector_not_approved", "heightened_protection",
                         "mark_not_recorded", "no_endorsed_standard", "lever_label_missing",
                         "no_blank_declaration", "random_verification"}
        # The cases seeder needs held entries whose lines bear recorded marks.
        held_with_marks = {d.id for d in decisions if d.outcome != "expedited_release"
                           and any(line.recordation_number for line in d.lines if line.outcome != "expedited_release")}
        assert len(held_with_marks) >= 8
        assert {d.source for d in decisions} == {"web"}
        assert all(d.requested_by_id for d in decisions)
        assert verify_chain().ok
    again = runner.invoke(args=["seed", "demo"])
    assert "nothing changed" in again.output
    with app.app_context():
        assert len(_decisions()) == len(decisions)


def test_seed_cites_the_demo_declarations(app, runner):
    result = runner.invoke(args=["seed", "demo"])
    assert result.exit_code == 0, result.output
    with app.app_context():
        blank = db.session.scalars(select(DecisionLine).join(DecisionLine.decision).where(
            DecisionLine.condition == "blank", DecisionLine.blank_declaration_id != "BGD-2019-000001",
            ReleaseDecision.entry_number.not_like("GLR-%"))).all()
        assert len(blank) == 4  # two live demo declarations: one covered line and one too big each
        codes = [[r["code"] for r in line.reasons] for line in blank]
        assert [] in codes  # covered: consumed a quarter of the declared quantity
        assert ["blank_quantity_exceeded"] in codes  # more than is left
        assert len(_decisions()) == 29


def test_seed_demo_shows_every_rule_of_2026_12(app, runner):
    result = runner.invoke(args=["seed", "demo"])
    assert result.exit_code == 0, result.output
    assert "3 known violative shippers" in result.output
    with app.app_context():
        decisions = _decisions(rule_demo=True)
        codes = {r["code"] for d in decisions for line in d.lines for r in line.reasons}
        assert codes >= {"prior_violation", "known_violative_shipper", "heightened_protection", "sector_hts_mismatch",
                         "lever_label_missing", "licence_rejected"}
        assert {d.rules_version for d in decisions} == {"2026.12-1"}
        superseded = [d for d in decisions if d.status == "superseded"]
        assert len(superseded) == 1
        assert [d.supersedes_id for d in decisions if d.supersedes_id] == [superseded[0].id]
        parcel = next(d for d in decisions if d.shipment)
        assert parcel.shipment["type"] == "section_321" and parcel.lines[0].country_of_origin == "CN"
        assert verify_chain().ok
