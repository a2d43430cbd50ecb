"""``flask --app app seed demo`` gives enrollments in every state, through the real services."""

from __future__ import annotations

from sqlalchemy import select

from core.audit import verify_chain
from core.extensions import db
from program.enrollment.models import DebarredParty, Enrollment, EnrollmentStatusChange
from program.enrollment.states import Status


def test_seed_demo_has_every_state(app, runner):
    result = runner.invoke(args=["seed", "demo"])
    assert result.exit_code == 0, result.output
    assert "12 enrollments" in result.output and "importer@maplestreet.example" in result.output
    with app.app_context():
        rows = db.session.scalars(select(Enrollment).order_by(Enrollment.id)).all()
        assert {e.status for e in rows} == set(Status)
        enrollments = {e.legal_name: e for e in rows}  # the latest of each name (Pinecrest's renewal)
        assert enrollments["Pinecrest Supply Co."].status == "approved"
        assert enrollments["Pinecrest Supply Co."].previous_id is not None
        northwind = enrollments["Northwind Trading LLC"]
        assert northwind.status == "approved" and northwind.ior_number == "12-3456789AB"
        assert northwind.approved_sectors == ["apparel_footwear", "consumer_electronics", "handbags_accessories",
                                              "mobile_devices"]
        assert northwind.publish_consent and northwind.program_id.startswith("GL-")
        assert [c.purpose for c in northwind.contacts] == ["primary", "ipr", "enforcement"]
        harbor = enrollments["Harbor Refurb Inc."]
        assert harbor.status == "approved" and harbor.ior_number == "98-7654321"
        assert harbor.approved_sectors == ["computers_networking", "consumer_electronics"]
        bluewater = enrollments["Bluewater Goods Co."]
        assert bluewater.status == "submitted" and bluewater.finding_codes == ["debarred_name"]
        assert enrollments["Eastgate Imports Ltd"].status == "info_requested"
        shady = db.session.scalar(select(DebarredParty).where(DebarredParty.name == "Shady Imports Ltd"))
        assert shady.ior_number == "55-5555555"
        # every non-draft enrollment got there through the services: history rows by real people
        actors = set(db.session.scalars(select(EnrollmentStatusChange.actor)))
        assert {"reviewer@cbp.example.gov", "importer@northwind.example", "system"} <= actors
        assert verify_chain().ok
    again = runner.invoke(args=["seed", "demo"])
    assert "nothing changed" in again.output
