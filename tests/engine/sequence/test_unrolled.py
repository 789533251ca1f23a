"""Recurrence unrolled: the tasks' targets by hand, our steps against Keras's SimpleRNN, training, links."""

import dataclasses

import numpy as np
import pytest

from engine.sequence.unrolled import (
    UnrolledObserver,
    UnrolledSettings,
    from_query_params,
    make_run,
    task_data,
    to_query_params,
    unrolled_view,
)


def test_each_task_asks_for_what_it_says():
    echo = task_data(UnrolledSettings(task="echo", lag=2, length=6))
    np.testing.assert_array_equal(echo.y_train[:, 2:], echo.x_train[:, :-2])
    np.testing.assert_array_equal(echo.y_train[:, :2], 0)
    running = task_data(UnrolledSettings(task="running_sum", length=9))
    np.testing.assert_allclose(running.y_val, np.cumsum(running.x_val, axis=1) / 3, atol=1e-6)
    sign = task_data(UnrolledSettings(task="sign"))
    np.testing.assert_array_equal(sign.y_train, np.where(np.cumsum(sign.x_train, axis=1) > 0, 1, -1))
    assert echo.x_train.shape == (1000, 6, 1) and echo.x_val.shape == (200, 6, 1)


def test_our_steps_are_keras_simple_rnn_and_every_step_uses_the_same_weights():
    run = make_run(UnrolledSettings(units=5))
    run.advance(2)
    view = UnrolledObserver(example=7)(run)
    (keras_states, keras_outputs) = run.layer_outputs(run.data.x_val[7:8], ("rnn",), with_output=True)
    np.testing.assert_allclose(view.trace.hidden, keras_states[0], rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(view.outputs, keras_outputs[0, :, 0], rtol=1e-5, atol=1e-6)
    assert view.U.shape == (1, 5) and view.W.shape == (5, 5) and view.V.shape == (5, 1)
    # Step t by hand from step t−1, with the one U, W, b: the unrolled network shares its weights.
    for step in range(1, 8):
        expected = np.tanh(view.inputs[step] * view.U[0] + view.trace.hidden[step - 1] @ view.W + view.b)
        np.testing.assert_allclose(view.trace.hidden[step], expected, atol=1e-6)


def test_training_learns_the_running_sum():
    run = make_run(UnrolledSettings())
    run.advance(1)
    first = run.history["val_loss"][0]
    run.advance(30)
    assert run.history["val_loss"][-1] < 0.2 * first


def test_impossible_setups_are_explained():
    with pytest.raises(ValueError, match="An echo 5 steps back needs sequences longer than 5 steps"):
        UnrolledSettings(task="echo", lag=5, length=5)
    run = make_run(UnrolledSettings())
    with pytest.raises(ValueError, match="Expected an example from 0 to 199"):
        unrolled_view(run, 200)


def test_links_round_trip_and_bad_values_are_clamped():
    settings = dataclasses.replace(UnrolledSettings(), task="echo", length=12, lag=3, units=7, example=9, seed=2)
    assert from_query_params(to_query_params(settings)) == (settings, [])
    restored, warnings = from_query_params({"units": "99", "task": "sort"})
    assert restored.units == 16 and restored.task == "running_sum" and len(warnings) == 2
    repaired, warnings = from_query_params({"task": "echo", "lag": "9", "length": "6"})
    assert (repaired.lag, repaired.length) == (5, 6) and "using 5" in warnings[0]
