"""Thumbnails of uploaded guide images (the image is decoded, so a file that only looks like an image is
refused); bounded decoding lives in :mod:`core.images`."""

from __future__ import annotations

from core.images import MAX_PIXELS, THUMBNAIL_SIZE, thumbnail

__all__ = ["MAX_PIXELS", "THUMBNAIL_SIZE", "make_thumbnail"]


def make_thumbnail(data: bytes, *, field: str = "file") -> bytes:
    """A PNG thumbnail of an image's bytes; 422 naming ``field`` when the image cannot be decoded."""
    return thumbnail(data, field=field, size=THUMBNAIL_SIZE)
