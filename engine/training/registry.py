"""``RunRegistry``: each browser's live runs, kept apart from the connection that shows them.

A websocket drops for many reasons (a network blip, a laptop asleep, a proxy's timeout), and
the server forgets a session's own caches the moment it does. So the trainers of one browser
live here instead, under an unguessable run id that the page also puts in its URL: a page that
reconnects, even as a new session after a reload, finds its runs where they were.

The registry knows which session owns a run set. The owner's disconnect only marks the set
*detached*; it is stopped and dropped once detached for ``free_after`` seconds, and dropped
first when the server's trainers are all taken and a learner needs a new one. A detached
set does not train meanwhile: a trainer that no page reads pauses itself within seconds
(``Trainer``'s unwatched pause), so a blip costs little and a closed tab costs nothing. Another
session may take over a detached set (a reload, or the same browser after the server forgot
its session), but never one whose owner is still connected: a URL copied into a second tab
or sent to a friend starts a fresh run with the same settings instead of sharing one.
"""

from __future__ import annotations

import os
import re
import secrets
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from engine.training.executor import process_wide
from engine.training.trainer import Trainer

FREE_AFTER_SECONDS = float(os.environ.get("DLP_DETACHED_KEEP_SECONDS", 900))
REAP_INTERVAL_SECONDS = 5.0
_RUN_ID = re.compile(r"[A-Za-z0-9_-]{22}")  # what secrets.token_urlsafe(16) makes: 128 random bits


@dataclass
class RunSet:
    """One browser's trainers, by lab, with the structure each was built for.

    Attributes:
        owner: the session that shows these runs now.
        detached_at: when the owner's connection went (clock seconds), or None while attached.
    """

    owner: str
    trainers: dict[str, Trainer] = field(default_factory=dict)
    structures: dict[str, object] = field(default_factory=dict)
    detached_at: float | None = None

    def stop_all(self) -> None:
        """Signal every worker to end (returns at once)."""
        for trainer in self.trainers.values():
            trainer.stop()
        self.trainers.clear()
        self.structures.clear()


class RunRegistry:
    """Run sets by run id, shared by every session of the process.

    Args:
        free_after: seconds a detached set is kept before its trainers are stopped and it is dropped.
        clock: the time source (tests pass their own).
    """

    def __init__(self, free_after: float = FREE_AFTER_SECONDS, clock: Callable[[], float] = time.monotonic) -> None:
        if not free_after >= 0:
            raise ValueError(f"Expected free_after >= 0. Received: {free_after}.")
        self.free_after, self._clock = free_after, clock
        self._sets: dict[str, RunSet] = {}
        self._lock = threading.Lock()
        self._reaper: threading.Thread | None = None

    def attach(self, run_id: str | None, owner: str,
               is_connected: Callable[[str], bool] = lambda session: True) -> tuple[str, RunSet]:
        """The run set ``run_id`` names for ``owner``, or a new one under a new id.

        The named set is returned when ``owner`` already owns it or its owner has gone (detached,
        or no longer connected by ``is_connected``: a reload can arrive before the old
        connection's goodbye); an unknown, malformed or foreign id gets a new, empty set.
        """
        with self._lock:
            runs = self._sets.get(run_id) if run_id and _RUN_ID.fullmatch(run_id) else None
            if run_id and runs is not None and (runs.owner == owner or runs.detached_at is not None
                                                or not is_connected(runs.owner)):
                runs.owner, runs.detached_at = owner, None
                return run_id, runs
            new_id = secrets.token_urlsafe(16)
            self._sets[new_id] = runs = RunSet(owner)
            return new_id, runs

    def detach(self, run_id: str, owner: str) -> None:
        """The owner's connection went: start the clock on the set (cheap; safe from any thread)."""
        with self._lock:
            runs = self._sets.get(run_id)
            if runs is not None and runs.owner == owner and runs.detached_at is None:
                runs.detached_at = self._clock()

    def reap(self) -> None:
        """Stop and drop the sets detached longer than ``free_after``."""
        now = self._clock()
        with self._lock:
            expired = [run_id for run_id, runs in self._sets.items()
                       if runs.detached_at is not None and now - runs.detached_at >= self.free_after]
            for run_id in expired:
                self._sets.pop(run_id).stop_all()

    def free_oldest_detached(self) -> bool:
        """Stop and drop the set detached longest (to make room for a learner who is here); False if none is."""
        with self._lock:
            detached = [(runs.detached_at, run_id) for run_id, runs in self._sets.items() if runs.detached_at is not None]
            if not detached:
                return False
            self._sets.pop(min(detached)[1]).stop_all()
            return True

    def start_reaper(self, interval: float = REAP_INTERVAL_SECONDS) -> None:
        """Reap every ``interval`` seconds on a daemon thread (once per registry)."""
        with self._lock:
            if self._reaper is not None:
                return
            self._reaper = threading.Thread(target=self._reap_forever, args=(interval,), name="dlp-run-reaper",
                                            daemon=True)
        self._reaper.start()

    def _reap_forever(self, interval: float) -> None:
        while True:
            time.sleep(interval)
            self.reap()

    def __len__(self) -> int:
        with self._lock:
            return len(self._sets)

    def stop_all(self) -> None:
        """Stop every trainer and forget every set (a server shutting down, or a test's clean slate)."""
        with self._lock:
            sets, self._sets = list(self._sets.values()), {}
        for runs in sets:
            runs.stop_all()


@process_wide
def default_registry() -> RunRegistry:
    """The process-wide registry, its reaper running (created on first use)."""
    registry = RunRegistry()
    registry.start_reaper()
    return registry
