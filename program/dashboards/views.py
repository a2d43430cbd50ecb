"""Landing page for everyone and the home page of each role."""

from __future__ import annotations

from flask import Blueprint, redirect, render_template, url_for
from flask_login import current_user
from sqlalchemy import select

from core import policy
from core.accounts.models import User
from core.audit import AuditEntry
from core.extensions import db
from standards.dashboard import home_panels
from standards.models import Sector

bp = Blueprint("dashboards", __name__)


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
    recent = db.session.scalars(
        select(AuditEntry)
        .join(User, User.id == AuditEntry.actor_id)
        .where(User.organization_id == current_user.organization_id)
        .order_by(AuditEntry.seq.desc())
        .limit(10)
    ).all()
    return render_template("program/dashboards/home.html", recent=recent, **home_panels(current_user))
