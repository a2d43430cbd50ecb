"""The side-by-side comparison: word-level text differences and requirements matched by code."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from standards.diff import compare_versions, requirement_rows, text_diff


def req(code, text, evidence="", position=1):
    return SimpleNamespace(code=code, text=text, evidence=evidence, position=position)


def reqs(*items):
    return [req(code, text, position=i) for i, (code, text) in enumerate(items, start=1)]


def test_text_diff_marks_added_and_removed_words_and_keeps_spacing():
    diff = text_diff("Serial numbers checked.", "Serial numbers and IMEI checked.")
    assert diff.changed
    assert "".join(s.text for s in diff.old) == "Serial numbers checked."
    assert "".join(s.text for s in diff.new) == "Serial numbers and IMEI checked."
    assert [s.text for s in diff.new if s.kind == "added"] == ["and IMEI "]
    assert [s for s in diff.old if s.kind == "removed"] == []


def test_identical_texts_are_one_equal_segment():
    diff = text_diff("Same text", "Same text")
    assert not diff.changed and [s.kind for s in diff.new] == ["equal"]


@pytest.mark.parametrize(("old", "new", "kinds"), [
    (reqs(("R1", "a"), ("R2", "b")), reqs(("R1", "a"), ("R2", "b"), ("R3", "c")),
     [("R1", "same"), ("R2", "same"), ("R3", "added")]),
    (reqs(("R1", "a"), ("R2", "b"), ("R3", "c")), reqs(("R1", "a"), ("R3", "c")),
     [("R1", "same"), ("R2", "removed"), ("R3", "same")]),
    (reqs(("R1", "a"), ("R2", "b")), reqs(("R1", "a"), ("R2", "b, changed")),
     [("R1", "same"), ("R2", "changed")]),
    (reqs(("R1", "a"), ("R2", "b"), ("R3", "c")), reqs(("R3", "c"), ("R1", "a"), ("R2", "b")),
     [("R3", "moved"), ("R1", "same"), ("R2", "same")]),
    (reqs(("R1", "a")), reqs(("r1", "a")), [("r1", "same")]),
    (reqs(("R1", "a"), ("R2", "b")), reqs(("R9", "z")),
     [("R1", "removed"), ("R2", "removed"), ("R9", "added")]),
])
def test_requirements_are_matched_by_code(old, new, kinds):
    assert [(row.code, row.kind) for row in requirement_rows(old, new)] == kinds


def test_compare_versions_reports_title_sector_and_conditions():
    old = SimpleNamespace(title="Used electronics", sector_code="consumer_electronics",
                          condition_codes=["used", "refurbished"], requirements=reqs(("R1", "a")))
    new = SimpleNamespace(title="Used and parallel electronics", sector_code="consumer_electronics",
                          condition_codes=["new_parallel", "used"],
                          requirements=reqs(("R1", "a"), ("R2", "b")))
    diff = compare_versions(old, new)
    assert diff.title.changed and not diff.sector_changed
    assert diff.conditions_added == ("new_parallel",) and diff.conditions_removed == ("refurbished",)
    assert diff.conditions_kept == ("used",)
    assert diff.counts == {"added": 1, "removed": 0, "changed": 0, "moved": 0, "same": 1}
    assert diff.has_changes
    assert diff.condition_label("new_parallel") == "New (parallel / gray market)"
    same = compare_versions(old, old)
    assert not same.has_changes


def test_a_removed_requirement_stays_where_it_was_even_before_an_added_one():
    old = reqs(("R1", "a"), ("R2", "b"), ("R3", "c"))
    new = reqs(("R1", "a"), ("R2", "b2"), ("R4", "d"))
    assert [(row.code, row.kind) for row in requirement_rows(old, new)] == [
        ("R1", "same"), ("R2", "changed"), ("R3", "removed"), ("R4", "added")]
