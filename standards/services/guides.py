"""Photographic standards guides: rights holders upload them for their marks; reviewers consult them."""

from __future__ import annotations

import io
from typing import Any

from werkzeug.datastructures import FileStorage

from core import audit
from core.errors import Conflict, NotAllowed, NotFound, ValidationFailed
from core.extensions import db
from core.timeutil import utcnow
from core.uploads import DOCUMENT_TYPES, IMAGE_TYPES, delete_stored, read_stored, store_upload
from standards.lookups import can_view_guides
from standards.models import PhotoGuide, RecordedMark
from standards.thumbnails import make_thumbnail


def _field(value: Any, *, field: str, label: str, max_len: int, required: bool) -> str:
    text = value.strip() if isinstance(value, str) else ""
    if required and not text:
        raise ValidationFailed(f"The {label} is required.", fields={field: ["Required."]})
    if len(text) > max_len:
        raise ValidationFailed(f"The {label} is too long.",
                               fields={field: [f"At most {max_len} characters."]})
    return text


def upload_guide(actor: Any, mark: RecordedMark, *, sector: Any, title: Any, description: Any = "",
                 upload: FileStorage | None) -> PhotoGuide:
    """Store an image or PDF guide for one of the actor's marks in one of the mark's sectors."""
    if mark.owner_organization_id != actor.organization_id:
        raise NotAllowed("You can upload guides only for your organisation's marks.")
    errors: dict[str, list[str]] = {}
    values: dict[str, str] = {}
    for name, label, max_len, required, raw in (("title", "title", 200, True, title),
                                                ("description", "description", 4000, False, description)):
        try:
            values[name] = _field(raw, field=name, label=label, max_len=max_len, required=required)
        except ValidationFailed as exc:
            errors.update(exc.fields)
    if sector not in mark.sector_codes:
        errors["sector"] = ["Choose one of the sectors CBP recorded for this mark."]
    if errors:
        raise ValidationFailed("The guide could not be uploaded.", fields=errors)
    stored = store_upload(upload, field="file", owner=actor, allowed=DOCUMENT_TYPES)
    thumbnail = None
    if stored.content_type in IMAGE_TYPES:
        try:
            small = make_thumbnail(read_stored(stored), field="file")
        except ValidationFailed:
            delete_stored(stored)  # nothing half-written: the row goes with the rollback
            raise
        small_file = FileStorage(stream=io.BytesIO(small), filename=f"thumb-{stored.original_name}")
        thumbnail = store_upload(small_file, field="file", owner=actor, allowed=IMAGE_TYPES)
    guide = PhotoGuide(mark_id=mark.id, sector_code=sector, organization_id=actor.organization_id,
                       title=values["title"], description=values["description"], file_id=stored.id,
                       thumbnail_id=thumbnail.id if thumbnail else None, uploaded_by_id=actor.id)
    db.session.add(guide)
    db.session.flush()
    audit.record(actor, "guide.create", "guide", guide.id, after=guide.snapshot())
    return guide


def viewable_guide(user: Any, guide_id: int) -> PhotoGuide:
    """A live guide the user may open: reviewers any, rights holders their own; 404 for everyone else."""
    guide = db.session.get(PhotoGuide, guide_id)
    if guide is None or not guide.is_live or not can_view_guides(user, guide.organization_id):
        raise NotFound("No such guide.")
    return guide


def remove_guide(actor: Any, guide: PhotoGuide) -> PhotoGuide:
    """Take a guide out of use (its owner only); the file stays for the record."""
    if guide.organization_id != actor.organization_id:
        raise NotAllowed("Only the organisation that uploaded it can remove it.")
    if guide.removed_at is not None:
        raise Conflict("This guide has already been removed.", code="already_removed")
    guide.removed_at, guide.removed_by_id = utcnow(), actor.id
    db.session.flush()
    audit.record(actor, "guide.remove", "guide", guide.id, before={"live": True}, after={"live": False})
    return guide
