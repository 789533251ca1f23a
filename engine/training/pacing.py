"""How fast a live run trains and redraws: speeds, the redraw interval under load, thread priority.

A ``Trainer`` reads these; they hold no state of their own, so a page (the speed selector) and
a test can use them without a trainer.
"""

from __future__ import annotations

import math
import os
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

# Training threads run at a slightly lower OS priority, so on a busy server the threads that
# redraw pages and answer health checks get about twice their share of the cores. Mild on
# purpose: at 10, two outside busy processes slowed the CNN lab's first three epochs from
# 10 s to 140 s on 2 cores; at 3, to 15 s, with the same health latency under 8 sessions.
TRAINING_NICENESS = int(os.environ.get("DLP_TRAINING_NICENESS", 3))


@dataclass(frozen=True)
class Speed:
    """How much a chunk trains, and how often a chunk starts.

    Attributes:
        epochs: epochs per chunk, or None for as many as fit in about a tenth of a second.
        frames: page frames per chunk: a chunk starts at most every ``frames`` redraw
            intervals, so "10 epochs per frame" means just that; 0 trains flat out.
        one_update: train a single mini-batch update per chunk instead, where the run can
            (a run that cannot trains one epoch: an RL run, one episode).
    """

    epochs: int | None
    frames: float
    one_update: bool = False


SPEEDS: dict[str, Speed] = {
    "Slow motion": Speed(1, 2, one_update=True),
    "1 epoch per frame": Speed(1, 1),
    "10 epochs per frame": Speed(10, 1),
    "100 epochs per frame": Speed(100, 1),
    "Full speed": Speed(None, 0),
}


def redraw_interval(base_seconds: float, playing: int, cores: int) -> float:
    """Seconds between live redraws when ``playing`` sessions train on ``cores`` cores.

    Up to one playing session per core every page redraws every ``base_seconds``; beyond
    that the interval doubles with the load (rounded up to a power of two, so it changes
    rarely): 8 sessions on 2 cores redraw once a second each instead of swamping the
    server and every browser with frames nobody can follow.
    """
    load = playing / max(1, cores)
    return base_seconds * 2 ** math.ceil(math.log2(load)) if load > 1 else base_seconds


def lower_thread_priority(niceness: int) -> bool:
    """Raise the calling thread's nice value by ``niceness`` (Linux only; elsewhere a no-op).

    Returns whether it took effect. Linux schedules threads separately, so this leaves the
    rest of the process alone; XLA runs a chunk on the thread that calls it, so the chunk
    runs at this priority too.
    """
    if niceness <= 0 or not sys.platform.startswith("linux"):
        return False
    thread_id = threading.get_native_id()
    try:
        os.setpriority(os.PRIO_PROCESS, thread_id, os.getpriority(os.PRIO_PROCESS, thread_id) + niceness)
    except OSError:  # not permitted here: train at normal priority
        return False
    return True


def timed(function: Callable[[int], Any], argument: int) -> tuple[Any, float]:
    """``function(argument)`` and the seconds it took."""
    started = time.perf_counter()
    result = function(argument)
    return result, time.perf_counter() - started
