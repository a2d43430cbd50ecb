"""A transaction that stores a file and then fails leaves no orphan bytes behind; a commit keeps them."""

from __future__ import annotations

import io

from werkzeug.datastructures import FileStorage

from core.extensions import db
from core.uploads import file_path, store_upload
from tests.pdfs import PLAIN_PDF

PDF = PLAIN_PDF  # a real PDF: uploads parse PDFs (core.pdf)


def _upload() -> FileStorage:
    return FileStorage(stream=io.BytesIO(PDF), filename="evidence.pdf")


def test_rolled_back_upload_leaves_no_file(app):
    with app.app_context():
        stored = store_upload(_upload(), field="file", owner=None)
        path = file_path(stored)
        assert path.exists()
        db.session.rollback()
        assert not path.exists()


def test_closed_session_without_commit_leaves_no_file(app):
    with app.app_context():
        path = file_path(store_upload(_upload(), field="file", owner=None))
        db.session.remove()
        assert not path.exists()


def test_committed_upload_is_kept(app):
    with app.app_context():
        path = file_path(store_upload(_upload(), field="file", owner=None))
        db.session.commit()
        db.session.rollback()  # a later, empty transaction's rollback must not touch it
        assert path.exists()
