"""Structured product identification guides: rights holders write and revise them (each revision a new
version, earlier ones kept), add captioned images, and withdraw them; officers search them by mark, sector
and HTS code. Every change is audited in the caller's transaction (flush only)."""

from __future__ import annotations

import re
from typing import Any

from sqlalchemy import select
from werkzeug.datastructures import FileStorage

from core import audit
from core.accounts.roles import Role
from core.errors import Conflict, NotAllowed, NotFound, ValidationFailed
from core.extensions import db
from core.timeutil import utcnow
from core.uploads import IMAGE_TYPES
from standards.lookups import can_view_guides
from standards.models import GuideImage, GuideVersion, IdentificationGuide, RecordedMark, Sector
from standards.models.identification_guide import IMAGE_SECTIONS, SECTION_KEYS, guide_version_mark
from standards.services.guides import store_with_thumbnail
from standards.services.marks import normalize_recordation_number

SECTION_MAX = 20_000
HTS_PREFIX = re.compile(r"\d{2,10}")
IMAGES_MAX = 30


def _text(raw: Any, field: str, max_len: int, errors: dict[str, list[str]], *, required: bool = False) -> str:
    if raw is None:
        raw = ""
    if not isinstance(raw, str):
        errors[field] = ["Must be text."]
        return ""
    value = raw.strip()
    if "\x00" in value:
        errors[field] = ["Contains a NUL character."]
    elif required and not value:
        errors[field] = ["Required."]
    elif len(value) > max_len:
        errors[field] = [f"At most {max_len:,} characters."]
    return value


def _list(raw: Any, field: str, errors: dict[str, list[str]]) -> list[str]:
    if raw in (None, ""):
        return []
    if isinstance(raw, str):
        raw = [p for p in re.split(r"[,;\n]+", raw) if p.strip()]
    if not isinstance(raw, list) or not all(isinstance(v, str) for v in raw):
        errors[field] = ["A list of text values."]
        return []
    return list(dict.fromkeys(v.strip() for v in raw if v.strip()))


def normalize_hts(value: str) -> str:
    """An HTS code or prefix without dots or spaces (``6403.99`` → ``640399``)."""
    return re.sub(r"[\s.]", "", value or "")


def _marks(actor: Any, raw: Any, errors: dict[str, list[str]]) -> list[RecordedMark]:
    numbers = _list(raw, "marks", errors)
    if "marks" in errors:
        return []
    if not numbers:
        errors["marks"] = ["Name at least one of your recorded marks (recordation number, e.g. TMK 21-00417)."]
        return []
    found, bad = [], []
    for number in numbers:
        try:
            canonical = normalize_recordation_number(number, field="marks")
        except ValidationFailed:
            bad.append(number)
            continue
        mark = db.session.scalar(select(RecordedMark).where(RecordedMark.recordation_number == canonical))
        if mark is None or mark.owner_organization_id != actor.organization_id:
            bad.append(number)
        else:
            found.append(mark)
    if bad:
        errors["marks"] = [f"Not a recorded mark of your organisation: {', '.join(b[:20] for b in bad[:5])}."]
    return found


def _sectors(raw: Any, marks: list[RecordedMark], errors: dict[str, list[str]]) -> list[Sector]:
    codes = _list(raw, "sectors", errors)
    if "sectors" in errors:
        return []
    if not codes:  # default: the sectors CBP recorded for the marks
        codes = sorted({code for mark in marks for code in mark.sector_codes})
    sectors = list(db.session.scalars(select(Sector).where(Sector.code.in_(codes)))) if codes else []
    unknown = sorted(set(codes) - {s.code for s in sectors})
    if unknown:
        errors["sectors"] = [f"Unknown sector: {', '.join(u[:40] for u in unknown[:5])}."]
    return sectors


def _hts(raw: Any, errors: dict[str, list[str]]) -> list[str]:
    prefixes = [normalize_hts(p) for p in _list(raw, "hts_prefixes", errors)]
    bad = [p for p in prefixes if not HTS_PREFIX.fullmatch(p)]
    if bad:
        errors["hts_prefixes"] = [f"HTS prefixes are 2 to 10 digits: {', '.join(b[:12] for b in bad[:5])}."]
    return list(dict.fromkeys(prefixes))


def _hours(raw: Any, errors: dict[str, list[str]]) -> int | None:
    if raw in (None, ""):
        return None
    try:
        hours = int(raw)
    except (TypeError, ValueError):
        hours = 0
    if isinstance(raw, bool) or not 1 <= hours <= 720:
        errors["service_hours"] = ["Hours from 1 to 720, e.g. 24 or 48."]
        return None
    return hours


def check_content(actor: Any, data: dict[str, Any]) -> dict[str, Any]:
    """The guide version's cleaned content; 422 naming every bad field."""
    errors: dict[str, list[str]] = {}
    clean: dict[str, Any] = {"title": _text(data.get("title"), "title", 200, errors, required=True)}
    for key in SECTION_KEYS:
        clean[key] = _text(data.get(key), key, SECTION_MAX, errors)
    if not any(clean[key] for key in SECTION_KEYS) and not any(key in errors for key in SECTION_KEYS):
        errors["genuine_features"] = ["Write at least one section (genuine features, packaging, serial formats or tells)."]
    clean["contact_name"] = _text(data.get("contact_name"), "contact_name", 200, errors)
    clean["contact_email"] = _text(data.get("contact_email"), "contact_email", 254, errors)
    if clean["contact_email"] and "@" not in clean["contact_email"]:
        errors["contact_email"] = ["Not an e-mail address."]
    clean["contact_phone"] = _text(data.get("contact_phone"), "contact_phone", 40, errors)
    clean["service_hours"] = _hours(data.get("service_hours"), errors)
    clean["change_note"] = _text(data.get("change_note"), "change_note", 4000, errors)
    clean["marks"] = _marks(actor, data.get("marks"), errors)
    clean["sectors"] = _sectors(data.get("sectors"), clean["marks"], errors)
    clean["hts_prefixes"] = _hts(data.get("hts_prefixes"), errors)
    if errors:
        raise ValidationFailed("The guide could not be saved.", fields=errors)
    return clean


def _new_version(actor: Any, guide: IdentificationGuide, number: int, clean: dict[str, Any]) -> GuideVersion:
    version = GuideVersion(guide_id=guide.id, version=number, created_by_id=actor.id, created_at=utcnow(),
                           **{k: v for k, v in clean.items() if k not in ("marks", "sectors")})
    version.marks, version.sectors = clean["marks"], clean["sectors"]
    db.session.add(version)
    db.session.flush()
    return version


def write_guide(actor: Any, data: dict[str, Any]) -> IdentificationGuide:
    """A rights holder writes a new guide (version 1) for some of its marks."""
    if actor.role != Role.RIGHTS_HOLDER:
        raise NotAllowed("Only rights holders write product identification guides.")
    clean = check_content(actor, data)
    guide = IdentificationGuide(organization_id=actor.organization_id, current_version=1, created_at=utcnow())
    db.session.add(guide)
    db.session.flush()
    version = _new_version(actor, guide, 1, clean)
    db.session.expire(guide, ["versions"])
    audit.record(actor, "identification_guide.create", "identification_guide", guide.id, after=version.snapshot())
    return guide


def _owned(actor: Any, guide: IdentificationGuide) -> None:
    if guide.organization_id != actor.organization_id:
        raise NotAllowed("Only the organisation that wrote the guide can change it.")
    if not guide.is_live:
        raise Conflict("This guide has been withdrawn.", code="guide_withdrawn")


def revise_guide(actor: Any, guide: IdentificationGuide, data: dict[str, Any]) -> GuideVersion:
    """A new version of the guide (the earlier ones are kept as they were); its images carry over."""
    _owned(actor, guide)
    clean = check_content(actor, data)
    previous = guide.current
    version = _new_version(actor, guide, previous.version + 1, clean)
    for image in previous.images:
        db.session.add(GuideImage(version_id=version.id, section=image.section, caption=image.caption,
                                  file_id=image.file_id, thumbnail_id=image.thumbnail_id))
    guide.current_version = version.version
    db.session.flush()
    db.session.expire(version, ["images"])
    db.session.expire(guide, ["versions"])
    audit.record(actor, "identification_guide.revise", "identification_guide", guide.id,
                 before=previous.snapshot(), after=version.snapshot())
    return version


def add_image(actor: Any, guide: IdentificationGuide, upload: FileStorage | None, *, caption: Any,
              section: Any = "general") -> GuideImage:
    """Add a captioned picture (JPEG or PNG) to the version in force."""
    _owned(actor, guide)
    errors: dict[str, list[str]] = {}
    text = _text(caption, "caption", 300, errors, required=True)
    section = section or "general"
    if section not in IMAGE_SECTIONS:
        errors["section"] = [f"One of {', '.join(IMAGE_SECTIONS)}."]
    version = guide.current
    if len(version.images) >= IMAGES_MAX:
        errors["file"] = [f"A guide holds at most {IMAGES_MAX} images."]
    if errors:
        raise ValidationFailed("The image could not be added.", fields=errors)
    stored, thumbnail = store_with_thumbnail(actor, upload, field="file", allowed=IMAGE_TYPES)
    image = GuideImage(version_id=version.id, section=section, caption=text, file_id=stored.id,
                       thumbnail_id=thumbnail.id if thumbnail else None)
    db.session.add(image)
    db.session.flush()
    db.session.expire(version, ["images"])
    audit.record(actor, "identification_guide.image", "identification_guide", guide.id,
                 after={"version": version.version, "file_id": stored.id, "sha256": stored.sha256, "caption": text})
    return image


def withdraw_guide(actor: Any, guide: IdentificationGuide) -> IdentificationGuide:
    """The owner takes the guide out of use (409 when already withdrawn)."""
    _owned(actor, guide)
    guide.withdrawn_at, guide.withdrawn_by_id = utcnow(), actor.id
    db.session.flush()
    audit.record(actor, "identification_guide.withdraw", "identification_guide", guide.id,
                 before={"live": True}, after={"live": False})
    return guide


def viewable_guide(user: Any, guide_id: int) -> IdentificationGuide:
    """A guide the user may read: reviewers any live one, rights holders their own; 404 for everyone else."""
    guide = db.session.get(IdentificationGuide, guide_id) if 0 < guide_id < 2**31 else None
    if guide is None or not can_view_guides(user, guide.organization_id):
        raise NotFound("No such guide.")
    if not guide.is_live and user.organization_id != guide.organization_id:
        raise NotFound("No such guide.")
    return guide


def viewable_image(user: Any, image_id: int) -> GuideImage:
    """An image of a guide the user may read; 404 otherwise."""
    image = db.session.get(GuideImage, image_id) if 0 < image_id < 2**31 else None
    if image is None:
        raise NotFound("No such image.")
    viewable_guide(user, image.version.guide_id)
    return image


def search_guides(user: Any, *, recordation_number: str | None = None, hts: str | None = None,
                  sector: str | None = None, q: str | None = None) -> list[IdentificationGuide]:
    """Live guides the user may read whose version in force matches every filter given: a mark (recordation
    number), an HTS code (a guide prefix of it, or it a prefix of a guide's), a sector, words in the title."""
    query = (select(IdentificationGuide).join(GuideVersion, (GuideVersion.guide_id == IdentificationGuide.id)
                                              & (GuideVersion.version == IdentificationGuide.current_version))
             .where(IdentificationGuide.withdrawn_at.is_(None)).order_by(GuideVersion.title, IdentificationGuide.id))
    if user.role != Role.REVIEWER:
        query = query.where(IdentificationGuide.organization_id == user.organization_id)
    if recordation_number:
        marks = select(RecordedMark.id).where(RecordedMark.recordation_number == recordation_number)
        query = query.where(GuideVersion.id.in_(select(guide_version_mark.c.version_id)
                                                .where(guide_version_mark.c.mark_id.in_(marks))))
    if q:
        query = query.where(GuideVersion.title.ilike(f"%{q}%"))
    guides = list(db.session.scalars(query).unique())
    if sector:
        guides = [g for g in guides if sector in {s.code for s in g.current.sectors}]
    if hts:
        code = normalize_hts(hts)
        guides = [g for g in guides if any(code.startswith(p) or p.startswith(code) for p in g.current.hts_prefixes)]
    return guides


def guides_for_marks(recordation_numbers: list[str]) -> list[IdentificationGuide]:
    """Live guides whose version in force covers one of these marks (for the case page, CBP only)."""
    numbers = sorted({n for n in recordation_numbers if n})
    if not numbers:
        return []
    marks = select(RecordedMark.id).where(RecordedMark.recordation_number.in_(numbers))
    return list(db.session.scalars(
        select(IdentificationGuide).join(GuideVersion, (GuideVersion.guide_id == IdentificationGuide.id)
                                         & (GuideVersion.version == IdentificationGuide.current_version))
        .where(IdentificationGuide.withdrawn_at.is_(None),
               GuideVersion.id.in_(select(guide_version_mark.c.version_id).where(guide_version_mark.c.mark_id.in_(marks))))
        .order_by(GuideVersion.title)).unique())
