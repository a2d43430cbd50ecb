"""What a screening run did: counts by outcome, bad rows (the first few kept), time taken."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from program.decisions.engine import OUTCOMES

REJECTED = "rejected"
MAX_ERRORS_KEPT = 100


@dataclass
class ScreenSummary:
    """What a run did: counts by outcome, bad rows (the first few kept), time taken."""

    job_id: int | None = None
    rows: int = 0
    entries: Counter = field(default_factory=Counter)  # decided entries by outcome
    lines: Counter = field(default_factory=Counter)  # decided lines by outcome
    already_decided: int = 0  # entries that already had a live decision (not decided again)
    rejected_entries: int = 0
    rejected_lines: int = 0
    bad_rows: int = 0
    errors: list[dict[str, Any]] = field(default_factory=list)
    elapsed: float = 0.0
    regrouped: bool = False  # entries were not contiguous: rows were sorted by entry number first
    rows_total: int | None = None  # known once the rows have been sorted (progress of a regrouped run)

    @property
    def decided_lines(self) -> int:
        """Lines decided (rows of rejected entries excluded)."""
        return sum(self.lines.values())

    @property
    def lines_per_second(self) -> float:
        """Rows screened per second of wall time."""
        return self.rows / self.elapsed if self.elapsed else 0.0

    def to_dict(self) -> dict[str, Any]:
        """The JSON stored on the job and shown by the progress page."""
        return {
            "rows": self.rows,
            "entries": {o: self.entries.get(o, 0) for o in OUTCOMES},
            "lines": {o: self.lines.get(o, 0) for o in OUTCOMES},
            "already_decided": self.already_decided,
            "rejected_entries": self.rejected_entries, "rejected_lines": self.rejected_lines,
            "bad_rows": self.bad_rows, "elapsed_seconds": round(self.elapsed, 3),
            "lines_per_second": round(self.lines_per_second), "regrouped": self.regrouped,
        }

    def table(self) -> str:
        """A plain-text summary table for the terminal."""
        rows = [(o, self.entries.get(o, 0), self.lines.get(o, 0)) for o in OUTCOMES]
        rows.append(("already_decided", self.already_decided, self.rows - self.decided_lines - self.rejected_lines))
        rows.append((REJECTED, self.rejected_entries, self.rejected_lines))
        rows.append(("total", sum(self.entries.values()) + self.already_decided + self.rejected_entries, self.rows))
        width = max(len(r[0]) for r in rows)
        out = [f"{'outcome':<{width}}  {'entries':>10}  {'lines':>10}", "-" * (width + 24)]
        out += [f"{name:<{width}}  {entries:>10,}  {lines:>10,}" for name, entries, lines in rows]
        out.append("")
        out.append(f"bad rows: {self.bad_rows:,}   elapsed: {self.elapsed:.1f} s   "
                   f"rate: {self.lines_per_second:,.0f} lines/s")
        if self.regrouped:
            out.append("The rows of some entries were not together: the file was sorted by entry number first, so "
                       "the output lists each entry's rows together.")
        return "\n".join(out)

    def add(self, other: ScreenSummary) -> None:
        """Add the counts of ``other`` (a partition of the same run) to these."""
        self.rows += other.rows
        self.entries.update(other.entries)
        self.lines.update(other.lines)
        self.already_decided += other.already_decided
        self.rejected_entries += other.rejected_entries
        self.rejected_lines += other.rejected_lines
        self.bad_rows += other.bad_rows
        self.errors = sorted(self.errors + other.errors, key=lambda e: e["row"])[:MAX_ERRORS_KEPT]
        self.regrouped = self.regrouped or other.regrouped
