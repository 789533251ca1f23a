"""The shared training run: chunks, pause/step/reset, live settings, divergence, caps."""

from dataclasses import replace

import keras
import numpy as np
import pytest
import tensorflow as tf

from engine.training.contract import DIVERGED, FINISHED, READY, STOPPED_EARLY
from engine.training.optimizers import OptimizerConfig
from engine.training.run import TrainingRun, loss_setback
from engine.training.setup import ModelRecipe, RunSettings, TrainingData


def linear_model(seed):
    return keras.Sequential([
        keras.Input((2,)), keras.layers.Dense(1, kernel_initializer=keras.initializers.GlorotUniform(seed), name="out"),
    ])


def regression_data(num_samples=64):
    rng = np.random.default_rng(0)
    x = rng.normal(size=(num_samples, 2)).astype(np.float32)
    y = (x @ np.array([[2.0], [-1.0]]) + 0.5).astype(np.float32)
    return TrainingData(x[:48], y[:48], x[48:], y[48:])


def make_run(learning_rate=0.05, **settings):
    options = dict(optimizer=OptimizerConfig("sgd", learning_rate), batch_size=8) | settings
    return TrainingRun(ModelRecipe(linear_model, loss="mse"), regression_data(), RunSettings(**options), seed=1)


def test_advance_records_keras_named_metrics_per_epoch_and_learns():
    run = make_run()
    result = run.advance(30)
    assert result.epochs == 30 and run.epoch == 30
    assert list(run.history) == ["loss", "val_loss"]
    assert all(len(values) == 30 for values in run.history.values())
    assert run.history["loss"][-1] < 0.01 < run.history["loss"][0]
    kernel, bias = run.weights()
    np.testing.assert_allclose(kernel[:, 0], [2.0, -1.0], atol=0.05)
    np.testing.assert_allclose(bias, [0.5], atol=0.05)


def test_one_full_batch_epoch_matches_a_gradient_tape_step():
    data = regression_data()
    run = TrainingRun(ModelRecipe(linear_model, loss="mse"), data,
                      RunSettings(optimizer=OptimizerConfig("sgd", 0.1), batch_size=48, shuffle=False), seed=1)
    reference = linear_model(1)
    with tf.GradientTape() as tape:
        loss = tf.reduce_mean(tf.square(reference(data.x_train) - data.y_train))
    gradients = tape.gradient(loss, reference.trainable_variables)
    expected = [variable.numpy() - 0.1 * gradient.numpy()
                for variable, gradient in zip(reference.trainable_variables, gradients, strict=True)]
    run.step()
    for actual, wanted in zip(run.weights(), expected, strict=True):
        np.testing.assert_allclose(actual, wanted, rtol=1e-5, atol=1e-6)
    assert run.history["loss"][0] == pytest.approx(float(loss), rel=1e-5)


def test_chunking_does_not_change_training():
    whole, stepped = make_run(), make_run()
    whole.advance(6)
    for _ in range(6):
        stepped.step()
    for a, b in zip(whole.weights(), stepped.weights(), strict=True):
        np.testing.assert_allclose(a, b, rtol=1e-6)
    np.testing.assert_allclose(whole.history["loss"], stepped.history["loss"], rtol=1e-6)


def test_one_update_at_a_time_trains_exactly_as_whole_epochs_do():
    whole, slow = make_run(), make_run()
    whole.advance(2)
    per_epoch = slow.updates_per_epoch
    assert per_epoch == 6  # 48 training examples in batches of 8
    slow.advance_updates(per_epoch - 1)
    assert slow.epoch == 0 and slow.update_in_epoch == per_epoch - 1
    assert slow.advance_updates(1).epochs == 1 and slow.epoch == 1 and slow.update_in_epoch == 0
    slow.advance_updates(2)
    assert slow.advance(1).epochs == 1 and slow.epoch == 2  # the epoch under way is finished first
    for a, b in zip(whole.weights(), slow.weights(), strict=True):
        np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-6)
    for name in whole.history:
        np.testing.assert_allclose(whole.history[name], slow.history[name], rtol=1e-5)
    slow.advance_updates(3)
    slow.reset()
    assert slow.epoch == 0 and slow.update_in_epoch == 0


def test_compiling_ahead_trains_nothing_and_the_first_chunk_reuses_it():
    run = make_run()
    weights = [weight.copy() for weight in run.weights()]
    assert not run.compiled
    run.compile()
    assert run.compiled and run.epoch == 0
    assert all(np.array_equal(a, b) for a, b in zip(weights, run.weights(), strict=True))
    compiled = run._compiled  # noqa: SLF001
    run.advance(2)
    assert run._compiled is compiled and run.epoch == 2  # noqa: SLF001
    run.update_settings(replace(run.settings, batch_size=16))
    assert not run.compiled  # new batches: compiled again before the next chunk


def test_preparing_slow_motion_traces_its_functions_once_and_trains_nothing():
    run = make_run()
    run.compile()
    weights = [weight.copy() for weight in run.weights()]
    run.prepare_updates()
    steps = run._compiled  # noqa: SLF001
    assert steps.update.tracing_count == 1 and steps.held_out.tracing_count == 1
    assert run.epoch == 0 and run.update_in_epoch == 0
    assert all(np.array_equal(a, b) for a, b in zip(weights, run.weights(), strict=True))
    run.advance_updates(run.updates_per_epoch)  # a whole epoch: updates, then the held-out scores
    assert run.epoch == 1
    assert steps.update.tracing_count == 1 and steps.held_out.tracing_count == 1


def test_warming_slow_motion_undoes_its_update_so_training_goes_on_as_if_it_never_ran():
    adam = OptimizerConfig("adam", 0.05)  # moment estimates and a step count: state an update moves
    warmed, twin = make_run(optimizer=adam), make_run(optimizer=adam)
    for run in (warmed, twin):
        run.advance(2)
    state = [variable.numpy().copy() for variable in [*warmed.model.variables, *warmed.optimizer.variables]]
    warmed.warm_updates()
    assert warmed._compiled.update_ran  # noqa: SLF001  (TensorFlow optimised its graph)
    assert warmed.epoch == 2 and warmed.update_in_epoch == 0
    after = [variable.numpy() for variable in [*warmed.model.variables, *warmed.optimizer.variables]]
    assert all(np.array_equal(a, b) for a, b in zip(state, after, strict=True))
    for run in (warmed, twin):
        run.advance_updates(3)
        run.advance(2)
    assert warmed.history == twin.history


def test_not_advancing_is_a_pause_and_reset_gives_the_initial_weights_again():
    run = make_run()
    initial = [weight.copy() for weight in run.weights()]
    run.advance(5)
    paused = [weight.copy() for weight in run.weights()]
    assert run.epoch == 5 and all((a == b).all() for a, b in zip(paused, run.weights(), strict=True))
    run.reset()
    assert run.epoch == 0 and run.history["loss"] == []
    for a, b in zip(initial, run.weights(), strict=True):
        np.testing.assert_array_equal(a, b)
    fresh = make_run()
    for a, b in zip(fresh.weights(), run.weights(), strict=True):
        np.testing.assert_array_equal(a, b)
    run.advance(5)  # and training after a reset repeats the first run exactly
    np.testing.assert_allclose(run.weights()[0], paused[0], rtol=1e-6)


def test_reset_with_a_new_seed_draws_new_initial_weights():
    run = make_run()
    before = run.weights()[0].copy()
    run.reset(seed=99)
    assert not np.array_equal(before, run.weights()[0])
    np.testing.assert_array_equal(run.weights()[0], linear_model(99).get_weights()[0])


def test_live_learning_rate_change_takes_effect_and_keeps_progress():
    run = make_run(learning_rate=0.05)
    run.advance(3)
    weights = [weight.copy() for weight in run.weights()]
    changes = run.update_settings(replace(run.settings, optimizer=OptimizerConfig("sgd", 1e-6)))
    assert changes == ["learning rate: 1e-06"]
    assert run.epoch == 3
    run.advance(3)
    for a, b in zip(weights, run.weights(), strict=True):
        np.testing.assert_allclose(a, b, atol=1e-4)  # tiny steps: almost no change
    run.update_settings(replace(run.settings, optimizer=OptimizerConfig("adam", 0.05)))
    run.advance(3)
    assert run.epoch == 9 and not np.allclose(weights[0], run.weights()[0], atol=1e-3)


def test_batch_size_and_shuffle_change_live():
    run = make_run()
    run.advance(2)
    assert run.update_settings(replace(run.settings, batch_size=48, shuffle=False)) == ["batching"]
    run.advance(2)
    assert run.epoch == 4


def test_nan_loss_stops_the_run_with_a_message_and_keeps_the_history():
    run = make_run(learning_rate=10.0)
    result = run.advance(200)
    assert result.status == DIVERGED and run.status == DIVERGED
    assert "Loss became NaN at epoch" in result.message and "try a lower learning rate" in result.message
    assert all(np.isfinite(run.history["loss"]))
    assert all(np.isfinite(weight).all() for weight in run.weights())
    assert run.advance(5).epochs == 0  # a diverged run does not train until reset
    run.reset()
    assert run.status == READY


def test_a_chunk_that_diverges_puts_every_variable_back_as_the_chunk_found_it():
    run = make_run(optimizer=OptimizerConfig("momentum", 0.05))  # velocities: optimizer state to put back too
    run.advance(3)
    run.update_settings(replace(run.settings, optimizer=OptimizerConfig("momentum", 10.0)))
    state = run._state_variables()  # noqa: SLF001  (the model's, its optimizer's)
    before = [variable.numpy() for variable in state]
    result = run.advance(200)
    assert result.status == DIVERGED and run.epoch < 203
    for variable, value in zip(state, before, strict=True):
        np.testing.assert_array_equal(variable.numpy(), value, err_msg=variable.path)


def test_a_slow_motion_update_that_diverges_is_undone():
    run = make_run(optimizer=OptimizerConfig("momentum", 10.0))
    state = run._state_variables()  # noqa: SLF001
    for _ in range(50):
        before = [variable.numpy() for variable in state]
        if run.advance_updates(1).status == DIVERGED:
            break
    assert run.status == DIVERGED and "That update was rolled back" in run.message
    for variable, value in zip(state, before, strict=True):
        np.testing.assert_array_equal(variable.numpy(), value, err_msg=variable.path)


def test_max_epochs_and_early_stopping_end_the_run():
    run = make_run(max_epochs=7)
    assert run.advance(100).epochs == 7
    assert run.status == FINISHED and run.epoch == 7
    stopping = make_run(learning_rate=0.2, early_stopping_patience=3)
    while stopping.epoch < 500 and stopping.advance(10).status != STOPPED_EARLY:
        pass  # checked between chunks, as the trainer advances
    assert stopping.status == STOPPED_EARLY and "has not improved for 3 epochs" in stopping.message
    assert stopping.epoch < 500


def test_early_stopping_watches_its_own_validation_split_never_the_test_set():
    data = regression_data()
    # A test set whose targets run against the training data: its loss only grows as the model learns.
    contrary = TrainingData(data.x_train[:40], data.y_train[:40], data.x_val, -data.y_val)
    by_test = TrainingRun(ModelRecipe(linear_model, loss="mse"), contrary,
                          RunSettings(optimizer=OptimizerConfig("sgd", 0.05), batch_size=8, early_stopping_patience=3))
    by_test.advance(60)
    assert by_test.status == STOPPED_EARLY and "val_loss" in by_test.message
    split = replace(contrary, x_stop=data.x_train[40:], y_stop=data.y_train[40:])
    run = TrainingRun(ModelRecipe(linear_model, loss="mse"), split,
                      RunSettings(optimizer=OptimizerConfig("sgd", 0.05), batch_size=8, early_stopping_patience=3))
    run.advance(200)
    # It learns on, until its own validation loss stops improving, while the test loss only grew.
    assert run.status == STOPPED_EARLY and "the validation loss" in run.message
    assert run.epoch > by_test.epoch + 5 and run.history["stop_loss"][-1] < 0.01
    assert run.history["val_loss"][-1] > run.history["val_loss"][0]
    expected = float(np.mean((run.predict(split.x_stop) - split.y_stop) ** 2))
    assert run.history["stop_loss"][-1] == pytest.approx(expected, rel=1e-4)
    with pytest.raises(ValueError, match="both x_stop and y_stop"):
        replace(contrary, x_stop=data.x_train[40:])


def test_caps_and_bad_data_are_refused_with_clear_messages(monkeypatch):
    import engine.training.run as run_module

    monkeypatch.setattr(run_module, "MAX_PARAMETERS", 2)
    with pytest.raises(ValueError, match="The model has 3 parameters. Expected at most 2"):
        make_run()
    x = np.zeros((4, 2), np.float32)
    with pytest.raises(ValueError, match="The training data contains NaN"):
        TrainingData(np.full((4, 2), np.nan, np.float32), np.zeros((4, 1)), x, np.zeros((4, 1)))
    with pytest.raises(ValueError, match="as many targets as inputs"):
        TrainingData(x, np.zeros((3, 1)), x, np.zeros((4, 1)))


class MeanMatcher(keras.Model):
    """A custom model: its train_step returns per-batch values, as the run's contract says."""

    def __init__(self):
        super().__init__()
        self.offset = self.add_weight(shape=(1,), initializer="zeros", name="offset")

    def call(self, inputs, training=False):
        return inputs + self.offset

    def train_step(self, data):
        x, y = data
        with tf.GradientTape() as tape:
            loss = tf.reduce_mean(tf.square(self(x) - y))
        self.optimizer.apply(tape.gradient(loss, [self.offset]), [self.offset])
        return {"loss": loss, "offset": self.offset[0]}

    def test_step(self, data):
        x, y = data
        return {"loss": tf.reduce_mean(tf.square(self(x) - y)), "offset": self.offset[0]}


def test_models_with_their_own_train_step_share_the_run():
    def build(seed):
        model = MeanMatcher()
        model.build((None, 1))
        return model

    x = np.zeros((16, 1), np.float32)
    run = TrainingRun(ModelRecipe(build), TrainingData(x, x + 3.0, x[:4], x[:4] + 3.0),
                      RunSettings(optimizer=OptimizerConfig("sgd", 0.1), batch_size=4), seed=0)
    run.advance(20)
    assert set(run.history) == {"loss", "offset", "val_loss", "val_offset"}
    assert run.history["offset"][-1] == pytest.approx(3.0, abs=0.01)
    assert run.history["loss"][0] > run.history["loss"][-1]


def test_a_learning_rate_raised_far_mid_run_is_not_met_with_silence():
    run = make_run()
    run.advance(30)
    run.update_settings(replace(run.settings, optimizer=OptimizerConfig("sgd", 10.0)))
    run.advance(3)
    assert run.status == DIVERGED or "jumped from" in run.message  # the learner is told either way
    if run.status != DIVERGED:
        assert "after the change at epoch 30 (learning rate: 10)" in run.message


def test_a_change_that_does_not_hurt_says_nothing_and_a_new_change_clears_an_old_note():
    run = make_run()
    run.advance(30)
    run.update_settings(replace(run.settings, optimizer=OptimizerConfig("sgd", 0.01)))
    run.advance(25)
    assert run.message == "" and run.status == READY
    run.message = "The training loss jumped from 1 to 9 after the change at epoch 30 (learning rate: 2)."
    run.update_settings(replace(run.settings, optimizer=OptimizerConfig("sgd", 0.05)))
    assert run.message == ""


@pytest.mark.parametrize("before, since, expected", [
    (0.01, [0.009, 0.02, 0.05], 0.05),  # five times worse
    (0.69, [0.7, 1.82], 1.82),  # a classifier knocked back past chance level
    (0.01, [0.012, 0.019], None),  # worse, but under twice: noise
    (1e-12, [5e-12], None),  # five times nothing is still nothing
    (0.01, [float("nan"), float("inf")], None),  # divergence is said elsewhere
    (0.01, [], None),
])
def test_a_setback_is_a_loss_more_than_twice_its_value_at_the_change(before, since, expected):
    assert loss_setback(before, since) == expected
