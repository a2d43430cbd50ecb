"""The one transition table: every move leads to a real state, guards answer 409 and 403."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from core.errors import Conflict, NotAllowed
from standards import states
from standards.states import AUTHOR, SYSTEM, TRANSITIONS, Action, VersionStatus


def user(role, org=1, active=True):
    return SimpleNamespace(role=role, organization_id=org, active=active)


def test_table_moves_only_between_known_states_and_withdraw_only_open_versions():
    for (origin, action), (target, who) in TRANSITIONS.items():
        assert origin in VersionStatus and target in VersionStatus and isinstance(action, Action)
        assert who, (origin, action)
    assert {origin for (origin, action) in TRANSITIONS if action == Action.WITHDRAW} == states.OPEN_STATUSES
    assert TRANSITIONS[(VersionStatus.PUBLISHED, Action.SUPERSEDE)][1] == {SYSTEM}


@pytest.mark.parametrize(("status", "action", "who", "org", "outcome"), [
    ("draft", Action.PROPOSE, "industry_group", 1, "proposed"),
    ("draft", Action.PROPOSE, "industry_group", 2, NotAllowed),
    ("proposed", Action.PROPOSE, "industry_group", 1, Conflict),
    ("proposed", Action.PUBLISH, "reviewer", 9, "published"),
    ("proposed", Action.PUBLISH, "industry_group", 1, NotAllowed),
    ("draft", Action.PUBLISH, "reviewer", 9, Conflict),
    ("proposed", Action.ENDORSE, "rights_holder", 5, "proposed"),
    ("draft", Action.ENDORSE, "rights_holder", 5, Conflict),
    ("superseded", Action.ENDORSE, "rights_holder", 5, Conflict),
    ("published", Action.SUPERSEDE, "reviewer", 9, NotAllowed),
    ("withdrawn", Action.REVISE, "industry_group", 1, "withdrawn"),
])
def test_check(status, action, who, org, outcome):
    actor = user(who, org)
    if isinstance(outcome, str):
        assert states.check(status, action, actor, 1) == outcome
        assert states.allowed(status, action, actor, 1)
    else:
        with pytest.raises(outcome):
            states.check(status, action, actor, 1)
        assert not states.allowed(status, action, actor, 1)


def test_inactive_or_missing_users_never_qualify():
    assert not states.actor_qualifies(None, frozenset({AUTHOR}), 1)
    assert not states.actor_qualifies(user("industry_group", 1, active=False), frozenset({AUTHOR}), 1)
