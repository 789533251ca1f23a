"""The live trainer: commands return once applied; snapshots show what happened."""

import threading
import time

import numpy as np
import pytest

from engine.training.executor import LocalExecutor
from engine.training.trainer import Trainer
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


def test_reset_restores_the_initial_weights(trainer):
    initial = trainer.snapshot().view.copy()
    trainer.step()
    assert not np.array_equal(trainer.snapshot().view, initial)
    trainer.reset()
    assert trainer.snapshot().epoch == 0
    np.testing.assert_array_equal(trainer.snapshot().view, initial)


def test_a_diverging_run_stops_playing_and_says_why():
    trainer = Trainer(make_run(learning_rate=10.0), observe=lambda run: None)
    try:
        trainer.play()
        assert wait_until(lambda: trainer.snapshot().status == "diverged")
        assert not trainer.snapshot().playing
        assert "Loss became NaN" in trainer.snapshot().message
    finally:
        trainer.stop()


def test_a_failing_command_reaches_the_caller_and_the_worker_survives(trainer):
    with pytest.raises(ZeroDivisionError):
        trainer.call(lambda run: 1 / 0)
    assert trainer.snapshot().status == "error"
    trainer.step()
    assert trainer.snapshot().epoch == 1


def test_stop_returns_at_once_and_refuses_later_commands(trainer):
    trainer.stop()
    with pytest.raises(RuntimeError, match="stopped"):
        trainer.step()


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
