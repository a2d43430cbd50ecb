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
    # Endpoint-name prefixes of the pages this entry stands for (default: its blueprint's, "blanks.").
    current_for: tuple[str, ...] = ()

    def match(self, endpoint: str) -> int:
        """How specifically this entry stands for ``endpoint``: its longest matching prefix, 0 for none."""
        prefixes = self.current_for or (self.endpoint.split(".", 1)[0] + ".",)
        return max((len(p) for p in prefixes if endpoint.startswith(p)), default=0)


_ITEMS: list[NavItem] = []


def register(label: str, endpoint: str, permission: str, order: int = 100,
             current_for: tuple[str, ...] = ()) -> None:
    """Add a navigation entry shown to principals holding ``permission``; ``current_for`` narrows the pages it
    is marked current on (endpoint-name prefixes) where a blueprint has several entries."""
    if all(item.endpoint != endpoint for item in _ITEMS):
        _ITEMS.append(NavItem(label, endpoint, permission, order, tuple(current_for)))
        _ITEMS.sort(key=lambda item: item.order)


def current(items: list[NavItem], endpoint: str | None) -> NavItem | None:
    """The one entry of ``items`` to mark current on the page ``endpoint``: the most specific match."""
    if not endpoint:
        return None
    best = max(items, key=lambda item: item.match(endpoint), default=None)
    return best if best is not None and best.match(endpoint) else None


def items_for(user: Any) -> list[NavItem]:
    """The entries ``user`` may see, in order."""
    if user is None:
        return []
    return [item for item in _ITEMS if policy.can(user, item.permission)]
