"""Thumbnails of uploaded guide images, made with Pillow (the image is decoded fully, so a file that
only looks like an image is refused)."""

from __future__ import annotations

import io
import warnings

from PIL import Image, UnidentifiedImageError

from core.errors import ValidationFailed

THUMBNAIL_SIZE = (320, 320)
# A guide photograph never needs more; refuses decompression bombs well before Pillow's own limit.
MAX_PIXELS = 40_000_000


def make_thumbnail(data: bytes, *, field: str = "file") -> bytes:
    """A PNG thumbnail of an image's bytes; 422 naming ``field`` when the image cannot be decoded."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data)) as probe:
                if probe.width * probe.height > MAX_PIXELS:
                    raise ValidationFailed("The image has too many pixels.",
                                           fields={field: [f"At most {MAX_PIXELS // 1_000_000} megapixels."]})
                probe.verify()
            with Image.open(io.BytesIO(data)) as image:
                image.load()
                image = image.convert("RGBA") if image.mode in ("P", "LA", "RGBA") else image.convert("RGB")
                image.thumbnail(THUMBNAIL_SIZE)
                out = io.BytesIO()
                image.save(out, format="PNG", optimize=True)
                return out.getvalue()
    except ValidationFailed:
        raise
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombWarning,
            Image.DecompressionBombError) as exc:
        raise ValidationFailed("The image could not be read; upload a valid JPEG or PNG.",
                               fields={field: ["Not a readable image."]}) from exc
