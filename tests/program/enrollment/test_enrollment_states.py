"""The transition table: one place, every state reachable, roles as PRODUCT.md says."""

from __future__ import annotations

from program.enrollment.states import (
    CLOSED_STATUSES,
    EDITABLE_STATUSES,
    OPEN_STATUSES,
    PROGRAM_STATUSES,
    SYSTEM,
    TRANSITIONS,
    Action,
    Status,
    allowed_actions,
)


def test_every_state_is_reachable_from_draft():
    reached, frontier = {Status.DRAFT}, [Status.DRAFT]
    while frontier:
        current = frontier.pop()
        for (frm, _action), (to, _roles) in TRANSITIONS.items():
            if frm == current and to not in reached:
                reached.add(to)
                frontier.append(to)
    assert reached == set(Status)


def test_roles_of_each_move():
    by_action = {}
    for (_frm, action), (_to, roles) in TRANSITIONS.items():
        by_action.setdefault(action, set()).update(roles)
    assert by_action == {
        Action.SUBMIT: {"importer"}, Action.WITHDRAW: {"importer"}, Action.APPROVE: {"reviewer"},
        Action.DENY: {"reviewer"}, Action.REQUEST_INFO: {"reviewer"}, Action.SUSPEND: {"reviewer"},
        Action.REINSTATE: {"reviewer"}, Action.REVOKE: {"reviewer"}, Action.EXPIRE: {SYSTEM},
        Action.RENEW: {"reviewer"}, Action.OVERTURN: {"reviewer"},
    }


def test_decisions_act_on_submitted_only():
    for action in (Action.APPROVE, Action.DENY, Action.REQUEST_INFO):
        assert [frm for (frm, a) in TRANSITIONS if a == action] == [Status.SUBMITTED]


def test_closed_states_have_no_way_out_but_an_appeal():
    for (frm, action) in TRANSITIONS:
        assert frm not in CLOSED_STATUSES or action == Action.OVERTURN
    assert {frm for (frm, action) in TRANSITIONS if action == Action.OVERTURN} == {
        Status.DENIED, Status.SUSPENDED, Status.REVOKED}
    assert {Status.DENIED, Status.REVOKED, Status.EXPIRED, Status.WITHDRAWN, Status.RENEWED} == CLOSED_STATUSES
    assert EDITABLE_STATUSES <= OPEN_STATUSES
    assert {Status.APPROVED, Status.SUSPENDED, Status.REVOKED, Status.EXPIRED, Status.RENEWED} == PROGRAM_STATUSES


def test_allowed_actions_for_buttons():
    assert set(allowed_actions("submitted", "reviewer")) == {Action.APPROVE, Action.DENY, Action.REQUEST_INFO}
    assert allowed_actions("submitted", "importer") == [Action.WITHDRAW]
    assert set(allowed_actions("approved", "reviewer")) == {Action.SUSPEND, Action.REVOKE}
    assert allowed_actions("approved", "importer") == []
