"""A background thread of one process that does one piece of work every few seconds until stopped (the audit
chainer, the SQLite checkpointer)."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable

log = logging.getLogger(__name__)


class Periodic:
    """A daemon thread running ``work`` every ``interval`` seconds until :meth:`stop`; a failure of one of
    ``errors`` is logged and the next round tries again."""

    def __init__(self, name: str, interval: float, work: Callable[[], object],
                 errors: type[Exception] | tuple[type[Exception], ...]) -> None:
        self.name = name
        self.interval = interval
        self.work = work
        self.errors = errors
        self.stopped = threading.Event()
        self.thread = threading.Thread(target=self._run, name=name, daemon=True)

    def start(self) -> Periodic:
        self.thread.start()
        return self

    def stop(self) -> None:
        self.stopped.set()
        self.thread.join()

    def _run(self) -> None:
        while not self.stopped.wait(self.interval):
            try:
                self.work()
            except self.errors:
                log.exception("%s: failed; trying again in %.1f s", self.name, self.interval)
