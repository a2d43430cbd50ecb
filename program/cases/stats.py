"""Enforcement statistics (closed cases): by outcome, sector and month, median days from detention
notice to resolution, and the share of expedited decisions later detained — as JSON, tables (CSV) and
server-rendered SVG charts (pygal; scripts stripped, served from our own route)."""

from __future__ import annotations

import io
import re
import statistics
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from sqlalchemy import Subquery, func, select

from core import csvio
from core.extensions import db
from core.labels import csv_header
from program.cases.deadlines import BASES, BASIS_LABELS
from program.cases.models import CaseEvent, EnforcementCase
from program.cases.states import ALTERNATIVES_TO_SEIZURE, OUTCOMES, STATUS_LABELS
from program.decisions.engine import EXPEDITED_RELEASE
from program.decisions.models import ReleaseDecision, with_lines

if TYPE_CHECKING:  # pygal is imported where a chart is drawn: 80 ms of every process's start otherwise
    from pygal.graph.graph import Graph
    from pygal.style import Style

ALTERNATIVE_COLOUR = "#00a91c"  # USWDS green-cool: alternatives to seizure stand out
SEIZED_COLOUR = "#b50909"
OTHER_COLOUR = "#71767a"
OUTCOME_COLOURS = {o: ALTERNATIVE_COLOUR if o in ALTERNATIVES_TO_SEIZURE else
                   (SEIZED_COLOUR if o == "seized" else OTHER_COLOUR) for o in OUTCOMES}
_SCRIPT = re.compile(r"<script\b.*?</script>", re.DOTALL | re.IGNORECASE)


def _closed_rows() -> list[tuple[int, str, date, date]]:
    return [tuple(row) for row in db.session.execute(
        select(EnforcementCase.id, EnforcementCase.status, EnforcementCase.notice_date, EnforcementCase.outcome_date)
        .where(EnforcementCase.status.in_(OUTCOMES)))]


def _zeros() -> dict[str, int]:
    return dict.fromkeys(OUTCOMES, 0)


def enforcement_stats() -> dict[str, Any]:
    """The figures of ``GET /api/v1/stats/enforcement``, counting closed cases."""
    rows = _closed_rows()
    by_outcome = _zeros()
    by_month: dict[str, dict[str, int]] = {}
    for _id, status, _notice, outcome_date in rows:
        by_outcome[status] += 1
        by_month.setdefault(outcome_date.strftime("%Y-%m"), _zeros())[status] += 1
    # A case counts once under each distinct sector of its entry's lines.
    lines = _closed_case_lines("sector")
    sector_rows = db.session.execute(
        select(lines.c.status, lines.c.sector, func.count(func.distinct(lines.c.id)))
        .group_by(lines.c.status, lines.c.sector)).all()
    by_sector: dict[str, dict[str, int]] = {}
    for status, sector, n in sector_rows:
        by_sector.setdefault(sector, _zeros())[status] += n
    days = [(outcome_date - notice).days for _id, _s, notice, outcome_date in rows]
    expedited = db.session.scalar(select(func.count()).select_from(ReleaseDecision)
                                  .where(ReleaseDecision.outcome == EXPEDITED_RELEASE)) or 0
    detained = db.session.scalar(
        select(func.count()).select_from(EnforcementCase)
        .join(ReleaseDecision, ReleaseDecision.id == EnforcementCase.decision_id)
        .where(ReleaseDecision.outcome == EXPEDITED_RELEASE)) or 0
    alternatives = sum(by_outcome[o] for o in ALTERNATIVES_TO_SEIZURE)
    by_port: dict[str, dict[str, int]] = {}
    by_basis: dict[str, dict[str, int]] = {basis: _zeros() for basis in BASES}
    for status, port, basis, n in db.session.execute(
            select(EnforcementCase.status, EnforcementCase.port_code, EnforcementCase.basis, func.count())
            .where(EnforcementCase.status.in_(OUTCOMES))
            .group_by(EnforcementCase.status, EnforcementCase.port_code, EnforcementCase.basis)):
        by_port.setdefault(port, _zeros())[status] += n
        by_basis[basis][status] += n
    return {
        "closed": len(rows),
        "by_outcome": by_outcome,
        "alternatives_to_seizure": {"count": alternatives,
                                    "share": round(alternatives / len(rows), 4) if rows else None},
        "by_sector": dict(sorted(by_sector.items())),
        "by_month": dict(sorted(by_month.items())),
        "median_days_to_resolution": statistics.median(days) if days else None,
        "expedited_later_detained": {"expedited": expedited, "detained": detained,
                                     "share": round(detained / expedited, 4) if expedited else None},
        "by_port": dict(sorted(by_port.items())),
        "by_basis": by_basis,
        "by_value": _by_value(),
        "penalties_by_month": _penalties_by_month(),
    }


# Declared value of the entry (USD): de minimis (19 U.S.C. 1321), then bands the OIG's questions use.
VALUE_BANDS: tuple[tuple[str, Decimal, Decimal | None], ...] = (
    ("under 800", Decimal("0"), Decimal("800")),
    ("800 to 2,500", Decimal("800"), Decimal("2500")),
    ("2,500 to 10,000", Decimal("2500"), Decimal("10000")),
    ("10,000 and over", Decimal("10000"), None),
)
VALUE_GROUPS = (("seized", ("seized",)), ("alternatives", ALTERNATIVES_TO_SEIZURE), ("released", ("released",)))


VALUE_COLUMNS = [f"{group}_{kind}" for group, _s in VALUE_GROUPS for kind in ("cases", "value_usd")]


def _closed_case_lines(*columns: str) -> Subquery:
    """``(id, status, <columns>)``: each closed case once per line of its entry, with the line's ``columns``."""
    closed = select(EnforcementCase.id, EnforcementCase.status).where(EnforcementCase.status.in_(OUTCOMES))
    return with_lines(closed, EnforcementCase.decision_id, *columns).subquery("case_line")


def _band(value: Decimal) -> str:
    return next(label for label, low, high in VALUE_BANDS if value >= low and (high is None or value < high))


def _by_value() -> dict[str, dict[str, Any]]:
    """Closed cases by the entry's declared value: count and value seized, released through an alternative
    to seizure, and released."""
    lines = _closed_case_lines("value_usd")
    totals = select(lines.c.status, func.sum(lines.c.value_usd)).group_by(lines.c.id, lines.c.status)
    out = {label: {f"{group}_{kind}": (0 if kind == "cases" else Decimal("0.00"))
                   for group, _s in VALUE_GROUPS for kind in ("cases", "value_usd")} for label, _l, _h in VALUE_BANDS}
    for status, value in db.session.execute(totals):
        value = Decimal(value or 0).quantize(Decimal("0.01"))
        for group, statuses in VALUE_GROUPS:
            if status in statuses:
                row = out[_band(value)]
                row[f"{group}_cases"] += 1
                row[f"{group}_value_usd"] += value
    return {label: {k: (format(v, "f") if isinstance(v, Decimal) else v) for k, v in row.items()}
            for label, row in out.items()}


def _penalties_by_month() -> dict[str, dict[str, Any]]:
    """Penalties assessed on seized cases, by month of the event: how many and their total (USD)."""
    found: dict[str, dict[str, Any]] = {}
    for on, amount in db.session.execute(
            select(CaseEvent.date, CaseEvent.amount).where(CaseEvent.type == "penalty_assessed")
            .order_by(CaseEvent.date)):
        row = found.setdefault(on.strftime("%Y-%m"), {"count": 0, "total_usd": Decimal("0.00")})
        row["count"] += 1
        row["total_usd"] += Decimal(amount)
    return {month: {"count": row["count"], "total_usd": format(row["total_usd"], "f")} for month, row in found.items()}


@dataclass(frozen=True)
class Table:
    """A data table shown beside a chart and exported as CSV."""

    name: str
    caption: str
    headers: list[str]  # column names (core.labels.COLUMNS gives their words)
    rows: list[list[Any]]
    # The first column is a code for machines (the CSV) beside its name in the second: pages show the name.
    coded: bool = False

    def csv(self) -> str:
        """The table as CSV text: the header row in words (``core.labels.csv_header``; a coded table's first
        column keeps the codes for scripts), then the rows."""
        out = io.StringIO()
        writer = csvio.writer(out, lineterminator="\r\n")
        writer.writerow(csv_header(self.headers))
        writer.writerows(self.rows)
        return out.getvalue()


def tables(stats: dict[str, Any] | None = None) -> dict[str, Table]:
    """Every table of the enforcement dashboard, by name (``/stats/enforcement/<name>.csv``)."""
    stats = stats or enforcement_stats()
    labels = [STATUS_LABELS[o] for o in OUTCOMES]
    closed = stats["closed"]
    outcome_rows = [[o, STATUS_LABELS[o], "yes" if o in ALTERNATIVES_TO_SEIZURE else "no", n,
                     f"{n / closed:.1%}" if closed else ""] for o, n in stats["by_outcome"].items()]
    exp = stats["expedited_later_detained"]
    names = sector_names()
    return {
        "outcomes": Table("outcomes", "Closed cases by outcome",
                          ["outcome", "outcome_name", "alternative_to_seizure", "cases", "share"], outcome_rows, coded=True),
        "sectors": Table("sectors", "Closed cases by sector and outcome", ["sector", "sector_name", *labels, "total"],
                         [[sector, names.get(sector, sector), *counts.values(), sum(counts.values())]
                          for sector, counts in stats["by_sector"].items()], coded=True),
        "months": Table("months", "Closed cases by month of resolution and outcome", ["month", *labels, "total"],
                        [[month, *counts.values(), sum(counts.values())]
                         for month, counts in stats["by_month"].items()]),
        "ports": Table("ports", "Closed cases by port of entry and outcome", ["port", *labels, "total"],
                       [[port, *counts.values(), sum(counts.values())] for port, counts in stats["by_port"].items()]),
        "bases": Table("bases", "Closed cases by legal basis and outcome", ["basis", "basis_name", *labels, "total"],
                       [[basis, BASIS_LABELS[basis], *counts.values(), sum(counts.values())]
                        for basis, counts in stats["by_basis"].items()]),
        "values": Table("values", "Closed cases by declared value: seized vs. released through alternatives",
                        ["declared_value_usd", *VALUE_COLUMNS],
                        [[band, *(row[c] for c in VALUE_COLUMNS)] for band, row in stats["by_value"].items()]),
        "penalties": Table("penalties", "Penalties assessed on seized cases, by month", ["month", "penalties", "total_usd"],
                           [[month, row["count"], row["total_usd"]] for month, row in stats["penalties_by_month"].items()]),
        "summary": Table("summary", "Resolution time and expedited decisions later detained",
                         ["measure", "measure_name", "value"], [
            ["closed_cases", "Closed cases", closed],
            ["alternatives_to_seizure", "Closed by an alternative to seizure",
             stats["alternatives_to_seizure"]["count"]],
            ["median_days_to_resolution", "Median days from the detention notice to the outcome",
             "" if stats["median_days_to_resolution"] is None else stats["median_days_to_resolution"]],
            ["expedited_decisions", "Release decisions that expedited the whole entry", exp["expedited"]],
            ["expedited_later_detained", "Of those, entries later detained", exp["detained"]],
            ["share_expedited_later_detained", "Share of expedited entries later detained (empty: none yet)",
             "" if exp["share"] is None else exp["share"]],
        ], coded=True),
    }


def _style(colors: tuple[str, ...] | None = None) -> Style:
    """The charts' style, in ``colors`` (default: one per outcome)."""
    from pygal.style import Style

    return Style(background="white", plot_background="white", foreground="#1b1b1b", foreground_strong="#1b1b1b",
                 foreground_subtle="#dfe1e2", font_family="Source Sans Pro, Helvetica, Arial, sans-serif",
                 label_font_size=13, major_label_font_size=13, value_font_size=13, legend_font_size=13,
                 title_font_size=16, colors=colors or tuple(OUTCOME_COLOURS[o] for o in OUTCOMES))


def _render(chart: Graph) -> str:
    # pygal always adds a small config <script>; scripts never run in an <img>, but we drop it anyway.
    return _SCRIPT.sub("", chart.render(is_unicode=True))


def _ticks(highest: int) -> list[int]:
    """Whole-number axis labels (counts are never fractional): at most about ten."""
    step = max(1, -(-highest // 10))
    return list(range(0, max(highest, 1) + step, step))


def _config(**extra: Any) -> dict[str, Any]:
    # No truncated axis labels ("2026-W…"); the SVG keeps pygal's viewBox, so the page scales it.
    return {"disable_xml_declaration": True, "js": [], "style": _style(), "width": 720, "height": 360,
            "print_values": True, "print_zeroes": False, "explicit_size": True, "truncate_label": -1,
            "truncate_legend": -1, **extra}


def outcome_chart(stats: dict[str, Any]) -> str:
    """Bar chart of closed cases by outcome, alternatives to seizure in green."""
    import pygal

    chart = pygal.Bar(**_config(show_legend=False, title="Closed cases by outcome (green: alternatives to seizure)",
                                y_labels=_ticks(max(stats["by_outcome"].values(), default=0))))
    chart.x_labels = [STATUS_LABELS[o].split(" (")[0] for o in OUTCOMES]
    chart.add("Cases", [{"value": n, "color": OUTCOME_COLOURS[o], "label": STATUS_LABELS[o]}
                        for o, n in stats["by_outcome"].items()])
    return _render(chart)


def _stacked(title: str, groups: dict[str, dict[str, int]], horizontal: bool = False) -> str:
    import pygal

    kind = pygal.HorizontalStackedBar if horizontal else pygal.StackedBar
    highest = max((sum(counts.values()) for counts in groups.values()), default=0)
    chart = kind(**_config(title=title, legend_at_bottom=True, legend_at_bottom_columns=3, print_values=False,
                           height=420, y_labels=_ticks(highest)))
    chart.x_labels = list(groups) or ["none yet"]
    palette = {"seized": SEIZED_COLOUR, "released": OTHER_COLOUR, "abandoned": "#00a91c", "manipulated": "#538200",
               "exported": "#008480", "destroyed": "#216e1f"}
    chart.config.style = _style(tuple(palette[o] for o in OUTCOMES))
    for outcome in OUTCOMES:
        chart.add(STATUS_LABELS[outcome], [counts[outcome] for counts in groups.values()] or [0])
    return _render(chart)


def sector_names() -> dict[str, str]:
    """Sector code → name, for tables and charts people read (the CSV keeps the code too)."""
    from standards.lookups import sectors

    return {sector.code: sector.name for sector in sectors()}


def sector_chart(stats: dict[str, Any]) -> str:
    """Stacked bars of closed cases per sector and outcome."""
    names = sector_names()
    groups = {names.get(code, code): counts for code, counts in stats["by_sector"].items()}
    return _stacked("Closed cases by sector", groups, horizontal=True)


def month_chart(stats: dict[str, Any]) -> str:
    """Stacked bars of closed cases per month of resolution and outcome."""
    return _stacked("Closed cases by month of resolution", stats["by_month"])


def port_chart(stats: dict[str, Any]) -> str:
    """Stacked bars of closed cases per port and outcome."""
    return _stacked("Closed cases by port of entry", stats["by_port"], horizontal=True)


def basis_chart(stats: dict[str, Any]) -> str:
    """Stacked bars of closed cases per legal basis and outcome."""
    groups = {BASIS_LABELS[b].split(" (")[0]: counts for b, counts in stats["by_basis"].items()}
    return _stacked("Closed cases by legal basis", groups, horizontal=True)


def value_chart(stats: dict[str, Any]) -> str:
    """Grouped bars per declared-value band: value (USD) seized, released through alternatives, released."""
    import pygal

    rows = stats["by_value"]
    highest = max((float(row[f"{g}_value_usd"]) for row in rows.values() for g, _s in VALUE_GROUPS), default=0.0)
    chart = pygal.Bar(**_config(title="Declared value of goods (USD): seized vs. alternatives vs. released",
                                legend_at_bottom=True, print_values=False, height=420,
                                y_labels=_ticks(int(highest) + 1)))
    chart.x_labels = list(rows)
    chart.config.style = _style((SEIZED_COLOUR, ALTERNATIVE_COLOUR, OTHER_COLOUR))
    for group, label in (("seized", "Seized"), ("alternatives", "Alternatives to seizure"), ("released", "Released")):
        chart.add(label, [float(row[f"{group}_value_usd"]) for row in rows.values()])
    return _render(chart)


def penalty_chart(stats: dict[str, Any]) -> str:
    """Bars of the total of penalties assessed per month (USD)."""
    import pygal

    months = stats["penalties_by_month"]
    highest = max((float(row["total_usd"]) for row in months.values()), default=0.0)
    chart = pygal.Bar(**_config(show_legend=False, title="Penalties assessed per month (USD)", print_values=True,
                                y_labels=_ticks(int(highest) + 1)))
    chart.x_labels = list(months) or ["none yet"]
    chart.config.style = _style((SEIZED_COLOUR,))
    chart.add("Total", [float(row["total_usd"]) for row in months.values()] or [0])
    return _render(chart)


CHARTS = {"outcomes": outcome_chart, "sectors": sector_chart, "months": month_chart, "ports": port_chart,
          "bases": basis_chart, "values": value_chart, "penalties": penalty_chart}

