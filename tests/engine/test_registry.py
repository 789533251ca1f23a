"""RunRegistry: runs outlive a connection, are never shared with a second live session, and are freed when abandoned."""

import threading
import time

import numpy as np
import pytest

from engine.training.executor import process_wide
from engine.training.registry import RunRegistry, default_registry
from engine.training.run import TrainingRun
from engine.training.setup import ModelRecipe, RunSettings, TrainingData
from engine.training.trainer import Trainer


class Clock:
    """A clock the test moves by hand."""

    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def tiny_trainer() -> Trainer:
    import keras

    def build(seed):
        inputs = keras.Input((2,))
        return keras.Model(inputs, keras.layers.Dense(1, kernel_initializer=keras.initializers.GlorotUniform(seed))(inputs))

    x = np.random.default_rng(0).normal(size=(32, 2)).astype(np.float32)
    data = TrainingData(x, x[:, :1], x[:0], x[:0, :1])
    return Trainer(TrainingRun(ModelRecipe(build, loss="mse"), data, RunSettings(batch_size=8)), lambda run: None)


def test_a_new_browser_gets_an_unguessable_id_and_its_own_empty_set():
    registry = RunRegistry()
    first_id, first = registry.attach(None, "session-a")
    second_id, second = registry.attach(None, "session-b")
    assert first_id != second_id and len(first_id) == 22 and first is not second
    assert first.trainers == {} and len(registry) == 2


def test_the_owner_gets_its_runs_back_after_a_reconnect_or_a_reload():
    registry = RunRegistry()
    run_id, runs = registry.attach(None, "session-a")
    assert registry.attach(run_id, "session-a") == (run_id, runs)  # the same session, reconnected
    registry.detach(run_id, "session-a")
    assert registry.attach(run_id, "session-b") == (run_id, runs)  # a reload: a new session, the old one gone
    assert runs.owner == "session-b" and runs.detached_at is None


def test_a_url_opened_in_a_second_live_session_starts_fresh_runs():
    registry = RunRegistry()
    run_id, runs = registry.attach(None, "teacher")
    other_id, other = registry.attach(run_id, "student")
    assert other_id != run_id and other is not runs and runs.owner == "teacher"
    # ... unless the owner's connection is known to be gone (a reload that beats the goodbye)
    assert registry.attach(run_id, "student", is_connected=lambda session: False) == (run_id, runs)


@pytest.mark.parametrize("bad_id", ["", "short", "x" * 200, "../../etc", "A" * 21 + "!"])
def test_malformed_ids_get_a_new_set(bad_id):
    registry = RunRegistry()
    run_id, _ = registry.attach(bad_id, "session-a")
    assert run_id != bad_id and len(registry) == 1


def test_a_detached_set_is_kept_for_its_owner_then_freed():
    clock = Clock()
    registry = RunRegistry(free_after=900, clock=clock)
    run_id, runs = registry.attach(None, "session-a")
    trainer = runs.trainers["lab"] = tiny_trainer()
    registry.detach(run_id, "session-b")  # not the owner: ignored
    clock.now = 1000
    registry.reap()
    assert not trainer.stopped and len(registry) == 1
    registry.detach(run_id, "session-a")
    clock.now += 899
    registry.reap()
    assert not trainer.stopped and registry.attach(run_id, "session-c")[1].trainers["lab"] is trainer  # a reload
    registry.detach(run_id, "session-c")
    clock.now += 900
    registry.reap()
    assert trainer.stopped and len(registry) == 0
    assert registry.attach(run_id, "session-c")[0] != run_id  # gone: a fresh set


def test_a_full_server_frees_the_set_detached_longest_and_never_a_connected_one():
    clock = Clock()
    registry = RunRegistry(clock=clock)
    sets = {owner: registry.attach(None, owner) for owner in ("left-first", "left-later", "still-here")}
    trainers = {owner: runs.trainers.setdefault("lab", tiny_trainer()) for owner, (_, runs) in sets.items()}
    clock.now = 10.0
    registry.detach(sets["left-first"][0], "left-first")
    clock.now = 20.0
    registry.detach(sets["left-later"][0], "left-later")
    assert registry.free_oldest_detached()
    assert trainers["left-first"].stopped and not trainers["left-later"].stopped
    assert registry.free_oldest_detached() and trainers["left-later"].stopped
    assert not registry.free_oldest_detached()  # only a connected set is left: it stays
    assert not trainers["still-here"].stopped and len(registry) == 1
    registry.stop_all()


def test_stop_all_stops_every_trainer():
    registry = RunRegistry()
    _, runs = registry.attach(None, "session-a")
    trainer = runs.trainers["lab"] = tiny_trainer()
    registry.stop_all()
    assert trainer.stopped and len(registry) == 0


def test_process_wide_objects_are_made_once_even_by_racing_first_callers():
    made = []

    @process_wide
    def make() -> object:
        """One object for the process."""
        time.sleep(0.01)  # widen the window in which a second first caller could slip in
        made.append(object())
        return made[-1]

    results = []
    threads = [threading.Thread(target=lambda: results.append(make())) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(made) == 1 and all(result is made[0] for result in results)
    assert make.__doc__ == "One object for the process."
    assert default_registry() is default_registry()
