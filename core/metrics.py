"""Operators' view: ``GET /metrics`` in Prometheus text format, and JSON logs with a request id.

Metrics (prometheus-client): requests and their latency per endpoint, release decisions by outcome and
source, lines screened (its rate is the screening throughput), and, read when scraped, the queue depth
(screening jobs waiting, and the RQ queue's length when ``REDIS_URL`` is set).

Under gunicorn every worker is its own process: set ``PROMETHEUS_MULTIPROC_DIR`` to an empty folder
(cleared before each start) for the master and every worker, and ``/metrics`` adds up the counts of all
of them (prometheus-client's multiprocess mode); ``gunicorn.conf.py`` marks a dead worker's gauges.
Without it (one process, ``flask run``, tests) the process's own registry is served.

``LOG_FORMAT=json`` makes every log record one JSON object (``time, level, logger, message`` and the
``request_id``), and adds one access record per request. The request id is the caller's
``X-Request-ID`` (when it is a short token) or a new one; it is echoed in the response's
``X-Request-ID``.
"""

from __future__ import annotations

import json
import logging
import os
import re
import secrets
import sys
import time
from typing import Any

from flask import Flask, Response, g, has_request_context, request
from prometheus_client import CONTENT_TYPE_LATEST, REGISTRY, CollectorRegistry, Counter, Histogram, generate_latest
from prometheus_client.core import GaugeMetricFamily

from core import policy

REQUESTS = Counter("greenlane_http_requests", "HTTP requests answered", ["endpoint", "method", "status"])
LATENCY = Histogram("greenlane_http_request_duration_seconds", "Time to answer a request", ["endpoint"],
                    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10))
DECISIONS = Counter("greenlane_release_decisions", "Release decisions made", ["outcome", "source"])
SCREENED_LINES = Counter("greenlane_screen_lines", "Entry lines screened in bulk (rate = screening throughput)")
SCREENED_ENTRIES = Counter("greenlane_screen_entries", "Entries decided in bulk screening", ["outcome"])

_REQUEST_ID = re.compile(r"^[A-Za-z0-9._-]{1,64}$")
_log = logging.getLogger("greenlane.access")


def count_decisions(outcomes: dict[str, int] | Any, source: str) -> None:
    """Count committed release decisions: ``outcomes`` maps outcome -> number (a Counter will do)."""
    for outcome, number in dict(outcomes).items():
        if number:
            DECISIONS.labels(outcome=outcome, source=source).inc(number)


def count_screened(lines: int, entries_by_outcome: dict[str, int] | Any) -> None:
    """Count a committed chunk of a bulk screen."""
    SCREENED_LINES.inc(lines)
    for outcome, number in dict(entries_by_outcome).items():
        if number:
            SCREENED_ENTRIES.labels(outcome=outcome).inc(number)
    count_decisions(entries_by_outcome, "screen")


_QUEUES: dict[str, Any] = {}  # queue name -> function of the app giving its depth (registered by domains)


def register_queue(name: str, depth: Any) -> None:
    """Report ``depth(app)`` (jobs waiting) as ``greenlane_queue_depth{queue=name}`` when scraped."""
    _QUEUES[name] = depth


class _QueueDepth:
    """Read at scrape time: the depth of every registered queue (a queue whose source is down is left out)."""

    def __init__(self, app: Flask) -> None:
        self.app = app

    def collect(self):
        """The queue-depth gauges."""
        family = GaugeMetricFamily("greenlane_queue_depth", "Jobs waiting to run", labels=["queue"])
        with self.app.app_context():
            for name, depth in sorted(_QUEUES.items()):
                try:
                    value = depth(self.app)
                except Exception:  # noqa: BLE001 - a scrape never fails because a source is down
                    value = None
                if value is not None:
                    family.add_metric([name], value)
        yield family


def _registry(app: Flask) -> CollectorRegistry:
    """The registry to serve: every process's counts in multiprocess mode, else this process's."""
    registry = app.extensions.get("greenlane_metrics_registry")
    if registry is None:
        if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
            from prometheus_client import multiprocess

            registry = CollectorRegistry()
            multiprocess.MultiProcessCollector(registry)
            registry.register(_QueueDepth(app))
        else:
            registry = CollectorRegistry()
            registry.register(_Forward())
            registry.register(_QueueDepth(app))
        app.extensions["greenlane_metrics_registry"] = registry
    return registry


class _Forward:
    """This process's default registry, served beside the scrape-time collectors."""

    def collect(self):
        """Every metric of the default registry."""
        yield from REGISTRY.collect()


def _before() -> None:
    g.request_started = time.perf_counter()
    given = request.headers.get("X-Request-ID", "")
    g.request_id = given if _REQUEST_ID.match(given) else secrets.token_hex(8)


def _after(response: Response) -> Response:
    started = g.get("request_started")
    endpoint = request.endpoint or "unmatched"
    if started is not None and endpoint != "static":
        elapsed = time.perf_counter() - started
        REQUESTS.labels(endpoint=endpoint, method=request.method, status=str(response.status_code)).inc()
        LATENCY.labels(endpoint=endpoint).observe(elapsed)
        if _log.isEnabledFor(logging.INFO) and g.get("json_logs"):
            _log.info("%s %s %s", request.method, request.path, response.status_code,
                      extra={"status": response.status_code, "duration_ms": round(elapsed * 1000, 2),
                             "method": request.method, "path": request.path, "endpoint": endpoint})
    request_id = g.get("request_id")
    if request_id:
        response.headers["X-Request-ID"] = request_id
    return response


class JsonFormatter(logging.Formatter):
    """One JSON object per record: time, level, logger, message, request id and any extra fields."""

    _STANDARD = set(vars(logging.LogRecord("", 0, "", 0, "", (), None))) | {"message", "asctime"}

    def format(self, record: logging.LogRecord) -> str:
        """The record as JSON."""
        entry: dict[str, Any] = {
            "time": self.formatTime(record, "%Y-%m-%dT%H:%M:%S") + f".{int(record.msecs):03d}Z",
            "level": record.levelname.lower(), "logger": record.name, "message": record.getMessage(),
        }
        if has_request_context():
            entry["request_id"] = g.get("request_id")
        for key, value in vars(record).items():
            if key not in self._STANDARD and not key.startswith("_"):
                entry[key] = value
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, default=str)


JsonFormatter.converter = time.gmtime


def _configure_json_logs(app: Flask) -> None:
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(JsonFormatter())
    root = logging.getLogger()
    root.handlers = [handler]
    root.setLevel(os.environ.get("LOG_LEVEL", "INFO").upper())
    app.logger.handlers = []
    app.logger.propagate = True

    @app.before_request
    def _json_logs_on() -> None:
        g.json_logs = True


def register(app: Flask) -> None:
    """Install the request hooks, the ``/metrics`` route and, with ``LOG_FORMAT=json``, JSON logging."""
    app.before_request(_before)
    app.after_request(_after)
    if (app.config.get("LOG_FORMAT") or "").lower() == "json":
        _configure_json_logs(app)

    @policy.public
    def metrics() -> Response:
        """Prometheus text format."""
        body = generate_latest(_registry(app))
        return Response(body, mimetype=CONTENT_TYPE_LATEST.split(";")[0],
                        headers={"Content-Type": CONTENT_TYPE_LATEST, "Cache-Control": "no-store"})

    app.add_url_rule("/metrics", "metrics", metrics, methods=["GET"])
