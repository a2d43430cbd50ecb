"""JSON API of the messages domain (API.md, "Messages").

A party's token sees only its own organisation's threads: every route answers 404 for a thread of
another organisation, exactly as for one that does not exist. Closing and reopening are CBP's, so a
party's token gets 403 there whatever the id (which says nothing about the thread).
"""

from __future__ import annotations

from flask import g, request

from core import policy
from core.apiutil import ApiBlueprint as Blueprint
from core.errors import ValidationFailed
from core.extensions import db
from core.uploads import send_stored
from program.messages import queries, related, services
from program.messages.schemas import (
    MessageCreateSchema,
    MessageSchema,
    ThreadCreateSchema,
    ThreadDetailSchema,
    ThreadPageSchema,
    ThreadQuerySchema,
    ThreadSchema,
)

blp = Blueprint("messages_api", __name__, url_prefix="/api/v1",
                description="Confidential message threads between CBP and one party organisation")

_UPLOAD_DOC = {"requestBody": {"required": True, "content": {"multipart/form-data": {"schema": {
    "type": "object", "required": ["file"],
    "properties": {"file": {"type": "array", "items": {"type": "string", "format": "binary"},
                            "description": "PDF, JPEG or PNG (content is checked); up to 5 files"},
                   "body": {"type": "string", "description": "Optional text sent with the files"}}}}}}}


def _detail(thread):
    """Load the messages (marking them read for the caller) and the related object's link."""
    thread.loaded_messages = queries.open_thread(g.api_user, thread)
    ref = related.resolve(thread.related_type, thread.related_id) if thread.related_type else None
    thread.related_url = ref.url if ref else None
    return thread


@blp.route("/threads", methods=["POST"])
@policy.require("messages.write")
@blp.arguments(ThreadCreateSchema)
@blp.response(201, ThreadDetailSchema)
@blp.alt_response(422, description="A field is missing or wrong; the body names it")
def create_thread(data):
    """Start a thread with its first message. A party writes to CBP; CBP names the party organisation."""
    thread = services.start_thread(g.api_user, subject=data["subject"], body=data["body"],
                                   organization_id=data.get("organization_id"), related_type=data.get("related_type"),
                                   related_id=data.get("related_id"))
    db.session.commit()
    return _detail(thread)


@blp.route("/threads")
@policy.require("messages.read")
@blp.arguments(ThreadQuerySchema, location="query")
@blp.response(200, ThreadPageSchema)
def list_threads(args):
    """Threads the caller may see, most recent activity first, with unread counts."""
    page = queries.list_threads(g.api_user, status=args.get("status"), organization_id=args.get("organization_id"),
                                related_type=args.get("related_type"), related_id=args.get("related_id"),
                                unread_only=bool(args.get("unread")), page=args["page"], page_size=args["page_size"])
    return page.envelope(page.items)


@blp.route("/threads/<int:thread_id>")
@policy.require("messages.read")
@blp.response(200, ThreadDetailSchema)
@blp.alt_response(404, description="No such thread, or one of another organisation")
def get_thread(thread_id: int):
    """One thread with its messages, oldest first; marks them read for the caller."""
    thread = _detail(services.get_thread(g.api_user, thread_id))
    db.session.commit()
    queries.reload_after_commit(thread)
    return thread


@blp.route("/threads/<int:thread_id>/messages", methods=["POST"])
@policy.require("messages.write")
@blp.arguments(MessageCreateSchema)
@blp.response(201, MessageSchema)
@blp.alt_response(409, description="The thread is closed")
def post_message(data, thread_id: int):
    """Reply in an open thread; the other side is e-mailed a link (never the text)."""
    thread = services.get_thread(g.api_user, thread_id)
    message = services.post_message(g.api_user, thread, body=data["body"])
    db.session.commit()
    return message


@blp.route("/threads/<int:thread_id>/attachments", methods=["POST"])
@policy.require("messages.write")
@blp.response(201, MessageSchema)
@blp.alt_response(422, description="No file, too large, or content that is not PDF, JPEG or PNG")
@blp.doc(**_UPLOAD_DOC)
def upload_attachments(thread_id: int):
    """Send files (multipart field ``file``, repeatable) with an optional ``body`` as a new message."""
    thread = services.get_thread(g.api_user, thread_id)
    files = request.files.getlist("file")
    if not any(f.filename for f in files):
        raise ValidationFailed("Send at least one file in the multipart field 'file'.", fields={"file": ["No file."]})
    message = services.post_message(g.api_user, thread, body=request.form.get("body", ""), files=files,
                                    files_field="file")
    db.session.commit()
    return message


@blp.route("/threads/<int:thread_id>/attachments/<int:file_id>")
@policy.require("messages.read")
@blp.response(200, description="The file (attachment), PDF, JPEG or PNG (its type in Content-Type)")
@blp.alt_response(404, description="No such file in a thread the caller may see")
def download_attachment(thread_id: int, file_id: int):
    """Download a file sent in the thread (CBP and the thread's party only)."""
    return send_stored(services.get_attachment(g.api_user, thread_id, file_id))


@blp.route("/threads/<int:thread_id>/close", methods=["POST"])
@policy.require("messages.manage")
@blp.response(200, ThreadSchema)
@blp.alt_response(409, description="Already closed")
def close_thread(thread_id: int):
    """CBP closes a thread: no more replies until it is reopened."""
    thread = services.close_thread(g.api_user, services.get_thread(g.api_user, thread_id))
    db.session.commit()
    return queries.summary(g.api_user, thread)


@blp.route("/threads/<int:thread_id>/reopen", methods=["POST"])
@policy.require("messages.manage")
@blp.response(200, ThreadSchema)
@blp.alt_response(409, description="Already open")
def reopen_thread(thread_id: int):
    """CBP reopens a closed thread."""
    thread = services.reopen_thread(g.api_user, services.get_thread(g.api_user, thread_id))
    db.session.commit()
    return queries.summary(g.api_user, thread)
