"""What changed between two versions of a standard, word by word (difflib), for the side-by-side page."""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass, field

from standards.models import Requirement, StandardVersion
from standards.reference import CONDITION_LABELS

_TOKENS = re.compile(r"\s+|[^\s]+")


@dataclass(frozen=True)
class Segment:
    """A run of text: kept (``equal``), only in the old side (``removed``) or only in the new (``added``)."""

    kind: str
    text: str


@dataclass(frozen=True)
class TextDiff:
    """Old and new text as segments for each side."""

    old: tuple[Segment, ...]
    new: tuple[Segment, ...]
    changed: bool


@dataclass(frozen=True)
class RequirementRow:
    """One requirement across the two versions: ``added``, ``removed``, ``changed``, ``moved`` or ``same``."""

    kind: str
    code: str
    old_position: int | None
    new_position: int | None
    text: TextDiff
    evidence: TextDiff


@dataclass(frozen=True)
class VersionDiff:
    """Everything that differs between ``old`` and ``new``."""

    old: StandardVersion
    new: StandardVersion
    title: TextDiff
    sector_changed: bool
    conditions_added: tuple[str, ...]
    conditions_removed: tuple[str, ...]
    conditions_kept: tuple[str, ...]
    requirements: tuple[RequirementRow, ...] = field(default_factory=tuple)

    @property
    def counts(self) -> dict[str, int]:
        """How many requirements were added, removed, changed or moved."""
        counts = {"added": 0, "removed": 0, "changed": 0, "moved": 0, "same": 0}
        for row in self.requirements:
            counts[row.kind] += 1
        return counts

    @property
    def has_changes(self) -> bool:
        """Whether anything at all differs."""
        c = self.counts
        requirements_changed = any(c[k] for k in ("added", "removed", "changed", "moved"))
        return (self.title.changed or self.sector_changed or bool(self.conditions_added)
                or bool(self.conditions_removed) or requirements_changed)

    def condition_label(self, code: str) -> str:
        """Human label of a condition code."""
        return CONDITION_LABELS.get(code, code)


def text_diff(old: str, new: str) -> TextDiff:
    """Word-level difference of two texts (whitespace kept, so the text reads naturally)."""
    a, b = _TOKENS.findall(old or ""), _TOKENS.findall(new or "")
    left: list[Segment] = []
    right: list[Segment] = []
    matcher = difflib.SequenceMatcher(a=a, b=b, autojunk=False)
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        if op == "equal":
            left.append(Segment("equal", "".join(a[i1:i2])))
            right.append(Segment("equal", "".join(b[j1:j2])))
            continue
        if i2 > i1:
            left.append(Segment("removed", "".join(a[i1:i2])))
        if j2 > j1:
            right.append(Segment("added", "".join(b[j1:j2])))
    return TextDiff(tuple(left), tuple(right), (old or "") != (new or ""))


def _pair(old: Requirement, new: Requirement, moved: bool) -> RequirementRow:
    text, evidence = text_diff(old.text, new.text), text_diff(old.evidence, new.evidence)
    kind = "changed" if text.changed or evidence.changed else ("moved" if moved else "same")
    return RequirementRow(kind, new.code, old.position, new.position, text, evidence)


def _only(kind: str, req: Requirement) -> RequirementRow:
    if kind == "added":
        return RequirementRow(kind, req.code, None, req.position, text_diff("", req.text),
                              text_diff("", req.evidence))
    return RequirementRow(kind, req.code, req.position, None, text_diff(req.text, ""),
                          text_diff(req.evidence, ""))


def requirement_rows(old: list[Requirement], new: list[Requirement]) -> list[RequirementRow]:
    """Requirements matched by code, in the new order, each removed one shown where it used to be."""
    old_index = {r.code.upper(): i for i, r in enumerate(old)}
    new_codes = {r.code.upper() for r in new}
    removed = [r for r in old if r.code.upper() not in new_codes]
    # A kept requirement "moved" when it is not on the longest run of kept ones in the same order.
    kept_old = [r.code.upper() for r in old if r.code.upper() in new_codes]
    kept_new = [r.code.upper() for r in new if r.code.upper() in old_index]
    in_order = set()
    for block in difflib.SequenceMatcher(a=kept_old, b=kept_new, autojunk=False).get_matching_blocks():
        in_order.update(kept_new[block.b:block.b + block.size])
    rows: list[RequirementRow] = []
    shown: set[str] = set()

    def removed_between(low: int, high: float) -> None:
        for r in removed:
            key = r.code.upper()
            if key not in shown and low < old_index[key] < high:
                rows.append(_only("removed", r))
                shown.add(key)

    kept_positions = sorted(old_index[k] for k in kept_new)
    removed_between(-1, kept_positions[0] if kept_positions else float("inf"))
    for req in new:
        key = req.code.upper()
        if key not in old_index:
            rows.append(_only("added", req))
            continue
        rows.append(_pair(old[old_index[key]], req, moved=key not in in_order))
        # what was removed right after this one in the old version follows it here
        later = [p for p in kept_positions if p > old_index[key]]
        removed_between(old_index[key], later[0] if later else float("inf"))
    removed_between(-1, float("inf"))
    return rows


def compare_versions(old: StandardVersion, new: StandardVersion) -> VersionDiff:
    """The difference between two versions of a standard (title, sector, conditions, requirements)."""
    old_conditions, new_conditions = old.condition_codes, new.condition_codes
    return VersionDiff(
        old=old,
        new=new,
        title=text_diff(old.title, new.title),
        sector_changed=old.sector_code != new.sector_code,
        conditions_added=tuple(c for c in new_conditions if c not in old_conditions),
        conditions_removed=tuple(c for c in old_conditions if c not in new_conditions),
        conditions_kept=tuple(c for c in new_conditions if c in old_conditions),
        requirements=tuple(requirement_rows(list(old.requirements), list(new.requirements))),
    )
