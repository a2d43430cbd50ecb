"""The program dashboard's panels, by role: a list of providers ``function(user) -> [Panel]``.

Domains (or ``program.wiring``) append providers to :data:`PANEL_PROVIDERS`; the dashboard page shows
every panel the providers give, ordered by ``order``.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import func, select

from core import policy
from core.accounts.roles import CBP_ROLES, Role
from core.extensions import db
from core.timeutil import today, utcnow
from program.cases import policy as case_policy
from program.cases import queries as case_queries
from program.cases.policy import deadline_words as case_deadline_words
from program.decisions.engine import OUTCOMES as DECISION_OUTCOMES
from program.decisions.models import ReleaseDecision
from program.enrollment.models import Enrollment
from program.enrollment.states import AWAITING_STATUSES, STATUS_LABELS, Status

DASHBOARD = "dashboard.read"
policy.register(DASHBOARD, Role.IMPORTER, Role.RIGHTS_HOLDER, Role.INDUSTRY_GROUP, Role.REVIEWER, Role.ADMIN)

AGE_BUCKETS = ((0, 30, "0–30 days"), (31, 60, "31–60 days"), (61, 90, "61–90 days"), (91, None, "over 90 days"))
DECISION_LABELS = {"expedited_release": "Expedited release", "standard_processing": "Standard processing",
                   "refer_for_examination": "Referred for examination"}


@dataclass
class Panel:
    """One panel: a title, an optional chart (served by ``dashboards.chart``), a data table and links."""

    key: str
    title: str
    description: str = ""
    headers: list[str] = field(default_factory=list)
    rows: list[list[Any]] = field(default_factory=list)
    links: list[tuple[str, str]] = field(default_factory=list)  # (text, url) per row, in row order, optional
    chart: str | None = None
    empty: str = "Nothing yet."
    order: int = 100
    more: tuple[str, str] | None = None  # (text, url): a link under the panel to the full list


PanelProvider = Callable[[Any], list[Panel]]
PANEL_PROVIDERS: list[PanelProvider] = []


def panels_for(user: Any) -> list[Panel]:
    """Every panel the providers give ``user``, in order."""
    found: list[Panel] = []
    for provide in PANEL_PROVIDERS:
        found.extend(provide(user))
    return sorted(found, key=lambda p: p.order)


def _start_of(day) -> datetime:
    return datetime.combine(day, time.min, tzinfo=UTC)


def week_label(day: date) -> str:
    """The ISO week ``day`` falls in, as ``2026-W48``."""
    year, week, _ = day.isocalendar()
    return f"{year}-W{week:02d}"


def last_weeks(weeks: int = 8, on: date | None = None) -> list[date]:
    """The Mondays of the ``weeks`` ISO weeks ending with the current one (the week of ``on``), oldest first."""
    day = on or today()
    this_monday = day - timedelta(days=day.weekday())
    return [this_monday - timedelta(weeks=weeks - 1 - n) for n in range(weeks)]


def decisions_by_week(organization_id: int | None = None, weeks: int = 8,
                      on: date | None = None) -> dict[str, dict[str, int]]:
    """Release decisions per ISO week (``2026-W48``) and outcome over the ``weeks`` ISO weeks ending with
    the current one (oldest first, empty weeks included, the current week so far); an importer's own when
    ``organization_id`` is given."""
    mondays = last_weeks(weeks, on)
    query = select(ReleaseDecision.decided_at, ReleaseDecision.outcome).where(
        ReleaseDecision.decided_at >= _start_of(mondays[0]),
        ReleaseDecision.decided_at < _start_of(mondays[-1] + timedelta(days=7)))
    if organization_id is not None:
        query = query.where(ReleaseDecision.organization_id == organization_id)
    counts: dict[str, Counter] = {week_label(monday): Counter() for monday in mondays}
    for decided_at, outcome in db.session.execute(query):
        counts[week_label(decided_at.date())][outcome] += 1
    return {week: {o: counts[week][o] for o in DECISION_OUTCOMES} for week in counts}


def _enrollment_panels(user: Any) -> list[Panel]:
    if str(user.role) not in CBP_ROLES:
        return []
    by_status = dict(db.session.execute(select(Enrollment.status, func.count()).group_by(Enrollment.status)).all())
    now = utcnow()
    buckets = Counter()
    for submitted_at, in db.session.execute(select(Enrollment.submitted_at).where(
            Enrollment.status.in_(AWAITING_STATUSES), Enrollment.submitted_at.is_not(None))):
        age = (now - submitted_at).days
        for low, high, label in AGE_BUCKETS:
            if age >= low and (high is None or age <= high):
                buckets[label] += 1
    return [
        Panel("enrollments-status", "Enrollments by status", headers=["Status", "Enrollments"],
              rows=[[STATUS_LABELS[s], by_status.get(s, 0)] for s in Status], order=10),
        Panel("enrollments-age", "Awaiting enrollments by age", "Days since first submission (target: 90).",
              headers=["Age", "Enrollments"], rows=[[label, buckets[label]] for _l, _h, label in AGE_BUCKETS],
              order=11),
    ]


def _decision_panels(user: Any) -> list[Panel]:
    role = str(user.role)
    if role in CBP_ROLES:
        weeks = decisions_by_week()
        return [Panel("decisions-weekly", "Release decisions by outcome per week",
                      "Eight weeks (Monday to Sunday), ending with this week so far.",
                      headers=["Week", *DECISION_LABELS.values(), "Total"],
                      rows=[[w, *c.values(), sum(c.values())] for w, c in weeks.items()], chart="decisions",
                      order=20)]
    if role == Role.IMPORTER:
        rows = dict(db.session.execute(select(ReleaseDecision.outcome, func.count())
                                       .where(ReleaseDecision.organization_id == user.organization_id)
                                       .group_by(ReleaseDecision.outcome)).all())
        return [Panel("decisions-mine", "Your release decisions by outcome", headers=["Outcome", "Decisions"],
                      rows=[[label, rows.get(o, 0)] for o, label in DECISION_LABELS.items()], order=20)]
    return []


def _case_panels(user: Any) -> list[Panel]:
    role = str(user.role)
    if not policy.can(user, case_policy.READ):
        return []
    if role in CBP_ROLES:
        cases = case_queries.due_soon(user, within=3)
        title, description = "Open cases due soon", "Unanswered detentions due within three business days, or overdue."
    elif role == Role.IMPORTER:
        cases = case_queries.open_cases(user)
        title, description = "Your detained shipments", ("Respond by each deadline: seven business days from the "
                                                         "notice for suspected counterfeits, the 30-day detention "
                                                         "period for gray-market goods.")
    else:
        cases = list(db.session.scalars(case_queries.case_list_query(user).limit(10)))
        title, description = "Detentions of goods bearing your marks", "The latest ten."
    rows, links = [], []
    for case in cases:
        c = case_policy.summary(case, case_policy.view_for(user, case))
        goods = "; ".join(g["description"] for g in c["goods"])
        due = c["response_due"].isoformat()
        left = case_deadline_words(c)
        rows.append([c["uei_display"], c["status_label"], goods, c["port_code"], due, left])
        links.append((c["uei_display"], f"/cases/{c['uei']}"))
    return [Panel("cases", title, description, headers=["Case", "Status", "Goods", "Port", "Response due", "Deadline"],
                  rows=rows, links=links, empty="No cases.", order=5)]


def _mark_panels(user: Any) -> list[Panel]:
    if str(user.role) != Role.RIGHTS_HOLDER:
        return []
    from standards.lookups import endorsements_of_mark, marks_of

    rows = []
    for mark in marks_of(user.organization_id):
        live = [e for e in endorsements_of_mark(mark.id) if e.decision == "endorse"]
        published = [e.version for e in live if e.version.status == "published"]
        status = (f"Endorsed in {len(published)} published standard{'s' if len(published) != 1 else ''}"
                  if published else ("Endorsed, not yet published" if live else "No endorsement"))
        rows.append([mark.recordation_number, mark.mark, status,
                     ", ".join(v.title for v in published) or "—"])
    return [Panel("marks", "Endorsement status of your marks", headers=["Recordation", "Mark", "Status", "Standards"],
                  rows=rows, empty="No recorded marks yet.", order=10)]


def decisions_chart() -> str:
    """Stacked bars of release decisions per week (CBP)."""
    import pygal

    from program.cases.stats import _config, _render, _ticks

    weeks = decisions_by_week()
    highest = max((sum(c.values()) for c in weeks.values()), default=0)
    chart = pygal.StackedBar(**_config(title="Release decisions per week", legend_at_bottom=True,
                                       legend_at_bottom_columns=3, print_values=False, height=380,
                                       y_labels=_ticks(highest)))
    chart.config.style.colors = ("#00a91c", "#e5a000", "#b50909")
    chart.x_labels = list(weeks)
    for outcome, label in DECISION_LABELS.items():
        chart.add(label, [counts[outcome] for counts in weeks.values()])
    return _render(chart)


CHARTS: dict[str, Callable[[], str]] = {"decisions": decisions_chart}


def _blank_panels(user: Any) -> list[Panel]:
    """Blank-declaration utilisation: how much of each live declaration release decisions have drawn."""
    from flask import url_for

    from program.blanks.queries import utilisation

    role = str(user.role)
    if role not in CBP_ROLES and role != Role.IMPORTER:
        return []
    rows = utilisation(None if role in CBP_ROLES else user.organization_id)[:10]
    return [Panel("blanks-utilisation", "Blank-goods declarations: quantity drawn",
                  "Live declarations, most used first (the ten highest).",
                  headers=["Declaration", "Valid until", "Unit", "Declared", "Drawn", "Used"],
                  rows=[[r["public_id"], r["valid_until"].isoformat(), r["unit"], _qty(r["declared"]),
                         _qty(r["drawn"]), f"{r['share']:.0%}"] for r in rows],
                  links=[(r["public_id"], url_for("blanks.show", public_id=r["public_id"])) for r in rows],
                  empty="No live declarations.", order=30)]


def _qty(value: Any) -> str:
    text = format(value.normalize(), "f") if hasattr(value, "normalize") else str(value)
    return text


def connect() -> None:
    """Install the built-in providers (idempotent)."""
    from program.dashboards.party_panels import PROVIDERS as PARTY_PROVIDERS

    for provider in (_case_panels, _enrollment_panels, _decision_panels, _blank_panels, _mark_panels, *PARTY_PROVIDERS):
        if provider not in PANEL_PROVIDERS:
            PANEL_PROVIDERS.append(provider)
