"""Shared storage (``STORAGE_URL``): the local folder and an S3 bucket behind one interface, the S3 leg over
HTTP against a moto server in its standalone mode, started here. Uploads, screening inputs and results
go through it (a web screening job's input and result live in the bucket, not in the upload folder)."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from werkzeug.datastructures import FileStorage

from core.extensions import db
from core.storage import LocalStorage, S3Storage, storage, storage_from
from core.uploads import DOCUMENT_TYPES, read_stored, store_upload
from tests.pdfs import PLAIN_PDF
from tests.s3 import objects, s3_app, s3_bucket, s3_server  # noqa: F401 (fixtures)

PDF = PLAIN_PDF  # a real PDF: uploads parse it


@pytest.fixture(params=["local", "s3"])
def backend(request, tmp_path):
    if request.param == "local":
        return LocalStorage(tmp_path / "files")
    server = request.getfixturevalue("s3_server")
    bucket = request.getfixturevalue("s3_bucket")
    return storage_from(f"s3://{bucket}/some/prefix", upload_folder=str(tmp_path), endpoint_url=server)


def test_every_backend_stores_reads_streams_and_deletes(backend, tmp_path):
    backend.put_bytes("ab/one.pdf", PDF, "application/pdf")
    assert backend.read_bytes("ab/one.pdf") == PDF
    big = tmp_path / "big.csv"
    big.write_bytes(b"x" * (3 * (1 << 20) + 5))
    backend.put_file("cd/big.csv", big, "text/csv")
    with backend.open("cd/big.csv") as handle:
        assert handle.read(1) == b"x"
        handle.seek(0)
        assert len(handle.read()) == big.stat().st_size
    assert sum(len(chunk) for chunk in backend.stream("cd/big.csv")) == big.stat().st_size
    backend.delete("ab/one.pdf")
    backend.delete("ab/one.pdf")  # gone already: no error
    with pytest.raises(Exception):  # noqa: B017 - FileNotFoundError locally, botocore's ClientError on S3
        backend.read_bytes("ab/one.pdf")


def test_storage_url_names_the_backend(app, tmp_path, monkeypatch):
    with app.app_context():
        assert isinstance(storage(), LocalStorage) and storage().root == Path(app.config["UPLOAD_FOLDER"])
    assert isinstance(storage_from("s3://bucket/prefix", upload_folder="x"), S3Storage)
    assert storage_from(f"file://{tmp_path}", upload_folder="x").root == tmp_path
    with pytest.raises(RuntimeError, match="STORAGE_URL"):
        storage_from("ftp://host/x", upload_folder="x")


def test_an_upload_goes_to_the_bucket_and_a_rollback_removes_it(s3_app, s3_server, s3_bucket, make_user):  # noqa: F811 (fixtures from tests.s3)
    user = make_user("importer")
    with s3_app.app_context():
        from core.accounts.models import User

        owner = db.session.get(User, user.id)
        stored = store_upload(FileStorage(io.BytesIO(PDF), filename="proof.pdf"), field="file", owner=owner,
                              allowed=DOCUMENT_TYPES)
        assert objects(s3_server, s3_bucket) == [f"uploads/{stored.storage_key}"]
        assert read_stored(stored) == PDF
        db.session.rollback()  # the request failed: neither the row nor the object stays
        assert objects(s3_server, s3_bucket) == []
        kept = store_upload(FileStorage(io.BytesIO(PDF), filename="proof.pdf"), field="file", owner=owner,
                            allowed=DOCUMENT_TYPES)
        db.session.commit()
        assert objects(s3_server, s3_bucket) == [f"uploads/{kept.storage_key}"]
        assert not Path(s3_app.config["UPLOAD_FOLDER"], kept.storage_key).exists()
        db.session.remove()
