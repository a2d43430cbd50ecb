"""Where stored files' bytes live: one interface, a local folder or an S3 bucket (``STORAGE_URL``).

``STORAGE_URL`` unset (or ``file:///path``): the upload folder of this instance (one node).
``s3://BUCKET/prefix``: objects under ``prefix/`` in ``BUCKET``, so every web node and worker shares
them; ``S3_ENDPOINT_URL`` names an S3-compatible server (MinIO, Ceph, a test server), and credentials
come from boto3's usual chain (``AWS_ACCESS_KEY_ID``/``AWS_SECRET_ACCESS_KEY``, an instance role, …).

Every upload and result goes through :func:`storage`: ``put_bytes``/``put_file`` to write, ``open``
(a readable binary file, spooled to a temporary file for S3 so large results stay out of memory),
``read_bytes``, ``delete`` and ``stream`` (chunks, for downloads).
"""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Any
from urllib.parse import urlparse

from flask import current_app

CHUNK = 1 << 20


class LocalStorage:
    """Files under a folder of this machine."""

    kind = "local"

    def __init__(self, root: Path) -> None:
        self.root = Path(root)

    def path(self, key: str) -> Path:
        """The local path of ``key`` (its folder created)."""
        path = self.root / key
        path.parent.mkdir(parents=True, exist_ok=True)
        return path

    def put_bytes(self, key: str, data: bytes, content_type: str) -> None:
        """Store ``data`` under ``key``."""
        self.path(key).write_bytes(data)

    def put_file(self, key: str, source: Path, content_type: str) -> None:
        """Store the file at ``source`` under ``key`` (moved when it is already in place)."""
        target = self.path(key)
        if Path(source).resolve() != target.resolve():
            shutil.copyfile(source, target)

    @contextmanager
    def open(self, key: str) -> Iterator[IO[bytes]]:
        """``key``'s bytes as a readable binary file."""
        with open(self.root / key, "rb") as handle:
            yield handle

    def read_bytes(self, key: str) -> bytes:
        """All of ``key``'s bytes."""
        return (self.root / key).read_bytes()

    def stream(self, key: str) -> Iterator[bytes]:
        """``key``'s bytes in chunks."""
        with open(self.root / key, "rb") as handle:
            while block := handle.read(CHUNK):
                yield block

    def delete(self, key: str) -> None:
        """Remove ``key`` (no error if it is gone)."""
        (self.root / key).unlink(missing_ok=True)


class S3Storage:
    """Objects in an S3 bucket under a prefix (any S3-compatible server through ``endpoint_url``)."""

    kind = "s3"

    def __init__(self, bucket: str, prefix: str, endpoint_url: str | None = None, region: str | None = None) -> None:
        import boto3
        from botocore.config import Config

        self.bucket = bucket
        self.prefix = prefix.strip("/")
        self.client = boto3.client("s3", endpoint_url=endpoint_url or None, region_name=region or "us-east-1",
                                   config=Config(retries={"max_attempts": 5, "mode": "standard"}))

    def name(self, key: str) -> str:
        """The object name of ``key``."""
        return f"{self.prefix}/{key}" if self.prefix else key

    def put_bytes(self, key: str, data: bytes, content_type: str) -> None:
        """Store ``data`` under ``key``."""
        self.client.put_object(Bucket=self.bucket, Key=self.name(key), Body=data, ContentType=content_type)

    def put_file(self, key: str, source: Path, content_type: str) -> None:
        """Upload the file at ``source`` (multipart when large) under ``key``."""
        self.client.upload_file(str(source), self.bucket, self.name(key), ExtraArgs={"ContentType": content_type})

    @contextmanager
    def open(self, key: str) -> Iterator[IO[bytes]]:
        """``key``'s bytes as a readable, seekable binary file (downloaded to a temporary file)."""
        with tempfile.TemporaryFile() as handle:
            self.client.download_fileobj(self.bucket, self.name(key), handle)
            handle.seek(0)
            yield handle

    def read_bytes(self, key: str) -> bytes:
        """All of ``key``'s bytes."""
        return self.client.get_object(Bucket=self.bucket, Key=self.name(key))["Body"].read()

    def stream(self, key: str) -> Iterator[bytes]:
        """``key``'s bytes in chunks."""
        body = self.client.get_object(Bucket=self.bucket, Key=self.name(key))["Body"]
        try:
            yield from body.iter_chunks(CHUNK)
        finally:
            body.close()

    def delete(self, key: str) -> None:
        """Remove ``key`` (no error if it is gone)."""
        self.client.delete_object(Bucket=self.bucket, Key=self.name(key))


def storage_from(url: str | None, *, upload_folder: str, endpoint_url: str | None = None) -> Any:
    """The storage ``url`` names (None or empty: the upload folder)."""
    if not url:
        return LocalStorage(Path(upload_folder))
    parsed = urlparse(url)
    if parsed.scheme == "file":
        return LocalStorage(Path(parsed.path))
    if parsed.scheme == "s3" and parsed.netloc:
        return S3Storage(parsed.netloc, parsed.path, endpoint_url=endpoint_url)
    raise RuntimeError(f"STORAGE_URL must be s3://BUCKET/prefix or file:///path; got {url!r}.")


def storage() -> Any:
    """The app's storage (made once per app and configuration)."""
    config = current_app.config
    marker = (config.get("STORAGE_URL"), config.get("S3_ENDPOINT_URL"), config["UPLOAD_FOLDER"])
    cached = current_app.extensions.get("greenlane_storage")
    if cached is None or cached[0] != marker:
        cached = (marker, storage_from(marker[0], upload_folder=marker[2], endpoint_url=marker[1]))
        current_app.extensions["greenlane_storage"] = cached
    return cached[1]
