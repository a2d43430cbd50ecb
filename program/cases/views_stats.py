"""The reviewers' enforcement statistics dashboard: server-rendered SVG charts (served from our own
route, so the page's strict CSP holds), a data table beside each chart and a CSV of every table."""

from __future__ import annotations

from flask import Blueprint, Response, render_template

from core import navigation
from core import policy as core_policy
from core.errors import NotFound
from program.cases import policy, stats

bp = Blueprint("cases_stats", __name__)

navigation.register("Statistics", "cases_stats.enforcement", policy.STATS, order=45)

# The chart document may style itself (pygal's inline <style>) but can run nothing and load nothing.
SVG_CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:"


@bp.route("/stats/enforcement")
@core_policy.require(policy.STATS)
def enforcement():
    """Closed cases by outcome (alternatives to seizure highlighted), sector and month; resolution figures."""
    figures = stats.enforcement_stats()
    return render_template("program/cases/stats.html", stats=figures, tables=stats.tables(figures))


@bp.route("/stats/enforcement/<name>.csv")
@core_policy.require(policy.STATS)
def table_csv(name: str):
    """One table of the dashboard as CSV."""
    table = stats.tables().get(name)
    if table is None:
        raise NotFound("No such table.")
    return Response(table.csv(), mimetype="text/csv",
                    headers={"Content-Disposition": f'attachment; filename="enforcement-{name}.csv"'})


@bp.route("/stats/enforcement/charts/<name>.svg")
@core_policy.require(policy.STATS)
def chart(name: str):
    """One chart as an SVG image."""
    render = stats.CHARTS.get(name)
    if render is None:
        raise NotFound("No such chart.")
    response = Response(render(stats.enforcement_stats()), mimetype="image/svg+xml")
    response.headers["Content-Security-Policy"] = SVG_CSP
    return response
