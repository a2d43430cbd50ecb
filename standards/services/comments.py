"""Comments on proposed standards: the drafter sets the comment period; importers, other parties and the
public comment while it is open; the drafter answers. Audited in the caller's transaction (flush only)."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from sqlalchemy import select

from core import audit
from core.errors import Conflict, NotAllowed, NotFound, ValidationFailed
from core.extensions import db
from core.timeutil import today, utcnow
from standards.models import CommentPeriod, StandardComment, StandardVersion
from standards.states import VersionStatus

TEXT_MAX = 10_000
PERIOD_MAX_DAYS = 180


def _text(raw: Any, field: str, max_len: int, *, required: bool = True) -> str:
    value = raw.strip() if isinstance(raw, str) else ""
    if raw is not None and not isinstance(raw, str):
        raise ValidationFailed("Must be text.", fields={field: ["Must be text."]})
    if "\x00" in value:
        raise ValidationFailed("Contains a NUL character.", fields={field: ["Contains a NUL character."]})
    if required and not value:
        raise ValidationFailed("Write something.", fields={field: ["Required."]})
    if len(value) > max_len:
        raise ValidationFailed("Too long.", fields={field: [f"At most {max_len:,} characters."]})
    return value


def is_drafter(user: Any, version: StandardVersion) -> bool:
    """Whether ``user`` belongs to the organisation that drafted the standard."""
    return user is not None and getattr(user, "organization_id", None) == version.author_organization_id


def period_of(version: StandardVersion) -> CommentPeriod | None:
    """The version's comment period, if one was set."""
    return db.session.get(CommentPeriod, version.id)


def comments_open(version: StandardVersion, on: date | None = None) -> bool:
    """Comments are accepted while the version is proposed and its period runs."""
    period = period_of(version)
    return (version.status == VersionStatus.PROPOSED and period is not None
            and period.is_open(on or today()))


def set_comment_period(actor: Any, version: StandardVersion, closes_on: Any) -> CommentPeriod:
    """The drafter opens (or moves the end of) the comment period of a proposed version: from today until
    ``closes_on`` (today to 180 days ahead). 403 for others; 409 unless proposed."""
    if not is_drafter(actor, version):
        raise NotAllowed("Only the organisation that drafted the standard sets its comment period.")
    if version.status != VersionStatus.PROPOSED:
        raise Conflict("Comment periods are for proposed versions.", code="not_proposed")
    start = today()
    if not isinstance(closes_on, date) or not start <= closes_on <= start + timedelta(days=PERIOD_MAX_DAYS):
        raise ValidationFailed("Choose a closing date.", fields={"closes_on": [
            f"A date from today to {PERIOD_MAX_DAYS} days ahead ({start + timedelta(days=PERIOD_MAX_DAYS)})."]})
    period = period_of(version)
    before = {"opens_on": period.opens_on, "closes_on": period.closes_on} if period else None
    if period is None:
        period = CommentPeriod(version_id=version.id, opens_on=start, closes_on=closes_on, set_by_id=actor.id)
        db.session.add(period)
    period.closes_on, period.set_by_id, period.set_at = closes_on, actor.id, utcnow()
    db.session.flush()
    audit.record(actor, "standard.comment_period", "standard", version.id, before=before,
                 after={"opens_on": period.opens_on, "closes_on": period.closes_on})
    return period


def add_comment(actor: Any | None, version: StandardVersion, text: Any, *, public_name: Any = None) -> StandardComment:
    """A comment from a signed-in party (not the drafter) or, with ``actor`` None, a member of the public;
    409 ``comment_period_closed`` outside the period."""
    body = _text(text, "text", TEXT_MAX)
    name = _text(public_name, "name", 200, required=False) if actor is None else None
    if actor is not None and is_drafter(actor, version):
        raise NotAllowed("The drafters answer comments rather than comment.")
    if not comments_open(version):
        raise Conflict("This standard is not open for comment.", code="comment_period_closed")
    comment = StandardComment(version_id=version.id, author_id=getattr(actor, "id", None),
                              organization_id=getattr(actor, "organization_id", None), public_name=name,
                              text=body, created_at=utcnow())
    db.session.add(comment)
    db.session.flush()
    audit.record(actor, "standard_comment.create", "standard_comment", comment.id, after=comment.snapshot())
    return comment


def answer_comment(actor: Any, comment: StandardComment, text: Any) -> StandardComment:
    """The drafter answers a comment (or changes the answer)."""
    version = db.session.get(StandardVersion, comment.version_id)
    if not is_drafter(actor, version):
        raise NotAllowed("Only the organisation that drafted the standard answers its comments.")
    body = _text(text, "response", TEXT_MAX)
    before = comment.snapshot()
    comment.response, comment.responded_at, comment.responded_by_id = body, utcnow(), actor.id
    db.session.flush()
    audit.record(actor, "standard_comment.answer", "standard_comment", comment.id, before=before, after=comment.snapshot())
    return comment


def comments_on(version: StandardVersion) -> list[StandardComment]:
    """The version's comments, oldest first."""
    return list(db.session.scalars(select(StandardComment).where(StandardComment.version_id == version.id)
                                   .order_by(StandardComment.created_at, StandardComment.id)))


def get_comment(version: StandardVersion, comment_id: int) -> StandardComment:
    """A comment of this version, or 404."""
    comment = db.session.get(StandardComment, comment_id) if 0 < comment_id < 2**31 else None
    if comment is None or comment.version_id != version.id:
        raise NotFound("No such comment.")
    return comment


def public_version(version_id: int) -> StandardVersion:
    """A proposed or published version for the public pages (drafts and withdrawn ones are 404)."""
    version = db.session.get(StandardVersion, version_id) if 0 < version_id < 2**31 else None
    if version is None or version.status not in (VersionStatus.PROPOSED, VersionStatus.PUBLISHED):
        raise NotFound("No such standard.")
    return version
