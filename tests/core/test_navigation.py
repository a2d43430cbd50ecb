"""The header navigation marks exactly one entry current: the one standing most specifically for the page."""

from __future__ import annotations

import re

import pytest

from core import navigation

CURRENT = re.compile(r'class="usa-nav-link usa-current"[^>]*><span>([^<]+)</span>')


def _current_labels(html: str) -> list[str]:
    return CURRENT.findall(html)


@pytest.mark.parametrize(("path", "label"), [
    ("/admin/users", "Users"),
    ("/admin/users/new", "Users"),
    ("/admin/organizations", "Organisations"),
    ("/home", "Home"),
    ("/dashboard", "Dashboard"),
    ("/settings", None),  # in the accounts blueprint, but neither Users nor Organisations
    ("/admin/sectors", "Sectors"),
])
def test_one_entry_is_current_for_an_admin(client, login, make_user, path, label):
    login(make_user("admin"))
    response = client.get(path)
    assert response.status_code == 200, path
    assert _current_labels(response.text) == ([label] if label else [])


def test_the_most_specific_prefix_wins():
    items = [navigation.NavItem("Blank goods", "blanks.index", "p"),
             navigation.NavItem("Licensed blanks", "blanks.licensed", "p", current_for=("blanks.licensed",))]
    assert navigation.current(items, "blanks.licensed").label == "Licensed blanks"
    assert navigation.current(items, "blanks.show").label == "Blank goods"
    assert navigation.current(items, "cases.index") is None
    assert navigation.current(items, None) is None
