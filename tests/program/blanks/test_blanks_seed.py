"""``flask --app app seed demo`` files demo declarations with partly drawn lines, one queried, one revoked;
``flask --app app blanks expire`` closes lapsed ones."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from core.audit import verify_chain
from core.extensions import db
from core.timeutil import today
from program.blanks.models import BlankConsumption, BlankDeclaration


def test_seed_demo_files_declarations(app, runner):
    result = runner.invoke(args=["seed", "demo"])
    assert result.exit_code == 0, result.output
    assert "4 blank-goods declarations" in result.output
    with app.app_context():
        declarations = db.session.scalars(select(BlankDeclaration).order_by(BlankDeclaration.id)).all()
        assert sorted(d.status for d in declarations) == ["filed", "filed", "queried", "revoked"]
        bags = declarations[0]
        # The blanks seeder drew these; the decisions seeder that runs after it may draw more from line 1, and the
        # decision-rules seeder draws 50 caps on line 3 (whose licence Acme rejected: rule licence_rejected).
        assert [str(line.remaining_quantity) for line in bags.lines[1:]] == ["100.000", "550.000"]
        assert bags.lines[2].licence_status == "rejected"
        assert bags.lines[0].remaining_quantity <= 2250
        assert bags.lines[2].recordation_number == "TMK 19-04567"
        references = set(db.session.scalars(select(BlankConsumption.reference)))
        assert len({r for r in references if r.startswith("demo")}) == 5
        for declaration in declarations:
            for line in declaration.lines:
                drawn = sum(c.quantity for c in db.session.scalars(
                    select(BlankConsumption).where(BlankConsumption.line_id == line.id)))
                assert line.quantity - line.remaining_quantity == drawn
        assert verify_chain().ok


def test_expire_command(app, runner, importer_api, file_as):
    public_id = file_as(importer_api.user)
    later = (today() + timedelta(days=200)).isoformat()
    result = runner.invoke(args=["blanks", "expire", "--as-of", later])
    assert result.exit_code == 0 and f"expired declaration {public_id}" in result.output
    assert "1 declaration(s) expired" in result.output
    with app.app_context():
        assert db.session.scalar(select(BlankDeclaration.status)) == "expired"
    assert "0 declaration(s) expired" in runner.invoke(args=["blanks", "expire", "--as-of", later]).output
