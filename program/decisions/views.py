"""Release-decision pages: request a decision (entry and lines), see one with its reasons, list past ones.

Handlers are thin: parse the form, call :func:`program.decisions.services.request_decision` (the same
service the API calls), commit there, redirect. Importers see their organisation's decisions only (404
otherwise); CBP staff see every decision and, on its page, the program facts it relied on.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from flask import Blueprint, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from core import navigation, policy
from core.accounts.roles import Role
from core.errors import Conflict, NotAllowed, ValidationFailed
from core.extensions import db
from core.pagination import page_args_from_request, paginate
from program.decisions import facts as program_facts
from program.decisions import policy as perms
from program.decisions import services
from program.decisions.engine import rule_summary
from program.decisions.forms import OUTCOME_LABELS, DecisionFilterForm, DecisionRequestForm, LineForm
from program.decisions.models import ReleaseDecision
from program.decisions.uei import format_uei
from standards import lookups
from standards.reference import CONDITION_LABELS

bp = Blueprint("decisions", __name__, url_prefix="/decisions")

navigation.register("Release decisions", "decisions.index", perms.DECIDE, order=40)

OUTCOME_TAGS = {  # USWDS colours: expedited green, standard gold, refer red
    "expedited_release": "gl-outcome-expedited_release",
    "standard_processing": "gl-outcome-standard_processing",
    "refer_for_examination": "gl-outcome-refer_for_examination",
}
OUTCOME_ALERTS = {"expedited_release": "success", "standard_processing": "warning",
                  "refer_for_examination": "error"}
OUTCOME_HELP = {
    "expedited_release": "Every line may be released at once.",
    "standard_processing": "At least one line goes through standard processing; none needs examination.",
    "refer_for_examination": "At least one line is referred for examination. Keep the goods available.",
}


def quantity_text(quantity: Decimal) -> str:
    """A quantity without exponent or trailing zeros, thousands grouped (``1,200``, ``2.5``)."""
    number = Decimal(quantity).normalize()
    whole, _, fraction = f"{number:f}".partition(".")
    return f"{int(whole):,}" + (f".{fraction}" if fraction else "")


@bp.record_once
def _template_globals(state: Any) -> None:
    """Labels and helpers the decision templates (and other domains' partials) use."""
    state.app.jinja_env.globals.update(
        outcome_label=lambda outcome: OUTCOME_LABELS.get(outcome, outcome),
        outcome_tag=lambda outcome: OUTCOME_TAGS.get(outcome, "bg-base"),
        format_uei=format_uei, quantity_text=quantity_text, rule_summary=rule_summary,
    )


# --- request -----------------------------------------------------------------------------------------


def _iors_for_user() -> list[str] | None:
    """Importers pick one of their organisation's IOR numbers; CBP staff type any (None)."""
    if current_user.role != Role.IMPORTER:
        return None
    return sorted(program_facts.snapshot().iors_of(current_user.organization_id))


def _row_buttons(form: DecisionRequestForm) -> bool:
    """The no-JavaScript row buttons: add an empty line or drop one, then show the form again, unsent."""
    if "add_row" in request.form:
        form.lines.append_entry()
        return True
    remove = request.form.get("remove_row", "")
    if remove.isdigit():
        form.lines.entries = [e for e in form.lines.entries if e.id != f"lines-{remove}"]
        if not form.lines.entries:
            form.lines.append_entry()
        return True
    return False


def _render_form(form: DecisionRequestForm, status: int = 200) -> ResponseReturnValue:
    sectors = lookups.sectors()
    form.setup(sectors=sectors, iors=form.iors)
    next_index = max((int(e.id.rsplit("-", 1)[1]) for e in form.lines.entries), default=-1) + 1
    blank = LineForm(prefix="lines-__index__-")
    blank.sector.choices = form.sector_choices
    return render_template("program/decisions/new.html", form=form, blank_line=blank, next_index=next_index,
                           condition_labels=CONDITION_LABELS), status


@bp.route("/new", methods=["GET", "POST"])
@policy.require(perms.DECIDE)
def new() -> ResponseReturnValue:
    """Ask for a release decision on an entry: every line gets an outcome with its reasons, the entry a UEI."""
    iors = _iors_for_user()
    if iors == []:  # an importer with no IOR number on an enrollment has nothing to ask about (as for blanks)
        return render_template("program/decisions/no_ior.html"), 403
    form = DecisionRequestForm()
    form.setup(sectors=lookups.sectors(), iors=iors)
    if request.method == "GET":
        if iors and len(iors) == 1:
            form.ior_choice.data = iors[0]
        return _render_form(form)
    if _row_buttons(form):
        return _render_form(form)
    if not form.validate():  # CSRF (the fields themselves are checked by the schema below)
        return _render_form(form, 422)
    try:
        data = form.request_data()
        outcome = services.request_decision(current_user, data, source="web")
    except ValidationFailed as error:
        db.session.rollback()
        form.apply_errors(error)
        return _render_form(form, 422)
    except NotAllowed as error:
        db.session.rollback()
        form.apply_errors(ValidationFailed(error.message, fields={"ior_number": [error.message]}))
        return _render_form(form, 422)
    except services.EntryAlreadyDecided as error:
        db.session.rollback()
        form.supersedes.data = str(error.live_id or "")
        form.supersede.data = False
        message = ("This entry already has a live release decision. Open it, or tick \"Decide the entry afresh\" "
                   "below and request again.")
        form.apply_errors(ValidationFailed(message, fields={"entry_number": [message]}))
        return _render_form(form, 409)
    except Conflict as error:  # the decision to supersede has an open case, or was superseded meanwhile
        db.session.rollback()
        form.apply_errors(ValidationFailed(error.message, fields={"entry_number": [error.message]}))
        return _render_form(form, 409)
    return redirect(url_for("decisions.view", decision_id=outcome.payload["id"]))


# --- one decision ------------------------------------------------------------------------------------


def facts_links(decision: ReleaseDecision) -> dict[str, Any]:
    """What the decision relied on, resolved to records CBP staff can open (missing ones are skipped)."""
    from program.blanks.models import BlankLine
    from program.enrollment.models import Enrollment
    from standards.models import RecordedMark, StandardVersion

    used = decision.facts_used or {}
    enrollment = db.session.get(Enrollment, used["enrollment_id"]) if used.get("enrollment_id") else None
    versions = (db.session.scalars(select(StandardVersion).where(StandardVersion.id.in_(used["standard_version_ids"]))
                                   .order_by(StandardVersion.id)).all()
                if used.get("standard_version_ids") else [])
    marks = (db.session.scalars(select(RecordedMark).where(RecordedMark.id.in_(used["mark_ids"]))
                                .order_by(RecordedMark.recordation_number)).all()
             if used.get("mark_ids") else [])
    blank_lines = (db.session.scalars(select(BlankLine).options(selectinload(BlankLine.declaration))
                                      .where(BlankLine.id.in_(used["blank_line_ids"])).order_by(BlankLine.id)).all()
                   if used.get("blank_line_ids") else [])
    declarations = []
    for line in blank_lines:
        declaration = line.declaration
        url = url_for("blanks.show", public_id=declaration.public_id)
        declarations.append({"public_id": declaration.public_id, "line_no": line.line_no,
                             "description": line.description, "url": url})
    return {"as_of": used.get("as_of"), "enrollment": enrollment, "versions": versions, "marks": marks,
            "declarations": declarations}


@bp.route("/<int:decision_id>")
@policy.require(perms.READ)
def view(decision_id: int) -> ResponseReturnValue:
    """A decision: the entry's outcome and UEI, each line's outcome with every reason in plain words."""
    decision = services.get_decision_for(current_user, decision_id)
    cbp = services.is_cbp(current_user)
    return render_template(
        "program/decisions/view.html", decision=decision, facts=facts_links(decision) if cbp else None,
        alert=OUTCOME_ALERTS[decision.outcome], outcome_help=OUTCOME_HELP[decision.outcome],
        condition_labels=CONDITION_LABELS, sector_names={s.code: s.name for s in lookups.sectors()},
        counts={o: sum(1 for line in decision.lines if line.outcome == o) for o in OUTCOME_LABELS},
        superseded_by=services.superseded_by(decision),
    )


# --- list --------------------------------------------------------------------------------------------


@bp.route("")
@policy.require(perms.READ)
def index() -> ResponseReturnValue:
    """Decisions the user may see, newest first, filtered by outcome, IOR number, entry, port and dates."""
    form = DecisionFilterForm(request.args)
    form.validate()
    page_no, size = page_args_from_request()
    query = services.filtered(services.visible_decisions(current_user), form.args())
    page = paginate(query, page_no, size)
    return render_template("program/decisions/index.html", form=form, page=page,
                           can_decide=policy.can(current_user, perms.DECIDE) and _iors_for_user() != [],
                           filtered=bool(form.args()))
