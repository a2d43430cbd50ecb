"""Dashboard panels with charts for rights holders (detentions of their marks by month and outcome,
endorsement coverage of their marks by sector, licence confirmations pending) and industry groups (their
standards and how far rights holders endorse them). Charts are per user, served by ``dashboards.chart``
through :data:`USER_CHARTS`."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlalchemy import select

from core.accounts.roles import Role
from core.extensions import db
from program.cases.states import STATUS_LABELS as CASE_STATUS_LABELS
from program.dashboards.analytics import detentions_by_month
from program.dashboards.panels import Panel
from standards.models import Endorsement, RecordedMark, Standard, StandardVersion, endorsement_mark, mark_sector

LIVE_VERSION_STATUSES = ("proposed", "published")


def _is(user: Any, role: Role) -> bool:
    return str(getattr(user, "role", "")) == role


def coverage_by_sector(organization_id: int) -> list[dict[str, Any]]:
    """Per sector of the organisation's marks: its marks there, how many a live endorsement covers on a
    published standard of that sector, and the share covered."""
    marks = list(db.session.scalars(select(RecordedMark).where(RecordedMark.owner_organization_id == organization_id)))
    covered = set(db.session.execute(
        select(endorsement_mark.c.mark_id, StandardVersion.sector_code)
        .join(Endorsement, Endorsement.id == endorsement_mark.c.endorsement_id)
        .join(StandardVersion, StandardVersion.id == Endorsement.version_id)
        .where(Endorsement.organization_id == organization_id, Endorsement.decision == "endorse",
               Endorsement.withdrawn_at.is_(None), StandardVersion.status == "published")).all())
    sectors: dict[str, dict[str, Any]] = {}
    for mark in marks:
        for sector in mark.sectors:
            entry = sectors.setdefault(sector.code, {"sector": sector.name, "marks": 0, "covered": 0})
            entry["marks"] += 1
            entry["covered"] += (mark.id, sector.code) in covered
    rows = sorted(sectors.values(), key=lambda r: r["sector"])
    for row in rows:
        row["share"] = row["covered"] / row["marks"] if row["marks"] else 0.0
    return rows


def standards_coverage(organization_id: int) -> list[dict[str, Any]]:
    """The industry group's proposed and published standards: live endorsements, marks endorsed and the share
    of the marks recorded in the standard's sector they cover."""
    versions = list(db.session.scalars(
        select(StandardVersion).join(Standard, Standard.id == StandardVersion.standard_id)
        .where(Standard.author_organization_id == organization_id, StandardVersion.status.in_(LIVE_VERSION_STATUSES))
        .order_by(StandardVersion.title)))
    rows = []
    for version in versions:
        in_sector = db.session.scalar(select(db.func.count()).select_from(mark_sector)
                                      .where(mark_sector.c.sector_code == version.sector_code)) or 0
        live = [e for e in version.endorsements if e.decision == "endorse" and e.withdrawn_at is None]
        endorsed_marks = {m.id for e in live for m in e.marks}
        rows.append({"version": version, "endorsements": len(live), "marks": len(endorsed_marks),
                     "in_sector": in_sector, "share": len(endorsed_marks) / in_sector if in_sector else 0.0})
    return rows


def _rights_holder_panels(user: Any) -> list[Panel]:
    if not _is(user, Role.RIGHTS_HOLDER):
        return []
    by_month = detentions_by_month(user)
    used = [s for s in CASE_STATUS_LABELS if any(month[s] for month in by_month.values())] or ["detained"]
    coverage = coverage_by_sector(user.organization_id)
    return [
        Panel("rh-detentions", "Detentions of your marks by month and outcome", "Cases by month of the detention notice "
              "and where each stands now, over the last twelve months.",
              headers=["Month", *(CASE_STATUS_LABELS[s] for s in used), "Total"],
              rows=[[m, *(c[s] for s in used), sum(c.values())] for m, c in by_month.items()],
              chart="rh-detentions", order=6),
        Panel("rh-coverage", "Endorsement coverage of your marks by sector",
              "Marks with a live endorsement of a published standard of the sector.",
              headers=["Sector", "Marks", "Covered", "Share"],
              rows=[[r["sector"], r["marks"], r["covered"], f"{r['share']:.0%}"] for r in coverage],
              chart="rh-coverage" if coverage else None, empty="No recorded marks yet.", order=11),
        _pending_licences_panel(user),
    ]


PENDING_LICENCES_SHOWN = 5


def _pending_licences_panel(user: Any) -> Panel:
    """Licensed blank-goods lines naming the owner's marks that await its confirmation: the count, the oldest
    few, and the way to the licence confirmation page."""
    from flask import url_for

    from core.timeutil import today
    from program.blanks.queries import pending_licences_for_owner

    count, oldest = pending_licences_for_owner(user.organization_id, PENDING_LICENCES_SHOWN)
    page = url_for("blanks.licensed")
    if count:
        shown = f"the {len(oldest)} filed longest ago" if count > len(oldest) else "filed longest ago first"
        description = (f"{count} licensed {'line awaits' if count == 1 else 'lines await'} your confirmation on "
                       f"live blank-goods declarations naming your marks; {shown}.")
    else:
        description = "Licensed lines of live blank-goods declarations that name your marks and await your answer."
    return Panel("rh-licences-pending", "Licence confirmations pending", description,
                 headers=["Declaration line", "Mark", "Authorisation", "Filed", "Waiting"],
                 rows=[[f"{line.declaration.public_id} · line {line.line_no}",
                        f"{line.mark.mark} ({line.recordation_number})", line.authorization_ref,
                        line.declaration.filed_at.date().isoformat(), _days(today() - line.declaration.filed_at.date())]
                       for line in oldest],
                 links=[(line.declaration.public_id, page) for line in oldest],
                 empty="No licence awaits your confirmation.", order=7,
                 more=(f"Confirm or reject licences ({count} pending)" if count else "See every licensed line", page))


def _days(waited: Any) -> str:
    return f"{waited.days} day{'s' if waited.days != 1 else ''}"


def _industry_group_panels(user: Any) -> list[Panel]:
    if not _is(user, Role.INDUSTRY_GROUP):
        return []
    from flask import url_for

    rows = standards_coverage(user.organization_id)
    return [Panel("ig-standards", "Your standards and their endorsement coverage",
                  "Proposed and published standards: live endorsements, and the share of the marks recorded in "
                  "the standard's sector that they cover.",
                  headers=["Standard", "Sector", "Status", "Endorsements", "Marks endorsed", "Coverage"],
                  rows=[[r["version"].title, r["version"].sector.name, r["version"].status.capitalize(),
                         r["endorsements"], f"{r['marks']} of {r['in_sector']}", f"{r['share']:.0%}"] for r in rows],
                  links=[(r["version"].title, url_for("standards.view", version_id=r["version"].id)) for r in rows],
                  chart="ig-coverage" if rows else None, empty="No proposed or published standards yet.", order=10)]


def _bar_chart(title: str, labels: list[str], series: list[tuple[str, list[float]]], *, stacked: bool,
               percent: bool = False) -> str:
    import pygal

    from program.cases.stats import _config, _render, _ticks

    highest = max((sum(v) if stacked else max(v, default=0) for v in zip(*[s for _n, s in series], strict=False)),
                  default=0)
    kind = pygal.StackedBar if stacked else pygal.Bar
    extra = {"range": (0, 100), "y_labels": list(range(0, 101, 20))} if percent else {"y_labels": _ticks(int(highest))}
    chart = kind(**_config(title=title, legend_at_bottom=True, legend_at_bottom_columns=3, print_values=False,
                           height=380, x_label_rotation=30 if len(labels) > 6 else 0, **extra))
    chart.x_labels = labels
    for name, values in series:
        chart.add(name, values)
    return _render(chart)


def detentions_chart(user: Any) -> str:
    """Stacked bars: a rights holder's detentions per month, by status."""
    by_month = detentions_by_month(user)
    used = [s for s in CASE_STATUS_LABELS if any(month[s] for month in by_month.values())] or ["detained"]
    return _bar_chart("Detentions per month", list(by_month),
                      [(CASE_STATUS_LABELS[s], [c[s] for c in by_month.values()]) for s in used], stacked=True)


def coverage_chart(user: Any) -> str:
    """Bars: share of a rights holder's marks covered per sector (percent)."""
    rows = coverage_by_sector(user.organization_id)
    return _bar_chart("Marks covered by an endorsement, by sector (%)", [r["sector"] for r in rows],
                      [("Covered", [round(r["share"] * 100) for r in rows])], stacked=False, percent=True)


def standards_chart(user: Any) -> str:
    """Bars: coverage of each of an industry group's standards (percent of the sector's marks)."""
    rows = standards_coverage(user.organization_id)
    return _bar_chart("Endorsement coverage of your standards (%)", [r["version"].title[:30] for r in rows],
                      [("Coverage", [round(r["share"] * 100) for r in rows])], stacked=False, percent=True)


# name -> (who may see it, render(user) -> SVG)
USER_CHARTS: dict[str, tuple[Callable[[Any], bool], Callable[[Any], str]]] = {
    "rh-detentions": (lambda u: _is(u, Role.RIGHTS_HOLDER), detentions_chart),
    "rh-coverage": (lambda u: _is(u, Role.RIGHTS_HOLDER), coverage_chart),
    "ig-coverage": (lambda u: _is(u, Role.INDUSTRY_GROUP), standards_chart),
}

PROVIDERS = (_rights_holder_panels, _industry_group_panels)
