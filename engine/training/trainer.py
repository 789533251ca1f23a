"""``Trainer``: drives a ``Run`` (``engine.training.contract``) on a worker thread for live pages.

The page never touches the model. It sends commands (play, pause, step, reset, new settings,
a new run) that the worker applies between chunks, and reads immutable ``Snapshot``s the
worker publishes: history for the charts plus whatever the page's ``observe`` callback
computed (a decision boundary, neuron maps). A command returns once applied and a fresh
snapshot is out, so the screen is right straight after a click. While playing, the worker
observes only once the page has read the previous snapshot, so a page that redraws slowly (a
busy server) or not at all (the user is on another lab) costs no observation work; and
already half a frame after the last observation, so the page's next redraw finds a fresh
snapshot instead of every other redraw repeating the last one. Chunks are sized to about a
tenth of a second, so Pause takes effect almost at once.

Streamlit's APIs are safe only from the script thread, so nothing here calls them; ``stop``
only signals the worker (a join from a session's release hook could block the server).
"""

from __future__ import annotations

import atexit
import collections
import contextlib
import itertools
import os
import queue
import statistics
import threading
import time
import weakref
from collections.abc import Callable
from concurrent.futures import Future
from typing import Any

from engine.training.contract import DIVERGED, ERROR, READY, Compilable, Run, SlowMotion, Snapshot, Status
from engine.training.executor import ChunkExecutor, default_executor
from engine.training.graph import MAX_CHUNK_EPOCHS
from engine.training.history import downsample_history
from engine.training.pacing import SPEEDS, TRAINING_NICENESS, lower_thread_priority, timed

MAX_TRAINERS = int(os.environ.get("DLP_MAX_TRAINERS", 64))
COMMAND_TIMEOUT_SECONDS = 60.0
WORKER_NAME, COMPILER_NAME = "dlp-trainer", "dlp-compile"
EXIT_WAIT_SECONDS = 30.0  # at exit, how long trainers get to leave TensorFlow
# A run that no page has looked at for this long pauses itself: its tab was closed, or its
# session is gone, and the cores are better spent on the learners who are watching.
OBSERVATIONS_KEPT = 50  # the observation cost is the median of this many recent observations
UNWATCHED_PAUSE_SECONDS = float(os.environ.get("DLP_UNWATCHED_PAUSE_SECONDS", 10))
MAX_FRAME_SECONDS = 4.0  # the longest frame interval a browser's pace sets (``set_frame_seconds``)
PACE_CHECK_SECONDS = 0.1  # a paced wait looks again at the frame interval this often
_LINEAGES = itertools.count(1)  # Snapshot.lineage: one number per run started, replaced or reset, process-wide


class ServerFull(ValueError):
    """Every one of the process's ``MAX_TRAINERS`` trainers is taken."""


class Trainer:
    """Owns a run and trains it on its own thread.

    Args:
        run: the run to drive (the worker becomes its only user).
        observe: ``observe(run) -> view``, computed on the worker after chunks (at most
            every ``frame_seconds``) and after every command.
        executor: where chunks execute; defaults to the process-wide limited executor.
        chunk_seconds: target duration of a chunk at full speed.
        frame_seconds: the page's redraw interval while playing; observations are at least
            half of it apart.
    """

    _live = 0
    _live_lock = threading.Lock()
    _instances: weakref.WeakSet[Trainer] = weakref.WeakSet()

    def __init__(
        self,
        run: Run,
        observe: Callable[[Any], Any],
        executor: ChunkExecutor | None = None,
        chunk_seconds: float = 0.1,
        frame_seconds: float = 0.2,
        unwatched_pause_seconds: float = UNWATCHED_PAUSE_SECONDS,
    ) -> None:
        with Trainer._live_lock:
            if Trainer._live >= MAX_TRAINERS:
                raise ServerFull(
                    f"The server is training for {MAX_TRAINERS} sessions already. Try again in a minute."
                )
            Trainer._live += 1
            Trainer._instances.add(self)
        self._run, self._observe = run, observe
        self._executor = executor or default_executor()
        self._chunk_seconds, self._frame_seconds = chunk_seconds, frame_seconds
        self._unwatched_pause_seconds = unwatched_pause_seconds
        self._last_read = time.monotonic()
        self._speed = SPEEDS["Full speed"]
        self._epochs_per_second = 0.0
        self._adaptive_epochs = 1
        self._playing = False
        self._first_chunk_due = False  # Play's first chunk is published at once, whatever the frame interval
        self._compiling = self._compile_failed = False
        self._compile_thread: threading.Thread | None = None
        self._queued_step: threading.Event | None = None  # a Step pressed while the model compiled
        self._commands: queue.Queue = queue.Queue()
        self._revision = itertools.count(1)
        self._lineage = next(_LINEAGES)
        self._snapshot = Snapshot()
        self._stopped = threading.Event()
        self._last_observed = 0.0
        self._snapshot_read = True
        self._observation_cpu: collections.deque[float] = collections.deque(maxlen=OBSERVATIONS_KEPT)
        # The first snapshot, with a view, before returning: queued before the worker starts, so
        # it comes before the compiling ahead that the worker does when it has nothing else to do.
        first: Future = Future()
        self._commands.put((first, lambda: None, ()))
        self._thread = threading.Thread(target=self._work, name=WORKER_NAME, daemon=True)
        self._thread.start()
        first.result(timeout=COMMAND_TIMEOUT_SECONDS)

    # ----------------------------------------------------------------- commands
    def snapshot(self) -> Snapshot:
        """The latest published snapshot (cheap; never blocks on training). Reading it counts as watching."""
        self._snapshot_read, self._last_read = True, time.monotonic()
        return self._snapshot

    @property
    def playing(self) -> bool:
        """Whether it trains now, read without counting as watching (for housekeeping)."""
        return self._snapshot.playing

    def play(self) -> None:
        """Train continuously until paused or a stop condition (from the end of a compilation under way)."""
        self._submit(self._set_playing, True)

    def pause(self) -> None:
        """Stop after the current chunk."""
        self._submit(self._set_playing, False)

    def step(self) -> None:
        """Pause and train exactly one epoch (the rest of it, when slow motion left one under way).

        While the model compiles, the step is kept and trained as soon as it is ready; this
        waits for it up to ``COMMAND_TIMEOUT_SECONDS``, then returns with the step still kept
        (a busy server: the page says it is compiling meanwhile).
        """
        trained = threading.Event()
        self._submit(self._step, trained)
        trained.wait(timeout=COMMAND_TIMEOUT_SECONDS)

    def reset(self, seed: int | None = None) -> None:
        """Pause, restore initial weights (of ``seed`` if given) and clear the history."""
        self._submit(self._reset, seed)

    def update(self, settings: Any) -> list[str]:
        """Apply new live settings from the next chunk on; returns what changed."""
        return self._submit(self._run_update, settings)

    def set_frame_seconds(self, seconds: float) -> None:
        """Set the page's redraw interval while playing (observations stay half of it apart).

        At most ``MAX_FRAME_SECONDS``: a longer gap between a browser's frames is a hidden tab or
        a pause, not how fast it draws.
        """
        if not seconds > 0:
            raise ValueError(f"Expected a positive frame interval. Received: {seconds}.")
        self._frame_seconds = min(seconds, MAX_FRAME_SECONDS)

    def set_speed(self, speed: str) -> None:
        """Choose a key of ``SPEEDS``."""
        if speed not in SPEEDS:
            raise ValueError(f"Unknown speed {speed!r}. Expected one of: {', '.join(SPEEDS)}.")
        self._speed = SPEEDS[speed]

    def replace_run(self, run: Run, observe: Callable[[Any], Any] | None = None) -> None:
        """Swap in a new run (new architecture or data), and its observer if given.

        A trainer that was playing plays the new run (from the end of its compilation), as a
        learner who changes the data while it trains, or presses Play just before the page
        took in a new setting, expects.
        """
        self._submit(self._replace, run, observe)

    def call(self, function: Callable[[Any], Any]) -> Any:
        """Run ``function(run)`` on the worker between chunks and return its result."""
        return self._submit(lambda: function(self._run))

    def stop(self) -> None:
        """Ask the worker to end; returns at once (safe from any thread)."""
        if not self._stopped.is_set():
            self._stopped.set()
            self._commands.put(None)
            with Trainer._live_lock:
                Trainer._live -= 1
                Trainer._instances.discard(self)

    @property
    def observation_cpu_seconds(self) -> float:
        """Median CPU seconds of the worker's recent observations (``observe`` for one snapshot); 0 before any.

        The median leaves out the first observation of a run, which traces its functions.
        """
        return statistics.median(self._observation_cpu) if self._observation_cpu else 0.0

    @classmethod
    def playing_count(cls) -> int:
        """How many trainers in this process are training continuously right now."""
        with cls._live_lock:
            return sum(trainer._playing for trainer in cls._instances)

    @property
    def stopped(self) -> bool:
        """Whether ``stop`` was called."""
        return self._stopped.is_set()

    # ----------------------------------------------------------------- worker side
    def _submit(self, function: Callable, *args) -> Any:
        if self._stopped.is_set():
            raise RuntimeError("This trainer was stopped; create a new one.")
        future: Future = Future()
        self._commands.put((future, function, args))
        return future.result(timeout=COMMAND_TIMEOUT_SECONDS)

    def _set_playing(self, playing: bool) -> None:
        if playing and self._run.status != READY:
            self._playing = False
            return
        if playing:  # pressed on a page that shows the run: a learner who read for a while before Play watches it
            self._last_read = time.monotonic()
            self._first_chunk_due = True
        self._playing = playing

    def _step(self, trained: threading.Event) -> None:
        self._playing = False
        self._drop_queued_step()
        if self._needs_compilation():
            self._queued_step = trained  # trained once the compilation ends; the worker stays free meanwhile
            return
        self._train_chunk(1)
        trained.set()

    def _drop_queued_step(self) -> None:
        if self._queued_step is not None:
            self._queued_step.set()  # whoever waits for it stops waiting
            self._queued_step = None

    def _reset(self, seed: int | None) -> None:
        self._playing = False
        self._drop_queued_step()
        self._run.reset(seed)
        self._lineage = next(_LINEAGES)

    def _run_update(self, settings: Any) -> list[str]:
        return self._run.update_settings(settings)

    def _replace(self, run: Run, observe: Callable[[Any], Any] | None) -> None:
        self._compile_failed = False
        self._drop_queued_step()
        self._run, self._lineage = run, next(_LINEAGES)
        self._playing = self._first_chunk_due = self._playing and run.status == READY
        self._observe = observe or self._observe

    def _work(self) -> None:
        lower_thread_priority(TRAINING_NICENESS)
        chunk_started = 0.0  # paced speeds start the next chunk a number of frame intervals after this

        def due() -> float:
            return chunk_started + self._speed.frames * self._frame_seconds

        try:
            while not self._stopped.is_set():
                self._compile_ahead()
                # A run can become ready without a compilation of its own: another run of its
                # architecture compiled the functions they share.
                self._train_queued_step()
                # While playing, wait for a command only until the next chunk is due: a command
                # (Pause) is taken at once even in slow motion. Play waits for the compilation's end.
                ready = not self._needs_compilation()
                # The frame interval follows the browser: a wait is cut into short slices, so one that
                # shrinks while the worker waits (a tab shown again, a server less busy) counts at once.
                wait = min(max(0.0, due() - time.perf_counter()), PACE_CHECK_SECONDS) if self._playing and ready \
                    else None
                try:
                    command = self._commands.get(timeout=wait)
                except queue.Empty:
                    command = ()
                if command is None:
                    return
                if command:
                    self._apply(*command)
                    continue
                if time.perf_counter() < due():
                    continue  # not due yet: the slice ended first
                if time.monotonic() - self._last_read > self._unwatched_pause_seconds:
                    self._playing = False
                    self._publish(message=f"Paused: no page showed this run for {self._unwatched_pause_seconds:g} s "
                                          "(its tab was closed or hidden). Press Play to go on.")
                    continue
                started, speed = time.perf_counter(), self._speed
                paced = speed.frames * self._frame_seconds
                if speed.one_update and isinstance(self._run, SlowMotion):
                    self._train_chunk(1, by_update=True, paced_seconds=paced)
                else:
                    self._train_chunk(speed.epochs or self._adaptive_epochs, paced_seconds=paced)
                # Play's own snapshot came just before this chunk: the first epochs it trained are
                # shown at once rather than one frame interval later.
                first_chunk, self._first_chunk_due = self._first_chunk_due, False
                if first_chunk or not self._playing or (
                    self._snapshot_read and time.perf_counter() - self._last_observed >= self._frame_seconds / 2
                ):
                    self._publish()
                chunk_started = started
        finally:
            # A stopped trainer can outlive its worker (a session Streamlit keeps for a while after
            # its tab closed); its run need not: freed, it gives its model back to the pool.
            del self._run, self._observe

    # --------------------------------------------------------- compiling ahead
    def _needs_compilation(self) -> bool:
        """Whether the current run's training function is still to be compiled (and can be)."""
        return (isinstance(self._run, Compilable) and not self._run.compiled and self._run.status == READY
                and not self._compile_failed)

    def _compile_ahead(self) -> None:
        """Start compiling the current run beside the worker, so commands keep being answered.

        One compilation at a time: a run replaced while it compiled finishes first (XLA cannot
        be interrupted), then the current run starts.
        """
        if self._compile_thread is not None or not self._needs_compilation():
            return
        run = self._run
        self._compiling = True
        self._publish()
        self._compile_thread = threading.Thread(target=self._compile, args=(run,), name=COMPILER_NAME, daemon=True)
        self._compile_thread.start()

    def _compile(self, run: Compilable) -> None:
        """Compile ``run`` (on the compile thread), then tell the worker how it went."""
        lower_thread_priority(TRAINING_NICENESS)
        error: Exception | None = None
        try:
            self._executor.run(run.compile)
        except Exception as failure:  # told to the worker, which says what is wrong
            error = failure
        self._commands.put((Future(), self._compiled, (run, error)))
        if error is None and isinstance(run, SlowMotion):  # beside training now: slow motion's first frame
            with contextlib.suppress(Exception):  # a failure here shows when slow motion trains, and says why
                self._executor.run(run.prepare_updates)
                # The worker alone moves the run; a stopped trainer's queue must not keep it alive.
                # Nothing to publish: the run is as it was (and an unread snapshot costs no observation).
                self._commands.put((Future(), self._warm_updates, (weakref.ref(run),), False))

    def _warm_updates(self, run_reference: weakref.ref) -> None:
        """Run slow motion's update once and undo it (on the worker, between chunks)."""
        run = run_reference()
        if run is not None and run is self._run and isinstance(run, SlowMotion):
            with contextlib.suppress(Exception):  # as above: slow motion itself will say what is wrong
                self._executor.run(run.warm_updates)

    def _compiled(self, run: Compilable, error: Exception | None) -> None:
        self._compile_thread, self._compiling = None, False  # a run that replaced it starts next, if it needs to
        if run is not self._run:
            return
        if error is not None:
            self._playing = False
            self._compile_failed = True  # not again for this run: the chunk itself will say what is wrong
            self._drop_queued_step()
            raise RuntimeError(f"Could not compile the model: {error}")
        self._train_queued_step()

    def _train_queued_step(self) -> None:
        """Train a Step pressed while the run compiled, now that it is ready (before any snapshot says
        "compiled", so no page shows it missing)."""
        if self._queued_step is not None and not self._needs_compilation():
            self._train_chunk(1)
            self._publish()  # before the page that waits for the step looks
            self._drop_queued_step()

    def _apply(self, future: Future, function: Callable, args: tuple, publish: bool = True) -> None:
        """Run a command on the worker; then publish a snapshot, unless it changes nothing a page shows."""
        try:
            result = function(*args)
        except Exception as error:  # reported to the caller, never kills the worker
            self._playing = False
            self._publish(message=str(error), status=ERROR)
            future.set_exception(error)
            return
        if publish:
            self._publish()
        future.set_result(result)

    def _train_chunk(self, count: int, by_update: bool = False, paced_seconds: float = 0.0) -> None:
        """Train ``count`` epochs (or single updates) through the executor and track the speed.

        The speed shown is what the learner sees: at a paced speed a chunk counts as taking at
        least ``paced_seconds`` (its frames), not the few milliseconds it trained for.
        """
        started = time.perf_counter()
        run = self._run
        advance = run.advance_updates if by_update and isinstance(run, SlowMotion) else run.advance
        try:
            result, training_seconds = self._executor.run(lambda: timed(advance, count))
        except Exception as error:
            self._playing = False
            self._publish(message=f"Training failed: {error}", status=ERROR)
            return
        elapsed = time.perf_counter() - started
        if result.epochs and training_seconds > 0 and not by_update:
            # The speed shown includes waiting for a free slot (what this session gets); the
            # chunk size does not, or on a busy server chunks would shrink to single epochs
            # and per-chunk overhead would eat the cores.
            rate = result.epochs / max(elapsed, paced_seconds)
            self._epochs_per_second = rate if not self._epochs_per_second else 0.7 * self._epochs_per_second + 0.3 * rate
            self._adaptive_epochs = max(1, min(MAX_CHUNK_EPOCHS, int(result.epochs / training_seconds * self._chunk_seconds)))
        if result.status != READY:
            self._playing = False

    def _publish(self, message: str | None = None, status: Status | None = None) -> None:
        run = self._run
        started = time.thread_time()
        try:
            view = self._observe(run)
        except Exception as error:
            view, message, status = self._snapshot.view, f"Could not draw the model: {error}", ERROR
        self._observation_cpu.append(time.thread_time() - started)
        self._last_observed = time.perf_counter()
        self._snapshot_read = False
        self._snapshot = Snapshot(
            revision=next(self._revision),
            playing=self._playing,
            status=status or run.status,
            message=message if message is not None else run.message,
            epoch=run.epoch,
            history=downsample_history(run.history),
            latest={name: values[-1] for name, values in run.history.items() if values},
            view=view,
            epochs_per_second=self._epochs_per_second if self._playing or run.epoch else 0.0,
            update=run.update_in_epoch if isinstance(run, SlowMotion) else 0,
            updates_per_epoch=run.updates_per_epoch if isinstance(run, SlowMotion) else 0,
            compiling=self._compiling,
            compiled=(not isinstance(run, Compilable) or run.compiled) and self._queued_step is None,
            lineage=self._lineage,
        )
        if status is None and run.status == DIVERGED:
            self._playing = False


@atexit.register
def _stop_trainers_at_exit() -> None:
    """Stop every trainer and let its threads leave TensorFlow: a thread killed inside XLA aborts the process."""
    for trainer in list(Trainer._instances):
        trainer.stop()
    deadline = time.monotonic() + EXIT_WAIT_SECONDS
    for thread in threading.enumerate():
        if thread.name in (WORKER_NAME, COMPILER_NAME):
            thread.join(timeout=max(0.0, deadline - time.monotonic()))
