"""The password rule is shown beside every new-password field before anything is typed."""

from __future__ import annotations

from core.accounts.services import PASSWORD_RULE, password_problems


def test_rule_shown_up_front(client, login, make_user):
    assert PASSWORD_RULE in client.get("/register").text
    login(make_user("admin"))
    assert PASSWORD_RULE in client.get("/settings").text
    assert PASSWORD_RULE in client.get("/admin/users/new").text


def test_rule_matches_the_checks():
    assert password_problems("a" * 20) and password_problems("abc-short")
    assert not password_problems("four different chars")
