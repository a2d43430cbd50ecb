"""Safe file uploads: size cap, content sniffing (never trust the name or the browser's type), PDFs with active
content refused (:mod:`core.pdf`), images re-encoded without metadata (:mod:`core.images`), storage outside
``static/`` under random names, and a record per stored file.

Bytes go to the app's storage (:mod:`core.storage`: the upload folder, or an S3 bucket shared by every
node when ``STORAGE_URL`` is ``s3://…``); read them back with :func:`open_stored`/:func:`read_stored`.
Bytes are written before the transaction that records them commits; if that transaction rolls back
instead, the files it wrote are deleted, so a failed request leaves neither a row nor an orphan file.
"""

from __future__ import annotations

import hashlib
import os
import secrets
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from datetime import datetime
from pathlib import Path
from typing import IO, Any

import filetype
from flask import current_app, send_file
from sqlalchemy import BigInteger, ForeignKey, String, event
from sqlalchemy.orm import Mapped, Session, mapped_column
from werkzeug.datastructures import FileStorage
from werkzeug.utils import secure_filename

from core import images
from core.errors import ValidationFailed
from core.extensions import db
from core.storage import storage
from core.timeutil import UTCDateTime, utcnow

DOCUMENT_TYPES = {"application/pdf": "pdf", "image/jpeg": "jpg", "image/png": "png"}
IMAGE_TYPES = {"image/jpeg": "jpg", "image/png": "png"}


class StoredFile(db.Model):
    """A file a user uploaded; bytes live in the upload folder, never under static/."""

    __tablename__ = "stored_file"

    id: Mapped[int] = mapped_column(primary_key=True, comment="Surrogate key")
    original_name: Mapped[str] = mapped_column(
        String(255), comment="Sanitised file name given by the uploader"
    )
    content_type: Mapped[str] = mapped_column(String(100), comment="MIME type sniffed from the content")
    size: Mapped[int] = mapped_column(BigInteger, comment="Size in bytes")
    sha256: Mapped[str] = mapped_column(String(64), comment="Digest of the content")
    storage_key: Mapped[str] = mapped_column(
        String(200), unique=True, comment="Random path under the upload folder"
    )
    uploaded_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="RESTRICT"), comment="Uploader"
    )
    organization_id: Mapped[int | None] = mapped_column(
        ForeignKey("organization.id", ondelete="RESTRICT"), index=True,
        comment="Organisation that owns the file",
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, comment="When uploaded")

    @property
    def is_image(self) -> bool:
        """Whether the file is a picture (for thumbnails and inline display)."""
        return self.content_type.startswith("image/")

    def to_dict(self) -> dict[str, Any]:
        """Metadata for JSON clients (never the storage path)."""
        return {"id": self.id, "name": self.original_name, "content_type": self.content_type,
                "size": self.size, "sha256": self.sha256, "created_at": self.created_at.isoformat()}


def upload_root() -> Path:
    """The folder uploads are stored in (outside static/)."""
    return Path(current_app.config["UPLOAD_FOLDER"])


def _read_capped(upload: FileStorage | None, *, field: str, max_bytes: int) -> bytes:
    """The upload's bytes; 422 naming ``field`` when it is missing, empty or over ``max_bytes``."""
    if upload is None or not upload.filename:
        raise ValidationFailed("Choose a file to upload.", fields={field: ["No file was given."]})
    data = upload.stream.read(max_bytes + 1)
    if len(data) > max_bytes:
        raise ValidationFailed(
            f"The file is larger than {max_bytes // (1024 * 1024)} MB.", fields={field: ["File too large."]}
        )
    if not data:
        raise ValidationFailed("The file is empty.", fields={field: ["File is empty."]})
    return data


def store_upload(upload: FileStorage | None, *, field: str, owner: Any, allowed: dict[str, str] | None = None,
                 max_bytes: int | None = None) -> StoredFile:
    """Check and store one uploaded file; 422 naming ``field`` if it is missing, too big or of a bad type."""
    allowed = allowed or DOCUMENT_TYPES
    max_bytes = max_bytes or current_app.config["UPLOAD_MAX_BYTES"]
    data = _read_capped(upload, field=field, max_bytes=max_bytes)
    kind = filetype.guess(data)
    if kind is None or kind.mime not in allowed:
        names = ", ".join(sorted({ext.upper() for ext in allowed.values()}))
        raise ValidationFailed(
            f"Only {names} files are accepted; this file's content is not one of them.",
            fields={field: [f"Content is not {names}."]},
        )
    if kind.mime == "application/pdf":
        from core.pdf import refuse_active_pdf  # pypdf is the heaviest import of all: only when a PDF comes

        refuse_active_pdf(data, field=field)
    elif kind.mime in IMAGE_TYPES:
        data = images.reencode(data, kind.mime, field=field)  # metadata (GPS, EXIF) and trailing bytes dropped
    name = secure_filename(upload.filename) or f"upload.{allowed[kind.mime]}"
    stem = Path(name).stem[:120] or "upload"
    name = f"{stem}.{allowed[kind.mime]}"
    key = _new_key(allowed[kind.mime])
    store = storage()
    store.put_bytes(key, data, kind.mime)
    _track(store, key)
    stored = StoredFile(original_name=name, content_type=kind.mime, size=len(data),
                        sha256=hashlib.sha256(data).hexdigest(), storage_key=key,
                        uploaded_by_id=getattr(owner, "id", None),
                        organization_id=getattr(owner, "organization_id", None))
    db.session.add(stored)
    db.session.flush()
    return stored


_WRITTEN = "greenlane_written_files"


def _track(store: Any, key: str) -> None:
    """Remember a file written for the current transaction (deleted if it rolls back)."""
    db.session().info.setdefault(_WRITTEN, []).append((store, key))


@event.listens_for(Session, "after_commit")
def _keep_written(session: Session) -> None:
    session.info.pop(_WRITTEN, None)


@event.listens_for(Session, "after_transaction_end")
def _delete_written(session: Session, transaction: Any) -> None:
    """The outermost transaction ended without a commit (rollback, or the session closed): drop its files."""
    if transaction.parent is None:
        for store, key in session.info.pop(_WRITTEN, ()):
            with suppress(Exception):  # a storage error must not hide the rollback's cause
                store.delete(key)


def _new_key(extension: str) -> str:
    return f"{secrets.token_hex(2)}/{secrets.token_hex(16)}.{extension}"


def reserve_path(extension: str) -> tuple[str, Path]:
    """A fresh random storage key and a local path to write its file at: in place in the upload folder, or a
    spool file that :func:`register_file` uploads (S3). Remove the path yourself if you don't register it."""
    key = _new_key(extension)
    store = storage()
    if store.kind == "local":
        return key, store.path(key)
    handle, name = tempfile.mkstemp(prefix="greenlane-", suffix=f".{extension}")
    os.close(handle)
    return key, Path(name)


def register_file(path: Path, key: str, *, name: str, content_type: str, owner: Any) -> StoredFile:
    """Record a file already written at ``path`` (from :func:`reserve_path`): size and digest read in blocks;
    with S3 storage the file is uploaded and the local spool file removed."""
    digest = hashlib.sha256()
    size = 0
    with open(path, "rb") as handle:
        while block := handle.read(1 << 20):
            digest.update(block)
            size += len(block)
    store = storage()
    if store.kind != "local":
        try:
            store.put_file(key, path, content_type)
        finally:
            path.unlink(missing_ok=True)
    _track(store, key)
    stored = StoredFile(original_name=secure_filename(name)[:255] or "file", content_type=content_type, size=size,
                        sha256=digest.hexdigest(), storage_key=key, uploaded_by_id=getattr(owner, "id", None),
                        organization_id=getattr(owner, "organization_id", None))
    db.session.add(stored)
    db.session.flush()
    return stored


def store_text_upload(upload: FileStorage | None, *, field: str, owner: Any, max_bytes: int,
                      extension: str = "csv", content_type: str = "text/csv") -> StoredFile:
    """Check and store an uploaded text file (CSV): size cap, UTF-8 without NUL bytes, never trusting the name."""
    data = _read_capped(upload, field=field, max_bytes=max_bytes)
    try:
        text_ok = b"\x00" not in data and bool(data.decode("utf-8"))
    except UnicodeDecodeError:
        text_ok = False
    if not text_ok or filetype.guess(data) is not None:
        raise ValidationFailed(f"Only {extension.upper()} text files (UTF-8) are accepted.",
                               fields={field: [f"Content is not {extension.upper()} text."]})
    stem = Path(secure_filename(upload.filename) or "upload").stem[:120] or "upload"
    key, path = reserve_path(extension)
    path.write_bytes(data)
    return register_file(path, key, name=f"{stem}.{extension}", content_type=content_type, owner=owner)


def file_path(stored: StoredFile) -> Path:
    """Absolute path of a stored file's bytes in the upload folder (local storage only: prefer
    :func:`open_stored`, :func:`read_stored` and :func:`delete_stored`, which work with every storage)."""
    return upload_root() / stored.storage_key


@contextmanager
def open_stored(stored: StoredFile) -> Iterator[IO[bytes]]:
    """A stored file's bytes as a readable binary file, from whichever storage holds them."""
    with storage().open(stored.storage_key) as handle:
        yield handle


def read_stored(stored: StoredFile) -> bytes:
    """All of a stored file's bytes."""
    return storage().read_bytes(stored.storage_key)


def delete_stored(stored: StoredFile) -> None:
    """Remove a stored file's bytes (its row goes with the caller's transaction)."""
    storage().delete(stored.storage_key)


def send_stored(stored: StoredFile, *, inline: bool = False):
    """Send a stored file with its sniffed type; attachments by default, so browsers never render PDFs."""
    store = storage()
    if store.kind == "local":
        source: Any = file_path(stored)
    else:
        source = store.client.get_object(Bucket=store.bucket, Key=store.name(stored.storage_key))["Body"]
    response = send_file(source, mimetype=stored.content_type, as_attachment=not inline,
                         download_name=stored.original_name, max_age=0)
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Cache-Control"] = "private, no-store"
    return response
