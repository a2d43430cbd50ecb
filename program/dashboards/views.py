"""Landing page for everyone and the home page of each role."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import Blueprint, redirect, render_template, url_for
from flask_login import current_user
from sqlalchemy import select

from core import navigation, policy
from core.accounts.models import User
from core.audit import AuditEntry, newest_first
from core.extensions import db
from standards.models import Sector

bp = Blueprint("dashboards", __name__)

navigation.register("Dashboard", "dashboards.program_dashboard", "dashboard.read", order=15,
                    current_for=("dashboards.program_dashboard",))  # not Home, which is in the same blueprint

# Domains add what their part of a role's home page needs: function(user) -> template variables.
HOME_CONTEXT: list[Callable[[Any], dict[str, Any]]] = []


@bp.route("/")
@policy.public
def landing():
    """What the program is, for importers, rights holders, industry groups and CBP."""
    if current_user.is_authenticated:
        return redirect(url_for("dashboards.home"))
    sectors = db.session.scalars(select(Sector).order_by(Sector.heightened_protection, Sector.name)).all()
    return render_template("program/dashboards/landing.html", sectors=sectors)


@bp.route("/home")
@policy.require(policy.AUTHENTICATED)
def home():
    """The signed-in user's starting point: what to do next and recent activity of the organisation."""
    rows = db.session.execute(
        select(AuditEntry, User.full_name)
        .join(User, User.id == AuditEntry.actor_id)
        .where(User.organization_id == current_user.organization_id)
        .order_by(*newest_first())
        .limit(10)
    ).all()
    recent = [entry for entry, _name in rows]
    actor_names = {entry.actor_id: name or entry.actor for entry, name in rows}
    extra: dict[str, Any] = {}
    for provide in HOME_CONTEXT:
        extra.update(provide(current_user))
    return render_template("program/dashboards/home.html", recent=recent, actor_names=actor_names, **extra)


@bp.route("/dashboard")
@policy.require("dashboard.read")
def program_dashboard():
    """The program dashboard: the role's panels (enrollments, decisions, cases, marks), each a table."""
    from program.dashboards.panels import panels_for

    return render_template("program/dashboards/dashboard.html", panels=panels_for(current_user))


@bp.route("/dashboard/charts/<name>.svg")
@policy.require("dashboard.read")
def chart(name: str):
    """One dashboard chart as an SVG image: CBP's charts, and each party's own (drawn from its own data)."""
    from flask import Response, abort

    from program.dashboards.panels import CHARTS
    from program.dashboards.party_panels import USER_CHARTS

    if name in USER_CHARTS and USER_CHARTS[name][0](current_user):
        svg = USER_CHARTS[name][1](current_user)
    elif name in CHARTS and policy.can(current_user, "cases.stats"):
        svg = CHARTS[name]()
    else:
        abort(404)
    response = Response(svg, mimetype="image/svg+xml")
    response.headers["Content-Security-Policy"] = "default-src 'none'; style-src 'unsafe-inline'; img-src data:"
    return response
