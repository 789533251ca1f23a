"""Where training chunks execute, and how many at once.

A hosted playground serves many sessions on a few cores. Letting every session's chunk run at
once makes them all thrash; a process-wide limit (``DLP_MAX_CONCURRENT_CHUNKS``, default the
number of CPU cores) queues the rest, so 30 users get slower updates rather than a frozen
server. Pages and trainers only see the ``ChunkExecutor`` interface, so a backend that runs
chunks on other machines can replace ``LocalExecutor`` without changing them.
"""

from __future__ import annotations

import functools
import os
import threading
from collections import deque
from collections.abc import Callable
from typing import Protocol, TypeVar

Result = TypeVar("Result")


class ChunkExecutor(Protocol):
    """Runs one chunk of training work and returns its result."""

    def run(self, work: Callable[[], Result]) -> Result:
        """Execute ``work`` (possibly after waiting for a free slot) and return its result."""
        ...


class LocalExecutor:
    """Runs chunks in the calling thread, at most ``max_concurrent`` at a time, first come first served.

    A freed slot goes straight to the thread that has waited longest. A plain semaphore
    would let a trainer that releases its slot take it straight back before the woken
    waiter runs, so with more trainers than slots some sessions would hardly train at all.

    Args:
        max_concurrent: slots; defaults to ``DLP_MAX_CONCURRENT_CHUNKS`` or the CPU count.
    """

    def __init__(self, max_concurrent: int | None = None) -> None:
        if max_concurrent is None:
            max_concurrent = int(os.environ.get("DLP_MAX_CONCURRENT_CHUNKS", os.cpu_count() or 1))
        if max_concurrent < 1:
            raise ValueError(f"Expected at least 1 concurrent chunk. Received: {max_concurrent}.")
        self.max_concurrent = max_concurrent
        self._lock = threading.Lock()
        self._free = max_concurrent
        self._waiting: deque[threading.Event] = deque()

    @property
    def running(self) -> int:
        """Chunks executing (or handed a slot and about to) right now."""
        with self._lock:
            return self.max_concurrent - self._free

    @property
    def waiting(self) -> int:
        """Chunks queued for a slot right now."""
        with self._lock:
            return len(self._waiting)

    def run(self, work: Callable[[], Result]) -> Result:
        """Wait for a slot (in arrival order), then execute ``work`` in this thread."""
        self._acquire()
        try:
            return work()
        finally:
            self._release()

    def _acquire(self) -> None:
        with self._lock:
            if self._free and not self._waiting:
                self._free -= 1
                return
            turn = threading.Event()
            self._waiting.append(turn)
        turn.wait()  # the releasing thread hands its slot over

    def _release(self) -> None:
        with self._lock:
            if self._waiting:
                self._waiting.popleft().set()
            else:
                self._free += 1


Shared = TypeVar("Shared")


def process_wide(factory: Callable[[], Shared]) -> Callable[[], Shared]:
    """Wrap ``factory`` so that every caller in the process gets the one object it makes on first use.

    Sessions run in threads of one server process; the lock makes two first callers agree.
    """
    lock = threading.Lock()
    made: list[Shared] = []

    @functools.wraps(factory)
    def shared() -> Shared:
        with lock:
            if not made:
                made.append(factory())
            return made[0]

    return shared


@process_wide
def default_executor() -> LocalExecutor:
    """The process-wide executor shared by every session (created on first use)."""
    return LocalExecutor()
