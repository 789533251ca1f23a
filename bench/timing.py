"""Timing helper shared by the bench scripts (run as ``python bench/<script>.py``, so this folder is on the path)."""

from __future__ import annotations

import time
from collections.abc import Callable

SECONDS = 3.0


def rate(function: Callable[[], object], seconds: float = SECONDS) -> float:
    """Calls per second of ``function`` over about ``seconds`` (after one warm-up call)."""
    function()
    count, started = 0, time.perf_counter()
    while time.perf_counter() - started < seconds:
        function()
        count += 1
    return count / (time.perf_counter() - started)
