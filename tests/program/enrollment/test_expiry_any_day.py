"""Validity from any day: an approval lasts a year to the same date, ``valid_until`` is the last valid
day, and the enrollment expires the next day (the clock moves; nothing reads the real date)."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

import pytest

from core.timeutil import today
from program.enrollment.services import one_year_after
from tests.clocks import ALL_DAYS, day_id

pytestmark = pytest.mark.parametrize("clock", ALL_DAYS, indirect=True, ids=day_id)


def test_approval_lasts_to_the_same_day_next_year(reviewer_api, enroll, clock):
    approved = enroll("approved")
    assert approved["valid_until"] == one_year_after(today()).isoformat()


def test_valid_through_its_last_day_and_expired_the_next(reviewer_api, enroll, clock):
    until = today() + timedelta(days=1)
    approved = enroll("submitted")
    body = reviewer_api.post(f"/api/v1/enrollments/{approved['id']}/decision",
                             json={"action": "approve", "reason": "ok", "valid_until": until.isoformat()}).json
    assert body["valid_until"] == until.isoformat()
    clock.move_to(datetime.combine(until, time(23, 59), tzinfo=UTC))
    assert reviewer_api.get(f"/api/v1/enrollments/{approved['id']}").json["status"] == "approved"
    clock.move_to(datetime.combine(until + timedelta(days=1), time(0, 1), tzinfo=UTC))
    assert reviewer_api.get(f"/api/v1/enrollments/{approved['id']}").json["status"] == "expired"
