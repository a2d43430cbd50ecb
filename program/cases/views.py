"""Web pages of enforcement cases: the lists (reviewer, importer, rights holder), the detain page, the
case page (through ``policy.present``), image and file downloads. Thin: parse, check, call, render."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from core import navigation
from core import policy as core_policy
from core.errors import Conflict, NotAllowed, NotFound, ValidationFailed
from core.extensions import db
from core.forms import apply_errors
from core.inputs import row_by_id, whole_number
from core.pagination import page_args_from_request, paginate
from core.timeutil import today
from core.uploads import send_stored
from program.cases import policy, queries, services
from program.cases.forms import (
    AuthenticationForm,
    BulkForm,
    DetainForm,
    ExtendForm,
    ImageForm,
    OutcomeForm,
    PostSeizureForm,
    ResponseForm,
    SampleForm,
)
from program.cases.models import CaseImage, EnforcementCase
from program.cases.states import ALTERNATIVES_TO_SEIZURE, EVENT_LABELS, STATUS_LABELS, STATUS_TAG_CLASSES
from program.decisions.models import ReleaseDecision
from program.decisions.uei import format_uei
from standards.lookups import can_view_guides, guides_for_lines

bp = Blueprint("cases", __name__)

navigation.register("Cases", "cases.index", policy.READ, order=40)


@bp.app_context_processor
def case_helpers() -> dict[str, Any]:
    """Labels and tag classes for case templates."""
    return {"case_status_label": lambda s: STATUS_LABELS.get(s, s),
            "case_status_tag": lambda s: STATUS_TAG_CLASSES.get(s, "bg-base"),
            "case_event_label": lambda e: EVENT_LABELS.get(e, e),
            "ALTERNATIVES_TO_SEIZURE": ALTERNATIVES_TO_SEIZURE}


@bp.app_template_global("case_for_decision")
def case_for_decision(decision_id: int) -> dict[str, Any] | None:
    """For the decision page's partial: the case of a decision as the signed-in user may see it, if any."""
    case = queries.case_for_decision(decision_id)
    view = policy.view_for(current_user, case) if case is not None else None
    return policy.summary(case, view) if view is not None else None


def home_context(user: Any) -> dict[str, Any]:
    """For the home page: an importer's every open detention with its deadline (program.wiring registers it)."""
    if str(getattr(user, "role", "")) != "importer" or not core_policy.can(user, policy.READ):
        return {}
    return {"open_detentions": [policy.summary(case, policy.view_for(user, case))
                                for case in queries.open_detentions(user)]}


def _me():
    return current_user._get_current_object()


def _load(uei: str) -> tuple[EnforcementCase, policy.CaseView]:
    """The case and the user's view; a malformed UEI is simply not found on a page."""
    try:
        return policy.get_case_for(current_user, uei)
    except ValidationFailed as exc:
        raise NotFound("No such case.") from exc


@bp.route("/cases")
@core_policy.require(policy.READ)
def index():
    """Cases the user may see: the reviewer's worklist with filters, the importer's cases, the rights
    holder's detentions of goods bearing its marks."""
    status = request.args.get("status", "")
    status = status if status in queries.LIST_STATUSES else ""
    port = request.args.get("port", "").strip()[:4]
    overdue = request.args.get("overdue") == "1"
    page_no, size = page_args_from_request()
    query = queries.case_list_query(current_user, status=status or None, port=port or None, overdue=overdue)
    page = paginate(query, page_no, size)
    rows = [policy.summary(case, policy.view_for(current_user, case)) for case in page.items]
    return render_template("program/cases/index.html", page=page, rows=rows, status=status, port=port,
                           overdue=overdue, ports=queries.ports_in_use() if policy.is_cbp(current_user)
                           else [], statuses=queries.LIST_STATUSES)


@bp.route("/cases/new", methods=["GET", "POST"])
@core_policy.require(policy.MANAGE)
def detain():
    """Detain the shipment of a release decision (``?decision_id=N``): notice date, country of origin."""
    decision = row_by_id(ReleaseDecision, request.args.get("decision_id"))
    if decision is None:
        raise NotFound("No such release decision.")
    existing = queries.case_for_decision(decision.id)
    if existing is not None:
        flash("This shipment is already detained.", "info")
        return redirect(url_for("cases.show", uei=existing.uei))
    form = DetainForm(lines=decision.lines)
    if request.method == "GET":
        form.notice_date.data = today()
    if form.validate_on_submit():
        try:
            case = services.open_case(_me(), decision, notice_date=form.notice_date.data, basis=form.basis.data,
                                      presented_on=form.presented_on.data, detained_on=form.detained_on.data,
                                      line_nos=form.line_nos.data or None,
                                      country_of_origin=form.country_of_origin.data, note=form.note.data)
        except ValidationFailed as exc:
            db.session.rollback()
            apply_errors(form, exc)
        except Conflict as exc:
            db.session.rollback()
            flash(exc.message, "error")
            return redirect(url_for("cases.detain", decision_id=decision.id))
        else:
            db.session.commit()
            flash(f"Shipment detained. Case {format_uei(case.uei)}: the importer may respond until "
                  f"{case.response_due.isoformat()}; the detention period ends {case.detention_ends.isoformat()}.",
                  "success")
            return redirect(url_for("cases.show", uei=case.uei))
    return render_template("program/cases/detain.html", form=form, decision=decision,
                           uei_display=format_uei(decision.uei)), 422 if form.errors else 200


def _case_page(case: EnforcementCase, view: policy.CaseView, status: int = 200, **forms: Any):
    data = policy.present(case, view)
    forms.setdefault("image_form", ImageForm(lines=case.line_nos))
    forms.setdefault("response_form", ResponseForm())
    forms.setdefault("authentication_form", AuthenticationForm())
    forms.setdefault("outcome_form", OutcomeForm())
    forms.setdefault("extend_form", ExtendForm())
    forms.setdefault("sample_form", SampleForm())
    forms.setdefault("post_seizure_form", PostSeizureForm())
    if view.party == policy.CBP:
        forms["has_owners"] = bool(policy.mark_owners(case))
        forms["unredacted"] = policy.unredacted_permitted(case, today())
    guides = None  # reviewers see the rights holders' guides for the entry's marks (not the parties)
    if view.party == policy.CBP and can_view_guides(current_user):
        guides = guides_for_lines((line.recordation_number, line.sector) for line in case.decision.lines)
    return render_template("program/cases/show.html", c=data, case_id=case.id, guides=guides,
                           organization_id=case.decision.organization_id, **forms), status


@bp.route("/cases/<uei>")
@core_policy.require(policy.READ)
def show(uei: str):
    """One case as the user may see it (19 CFR 133.21: a rights holder sees a redacted case)."""
    case, view = _load(uei)
    if case.uei != uei:  # any accepted spelling → the canonical address
        return redirect(url_for("cases.show", uei=case.uei))
    return _case_page(case, view)


@bp.route("/cases/<uei>/images", methods=["POST"])
@core_policy.require(policy.MANAGE)
def upload_image(uei: str):
    """A reviewer uploads a detention image."""
    case, view = _load(uei)
    form = ImageForm(lines=case.line_nos)
    if form.validate_on_submit():
        try:
            services.add_image(_me(), case, form.image.data, caption=form.caption.data, redacted=form.redacted.data,
                               line_nos=form.line_nos.data or None, codes=form.codes.data)
        except ValidationFailed as exc:
            db.session.rollback()
            apply_errors(form, exc)
            if "image" in exc.fields:
                form.image.errors = list(exc.fields["image"])
        else:
            db.session.commit()
            flash("Image uploaded. The importer sees it now; a rights holder only once the law allows.", "success")
            return redirect(url_for("cases.show", uei=case.uei, _anchor="images"))
    return _case_page(case, view, 422, image_form=form)


_EVENT_FORMS = {"importer_response": ("response_form", ResponseForm),
                "rights_holder_authentication": ("authentication_form", AuthenticationForm),
                "detention_extended": ("extend_form", ExtendForm),
                "sample_released": ("sample_form", SampleForm),
                "post_seizure": ("post_seizure_form", PostSeizureForm)}
# Events recorded by a bare button (only the CSRF token is read).
_BUTTONS = frozenset({"images_shared_importer", "images_shared_rights_holder", "importer_response_insufficient",
                      "unredacted_disclosed"})


def _event_fields(name: str, form: Any, event_type: str) -> tuple[str, dict[str, Any]]:
    """The event type and the service's keyword arguments a submitted form stands for."""
    if name == "share_form":
        return event_type, {}
    field = lambda attr: getattr(getattr(form, attr, None), "data", None)  # noqa: E731
    kwargs: dict[str, Any] = {"event_date": field("date"), "note": field("note") or "", "files": field("files")}
    kind = event_type
    if name == "outcome_form":
        kind = form.outcome.data
        if kind == "seized":
            for who in ("manufacturer", "exporter"):
                if field(f"{who}_name") or field(f"{who}_address"):
                    kwargs[who] = {"name": field(f"{who}_name") or "", "address": field(f"{who}_address") or ""}
    elif name == "post_seizure_form":
        kind = form.step.data
        kwargs["amount"] = field("amount")
    elif name == "extend_form":
        kwargs["until"] = field("until")
    elif name == "sample_form":
        kwargs["bond_reference"] = field("bond_reference")
    return kind, kwargs


@bp.route("/cases/<uei>/events", methods=["POST"])
@core_policy.require(policy.READ)
def add_event(uei: str):
    """Record an event from the page: buttons (shares, disclosure), the importer's response, the owner's report,
    extensions, samples, outcomes and the steps after seizure."""
    case, view = _load(uei)
    event_type = request.form.get("type", "")
    name, form_class = _EVENT_FORMS.get(event_type, ("outcome_form", OutcomeForm))
    if event_type in _BUTTONS:
        name, form_class = "share_form", ImageForm  # a bare CSRF form: nothing but the token is read
    form = form_class()
    if form.validate_on_submit() if name != "share_form" else _csrf_ok(form):
        kind, kwargs = _event_fields(name, form, event_type)
        try:
            services.record_event(_me(), case, event_type=kind, **kwargs)
        except ValidationFailed as exc:
            db.session.rollback()
            if name == "share_form":
                flash(exc.message, "error")
                return redirect(url_for("cases.show", uei=case.uei))
            apply_errors(form, exc)
        except (Conflict, NotAllowed) as exc:
            db.session.rollback()
            flash(exc.message, "error")
            return redirect(url_for("cases.show", uei=case.uei))
        else:
            db.session.commit()
            flash(f"Recorded: {EVENT_LABELS.get(kind, kind)}.", "success")
            return redirect(url_for("cases.show", uei=case.uei, _anchor="timeline"))
    if name == "share_form":
        flash("Your session expired or the form was sent twice. Please try again.", "error")
        return redirect(url_for("cases.show", uei=case.uei))
    return _case_page(case, view, 422, **{name: form})


def _csrf_ok(form) -> bool:
    """Only the CSRF token matters for a share button."""
    form.validate_on_submit()
    return "csrf_token" not in form.errors


def _visible_image(uei: str, image_id: int) -> CaseImage:
    case, view = _load(uei)
    image = db.session.get(CaseImage, image_id)
    if image is None or image.case_id != case.id or not policy.image_visible(
            view.party, image, case, view.own_line_nos or frozenset()):
        raise NotFound("No such image.")
    return image


@bp.route("/cases/<uei>/images/<int:image_id>")
@core_policy.require(policy.READ)
def image(uei: str, image_id: int):
    """A detention image, for CBP and for a party once CBP shared the images with it."""
    return send_stored(_visible_image(uei, image_id).file, inline=True)


@bp.route("/cases/<uei>/images/<int:image_id>/thumbnail")
@core_policy.require(policy.READ)
def thumbnail(uei: str, image_id: int):
    """The image's thumbnail (same rule as the image)."""
    found = _visible_image(uei, image_id)
    return send_stored(found.thumbnail or found.file, inline=True)


@bp.route("/cases/<uei>/files/<int:file_id>")
@core_policy.require(policy.READ)
def event_file(uei: str, file_id: int):
    """A file attached to an event the user may see with its files."""
    case, view = _load(uei)
    data = policy.present(case, view)
    if not any(f["id"] == file_id for e in data["events"] for f in e.get("files", [])):
        raise NotFound("No such file.")
    from core.uploads import StoredFile

    stored = db.session.get(StoredFile, file_id)
    if stored is None:
        abort(404)
    return send_stored(stored, inline=stored.is_image and request.args.get("inline") == "1")


def _date_arg(name: str):
    from datetime import date

    try:
        return date.fromisoformat(request.args.get(name, ""))
    except ValueError:
        return None


@bp.route("/cases/bulk", methods=["GET", "POST"])
@core_policy.require(policy.MANAGE)
def bulk():
    """Small parcels together: filter open cases by port, importer and presentation date, select many and
    record abandonment, destruction, release or seizure at once (each case on its own, each audited)."""
    port = request.args.get("port", "").strip()[:4]
    importer = request.args.get("importer", "")
    importer_id = whole_number(importer)
    presented_from, presented_to = _date_arg("from"), _date_arg("to")
    form = BulkForm()
    results = None
    status = 200
    if request.method == "POST":
        chosen = request.form.getlist("uei")
        if form.validate_on_submit() and chosen:
            results = services.record_bulk(_me(), chosen, event_type=form.type.data, note=form.note.data)
            db.session.commit()
            applied = sum(1 for r in results if r["result"] == "applied")
            flash(f"Recorded for {applied} of {len(results)} cases.", "success" if applied == len(results) else "warning")
        else:
            if not chosen:
                form.form_errors.append("Select at least one case.")
            status = 422
    cases = queries.bulk_candidates(port=port or None, importer_id=importer_id, presented_from=presented_from,
                                    presented_to=presented_to)
    rows = [policy.summary(case, policy.view_for(current_user, case)) for case in cases]
    return render_template("program/cases/bulk.html", form=form, rows=rows, results=results, port=port,
                           importer_id=importer_id, presented_from=presented_from, presented_to=presented_to,
                           ports=queries.ports_in_use(), importers=queries.importers_with_open_cases(),
                           limit=queries.BULK_LIMIT), status
