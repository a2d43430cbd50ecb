"""gunicorn settings read from the project folder: Prometheus multiprocess bookkeeping for ``/metrics``.

With ``PROMETHEUS_MULTIPROC_DIR`` set (an empty folder, cleared before each start), every worker writes
its counts there and ``/metrics`` adds up all of them (core/metrics.py); a worker that exits has its
live gauges marked dead so they stop counting. Other settings come from the command line.
"""

import os


def child_exit(server, worker):
    """A worker ended: drop its live gauges from the multiprocess sums."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess

        multiprocess.mark_process_dead(worker.pid)
