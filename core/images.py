"""Decoding uploaded pictures within bounds: a pixel cap well under Pillow's own, JPEG ``draft`` decoding at
reduced scale for thumbnails, and at most ``DECODE_SLOTS`` decodes at once per process (eight parallel uploads
no longer mean eight full-size bitmaps in memory). Stored images are re-encoded, which drops their metadata
(EXIF, GPS positions in detention photos, comments) and anything hidden after the picture data.
"""

from __future__ import annotations

import io
import threading
import warnings
from collections.abc import Iterator
from contextlib import contextmanager

from PIL import Image, ImageOps, UnidentifiedImageError

from core.errors import ValidationFailed

# 16 megapixels: any phone's default photo (12 MP) fits; a 4-byte-per-pixel bitmap stays under 64 MB.
MAX_PIXELS = 16_000_000
DECODE_SLOTS = 2
THUMBNAIL_SIZE = (320, 320)
_slots = threading.BoundedSemaphore(DECODE_SLOTS)
_FORMATS = {"image/jpeg": "JPEG", "image/png": "PNG"}


def _unreadable(field: str) -> ValidationFailed:
    return ValidationFailed("The image could not be read; upload a valid JPEG or PNG.",
                            fields={field: ["Not a readable image."]})


@contextmanager
def opened(data: bytes, *, field: str, draft_size: tuple[int, int] | None = None) -> Iterator[Image.Image]:
    """The decoded image (one of ``DECODE_SLOTS``), refused with 422 naming ``field`` when it has more than
    ``MAX_PIXELS`` pixels or cannot be decoded; ``draft_size`` lets a JPEG decode at a reduced scale."""
    with _slots:
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("error", Image.DecompressionBombWarning)
                with Image.open(io.BytesIO(data)) as probe:  # reads the header only
                    if probe.width * probe.height > MAX_PIXELS:
                        raise ValidationFailed("The image has too many pixels.",
                                               fields={field: [f"At most {MAX_PIXELS // 1_000_000} megapixels."]})
                    probe.verify()
                with Image.open(io.BytesIO(data)) as image:
                    if draft_size is not None and image.format == "JPEG":
                        image.draft("RGB", draft_size)
                    image.load()
                    yield image
        except ValidationFailed:
            raise
        except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombWarning,
                Image.DecompressionBombError) as exc:
            raise _unreadable(field) from exc


def reencode(data: bytes, mime: str, *, field: str) -> bytes:
    """The picture re-encoded in its own format without metadata (orientation applied to the pixels)."""
    with opened(data, field=field) as image:
        upright = ImageOps.exif_transpose(image)  # a new image either way
        upright.info = {}  # no EXIF, comments, text chunks or profiles carried into the saved file
        out = io.BytesIO()
        if mime == "image/jpeg":
            upright = upright.convert("RGB") if upright.mode not in ("RGB", "L") else upright
            upright.save(out, format="JPEG", quality=90, optimize=True)
        else:
            keep = upright.mode in ("RGB", "RGBA", "L", "LA", "P", "1")
            (upright if keep else upright.convert("RGBA")).save(out, format=_FORMATS.get(mime, "PNG"), optimize=True)
        return out.getvalue()


def thumbnail(data: bytes, *, field: str = "file", size: tuple[int, int] = THUMBNAIL_SIZE) -> bytes:
    """A PNG thumbnail (JPEGs decoded at reduced scale); 422 naming ``field`` when the image cannot be used."""
    with opened(data, field=field, draft_size=size) as image:
        small = image.convert("RGBA") if image.mode in ("P", "LA", "RGBA") else image.convert("RGB")
        small.thumbnail(size, reducing_gap=2.0)
        out = io.BytesIO()
        small.save(out, format="PNG", optimize=True)
        return out.getvalue()
