"""What table definitions share beyond the naming convention (core.extensions): CHECK constraints that SQLite
evaluates cheaply."""

from __future__ import annotations

import re
from collections.abc import Iterable

_PLAIN = re.compile(r"[a-z0-9_]+")


def one_of(column: str, values: Iterable[str]) -> str:
    """SQL for a CHECK that ``column`` holds one of ``values``: ``column = 'a' OR column = 'b' OR …``.

    The same test as ``column IN ('a', 'b', …)``, null passing alike (the comparisons are null, not false), written
    out because SQLite evaluates an ``IN`` list of more than two constants in a CHECK constraint through a b-tree it
    builds for every statement: on the screen's many-row inserts the four such checks of a decision row cost 2.3 s
    per million parcels, the comparisons 0.2 s (docs/performance.md, eleventh pass). PostgreSQL reads both alike.
    ``values`` are plain codes (lower-case letters, digits, underscores), in the order given.
    """
    codes = [str(value) for value in values]
    if not codes or not all(_PLAIN.fullmatch(code) for code in codes + [column]):
        raise ValueError(f"one_of({column!r}, {codes!r}): a column and one or more plain codes")
    return " OR ".join(f"{column} = '{code}'" for code in codes)
