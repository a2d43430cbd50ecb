"""Test fixtures for the S3 storage backend: a moto S3 server in its standalone mode (``python -m moto.server``)
started for the session, a fresh bucket per test, and the app pointed at it (``STORAGE_URL``)."""

from __future__ import annotations

import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator

import pytest


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture(scope="session")
def s3_server() -> Iterator[str]:
    """A moto S3 server (``moto_server``, standalone) on a free port; its endpoint URL."""
    port = _free_port()
    process = subprocess.Popen([sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)],  # noqa: S603
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 30
    while True:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
            break
        except OSError:
            if time.monotonic() > deadline or process.poll() is not None:
                process.kill()
                pytest.fail("the moto S3 server did not start")
            time.sleep(0.1)
    yield f"http://127.0.0.1:{port}"
    process.terminate()
    process.wait(timeout=10)


@pytest.fixture
def s3_bucket(s3_server, monkeypatch) -> str:
    """A fresh bucket on the test server, with credentials for it in the environment."""
    import boto3

    for name, value in {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing",
                        "AWS_DEFAULT_REGION": "us-east-1"}.items():
        monkeypatch.setenv(name, value)
    bucket = f"greenlane-{uuid.uuid4().hex[:10]}"
    boto3.client("s3", endpoint_url=s3_server, region_name="us-east-1").create_bucket(Bucket=bucket)
    return bucket


@pytest.fixture
def s3_app(app, s3_server, s3_bucket, monkeypatch):
    """The app with ``STORAGE_URL=s3://bucket/uploads`` on the test server."""
    monkeypatch.setitem(app.config, "STORAGE_URL", f"s3://{s3_bucket}/uploads")
    monkeypatch.setitem(app.config, "S3_ENDPOINT_URL", s3_server)
    return app


def objects(server: str, bucket: str) -> list[str]:
    """The object names in ``bucket``."""
    import boto3

    listing = boto3.client("s3", endpoint_url=server, region_name="us-east-1").list_objects_v2(Bucket=bucket)
    return [o["Key"] for o in listing.get("Contents", [])]
