"""Background jobs: one-off work that runs beside the page and says how far it got.

A comparison with scikit-learn or a pre-training takes seconds. Run in the page's own script,
it would hold the page: Pause, a slider, anything the learner touches would wait for it. A
``Job`` runs the work in a thread of its own, at the training threads' lower priority, and
keeps the last progress the work reported; the page shows it and picks the result up once
the job is done. The work takes the shared executor's slots for its heavy parts, so it waits
its turn beside the sessions that train live.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from concurrent.futures import Future
from typing import Generic, TypeVar

from engine.training.pacing import TRAINING_NICENESS, lower_thread_priority

T = TypeVar("T")
Report = Callable[[float, str], None]  # report(fraction done, what it is doing)


class Job(Generic[T]):
    """``work(report)`` in a daemon thread; ``report(fraction, text)`` from inside says how far it got."""

    def __init__(self, work: Callable[[Report], T], name: str = "dlp-job") -> None:
        self._future: Future[T] = Future()
        self._progress: tuple[float, str] = (0.0, "")
        threading.Thread(target=self._run, args=(work,), name=name, daemon=True).start()

    def _run(self, work: Callable[[Report], T]) -> None:
        lower_thread_priority(TRAINING_NICENESS)
        try:
            self._future.set_result(work(self._report))
        except Exception as error:  # handed to whoever asks for the result
            self._future.set_exception(error)

    def _report(self, fraction: float, text: str = "") -> None:
        self._progress = (min(1.0, max(0.0, float(fraction))), text)

    @property
    def progress(self) -> tuple[float, str]:
        """The fraction done (0 to 1) and what the work said it is doing, as last reported."""
        return (1.0, self._progress[1]) if self.done else self._progress

    @property
    def done(self) -> bool:
        """Whether the work has ended, with a result or an error."""
        return self._future.done()

    @property
    def failed(self) -> bool:
        """Whether the work has ended with an error."""
        return self.done and self._future.exception() is not None

    def result(self, timeout: float | None = None) -> T:
        """The work's result (waiting up to ``timeout`` seconds); raises the error it ended with."""
        return self._future.result(timeout)
