"""``/metrics`` under gunicorn with two workers (prometheus-client's multiprocess mode): the decisions of
every worker are counted, whichever worker answers the scrape."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from prometheus_client.parser import text_string_to_metric_families

from tests.program.decisions.conftest import EXPEDITED_LINE

ROOT = Path(__file__).resolve().parents[3]


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _decided(port: int) -> float:
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=30) as response:  # noqa: S310 (loopback)
        text = response.read().decode()
    return sum(sample.value for family in text_string_to_metric_families(text) for sample in family.samples
               if sample.name == "greenlane_release_decisions_total" and sample.labels.get("source") == "api")


def test_metrics_add_up_the_decisions_of_every_gunicorn_worker(app, world, test_config, tmp_path, entry):
    from program.decisions.entry_number import entry_check_digit

    port = _free_port()
    folder = tmp_path / "prometheus"
    folder.mkdir()
    env = dict(os.environ, DATABASE_URL=test_config["SQLALCHEMY_DATABASE_URI"], SECRET_KEY="test-secret-key",
               UPLOAD_FOLDER=test_config["UPLOAD_FOLDER"], PROMETHEUS_MULTIPROC_DIR=str(folder))
    env.pop("REDIS_URL", None)
    gunicorn = str(Path(sys.executable).parent / "gunicorn")
    log = (tmp_path / "gunicorn.log").open("wb")
    process = subprocess.Popen([gunicorn, "--workers", "2", "--keep-alive", "0", "--bind", f"127.0.0.1:{port}",  # noqa: S603
                                "--log-level", "warning", "app:create_app()"], cwd=ROOT, env=env, stdout=log,
                               stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
                break
            except OSError:
                assert process.poll() is None and time.monotonic() < deadline, (tmp_path / "gunicorn.log").read_text()
                time.sleep(0.2)
        token = world.importer.headers["Authorization"].removeprefix("Bearer ")

        def decide(serial: int) -> int:
            body = entry(EXPEDITED_LINE, entry_number=f"ABC-{serial:07d}-{entry_check_digit('ABC', serial)}")
            request = urllib.request.Request(f"http://127.0.0.1:{port}/api/v1/release-decisions", method="POST",
                                             data=json.dumps(body).encode(),
                                             headers={"Content-Type": "application/json",
                                                      "Authorization": f"Bearer {token}"})
            with urllib.request.urlopen(request, timeout=60) as response:  # noqa: S310 (loopback)
                return response.status

        with ThreadPoolExecutor(max_workers=6) as pool:
            assert set(pool.map(decide, range(1, 25))) == {201}
        assert len(list(folder.glob("counter_*.db"))) >= 2  # both workers counted something
        assert {_decided(port) for _ in range(6)} == {24}  # every scrape, from either worker, sees all 24
    finally:
        process.terminate()
        process.wait(timeout=30)
        log.close()
