"""Concurrent moves of one enrollment: exactly one wins. PostgreSQL serialises them with
``SELECT ... FOR UPDATE``; the conditional ``UPDATE ... WHERE status = :from`` guards every database."""

from __future__ import annotations

import threading

import pytest
from sqlalchemy import func, select

from core.accounts.models import User
from core.audit import verify_chain
from core.errors import Conflict
from core.extensions import db
from core.timeutil import today
from program.enrollment import services
from program.enrollment.models import Enrollment, EnrollmentStatusChange
from program.enrollment.states import Action, Status


def _race(app, enrollment_id: int, moves: list[tuple[int, str]]) -> list[tuple[str, str]]:
    """Run each ``(user_id, action)`` in its own thread, app context and session, released together."""
    barrier = threading.Barrier(len(moves))
    results: list[tuple[str, str]] = []
    lock = threading.Lock()

    def run(user_id: int, action: str) -> None:
        with app.app_context():
            try:
                user = db.session.get(User, user_id)
                enrollment = db.session.get(Enrollment, enrollment_id)
                assert enrollment.status == Status.SUBMITTED
                barrier.wait(timeout=10)
                if action == "approve":
                    services.approve_enrollment(user, enrollment, reason=f"{action} by {user.email}")
                elif action == "deny":
                    services.deny_enrollment(user, enrollment, reason=f"{action} by {user.email}")
                else:
                    services.request_information(user, enrollment, reason=f"{action} by {user.email}")
                db.session.commit()
                outcome = ("won", action)
            except Conflict as exc:
                db.session.rollback()
                outcome = ("conflict", exc.code)
            finally:
                db.session.remove()
            with lock:
                results.append(outcome)

    threads = [threading.Thread(target=run, args=move) for move in moves]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return results


@pytest.mark.postgres
@pytest.mark.parametrize("actions", [["approve", "deny"], ["approve", "approve"],
                                     ["deny", "request_info", "approve", "approve", "deny"]])
def test_concurrent_decisions_exactly_one_wins(app, enroll, make_user, actions):
    enrollment = enroll("submitted")  # committed through the API before the race starts
    reviewers = [make_user("reviewer") for _ in actions]
    results = _race(app, enrollment["id"], [(r.id, a) for r, a in zip(reviewers, actions, strict=True)])
    assert len(results) == len(actions)
    winners = [action for outcome, action in results if outcome == "won"]
    assert len(winners) == 1, results
    assert all(code == "invalid_transition" for outcome, code in results if outcome == "conflict")
    with app.app_context():
        final = db.session.get(Enrollment, enrollment["id"])
        expected = {"approve": Status.APPROVED, "deny": Status.DENIED, "request_info": Status.INFO_REQUESTED}
        assert final.status == expected[winners[0]]
        assert final.version == enrollment["version"] + 1
        decisions = db.session.scalar(select(func.count()).select_from(EnrollmentStatusChange).where(
            EnrollmentStatusChange.enrollment_id == enrollment["id"],
            EnrollmentStatusChange.from_status == Status.SUBMITTED))
        assert decisions == 1
        assert verify_chain().ok


def test_a_stale_copy_cannot_decide_again(app, enroll, make_user):
    enrollment = enroll("submitted")
    first, second = make_user("reviewer"), make_user("reviewer")
    with app.app_context():
        stale = db.session.get(Enrollment, enrollment["id"])  # read before the other decision
        assert stale.status == Status.SUBMITTED
        with app.app_context():  # another request decides and commits meanwhile
            services.approve_enrollment(db.session.get(User, first.id), db.session.get(Enrollment, stale.id),
                                        reason="first")
            db.session.commit()
        with pytest.raises(Conflict):
            services.deny_enrollment(db.session.get(User, second.id), stale, reason="second")
        db.session.rollback()


def test_the_conditional_update_refuses_a_move_from_a_state_it_is_no_longer_in(app, enroll, make_user):
    enrollment = enroll("approved")
    reviewer = make_user("reviewer")
    with app.app_context():
        row = db.session.get(Enrollment, enrollment["id"])
        with pytest.raises(Conflict):  # as if the lock had been skipped: the UPDATE's WHERE still holds
            services._finish(row, Action.DENY, db.session.get(User, reviewer.id), Status.SUBMITTED, Status.DENIED,
                             now=services.utcnow(), reason="late")
        db.session.rollback()
        assert db.session.get(Enrollment, enrollment["id"]).status == Status.APPROVED


def test_a_role_that_can_never_make_a_move_gets_403_not_409(app, enroll, make_user):
    from core.errors import NotAllowed

    enrollment = enroll("draft")
    reviewer = make_user("reviewer")
    with app.app_context():
        with pytest.raises(NotAllowed):
            services.submit_enrollment(db.session.get(User, reviewer.id), db.session.get(Enrollment, enrollment["id"]))
        db.session.rollback()


def test_expiring_an_enrollment_someone_else_just_expired_is_quiet(app, enroll):
    from datetime import timedelta

    from sqlalchemy import update

    approved = enroll("approved")
    with app.app_context():
        db.session.execute(update(Enrollment).where(Enrollment.id == approved["id"])
                           .values(valid_until=today() - timedelta(days=1)))
        db.session.commit()
        stale = db.session.get(Enrollment, approved["id"])
        with app.app_context():  # another request gets there first
            assert services.expire_if_due(db.session.get(Enrollment, stale.id)) is True
            db.session.commit()
        assert services.expire_if_due(stale) is False  # no 409 for a read that lost the race
        assert stale.status == Status.EXPIRED
        db.session.rollback()
