"""The audit chain cannot be quietly rewritten (finding 3): who-did-it fields are hashed, and a signed
checkpoint catches a chain truncated or rebuilt after it."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import select, text, update

from core import audit, audit_chain
from core.accounts.models import User
from core.audit import AuditEntry, hash_of, verify_chain
from core.extensions import db
from tests.core.test_audit import LINK_TIMEOUT

KEY = "test-audit-key-kept-outside-the-database"


@pytest.fixture
def audit_key(app):
    """AUDIT_KEY set for the test."""
    app.config["AUDIT_KEY"] = KEY
    yield KEY
    app.config.pop("AUDIT_KEY")


def _record(n: int, actor=None) -> None:
    for i in range(n):
        audit.record(actor, "user.update", "user", i, before={"n": i}, after={"n": i + 1})
    db.session.commit()
    # PostgreSQL: the entries join the chain once committed, at the chainer's next round.
    audit_chain.link_all(timeout=LINK_TIMEOUT)


@pytest.mark.parametrize(("column", "value"), [("actor_id", None), ("organization_id", None),
                                               ("acting_for_organization_id", "other")])
def test_who_did_it_fields_are_in_the_hash(ctx, make_user, column, value):
    importer = db.session.get(User, make_user("importer").id)
    other = db.session.get(User, make_user("importer").id)
    for _ in range(3):
        audit.record(importer, "enrollment.submit", "enrollment", 1, after={"status": "submitted"},
                     acting_for_organization_id=importer.organization_id)
    db.session.commit()
    audit_chain.link_all(timeout=LINK_TIMEOUT)
    replacement = {"actor_id": other.id, "organization_id": other.organization_id,
                   "acting_for_organization_id": other.organization_id}[column]
    seq = db.session.scalar(select(AuditEntry.seq).where(AuditEntry.action == "enrollment.submit").limit(1))
    db.session.execute(update(AuditEntry).where(AuditEntry.seq == seq).values({column: replacement}))
    db.session.commit()
    result = verify_chain()
    assert not result.ok and result.broken_seq == seq


def test_entries_hashed_before_the_upgrade_still_verify_and_cannot_be_downgraded(ctx):
    _record(3)
    db.session.execute(update(AuditEntry).where(AuditEntry.seq == 2).values(hash_version=1))
    db.session.commit()
    assert verify_chain().broken_seq == 2
    # An entry really written under version 1 (its hash computed without the who-did-it fields) verifies.
    entries = db.session.scalars(select(AuditEntry).order_by(AuditEntry.seq)).all()
    prev = audit.GENESIS_HASH
    for entry in entries:
        entry.hash_version = 1
        entry.prev_hash = prev
        entry.hash = prev = hash_of(prev, entry)
    db.session.execute(text("UPDATE audit_head SET last_hash = :h"), {"h": prev})
    db.session.commit()
    assert verify_chain().ok


def _truncate(keep: int) -> None:
    last = db.session.scalar(select(AuditEntry.hash).where(AuditEntry.seq == keep))
    db.session.execute(text("DELETE FROM audit_entry WHERE seq > :k"), {"k": keep})
    db.session.execute(text("UPDATE audit_head SET seq = :k, last_hash = :h"), {"k": keep, "h": last})
    db.session.commit()


def _rebuild(edit_seq: int) -> None:
    """Edit one entry and recompute every hash after it, as an attacker with database access would."""
    db.session.execute(update(AuditEntry).where(AuditEntry.seq == edit_seq).values(after={"n": 999}))
    db.session.commit()
    prev = audit.GENESIS_HASH
    for entry in db.session.scalars(select(AuditEntry).order_by(AuditEntry.seq)).all():
        entry.prev_hash = prev
        entry.hash = prev = hash_of(prev, entry)
        db.session.flush()
    db.session.execute(text("UPDATE audit_head SET last_hash = :h"), {"h": prev})
    db.session.commit()


@pytest.mark.parametrize("attack", ["truncate", "rebuild"])
def test_verify_with_a_checkpoint_catches_truncation_and_rebuild(ctx, runner, tmp_path, audit_key, attack):
    _record(5)
    made = runner.invoke(args=["audit", "checkpoint"])
    assert made.exit_code == 0, made.output
    checkpoint = tmp_path / "checkpoint.json"
    checkpoint.write_text(made.output)
    assert json.loads(made.output)["seq"] == 5
    _record(2)
    ok = runner.invoke(args=["audit", "verify", "--checkpoint", str(checkpoint)])
    assert ok.exit_code == 0 and "intact: 7 entries" in ok.output
    if attack == "truncate":
        _truncate(3)
    else:
        _rebuild(2)
    assert runner.invoke(args=["audit", "verify"]).exit_code == 0  # the chain alone looks intact
    caught = runner.invoke(args=["audit", "verify", "--checkpoint", str(checkpoint)])
    assert caught.exit_code == 1
    assert ("truncated" if attack == "truncate" else "rewritten") in caught.output
    assert "entry 5" in caught.output


def test_a_forged_checkpoint_is_refused(ctx, runner, tmp_path, audit_key):
    _record(2)
    forged = json.loads(runner.invoke(args=["audit", "checkpoint"]).output)
    forged["seq"] = 1
    path = tmp_path / "forged.json"
    path.write_text(json.dumps(forged))
    result = runner.invoke(args=["audit", "verify", "--checkpoint", str(path)])
    assert result.exit_code == 1 and "signature" in result.output


def test_checkpoint_needs_audit_key(ctx, runner):
    result = runner.invoke(args=["audit", "checkpoint"])
    assert result.exit_code == 2 and "AUDIT_KEY" in result.output
