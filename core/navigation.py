"""The header navigation: each domain registers its entries with the permission that shows them."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from core import policy


@dataclass(frozen=True)
class NavItem:
    """One link in the primary navigation."""

    label: str
    endpoint: str
    permission: str
    order: int = 100


_ITEMS: list[NavItem] = []


def register(label: str, endpoint: str, permission: str, order: int = 100) -> None:
    """Add a navigation entry shown to principals holding ``permission``."""
    if all(item.endpoint != endpoint for item in _ITEMS):
        _ITEMS.append(NavItem(label, endpoint, permission, order))
        _ITEMS.sort(key=lambda item: item.order)


def items_for(user: Any) -> list[NavItem]:
    """The entries ``user`` may see, in order."""
    if user is None:
        return []
    return [item for item in _ITEMS if policy.can(user, item.permission)]
