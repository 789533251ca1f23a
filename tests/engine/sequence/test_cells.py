"""Our step-by-step recurrent cells against Keras's own layers on the same weights."""

import keras
import numpy as np
import pytest

from engine.sequence.cells import (
    gru_steps,
    lstm_steps,
    sigmoid,
    simple_rnn_steps,
)

STEPS, FEATURES, UNITS = 7, 3, 5
KERAS_LAYERS = {"simple_rnn": keras.layers.SimpleRNN, "lstm": keras.layers.LSTM, "gru": keras.layers.GRU}
OUR_STEPS = {"simple_rnn": simple_rnn_steps, "lstm": lstm_steps, "gru": gru_steps}


def _layer(kind: str, seed: int) -> tuple[keras.layers.Layer, list[np.ndarray], np.ndarray]:
    """A Keras layer of ``kind`` returning every step's state, its (randomised) weights, and an input sequence."""
    rng = np.random.default_rng(seed)
    layer = KERAS_LAYERS[kind](UNITS, return_sequences=True, return_state=True)
    sequence = rng.normal(size=(1, STEPS, FEATURES)).astype(np.float32)
    layer(sequence)  # builds it
    weights = [rng.normal(scale=0.6, size=weight.shape).astype(np.float32) for weight in layer.get_weights()]
    layer.set_weights(weights)  # random biases too: Keras's zeros (and the forget gate's ones) would hide a swap
    return layer, weights, sequence


def _both(kind: str, seed: int):
    """Our unrolled trace and Keras's outputs (every step's state, then the last states), same weights and input."""
    layer, weights, sequence = _layer(kind, seed)
    outputs = [np.asarray(output)[0] for output in layer(sequence)]
    trace = OUR_STEPS[kind](sequence[0], *weights)
    return trace, outputs, weights, sequence[0]


def test_the_unrolled_simple_rnn_equals_keras_at_every_step():
    trace, (expected, last), (kernel, recurrent, bias), sequence = _both("simple_rnn", 0)
    np.testing.assert_allclose(trace.hidden, expected, atol=1e-5)
    np.testing.assert_allclose(trace.hidden[-1], last, atol=1e-5)
    # the same U at every step: each step's input term is that step's input times the one kernel
    np.testing.assert_allclose(trace.input_part[3], sequence[3] @ kernel + bias, atol=1e-5)
    np.testing.assert_allclose(trace.recurrent_part[0], 0.0)  # h_0 = 0
    np.testing.assert_allclose(trace.recurrent_part[4], trace.hidden[3] @ recurrent, atol=1e-6)


def test_the_unrolled_lstm_equals_keras_and_its_hidden_state_is_the_output_gate_times_tanh_of_the_cell():
    trace, (expected, _, last_cell), _, _ = _both("lstm", 1)
    np.testing.assert_allclose(trace.hidden, expected, atol=1e-5)
    np.testing.assert_allclose(trace.cell[-1], last_cell, atol=1e-5)
    np.testing.assert_allclose(trace.hidden, trace.output_gate * np.tanh(trace.cell), atol=1e-12)
    np.testing.assert_allclose(trace.cell[1:], trace.forget_gate[1:] * trace.cell[:-1]
                               + trace.input_gate[1:] * trace.candidate[1:], atol=1e-12)
    for gate in (trace.input_gate, trace.forget_gate, trace.output_gate):
        assert np.all((gate > 0) & (gate < 1))


def test_the_unrolled_gru_equals_keras_and_mixes_old_state_and_candidate_by_the_update_gate():
    trace, (expected, last), _, _ = _both("gru", 2)
    np.testing.assert_allclose(trace.hidden, expected, atol=1e-5)
    np.testing.assert_allclose(trace.hidden[-1], last, atol=1e-5)
    previous = np.vstack([np.zeros(UNITS), trace.hidden[:-1]])
    np.testing.assert_allclose(trace.hidden, trace.update_gate * previous + (1 - trace.update_gate) * trace.candidate,
                               atol=1e-12)


def test_an_initial_state_carries_on_where_an_earlier_run_stopped():
    _, (kernel, recurrent, bias), sequence = _layer("lstm", 3)
    whole = lstm_steps(sequence[0], kernel, recurrent, bias)
    first = lstm_steps(sequence[0, :4], kernel, recurrent, bias)
    rest = lstm_steps(sequence[0, 4:], kernel, recurrent, bias, initial_state=(first.hidden[-1], first.cell[-1]))
    np.testing.assert_allclose(np.vstack([first.hidden, rest.hidden]), whole.hidden, atol=1e-12)


def test_mismatched_weights_and_shapes_are_refused_in_words():
    kernel, recurrent, bias = np.zeros((3, 5)), np.zeros((5, 5)), np.zeros(5)
    with pytest.raises(ValueError, match=r"Expected kernel \(2, 5\)"):
        simple_rnn_steps(np.zeros((4, 2)), kernel, recurrent, bias)
    with pytest.raises(ValueError, match="time steps, features"):
        simple_rnn_steps(np.zeros(4), kernel, recurrent, bias)
    with pytest.raises(ValueError, match="Expected a GRU bias of shape"):
        gru_steps(np.zeros((4, 3)), np.zeros((3, 15)), np.zeros((5, 15)), np.zeros(15))
    assert simple_rnn_steps(np.zeros((0, 3)), kernel, recurrent, bias).hidden.shape == (0, 5)


def test_sigmoid_is_the_logistic_function_and_never_overflows():
    values = np.array([-1000.0, -3.0, 0.0, 2.5, 1000.0])
    with np.errstate(over="raise"):
        result = sigmoid(values)
    np.testing.assert_allclose(result[1:4], 1 / (1 + np.exp(-values[1:4])))
    assert result[0] == 0.0 and result[-1] == 1.0
