"""Models lent to runs by architecture: reuse is invisible in the numbers, and memory stops growing."""

import gc
import os
import threading
import weakref
from dataclasses import replace
from functools import partial

import keras
import numpy as np
import pytest
import tensorflow as tf
from tensorflow.python.eager import context

from engine.generative.point_gan import PointGanSettings
from engine.generative.point_gan import make_run as make_point_run
from engine.generative.targets import make_target
from engine.playground.settings import PlaygroundSettings
from engine.playground.task import make_run as make_playground_run
from engine.playground.task import prepare_data
from engine.rl.run import AgentRun
from engine.rl.settings import AgentSettings
from engine.training.optimizers import OptimizerConfig
from engine.training.pool import ModelPool, architecture_of, state_variables
from engine.training.run import TrainingRun
from engine.training.setup import ModelRecipe, RunSettings, TrainingData
from engine.training.shared import SharedFunction

RSS_GROWTH_BOUND_MB = 40  # for 12 runs; each traced its own functions before (~9 MB a run, ~110 MB)


def mlp(hidden: int, seed: int):
    """A small network with dropout (its seed generator is state too)."""
    initializer = keras.initializers.GlorotUniform(seed)
    return keras.Sequential([
        keras.Input((3,)),
        keras.layers.Dense(hidden, activation="tanh", kernel_initializer=initializer),
        keras.layers.Dropout(0.2, seed=seed),
        keras.layers.Dense(1, kernel_initializer=initializer),
    ])


def data(seed: int) -> TrainingData:
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(40, 3)).astype(np.float32)
    y = (np.sin(x).sum(axis=1, keepdims=True) + rng.normal(0, 0.1, size=(40, 1))).astype(np.float32)
    return TrainingData(x[:32], y[:32], x[32:], y[32:])


SETTINGS = RunSettings(optimizer=OptimizerConfig("adam", 0.01), batch_size=8)  # Adam: optimizer state to reset


def pooled_run(data_seed: int, seed: int = 1) -> TrainingRun:
    return TrainingRun(ModelRecipe(partial(mlp, 6), loss="mse"), data(data_seed), SETTINGS, seed=seed)


def private_run(data_seed: int, seed: int = 1) -> TrainingRun:
    return TrainingRun(ModelRecipe(lambda seed: mlp(6, seed), loss="mse"), data(data_seed), SETTINGS, seed=seed)


def test_a_run_trains_on_the_model_a_finished_run_left_exactly_as_on_a_fresh_one():
    first = pooled_run(data_seed=0)
    first.advance(4)
    first.update_settings(replace(SETTINGS, batch_size=4))  # a second set of traced functions in the kit
    first.advance(2)
    lent = weakref.ref(first.model)
    del first
    gc.collect()
    borrowed, fresh = pooled_run(data_seed=5), private_run(data_seed=5)
    assert borrowed.model is lent(), "the finished run's model was not reused"
    for run in (borrowed, fresh):
        run.advance(3)
        run.advance_updates(2)
    np.testing.assert_allclose(borrowed.history["loss"], fresh.history["loss"], rtol=1e-5)
    np.testing.assert_allclose(borrowed.history["val_loss"], fresh.history["val_loss"], rtol=1e-5)
    for ours, theirs in zip(borrowed.weights(), fresh.weights(), strict=True):
        np.testing.assert_allclose(ours, theirs, rtol=1e-5, atol=1e-6)
    x = data(9).x_val
    np.testing.assert_allclose(borrowed.predict(x), fresh.predict(x), rtol=1e-5, atol=1e-6)


def test_runs_alive_at_once_never_share_a_model():
    first, second = pooled_run(data_seed=0), pooled_run(data_seed=0)
    assert first.model is not second.model
    before = first.weights()
    second.advance(3)
    for now, then in zip(first.weights(), before, strict=True):
        np.testing.assert_array_equal(now, then)


def test_a_gan_lent_again_starts_from_its_own_seed_with_its_own_optimizers_new():
    target = make_target("ring", seed=0, num_points=256)
    settings = PointGanSettings(seed=3)
    first = make_point_run(settings, target)
    first.advance(3)
    expected = dict(first.history)
    lent = weakref.ref(first.model)
    del first
    gc.collect()
    again = make_point_run(settings, target)
    assert again.model is lent()
    again.advance(3)
    for name, values in expected.items():
        np.testing.assert_allclose(again.history[name], values, rtol=1e-5, err_msg=name)


@pytest.mark.parametrize("agent", ["dqn", "actor_critic"])
def test_a_deep_agent_lent_again_learns_exactly_as_a_new_one(agent):
    settings = AgentSettings(agent=agent, seed=4, hidden=(16,), batch_size=16, buffer_size=64, target_period=50)
    first = AgentRun(settings)
    train_episodes(first, 4)
    expected = {name: list(values) for name, values in first.history.items()}
    lent = weakref.ref(first.agent)
    del first
    gc.collect()
    again = AgentRun(settings)
    assert again.agent is lent()
    train_episodes(again, 4)
    assert np.isfinite(expected["loss"]).any(), "no update happened: the test would not see a stale optimizer"
    for name, values in expected.items():
        np.testing.assert_allclose(again.history[name], values, rtol=1e-5, err_msg=name)


def test_many_playground_runs_trace_nothing_new_and_memory_stays_within_a_bound():
    def session(index: int) -> None:  # a learner opens the lab with their own seed and noise, trains, leaves
        settings = replace(PlaygroundSettings(), seed=index, noise=0.1 * (index % 4))
        run = make_playground_run(settings, prepare_data(settings))
        run.advance(5)
        run.predict(run.data.x_val[:4])

    session(0)
    gc.collect()
    functions, rss = len(context.context().list_function_names()), resident_mb()
    for index in range(1, 13):
        session(index)
        gc.collect()
    assert len(context.context().list_function_names()) == functions
    assert resident_mb() - rss < RSS_GROWTH_BOUND_MB


def lab_runs(lab: str, digits) -> list[TrainingRun]:
    """A fresh setup of each lab that trains ``TrainingRun``s: its runs."""
    from engine.generative import autoencoder, dbn, image_gan, rbm
    from engine.vision import cnn_lab, transfer

    if lab == "playground":
        return [make_playground_run(PlaygroundSettings(), prepare_data(PlaygroundSettings()))]
    if lab == "cnn":
        return [cnn_lab.make_run(replace(cnn_lab.CnnLabSettings(), image_size=8), digits)]
    if lab == "autoencoder":
        return [autoencoder.make_run(autoencoder.AutoencoderSettings(), digits)]
    if lab == "image gan":
        return [image_gan.make_run(image_gan.ImageGanSettings(), digits)]
    if lab == "rbm":
        return [rbm.make_run(rbm.RbmSettings(), rbm.flatten(digits.x_train), rbm.flatten(digits.x_test))]
    if lab == "dbn":
        settings = dbn.DbnSettings(hidden=(16, 8), pretrain_epochs=1)
        return list(dbn.make_run(settings, dbn.labelled_task(digits, 2, seed=0),
                                        dbn.pretrain(digits, settings)).runs.values())
    settings = transfer.TransferSettings(pretrain_epochs=1)
    data = transfer.split_classes(digits, settings)
    return list(transfer.make_run(settings, data, transfer.pretrain(settings, data)).runs.values())


@pytest.mark.parametrize("lab", ["playground", "cnn", "autoencoder", "image gan", "rbm", "dbn", "transfer"])
def test_every_lab_s_next_setup_trains_on_the_models_its_last_one_left(lab, digits):
    runs = lab_runs(lab, digits)
    left = [weakref.ref(run.model) for run in runs]
    del runs
    gc.collect()
    again = {id(run.model) for run in lab_runs(lab, digits)}
    assert again == {id(model()) for model in left}


def test_only_a_partial_of_hashable_arguments_names_an_architecture():
    assert architecture_of(lambda seed: mlp(6, seed)) is None
    assert architecture_of(partial(mlp, [6])) is None  # a list could change after the fact
    assert architecture_of(partial(mlp, 6)) == architecture_of(partial(mlp, 6)) != architecture_of(partial(mlp, 7))


def test_the_pool_keeps_at_most_its_limit_of_idle_kits():
    class Owner:
        pass

    pool = ModelPool(max_idle=2)
    owners = [Owner() for _ in range(4)]
    for hidden, owner in enumerate(owners, start=1):
        pool.borrow_kit(owner, ("mlp", hidden), mlp(hidden, 0))
    assert pool.idle == 0
    del owners
    gc.collect()
    assert pool.idle == 2


def train_episodes(run: AgentRun, episodes: int) -> None:
    """Exactly ``episodes`` episodes (a chunk also ends after a tenth of a second, mid-episode)."""
    while run.epoch < episodes:
        run.advance(episodes - run.epoch)


def resident_mb() -> float:
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


def test_a_second_learner_trains_the_same_network_at_once_on_the_functions_the_first_compiled():
    def run_of_its_own_architecture(seed: int, learning_rate: float) -> TrainingRun:  # no other test uses 9 units
        settings = replace(SETTINGS, optimizer=OptimizerConfig("adam", learning_rate))
        return TrainingRun(ModelRecipe(partial(mlp, 9), loss="mse"), data(0), settings, seed=seed)

    def private_twin(seed: int, learning_rate: float) -> TrainingRun:  # functions of its own
        settings = replace(SETTINGS, optimizer=OptimizerConfig("adam", learning_rate))
        return TrainingRun(ModelRecipe(lambda seed: mlp(9, seed), loss="mse"), data(0), settings, seed=seed)

    first = run_of_its_own_architecture(seed=1, learning_rate=0.01)
    assert not first.compiled
    first.compile()
    second = run_of_its_own_architecture(seed=2, learning_rate=0.05)  # while the first still holds its model
    assert second.model is not first.model
    assert second.compiled, "the second learner's run waits for a compilation the server has made"
    steps = second._compiled_steps()  # noqa: SLF001
    assert steps is first._compiled_steps()  # noqa: SLF001
    twins = {1: private_twin(seed=1, learning_rate=0.01), 2: private_twin(seed=2, learning_rate=0.05)}
    runs = {1: first, 2: second}

    def train(run: TrainingRun) -> None:  # chunks and slow-motion updates, as a learner's page might
        for _ in range(3):
            run.advance(2)
            run.advance_updates(3)

    threads = [threading.Thread(target=train, args=(run,)) for run in runs.values()]  # both at once
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    for seed, twin in twins.items():
        train(twin)
        np.testing.assert_allclose(runs[seed].history["loss"], twin.history["loss"], rtol=1e-5)
        np.testing.assert_allclose(runs[seed].history["val_loss"], twin.history["val_loss"], rtol=1e-5)
        for ours, theirs in zip(runs[seed].weights(), twin.weights(), strict=True):
            np.testing.assert_allclose(ours, theirs, rtol=1e-5, atol=1e-6)
        x = data(9).x_val
        np.testing.assert_allclose(runs[seed].predict(x), twin.predict(x), rtol=1e-5, atol=1e-6)
    assert not np.allclose(first.weights()[0], second.weights()[0])  # each trained its own weights
    assert steps.chunk.tracing_count == 1 and steps.update.tracing_count == 1  # one trace served both


def test_a_shared_function_refuses_to_read_a_variable_it_is_not_passed():
    model, stray = mlp(4, seed=0), tf.Variable(2.0)
    leaky = SharedFunction(tf.function(lambda variables, x: model(x) * stray), state_variables(model))
    with pytest.raises(ValueError, match="reads 1 variable"):
        leaky(state_variables(model), tf.ones((2, 3)))
    honest = SharedFunction(tf.function(lambda variables, x: model(x)), state_variables(model))
    other = mlp(4, seed=1)
    np.testing.assert_allclose(honest(state_variables(other), tf.ones((2, 3))), other(tf.ones((2, 3))), rtol=1e-6)


