"""Bulk screening from the web: upload a CSV, follow the job, download the result (CBP only).

Without ``REDIS_URL`` the upload request runs the job itself; with it the job waits on the RQ queue
until a worker (here rq's ``SimpleWorker`` in burst mode, against the real Redis) runs it.
"""

from __future__ import annotations

import csv
import io
import uuid

import pytest

from core.extensions import db
from program.decisions.models import ReleaseDecision, ScreenJob
from program.decisions.screen import OUTPUT_COLUMNS
from tests.program.decisions.conftest import EXPEDITED_LINE, REFERRED_LINE, STANDARD_LINE
from tests.program.decisions.test_screen import _csv, _rows

REDIS_URL = "redis://127.0.0.1:6379/15"


def _file() -> bytes:
    rows = (_rows("ABC-1234567-6", EXPEDITED_LINE, STANDARD_LINE, REFERRED_LINE)
            + _rows("999-9999999-0", dict(EXPEDITED_LINE, hts_code="bad")))
    return _csv(rows).encode()


def _upload(client, data: bytes, name: str = "lines.csv"):
    return client.post("/review/screening", data={"file": (io.BytesIO(data), name)},
                       content_type="multipart/form-data")


@pytest.fixture
def in_process(app, monkeypatch):
    monkeypatch.setitem(app.config, "REDIS_URL", None)


def test_upload_runs_in_process_and_the_result_downloads(app, world, login, in_process):
    client = login(world.reviewer.user)
    assert client.get("/review/screening").status_code == 200
    response = _upload(client, _file())
    assert response.status_code == 302
    page = client.get(response.headers["Location"])
    assert page.status_code == 200 and b"Download the results" in page.data
    assert b"screen-progress.js" in page.data and b"<script>" not in page.data

    with app.app_context():
        job = db.session.query(ScreenJob).one()
        job_id = job.id
    status = client.get(f"/review/screening/{job_id}/status").json
    assert status["status"] == "finished" and status["rows_done"] == status["rows_total"] == 4
    assert status["summary"]["entries"]["refer_for_examination"] == 1
    assert status["summary"]["rejected_entries"] == 1 and status["bad_rows"] == 1
    assert status["errors"][0]["row"] == 5 and status["errors"][0]["field"] == "hts_code"

    result = client.get(status["result_url"])
    assert result.status_code == 200 and result.mimetype == "text/csv"
    rows = list(csv.reader(io.StringIO(result.data.decode())))
    result.close()
    assert tuple(rows[0]) == OUTPUT_COLUMNS
    assert [r[OUTPUT_COLUMNS.index("line_outcome")] for r in rows[1:]] == [
        "expedited_release", "standard_processing", "refer_for_examination", ""]
    with app.app_context():
        decision = db.session.query(ReleaseDecision).one()
        assert decision.screen_job_id == job_id and decision.requested_by_id == world.reviewer.user.id


@pytest.mark.parametrize(("description", "last_break"), [("Two\nlines", True), ("One line", False)])
def test_a_finished_job_counts_the_rows_it_read_not_the_lines_of_the_file(app, world, login, in_process, description,
                                                                          last_break):
    """The total shown while a job runs is the upload's line count. A description holding a line break (two lines,
    one row) left a finished job at "3 of 4 rows" and 75%; a file without a last line break at 3 of 2 and 150%."""
    client = login(world.reviewer.user)
    text = _csv(_rows("ABC-1234567-6", EXPEDITED_LINE, dict(STANDARD_LINE, description=description))
                + _rows("ABC-7654321-6", REFERRED_LINE))
    page = client.get(_upload(client, (text if last_break else text.rstrip("\n")).encode()).headers["Location"])
    assert b">3</span> of <span data-field=\"rows_total\">3<" in page.data
    with app.app_context():
        job_id = db.session.query(ScreenJob).one().id
    status = client.get(f"/review/screening/{job_id}/status").json
    assert status["status"] == "finished" and status["rows_done"] == status["rows_total"] == 3
    assert status["percent"] == 100.0


def test_an_uploaded_file_with_split_entries_is_grouped_and_the_page_says_so(app, world, login, in_process):
    rows = (_rows("ABC-1234567-6", EXPEDITED_LINE) + _rows("999-9999999-0", EXPEDITED_LINE)
            + _rows("ABC-1234567-6", dict(REFERRED_LINE, line_no=2)))
    client = login(world.reviewer.user)
    response = _upload(client, _csv(rows).encode())
    assert response.status_code == 302
    page = client.get(response.headers["Location"])
    assert b"sorted by entry number first" in page.data
    with app.app_context():
        job_id = db.session.query(ScreenJob).one().id
        assert db.session.query(ReleaseDecision).count() == 2  # two entries, not three
    status = client.get(f"/review/screening/{job_id}/status").json
    assert status["summary"]["regrouped"] is True and status["bad_rows"] == 0
    assert status["summary"]["entries"]["refer_for_examination"] == 1


def test_only_cbp_reviewers_reach_the_pages_and_the_result(app, world, login, client, make_user, in_process):
    reviewer = login(world.reviewer.user)
    _upload(reviewer, _file())
    with app.app_context():
        job_id = db.session.query(ScreenJob.id).scalar()
    client.post("/logout")
    urls = ["/review/screening", f"/review/screening/{job_id}", f"/review/screening/{job_id}/status",
            f"/review/screening/{job_id}/result.csv"]
    for url in urls:
        assert client.get(url).status_code in (302, 401)  # signed out: to the login page
    for role in ("importer", "rights_holder", "admin"):
        client.post("/logout")
        login(make_user(role))
        for url in urls:
            assert client.get(url).status_code == 403, (role, url)
        assert _upload(client, _file()).status_code == 403


@pytest.mark.parametrize(("data", "name", "message"), [
    (b"\x89PNG\r\n\x1a\n" + b"\x00" * 64, "lines.csv", b"Only CSV text files"),
    (b"entry_number,port_code\nABC-1234567-6,2704\n", "lines.csv", b"missing: ior_number"),
    (b"", "lines.csv", b"The file is empty"),
])
def test_bad_uploads_are_refused(app, world, login, in_process, data, name, message):
    client = login(world.reviewer.user)
    response = _upload(client, data, name)
    assert response.status_code == 422 and message in response.data
    with app.app_context():
        assert db.session.query(ScreenJob).count() == 0


def _redis_or_skip():
    from redis import Redis
    from redis.exceptions import RedisError

    connection = Redis.from_url(REDIS_URL, socket_connect_timeout=1)
    try:
        connection.ping()
    except RedisError:
        pytest.skip("Redis is not reachable at 127.0.0.1:6379")
    return connection


def test_with_redis_the_job_waits_for_an_rq_worker(app, world, login, monkeypatch):
    from rq import Queue, SimpleWorker

    connection = _redis_or_skip()
    queue_name = f"greenlane-test-{uuid.uuid4().hex[:8]}"  # never the shared queue: other runs use this Redis
    monkeypatch.setitem(app.config, "REDIS_URL", REDIS_URL)
    monkeypatch.setitem(app.config, "SCREEN_QUEUE", queue_name)
    client = login(world.reviewer.user)
    response = _upload(client, _file())
    assert response.status_code == 302
    with app.app_context():
        job_id = db.session.query(ScreenJob.id).scalar()
    status = client.get(f"/review/screening/{job_id}/status").json
    assert status["status"] == "queued" and status["rows_total"] == 4 and status["result_url"] is None
    queue = Queue(queue_name, connection=connection)
    try:
        assert queue.count == 1
        with app.app_context():
            assert SimpleWorker([queue], connection=connection).work(burst=True)
    finally:
        queue.delete(delete_jobs=True)
    status = client.get(f"/review/screening/{job_id}/status").json
    assert status["status"] == "finished", status
    assert status["summary"]["entries"]["expedited_release"] == 0
    assert status["summary"]["lines"]["expedited_release"] == 1
    result = client.get(status["result_url"])
    assert result.status_code == 200 and result.data.startswith(b"entry_number,")
    result.close()
