"""Web pages of the messages domain: inbox, new conversation, thread (reply, close, reopen), files.

Also the two things every page gets: ``unread_messages`` (the navigation badge; one query per page
view, cached on ``g``) and the ``message_threads_for(type, id)`` template global that other domains'
object pages use through ``templates/program/messages/_related_threads.html``.
"""

from __future__ import annotations

import logging

from flask import Blueprint, flash, g, has_request_context, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy.exc import SQLAlchemyError

from core import navigation, policy
from core.accounts.forms import EmptyForm
from core.errors import Conflict, ValidationFailed
from core.extensions import db
from core.forms import apply_errors
from core.inputs import whole_number
from core.pagination import page_args_from_request
from core.uploads import send_stored
from program.messages import queries, related, services
from program.messages.forms import NewThreadForm, ReplyForm
from program.messages.queries import is_cbp
from program.messages.states import PARTY_KIND_LABELS, RELATED_LABELS, ThreadStatus

log = logging.getLogger(__name__)

bp = Blueprint("messages", __name__)

navigation.register("Messages", "messages.index", "messages.read", order=80)


def unread_for_current_user() -> int:
    """Unread messages of the signed-in user, counted once per request."""
    if not has_request_context() or not current_user.is_authenticated:
        return 0
    if "unread_messages" not in g:
        try:
            g.unread_messages = queries.unread_count(current_user)
        except SQLAlchemyError:  # an error page must still render when the database is what failed
            log.exception("could not count unread messages")
            g.unread_messages = 0
    return g.unread_messages


@bp.app_context_processor
def message_context() -> dict:
    """``unread_messages`` for the navigation badge in base.html."""
    return {"unread_messages": unread_for_current_user()}


@bp.app_template_global("message_threads_for")
def message_threads_for(related_type: str, related_id) -> list:
    """Threads about one object that the signed-in user may see (used by ``_related_threads.html``)."""
    return queries.threads_for(related_type, related_id, current_user)


def _me():
    return current_user._get_current_object()


@bp.route("/messages")
@policy.require("messages.read")
def index():
    """The inbox: threads with the most recent activity first, unread ones in bold with their count."""
    page, size = page_args_from_request()
    cbp = is_cbp(current_user)
    status = request.args.get("status") if request.args.get("status") in {s.value for s in ThreadStatus} else ""
    unread_only = request.args.get("unread") == "1"
    q = request.args.get("q", "").strip()[:200]
    org_arg = request.args.get("organization_id", "")
    organization_id = whole_number(org_arg) if cbp else None
    result = queries.list_threads(current_user, status=status or None, organization_id=organization_id,
                                  unread_only=unread_only, q=q, page=page, page_size=size)
    return render_template("program/messages/index.html", page=result, cbp=cbp, status=status, unread_only=unread_only,
                           q=q, organization_id=organization_id,
                           organizations=services.party_organizations() if cbp else [],
                           kind_labels=PARTY_KIND_LABELS)


def _related_preview(form: NewThreadForm, cbp: bool):
    """The related object named by the form, checked as the service will check it (ref, error message)."""
    if not (form.related_type.data or form.related_id.data):
        return None, None
    party_id = current_user.organization_id
    if cbp:
        chosen = form.organization_id.data
        party_id = whole_number(chosen)
    try:
        return related.check_related(form.related_type.data, form.related_id.data, party_id), None
    except ValidationFailed as exc:
        return None, exc.message


@bp.route("/messages/new", methods=["GET", "POST"])
@policy.require("messages.write")
def new():
    """Start a conversation: a party writes to CBP; CBP picks the party organisation."""
    cbp = is_cbp(current_user)
    form = NewThreadForm()
    if cbp:
        form.set_organizations(services.party_organizations())
    else:
        del form.organization_id
    if request.method == "GET":
        form.related_type.data = request.args.get("related_type", "")[:30]
        form.related_id.data = request.args.get("related_id", "")[:64]
        if cbp:
            form.organization_id.data = request.args.get("organization_id", "")
    ref, ref_error = _related_preview(form, cbp)
    if cbp and ref and not form.organization_id.data and ref.organization_ids and len(ref.organization_ids) == 1:
        form.organization_id.data = str(next(iter(ref.organization_ids)))
    if form.validate_on_submit():
        try:
            thread = services.start_thread(
                _me(), subject=form.subject.data, body=form.body.data,
                organization_id=form.organization_id.data if cbp else None,
                related_type=form.related_type.data or None, related_id=form.related_id.data or None,
                files=form.attachments.data,
            )
        except ValidationFailed as exc:
            db.session.rollback()
            apply_errors(form, exc)
        else:
            db.session.commit()
            who = thread.organization.name if cbp else "CBP"
            flash(f"Your message has been sent to {who}.", "success")
            return redirect(url_for("messages.show", thread_id=thread.id))
    return render_template("program/messages/new.html", form=form, cbp=cbp, related_ref=ref, related_error=ref_error,
                           related_labels=RELATED_LABELS), 422 if form.errors else 200


def _thread_page(thread, form: ReplyForm, status: int = 200):
    """Render the thread page (marking it read), then commit the read mark."""
    messages = queries.open_thread(current_user, thread)
    ref = related.resolve(thread.related_type, thread.related_id) if thread.related_type else None
    html = render_template("program/messages/thread.html", thread=thread, messages=messages, form=form,
                           action_form=EmptyForm(), cbp=is_cbp(current_user), related_url=ref.url if ref else None,
                           kind_labels=PARTY_KIND_LABELS)
    # Rendered before committing, so the loaded rows are not expired and reloaded one by one.
    db.session.commit()
    return html, status


@bp.route("/messages/<int:thread_id>")
@policy.require("messages.read")
def show(thread_id: int):
    """One conversation, oldest message first, with the reply form; opening it marks it read."""
    return _thread_page(services.get_thread(current_user, thread_id), ReplyForm())


@bp.route("/messages/<int:thread_id>/reply", methods=["POST"])
@policy.require("messages.write")
def reply(thread_id: int):
    """Send a reply (text and/or files) in an open conversation."""
    thread = services.get_thread(current_user, thread_id)
    form = ReplyForm()
    if form.validate_on_submit():
        try:
            message = services.post_message(_me(), thread, body=form.body.data, files=form.attachments.data)
        except ValidationFailed as exc:
            db.session.rollback()
            apply_errors(form, exc)
        except Conflict as exc:
            db.session.rollback()
            flash(exc.message, "error")
            return redirect(url_for("messages.show", thread_id=thread_id))
        else:
            db.session.commit()
            flash("Your reply has been sent.", "success")
            return redirect(url_for("messages.show", thread_id=thread_id, _anchor=f"message-{message.id}"))
    return _thread_page(services.get_thread(current_user, thread_id), form, 422)


def _transition(thread_id: int, action, done: str):
    thread = services.get_thread(current_user, thread_id)
    if EmptyForm().validate_on_submit():
        try:
            action(_me(), thread)
        except Conflict as exc:
            db.session.rollback()
            flash(exc.message, "error")
        else:
            db.session.commit()
            flash(done, "success")
    return redirect(url_for("messages.show", thread_id=thread_id))


@bp.route("/messages/<int:thread_id>/close", methods=["POST"])
@policy.require("messages.manage")
def close(thread_id: int):
    """CBP closes the conversation: no more replies until it is reopened."""
    return _transition(thread_id, services.close_thread, "Conversation closed. Nobody can reply until CBP reopens it.")


@bp.route("/messages/<int:thread_id>/reopen", methods=["POST"])
@policy.require("messages.manage")
def reopen(thread_id: int):
    """CBP reopens a closed conversation."""
    return _transition(thread_id, services.reopen_thread, "Conversation reopened.")


@bp.route("/messages/<int:thread_id>/files/<int:file_id>")
@policy.require("messages.read")
def attachment(thread_id: int, file_id: int):
    """Download a file of the conversation (pictures may be shown inline as thumbnails)."""
    stored = services.get_attachment(current_user, thread_id, file_id)
    return send_stored(stored, inline=stored.is_image and request.args.get("inline") == "1")
