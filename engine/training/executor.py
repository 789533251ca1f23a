"""Where training chunks execute, and how many at once.

A hosted playground serves many sessions on a few cores. Letting every session's chunk run at
once makes them all thrash; a process-wide limit (``DLP_MAX_CONCURRENT_CHUNKS``, default the
number of CPU cores) queues the rest, so 30 users get slower updates rather than a frozen
server. Pages and trainers only see the ``ChunkExecutor`` interface, so a backend that runs
chunks on other machines can replace ``LocalExecutor`` without changing them.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable
from typing import Protocol, TypeVar

Result = TypeVar("Result")


class ChunkExecutor(Protocol):
    """Runs one chunk of training work and returns its result."""

    def run(self, work: Callable[[], Result]) -> Result:
        """Execute ``work`` (possibly after waiting for a free slot) and return its result."""
        ...


class LocalExecutor:
    """Runs chunks in the calling thread, at most ``max_concurrent`` at a time.

    Args:
        max_concurrent: slots; defaults to ``DLP_MAX_CONCURRENT_CHUNKS`` or the CPU count.
    """

    def __init__(self, max_concurrent: int | None = None) -> None:
        if max_concurrent is None:
            max_concurrent = int(os.environ.get("DLP_MAX_CONCURRENT_CHUNKS", os.cpu_count() or 1))
        if max_concurrent < 1:
            raise ValueError(f"Expected at least 1 concurrent chunk. Received: {max_concurrent}.")
        self.max_concurrent = max_concurrent
        self._slots = threading.BoundedSemaphore(max_concurrent)
        self._lock = threading.Lock()
        self._running = 0

    @property
    def running(self) -> int:
        """Chunks executing right now."""
        return self._running

    def run(self, work: Callable[[], Result]) -> Result:
        """Wait for a slot, then execute ``work`` in this thread."""
        with self._slots:
            with self._lock:
                self._running += 1
            try:
                return work()
            finally:
                with self._lock:
                    self._running -= 1


_default_executor: LocalExecutor | None = None
_default_lock = threading.Lock()


def default_executor() -> LocalExecutor:
    """The process-wide executor shared by every session (created on first use)."""
    global _default_executor
    with _default_lock:
        if _default_executor is None:
            _default_executor = LocalExecutor()
        return _default_executor
