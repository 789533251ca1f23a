"""The live trainer: commands return once applied; snapshots show what happened."""

import gc
import os
import sys
import threading
import time
import weakref
from functools import partial

import numpy as np
import pytest

from engine.training.contract import DIVERGED, ERROR
from engine.training.executor import LocalExecutor
from engine.training.optimizers import OptimizerConfig
from engine.training.pacing import lower_thread_priority, redraw_interval
from engine.training.run import TrainingRun
from engine.training.setup import ModelRecipe, RunSettings
from engine.training.trainer import Trainer
from tests.engine.test_pool import SETTINGS, data, mlp
from tests.engine.test_run import make_run


def wait_until(condition, seconds=20.0):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.02)
    return False


@pytest.fixture
def trainer():
    trainer = Trainer(make_run(), observe=lambda run: run.weights()[0].copy(), frame_seconds=0.05)
    yield trainer
    trainer.stop()


def test_first_snapshot_is_ready_at_epoch_zero_with_a_view(trainer):
    snapshot = trainer.snapshot()
    assert snapshot.epoch == 0 and not snapshot.playing and snapshot.view.shape == (2, 1)


def test_step_trains_one_epoch_and_publishes_before_returning(trainer):
    trainer.step()
    assert trainer.snapshot().epoch == 1
    assert list(trainer.snapshot().latest) == ["loss", "val_loss"]


def test_a_frame_interval_that_shrinks_while_the_worker_waits_counts_at_once(trainer):
    trainer.set_speed("1 epoch per frame")
    trainer.play()
    assert wait_until(lambda: trainer.snapshot().epoch >= 1)
    trainer.set_frame_seconds(600.0)  # a browser back from a hidden tab: its first gap is long
    time.sleep(0.2)  # the worker now waits for the next chunk (at most MAX_FRAME_SECONDS away)
    trainer.set_frame_seconds(0.05)  # its next frames come quickly again
    reached = trainer.call(lambda run: run.epoch)
    assert wait_until(lambda: trainer.snapshot().epoch >= reached + 3, seconds=1.5), "the worker slept on"


def test_a_step_queued_while_another_run_compiles_the_shared_functions_trains():
    def run_of_its_own_architecture(seed: int) -> TrainingRun:  # no other test uses 17 units
        return TrainingRun(ModelRecipe(partial(mlp, 17), loss="mse"), data(0), SETTINGS, seed=seed)

    trainer = Trainer(run_of_its_own_architecture(seed=1), observe=lambda run: run.epoch)
    try:
        trainer.replace_run(run_of_its_own_architecture(seed=2))  # while the first compiles: it finishes first
        started = time.monotonic()
        trainer.step()  # queued until ready; the first run's compilation makes the second ready too
        assert trainer.snapshot().epoch == 1 and time.monotonic() - started < 30
    finally:
        trainer.stop()


def test_play_trains_in_the_background_and_pause_stops_it(trainer):
    trainer.set_speed("1 epoch per frame")
    trainer.play()
    assert trainer.snapshot().playing
    assert wait_until(lambda: trainer.snapshot().epoch >= 3)
    trainer.pause()
    stopped_at = trainer.call(lambda run: run.epoch)
    time.sleep(0.3)
    assert trainer.call(lambda run: run.epoch) == stopped_at
    assert not trainer.snapshot().playing and trainer.snapshot().epoch == stopped_at


def test_slow_motion_shows_one_update_at_a_time_and_step_finishes_the_epoch(trainer):
    trainer.set_speed("Slow motion")
    trainer.play()
    weights = trainer.snapshot().view.copy()
    assert wait_until(lambda: trainer.snapshot().update >= 1)
    trainer.pause()
    snapshot = trainer.snapshot()
    assert snapshot.epoch == 0 and 1 <= snapshot.update < snapshot.updates_per_epoch == 6
    assert not np.array_equal(snapshot.view, weights)  # each update is observed: the view moved
    trainer.step()
    assert trainer.snapshot().epoch == 1 and trainer.snapshot().update == 0


def test_reset_restores_the_initial_weights(trainer):
    initial = trainer.snapshot().view.copy()
    trainer.step()
    assert not np.array_equal(trainer.snapshot().view, initial)
    trainer.reset()
    assert trainer.snapshot().epoch == 0
    np.testing.assert_array_equal(trainer.snapshot().view, initial)


def test_the_lineage_names_the_weights_a_reset_or_a_new_run_replaces_and_training_keeps(trainer):
    first = trainer.snapshot().lineage
    trainer.step()
    assert trainer.snapshot().lineage == first  # the same run's weights, one epoch on
    trainer.reset()
    after_reset = trainer.snapshot().lineage
    assert after_reset != first and trainer.snapshot().epoch == 0  # epoch 0 again, but it is not the same past
    trainer.replace_run(make_run())
    assert trainer.snapshot().lineage not in (first, after_reset)
    other = Trainer(make_run(), observe=lambda run: None)
    try:
        assert other.snapshot().lineage != trainer.snapshot().lineage  # unique across trainers
    finally:
        other.stop()


def test_while_playing_it_observes_only_after_the_page_read_the_last_snapshot():
    observations = []
    trainer = Trainer(make_run(), observe=lambda run: observations.append(run.epoch), frame_seconds=0.01)
    try:
        trainer.set_speed("1 epoch per frame")
        trainer.play()  # publishes once when applied; nobody reads it
        assert wait_until(lambda: trainer.call(lambda run: run.epoch) >= 5)
        unread = len(observations)
        time.sleep(0.5)  # five more epochs, still unread: no observation work
        assert len(observations) == unread
        trainer.snapshot()
        assert wait_until(lambda: len(observations) > unread)
        assert trainer.snapshot().epoch > 5
        with pytest.raises(ValueError, match="positive"):
            trainer.set_frame_seconds(0)
    finally:
        trainer.stop()


def test_while_the_page_keeps_reading_it_observes_every_half_frame_or_later():
    """Half a frame apart, so a page redrawing every frame always finds a fresh snapshot."""
    observed_at = []
    trainer = Trainer(make_run(), observe=lambda run: observed_at.append(time.perf_counter()), frame_seconds=0.4)
    try:
        assert wait_until(lambda: trainer.call(lambda run: run.compiled))  # compiled ahead: not part of this
        observed_at.clear()
        trainer.set_speed("Full speed")  # chunks far faster than frames: only the throttle spaces observations
        trainer.play()
        deadline = time.perf_counter() + 2.5
        while time.perf_counter() < deadline:
            trainer.snapshot()
            time.sleep(0.01)
    finally:
        trainer.stop()
    gaps = np.diff(observed_at[2:])  # from the second observation after Play on
    assert len(gaps) >= 3
    assert gaps.min() >= 0.2
    assert gaps.min() < 0.4


class QueueingExecutor:
    """Runs each chunk after a wait, as if other sessions held every slot; records epochs per chunk that trained.

    (Compiling and preparing slow motion go through the executor too, and train nothing.)
    """

    def __init__(self, training_run, wait_seconds: float) -> None:
        self.training_run, self.wait_seconds, self.chunk_epochs = training_run, wait_seconds, []

    def run(self, work):
        time.sleep(self.wait_seconds)
        before = self.training_run.epoch
        result = work()
        if self.training_run.epoch > before:
            self.chunk_epochs.append(self.training_run.epoch - before)
        return result


def test_waiting_for_a_slot_does_not_shrink_chunks_but_shows_in_the_speed():
    run = make_run()
    executor = QueueingExecutor(run, wait_seconds=0.3)
    trainer = Trainer(run, observe=lambda run: None, executor=executor, chunk_seconds=0.05)
    try:
        trainer.play()
        assert wait_until(lambda: len(executor.chunk_epochs) >= 6)
        trainer.pause()
        speed = trainer.snapshot().epochs_per_second
    finally:
        trainer.stop()
    # An epoch takes milliseconds, so a 0.05 s chunk holds many; counting the 0.3 s wait as
    # training time would shrink every chunk to one epoch.
    assert min(executor.chunk_epochs[-3:]) > 3  # once the first chunks measured the speed
    assert speed < max(executor.chunk_epochs) / 0.3


def test_a_diverging_run_stops_playing_and_says_why():
    trainer = Trainer(make_run(learning_rate=10.0), observe=lambda run: None)
    try:
        trainer.play()
        assert wait_until(lambda: trainer.snapshot().status == DIVERGED)
        assert not trainer.snapshot().playing
        assert "Loss became NaN" in trainer.snapshot().message
    finally:
        trainer.stop()


def test_a_failing_command_reaches_the_caller_and_the_worker_survives(trainer):
    with pytest.raises(ZeroDivisionError):
        trainer.call(lambda run: 1 / 0)
    assert trainer.snapshot().status == ERROR
    trainer.step()
    assert trainer.snapshot().epoch == 1


def test_stop_returns_at_once_and_refuses_later_commands(trainer):
    trainer.stop()
    with pytest.raises(RuntimeError, match="stopped"):
        trainer.step()


def test_a_stopped_trainer_lets_go_of_its_run_while_it_is_still_referenced():
    run = make_run()
    trainer = Trainer(run, observe=lambda run: run.epoch)
    trainer.step()
    run_is_alive = weakref.ref(run)
    del run
    trainer.stop()  # the session that shows it may keep the trainer for minutes: the run must go now
    assert wait_until(lambda: gc.collect() is not None and run_is_alive() is None)
    assert trainer.snapshot().epoch == 1  # what the page last drew stays


def test_the_executor_never_runs_more_chunks_at_once_than_its_slots():
    executor = LocalExecutor(max_concurrent=2)
    peak, lock = [0], threading.Lock()

    def work():
        with lock:
            peak[0] = max(peak[0], executor.running)
        time.sleep(0.02)

    threads = [threading.Thread(target=executor.run, args=(work,)) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert peak[0] == 2
    with pytest.raises(ValueError, match="at least 1 concurrent chunk"):
        LocalExecutor(0)


def test_a_freed_slot_goes_to_the_longest_waiting_chunk():
    """A trainer that frees its slot and asks again at once must not starve the others."""
    executor = LocalExecutor(max_concurrent=1)
    chunks_done, newcomer_ran_after = [0], []

    def busy_trainer():
        for _ in range(300):
            executor.run(lambda: time.sleep(0.001))
            chunks_done[0] += 1

    busy = threading.Thread(target=busy_trainer)
    busy.start()
    assert wait_until(lambda: chunks_done[0] >= 10)
    newcomer = threading.Thread(target=executor.run, args=(lambda: newcomer_ran_after.append(chunks_done[0]),))
    asked_after = chunks_done[0]
    newcomer.start()
    newcomer.join()
    busy.join()
    assert newcomer_ran_after[0] - asked_after <= 2
    assert executor.running == 0 and executor.waiting == 0


def test_a_paced_speed_trains_its_epochs_once_per_frame_and_pause_still_answers_at_once():
    trainer = Trainer(make_run(), observe=lambda run: None, frame_seconds=1.0)
    try:
        trainer.set_speed("10 epochs per frame")
        trainer.play()
        started = time.perf_counter()
        assert wait_until(lambda: trainer.snapshot().epoch >= 20)
        assert time.perf_counter() - started >= 0.95  # the second chunk of 10 waited for the next frame
        before = time.perf_counter()
        trainer.pause()  # taken at once, not when the next chunk is due a frame later
        assert time.perf_counter() - before < 0.5
    finally:
        trainer.stop()


class GatedExecutor:
    """Runs each chunk once ``gate`` opens, so a test can look at the trainer while it waits."""

    def __init__(self) -> None:
        self.gate = threading.Event()

    def run(self, work):
        self.gate.wait(30)
        return work()


def test_the_worker_compiles_ahead_says_so_and_queues_a_play_meanwhile():
    executor = GatedExecutor()
    started = time.perf_counter()
    trainer = Trainer(make_run(), observe=lambda run: run.epoch, executor=executor, frame_seconds=0.05)
    try:
        assert time.perf_counter() - started < 10  # a new trainer never waits for its compilation
        assert wait_until(lambda: trainer.snapshot().compiling)  # compiling before anyone pressed Play
        before = time.perf_counter()
        trainer.play()  # answered at once: the worker is free while the model compiles
        assert time.perf_counter() - before < 2  # not held up by the gated compilation
        assert trainer.snapshot().playing and trainer.snapshot().epoch == 0  # playing from the compilation's end
        executor.gate.set()
        assert wait_until(lambda: trainer.snapshot().epoch >= 3)
        assert not trainer.snapshot().compiling and trainer.call(lambda run: run.compiled)
    finally:
        trainer.stop()


def test_after_compiling_ahead_slow_motion_is_traced_beside_training():
    trainer = Trainer(make_run(), observe=lambda run: run.epoch, frame_seconds=0.05)
    try:
        steps = trainer.call(lambda run: run._compiled_steps())  # noqa: SLF001
        assert wait_until(lambda: steps.update.tracing_count == 1
                          and steps.held_out.tracing_count == 1)
        assert trainer.snapshot().epoch == 0  # traced, nothing trained
        trainer.set_speed("Slow motion")
        trainer.play()
        assert wait_until(lambda: trainer.snapshot().epoch >= 1)
        assert steps.update.tracing_count == 1  # the first slow-motion frame used that trace
    finally:
        trainer.stop()


def test_commands_are_answered_while_a_run_compiles_and_the_newest_run_compiles_next():
    # A learner changing two settings in a row must not wait for the first model's compilation.
    executor = GatedExecutor()
    trainer = Trainer(make_run(), observe=lambda run: run.epoch, executor=executor, frame_seconds=0.05)
    try:
        assert wait_until(lambda: trainer.snapshot().compiling)
        replacement = make_run()
        before = time.perf_counter()
        trainer.update(RunSettings(optimizer=OptimizerConfig("sgd", 0.02), batch_size=8))
        trainer.replace_run(replacement)
        trainer.reset()
        assert time.perf_counter() - before < 2  # nothing waited for the gated compilation
        stepping = threading.Thread(target=trainer.step)  # Step waits for its epoch, the worker does not
        stepping.start()
        assert wait_until(lambda: trainer.snapshot().revision > 0)
        assert trainer.call(lambda run: run.epoch) == 0 and stepping.is_alive()
        executor.gate.set()
        stepping.join(timeout=30)
        assert not stepping.is_alive() and trainer.snapshot().epoch == 1  # the step, once compiled
        assert replacement.compiled and not trainer.snapshot().compiling and not trainer.snapshot().playing
    finally:
        trainer.stop()


def test_a_run_replaced_while_playing_plays_on_from_its_own_first_epoch(trainer):
    # Play pressed just before the page took in a new setting is meant for the new run.
    trainer.set_speed("1 epoch per frame")
    trainer.play()
    assert wait_until(lambda: trainer.snapshot().epoch >= 2)
    replacement = make_run()
    trainer.replace_run(replacement)
    assert trainer.snapshot().playing
    assert wait_until(lambda: trainer.call(lambda run: run is replacement and run.epoch >= 2))
    trainer.pause()
    trainer.replace_run(make_run())  # a paused trainer stays paused
    time.sleep(0.3)
    assert not trainer.snapshot().playing and trainer.snapshot().epoch == 0


def test_playing_count_follows_play_and_pause(trainer):
    before = Trainer.playing_count()
    trainer.set_speed("Slow motion")
    trainer.play()
    assert Trainer.playing_count() == before + 1
    trainer.pause()
    assert Trainer.playing_count() == before


@pytest.mark.parametrize(
    ("playing", "cores", "expected"),
    [(0, 2, 0.25), (2, 2, 0.25), (3, 2, 0.5), (4, 2, 0.5), (8, 2, 1.0), (30, 2, 4.0), (5, 1, 2.0)],
)
def test_redraws_slow_down_by_powers_of_two_once_sessions_outnumber_cores(playing, cores, expected):
    assert redraw_interval(0.25, playing, cores) == expected


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="per-thread priorities are Linux's")
def test_lower_thread_priority_touches_only_the_calling_thread():
    main_before = os.getpriority(os.PRIO_PROCESS, threading.get_native_id())
    seen = {}

    def worker():
        thread_id = threading.get_native_id()
        seen["before"] = os.getpriority(os.PRIO_PROCESS, thread_id)
        seen["lowered"] = lower_thread_priority(5)
        seen["after"] = os.getpriority(os.PRIO_PROCESS, thread_id)

    thread = threading.Thread(target=worker)
    thread.start()
    thread.join()
    if seen["lowered"]:
        assert seen["after"] == min(19, seen["before"] + 5)
    assert os.getpriority(os.PRIO_PROCESS, threading.get_native_id()) == main_before
    assert lower_thread_priority(0) is False


def test_a_run_nobody_watches_pauses_itself_and_one_that_is_watched_keeps_training():
    watched, unwatched = (Trainer(make_run(), observe=lambda run: None, frame_seconds=0.05,
                                  unwatched_pause_seconds=1.0) for _ in range(2))
    try:
        for trainer in (watched, unwatched):
            trainer.set_speed("1 epoch per frame")
            trainer.play()
        deadline = time.monotonic() + 4.0
        while time.monotonic() < deadline:  # a page redrawing: only one of the two is read
            assert watched.snapshot().playing
            time.sleep(0.1)
        assert not unwatched.playing  # read without counting as a look
        snapshot = unwatched.snapshot()
        assert not snapshot.playing and "no page showed this run" in snapshot.message
        epoch = unwatched.call(lambda run: run.epoch)
        time.sleep(0.3)
        assert unwatched.call(lambda run: run.epoch) == epoch  # the cores are free again
        unwatched.play()  # Play goes on from there
        assert wait_until(lambda: unwatched.snapshot().epoch > epoch)
    finally:
        watched.stop()
        unwatched.stop()


def test_play_pressed_after_a_long_look_at_the_page_trains():
    # Nobody read the snapshot since the page opened (a learner reading the lesson): the Play
    # command itself says a page shows the run, so the trainer must not pause it as unwatched.
    trainer = Trainer(make_run(), observe=lambda run: None, frame_seconds=0.05, unwatched_pause_seconds=0.3)
    try:
        trainer.set_speed("1 epoch per frame")
        time.sleep(0.6)
        trainer.play()
        time.sleep(0.2)  # still within the unwatched limit of the Play, with no read in between
        snapshot = trainer.snapshot()
        assert snapshot.playing and not snapshot.message
        assert wait_until(lambda: trainer.snapshot().epoch >= 2)
    finally:
        trainer.stop()


def test_the_first_epoch_after_play_is_shown_at_once_whatever_the_frame_interval():
    # A paced speed trains a chunk per frame. The snapshot that says "playing" is published just
    # before the first chunk; the epoch that chunk trained must not wait a frame for the next one.
    trainer = Trainer(make_run(), observe=lambda run: run.epoch, frame_seconds=8.0)
    try:
        trainer.set_speed("1 epoch per frame")
        assert wait_until(lambda: trainer.snapshot().compiled)
        trainer.play()
        assert wait_until(lambda: trainer.snapshot().view == 1, seconds=6.0)  # the next frame is 8 s away
        assert trainer.snapshot().playing
    finally:
        trainer.stop()


def test_the_cpu_an_observation_costs_is_measured_on_the_worker():
    spent = 0.02

    def observe(run):  # burns at least ``spent`` seconds of this thread's CPU
        started = time.thread_time()
        while time.thread_time() - started < spent:
            pass
        return run.epoch

    trainer = Trainer(make_run(), observe)
    try:
        trainer.step()
        assert trainer.observation_cpu_seconds >= spent
    finally:
        trainer.stop()
