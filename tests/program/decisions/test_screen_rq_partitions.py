"""A web screening job split across two RQ workers (separate processes, as on two nodes) reading and writing
the S3 backend: Redis at 127.0.0.1:6379, the test database (SQLite or PostgreSQL), the moto S3 server."""

from __future__ import annotations

import csv
import io
import os
import subprocess
import sys
import uuid
from collections import Counter
from pathlib import Path
from typing import Any

from sqlalchemy import func, select

from core.extensions import db
from program.blanks.models import BlankConsumption, BlankLine
from program.decisions.models import ReleaseDecision, ScreenJob
from program.decisions.screen import OUTPUT_COLUMNS
from tests.program.decisions.conftest import EXPEDITED_LINE, REFERRED_LINE, STANDARD_LINE
from tests.program.decisions.test_screen import _blank, _csv, _rows
from tests.program.decisions.test_screen_parallel import _number
from tests.program.decisions.test_screen_web import REDIS_URL, _redis_or_skip
from tests.s3 import objects, s3_app, s3_bucket, s3_server  # noqa: F401 (fixtures)

ROOT = Path(__file__).resolve().parents[3]


def test_a_web_job_runs_across_two_rq_workers_on_the_s3_backend(s3_app, s3_server, s3_bucket, world, login,  # noqa: F811
                                                                  test_config, monkeypatch):
    from rq import Queue

    connection = _redis_or_skip()
    queue_name = f"greenlane-test-{uuid.uuid4().hex[:8]}"
    monkeypatch.setitem(s3_app.config, "REDIS_URL", REDIS_URL)
    monkeypatch.setitem(s3_app.config, "SCREEN_QUEUE", queue_name)
    monkeypatch.setitem(s3_app.config, "SCREEN_PARTITIONS", 2)
    rows: list[dict[str, Any]] = []
    kinds = (EXPEDITED_LINE, STANDARD_LINE, REFERRED_LINE)
    for serial in range(1, 401):
        if serial % 10 == 0:
            rows += _rows(_number(serial), _blank(world, 3))  # 40 x 3 > 100 declared: the last ones are refused
        else:
            rows += _rows(_number(serial), *[dict(kinds[(serial + n) % 3], line_no=n + 1) for n in range(serial % 3 + 1)])
    client = login(world.reviewer.user)
    response = client.post("/review/screening", data={"file": (io.BytesIO(_csv(rows).encode()), "lines.csv")},
                           content_type="multipart/form-data")
    assert response.status_code == 302
    with s3_app.app_context():
        job_id = db.session.query(ScreenJob.id).scalar()
        db.session.remove()
    queue = Queue(queue_name, connection=connection)
    try:
        assert queue.count == 2  # the partitions; the merge waits for both
        assert {name.rsplit("/", 1)[-1] for name in objects(s3_server, s3_bucket)} >= {"part-0.csv", "part-1.csv",
                                                                                        "plan.json"}
        env = dict(os.environ, DATABASE_URL=test_config["SQLALCHEMY_DATABASE_URI"], SECRET_KEY="test-secret-key",
                   REDIS_URL=REDIS_URL, SCREEN_QUEUE=queue_name, STORAGE_URL=s3_app.config["STORAGE_URL"],
                   S3_ENDPOINT_URL=s3_server, UPLOAD_FOLDER=test_config["UPLOAD_FOLDER"], VERIFICATION_SAMPLE_RATE="0")
        flask = str(Path(sys.executable).parent / "flask")
        workers = [subprocess.Popen([flask, "--app", "app", "decisions", "worker", "--burst"], cwd=ROOT, env=env,  # noqa: S603
                                    stdout=subprocess.PIPE, stderr=subprocess.STDOUT) for _ in range(2)]
        outputs = [w.communicate(timeout=300)[0].decode() for w in workers]
        assert [w.returncode for w in workers] == [0, 0], outputs
    finally:
        queue.delete(delete_jobs=True)
    status = client.get(f"/review/screening/{job_id}/status").json
    assert status["status"] == "finished", status
    assert status["rows_done"] == len(rows) and status["summary"]["rows"] == len(rows)
    result = client.get(status["result_url"])
    out = list(csv.reader(io.StringIO(result.get_data(as_text=True))))
    result.close()
    assert tuple(out[0]) == OUTPUT_COLUMNS
    assert [r[0] for r in out[1:]] == [r["entry_number"] for r in rows]  # the input's order
    blank_outcomes = [r[OUTPUT_COLUMNS.index("line_outcome")] for r in out[1:] if r[9] == "blank"]
    assert blank_outcomes == ["expedited_release"] * 33 + ["refer_for_examination"] * 7  # drawn in file order
    with s3_app.app_context():
        per_entry = Counter(db.session.scalars(select(ReleaseDecision.entry_number)))
        assert len(per_entry) == 400 and set(per_entry.values()) == {1}
        assert db.session.scalar(select(func.sum(BlankConsumption.quantity))) == 99
        assert db.session.get(BlankLine, world.declaration_line_id).remaining_quantity == 1
        db.session.remove()
    left = objects(s3_server, s3_bucket)
    assert not [name for name in left if "/screen-jobs/" in name]  # partitions cleaned up; input and result stay
    assert len(left) == 2
