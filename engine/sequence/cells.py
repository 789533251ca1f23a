"""Recurrent cells worked step by step: SimpleRNN, LSTM and GRU, unrolled over a sequence in NumPy.

Keras runs a recurrent layer as one fused op; the sequence labs *show* what happens at each
time step, so they compute it again here, with every gate kept: the hidden state of a
SimpleRNN, the LSTM's input, forget and output gates, its candidate and its cell state, the
GRU's update and reset gates and its candidate. Tests hold these numbers equal to Keras's
own layers on the same weights.

The weights are Keras's, in Keras's layout, so a trained layer's ``get_weights()`` goes in
as it comes out:

- SimpleRNN: ``kernel`` (inputs, units), the input weights U; ``recurrent_kernel`` (units,
  units), the recurrent weights W; ``bias`` (units,). h_t = tanh(x_t·U + h_{t-1}·W + b).
- LSTM: the same three, with four blocks side by side in the order input gate i, forget gate
  f, candidate c̃, output gate o (4·units columns). C_t = f ⊙ C_{t-1} + i ⊙ c̃ and
  h_t = o ⊙ tanh(C_t): the output gate scales the squashed *cell state*, not the candidate.
- GRU (Keras's default ``reset_after=True``): three blocks, update gate z, reset gate r,
  candidate h̃ (3·units columns); ``bias`` is (2, 3·units): one row added to the input
  part, one to the recurrent part. h̃ = tanh(x·W_h + b_h + r ⊙ (h_{t-1}·U_h + b'_h)) and
  h_t = z ⊙ h_{t-1} + (1 − z) ⊙ h̃.

Sequences are (time steps, features); every trace is (time steps, units) per quantity. How many
weights each kind has is the layer registry's (``engine.models.layers.weight_counts``).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


def sigmoid(values: np.ndarray) -> np.ndarray:
    """The logistic function 1 / (1 + e^-x), without overflow for large negative inputs."""
    return np.exp(-np.logaddexp(0.0, -values))


@dataclass(frozen=True)
class RnnTrace:
    """A SimpleRNN unrolled: the hidden state after every step, and what went into it."""

    input_part: np.ndarray  # x_t·U + b, per step
    recurrent_part: np.ndarray  # h_{t-1}·W, per step
    hidden: np.ndarray  # h_t


@dataclass(frozen=True)
class LstmTrace:
    """An LSTM unrolled: its gates (each between 0 and 1), candidate, cell and hidden state per step."""

    input_gate: np.ndarray
    forget_gate: np.ndarray
    candidate: np.ndarray
    output_gate: np.ndarray
    cell: np.ndarray
    hidden: np.ndarray


@dataclass(frozen=True)
class GruTrace:
    """A GRU unrolled: its update and reset gates, candidate and hidden state per step."""

    update_gate: np.ndarray
    reset_gate: np.ndarray
    candidate: np.ndarray
    hidden: np.ndarray


def _checked(inputs: np.ndarray, kernel: np.ndarray, recurrent_kernel: np.ndarray, blocks: int,
             initial: np.ndarray | None) -> tuple[np.ndarray, np.ndarray]:
    """The inputs as float64 (time steps, features) and the first hidden state; ``ValueError`` on a mismatch."""
    inputs = np.asarray(inputs, np.float64)
    if inputs.ndim != 2:
        raise ValueError(f"Expected a sequence of shape (time steps, features). Received: shape {inputs.shape}.")
    units = recurrent_kernel.shape[0]
    if kernel.shape != (inputs.shape[1], blocks * units) or recurrent_kernel.shape != (units, blocks * units):
        raise ValueError(
            f"Expected kernel ({inputs.shape[1]}, {blocks * units}) and recurrent kernel ({units}, {blocks * units}) "
            f"for {inputs.shape[1]} features and {units} units. Received: {kernel.shape} and {recurrent_kernel.shape}.")
    start = np.zeros(units) if initial is None else np.asarray(initial, np.float64)
    if start.shape != (units,):
        raise ValueError(f"Expected an initial state of {units} values. Received: shape {start.shape}.")
    return inputs, start


def simple_rnn_steps(inputs: np.ndarray, kernel: np.ndarray, recurrent_kernel: np.ndarray, bias: np.ndarray,
                     initial_state: np.ndarray | None = None) -> RnnTrace:
    """A SimpleRNN (tanh) over ``inputs``, one step at a time: h_t = tanh(x_t·U + h_{t-1}·W + b)."""
    inputs, hidden = _checked(inputs, kernel, recurrent_kernel, 1, initial_state)
    input_part = inputs @ kernel + bias  # every step's input term at once: U is the same at every step
    recurrent_parts, states = [], []
    for step in range(len(inputs)):
        recurrent_parts.append(hidden @ recurrent_kernel)
        hidden = np.tanh(input_part[step] + recurrent_parts[-1])
        states.append(hidden)
    return RnnTrace(input_part, _stacked(recurrent_parts, hidden), _stacked(states, hidden))


def lstm_steps(inputs: np.ndarray, kernel: np.ndarray, recurrent_kernel: np.ndarray, bias: np.ndarray,
               initial_state: tuple[np.ndarray, np.ndarray] | None = None) -> LstmTrace:
    """An LSTM over ``inputs``, one step at a time, every gate kept (``initial_state`` is (h, C))."""
    hidden_start, cell_start = (None, None) if initial_state is None else initial_state
    inputs, hidden = _checked(inputs, kernel, recurrent_kernel, 4, hidden_start)
    cell = np.zeros_like(hidden) if cell_start is None else np.asarray(cell_start, np.float64)
    input_part = inputs @ kernel + bias
    quantities: dict[str, list[np.ndarray]] = {name: [] for name in ("i", "f", "c", "o", "cell", "hidden")}
    for step in range(len(inputs)):
        i, f, c, o = np.split(input_part[step] + hidden @ recurrent_kernel, 4)
        i, f, c, o = sigmoid(i), sigmoid(f), np.tanh(c), sigmoid(o)
        cell = f * cell + i * c
        hidden = o * np.tanh(cell)
        for name, value in zip(quantities, (i, f, c, o, cell, hidden), strict=True):
            quantities[name].append(value)
    i, f, c, o, cells, states = (_stacked(values, hidden) for values in quantities.values())
    return LstmTrace(i, f, c, o, cells, states)


def gru_steps(inputs: np.ndarray, kernel: np.ndarray, recurrent_kernel: np.ndarray, bias: np.ndarray,
              initial_state: np.ndarray | None = None) -> GruTrace:
    """A GRU (``reset_after=True``, Keras's default) over ``inputs``, one step at a time, every gate kept."""
    inputs, hidden = _checked(inputs, kernel, recurrent_kernel, 3, initial_state)
    bias = np.asarray(bias, np.float64)
    if bias.shape != (2, kernel.shape[1]):
        raise ValueError(f"Expected a GRU bias of shape (2, {kernel.shape[1]}) (reset_after=True). "
                         f"Received: shape {bias.shape}.")
    input_part = inputs @ kernel + bias[0]
    quantities: dict[str, list[np.ndarray]] = {name: [] for name in ("z", "r", "candidate", "hidden")}
    for step in range(len(inputs)):
        x_z, x_r, x_h = np.split(input_part[step], 3)
        h_z, h_r, h_h = np.split(hidden @ recurrent_kernel + bias[1], 3)
        z, r = sigmoid(x_z + h_z), sigmoid(x_r + h_r)
        candidate = np.tanh(x_h + r * h_h)
        hidden = z * hidden + (1.0 - z) * candidate
        for name, value in zip(quantities, (z, r, candidate, hidden), strict=True):
            quantities[name].append(value)
    z, r, candidates, states = (_stacked(values, hidden) for values in quantities.values())
    return GruTrace(z, r, candidates, states)


def _stacked(values: list[np.ndarray], like: np.ndarray) -> np.ndarray:
    """Per-step vectors as (time steps, units); (0, units) for an empty sequence."""
    return np.stack(values) if values else np.zeros((0, like.shape[0]))
