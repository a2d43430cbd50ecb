"""A web screening job with ``STORAGE_URL=s3://…``: its input and result live in the bucket (moto server)."""

from __future__ import annotations

import csv
import io

from core.extensions import db
from core.uploads import StoredFile
from program.decisions.models import ScreenJob
from tests.program.decisions.conftest import EXPEDITED_LINE, REFERRED_LINE
from tests.program.decisions.test_screen import _csv, _rows
from tests.s3 import objects, s3_app, s3_bucket, s3_server  # noqa: F401 (fixtures)


def test_a_web_screening_job_reads_and_writes_the_bucket(s3_app, s3_server, s3_bucket, world, login, monkeypatch):  # noqa: F811 (fixtures from tests.s3)
    monkeypatch.setitem(s3_app.config, "REDIS_URL", None)
    client = login(world.reviewer.user)
    data = _csv(_rows("ABC-1234567-6", EXPEDITED_LINE, REFERRED_LINE)).encode()
    response = client.post("/review/screening", data={"file": (io.BytesIO(data), "lines.csv")},
                           content_type="multipart/form-data")
    assert response.status_code == 302
    with s3_app.app_context():
        job = db.session.query(ScreenJob).one()
        job_id = job.id
        keys = {f"uploads/{db.session.get(StoredFile, i).storage_key}" for i in (job.input_file_id, job.output_file_id)}
        db.session.remove()
    assert set(objects(s3_server, s3_bucket)) == keys
    status = client.get(f"/review/screening/{job_id}/status").json
    assert status["status"] == "finished"
    result = client.get(status["result_url"])
    assert result.status_code == 200 and result.mimetype == "text/csv"
    rows = list(csv.DictReader(io.StringIO(result.get_data(as_text=True))))
    result.close()
    assert [r["line_outcome"] for r in rows] == ["expedited_release", "refer_for_examination"]
