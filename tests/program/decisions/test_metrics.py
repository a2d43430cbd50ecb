"""``GET /metrics`` (Prometheus text format): requests per endpoint, decisions by outcome, screening
throughput, queue depth; the request id and JSON log records (``LOG_FORMAT=json``)."""

from __future__ import annotations

import io
import json
import logging

from prometheus_client.parser import text_string_to_metric_families

from core.metrics import JsonFormatter
from tests.program.decisions.conftest import EXPEDITED_LINE, REFERRED_LINE
from tests.program.decisions.test_screen import _csv, _rows, _screen


def _samples(client) -> dict[tuple[str, tuple], float]:
    response = client.get("/metrics")
    assert response.status_code == 200 and response.mimetype == "text/plain"
    assert response.headers["Cache-Control"] == "no-store"
    found = {}
    for family in text_string_to_metric_families(response.get_data(as_text=True)):
        for sample in family.samples:
            found[(sample.name, tuple(sorted(sample.labels.items())))] = sample.value
    return found


def test_metrics_count_requests_decisions_and_screened_lines(app, world, client, entry):
    before = _samples(client)
    decided = ("greenlane_release_decisions_total", (("outcome", "refer_for_examination"), ("source", "api")))
    assert world.importer.post("/api/v1/release-decisions", json=entry(REFERRED_LINE)).status_code == 201
    assert world.importer.post("/api/v1/release-decisions", json=entry(EXPEDITED_LINE, entry_number="999-9999999-0",
                                                                       )).status_code == 201
    _screen(app, _csv(_rows("123-1234567-6", EXPEDITED_LINE) + _rows("ABC-0000001-0", REFERRED_LINE)))
    after = _samples(client)
    assert after[decided] - before.get(decided, 0) == 1
    screened = ("greenlane_release_decisions_total", (("outcome", "refer_for_examination"), ("source", "screen")))
    assert after[screened] - before.get(screened, 0) == 1
    assert after[("greenlane_screen_lines_total", ())] - before.get(("greenlane_screen_lines_total", ()), 0) == 2
    requests = ("greenlane_http_requests_total",
                (("endpoint", "decisions_api.create_decision"), ("method", "POST"), ("status", "201")))
    assert after[requests] - before.get(requests, 0) == 2
    latency = ("greenlane_http_request_duration_seconds_count", (("endpoint", "decisions_api.create_decision"),))
    assert after[latency] - before.get(latency, 0) == 2
    assert after[("greenlane_queue_depth", (("queue", "screen_jobs"),))] == 0


def test_a_request_id_is_echoed_or_made(client):
    given = client.get("/healthz", headers={"X-Request-ID": "abc-123"})
    assert given.headers["X-Request-ID"] == "abc-123"
    made = client.get("/healthz", headers={"X-Request-ID": "has spaces and !"})
    assert made.headers["X-Request-ID"] != "has spaces and !" and len(made.headers["X-Request-ID"]) == 16


def test_json_log_records_carry_the_request_id(app):
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonFormatter())
    logger = logging.getLogger("greenlane.test")
    logger.addHandler(handler)
    logger.propagate = False
    try:
        with app.test_request_context("/x", headers={"X-Request-ID": "req-42"}):
            app.preprocess_request()
            logger.warning("screened %d lines", 5, extra={"job_id": 7})
    finally:
        logger.removeHandler(handler)
    record = json.loads(stream.getvalue())
    assert record["message"] == "screened 5 lines" and record["request_id"] == "req-42"
    assert record["level"] == "warning" and record["job_id"] == 7 and record["time"].endswith("Z")
