"""The public register: anyone may check a program ID (only importers that consented are listed)."""

from __future__ import annotations

import re

from flask import Blueprint, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue

from core import policy
from core.extensions import db, limiter
from program.enrollment import queries, services

bp = Blueprint("verify", __name__)

PROGRAM_ID = re.compile(r"GL-\d{4}-\d{6,}", re.IGNORECASE)


@bp.route("/verify")
@policy.public
@limiter.limit("120 per minute")
def search() -> ResponseReturnValue:
    """Search by program ID (goes straight to it) or by legal name."""
    q = request.args.get("q", "").strip()
    if PROGRAM_ID.fullmatch(q):
        return redirect(url_for("verify.show", program_id=q.upper()))
    results = queries.public_search(q) if q else []
    return render_template("program/verify/index.html", q=q, results=results)


@bp.route("/verify/<program_id>")
@policy.public
@limiter.limit("120 per minute")
def show(program_id: str) -> ResponseReturnValue:
    """One published, approved importer: legal name, status, approved sectors, validity."""
    enrollment = queries.public_enrollment(program_id)
    if enrollment is not None and services.expire_if_due(enrollment):
        db.session.commit()
        enrollment = None
    if enrollment is None:
        return render_template("program/verify/show.html", enrollment=None, program_id=program_id), 404
    return render_template("program/verify/show.html", enrollment=enrollment, program_id=program_id)
