"""Recurrence unrolled: a small SimpleRNN learns a sequence task, and one sequence is worked through step by step.

The network is h_t = tanh(x_t·U + h_{t−1}·W + b) and y_t = h_t·V + c: one input weight matrix U,
one recurrent matrix W and one output matrix V, the *same* three at every time step. Drawn
unrolled, it is a deep network as long as the sequence whose layers share their weights, which
is also why training it is backpropagation through time. The tasks need memory of different
kinds:

- ``echo``: output the input of ``lag`` steps before (memory of one past value);
- ``running_sum``: output the sum of every input so far (a counter it must keep);
- ``sign``: output whether the inputs so far sum to a positive number (+1) or not (−1).

The step-by-step numbers come from ``engine.sequence.cells.simple_rnn_steps`` on the trained
weights; tests hold them equal to Keras's ``SimpleRNN`` output.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import partial
from typing import Any

import numpy as np

from engine import fields
from engine.fields import Declared, choice, integer, nested, random_seed
from engine.links import LinkReader
from engine.models.layers import Construction, LayerSpec, build_layers, layer_rows
from engine.sequence.cells import RnnTrace, simple_rnn_steps
from engine.training.optimizers import OptimizerConfig
from engine.training.run import TrainingRun
from engine.training.setup import ModelRecipe, RunSettings, TrainingData

TASKS = {"echo": "Echo the input of a few steps before", "running_sum": "Keep a running sum",
         "sign": "Say whether the sum so far is positive"}
NUM_TRAIN, NUM_VALIDATION = 1000, 200
MAX_LENGTH, MAX_UNITS = 20, 16


@dataclass(frozen=True)
class UnrolledSettings(Declared):
    """One unrolled SimpleRNN experiment.

    Attributes:
        task: a key of ``TASKS``.
        length: time steps per sequence.
        lag: how many steps back the echo task looks.
        units: size of the hidden state h.
        example: which validation sequence is worked through (live).
        optimizer: optimizer and learning rate (live).
        batch_size: sequences per update (live).
        seed: the sequences, the weights and the shuffling.
    """

    task: str = choice("running_sum", TASKS, "task", "task")
    length: int = integer(8, 3, MAX_LENGTH, "length", "a sequence length")
    lag: int = integer(2, 1, MAX_LENGTH - 1, "lag", "an echo lag")
    units: int = integer(4, 1, MAX_UNITS, "units", "a number of units")
    example: int = integer(0, 0, NUM_VALIDATION - 1, "example", "an example number", live=True)
    optimizer: OptimizerConfig = nested(OptimizerConfig("adam", 0.01), keys={"momentum": None}, live=True)
    batch_size: int = integer(32, 1, 256, "batch", "a batch size", live=True)
    seed: int = random_seed()

    def __post_init__(self) -> None:
        super().__post_init__()
        if self.task == "echo" and self.lag >= self.length:
            raise ValueError(f"An echo {self.lag} steps back needs sequences longer than {self.lag} steps. "
                             f"Received: length {self.length}.")

    @classmethod
    def repair_link(cls, values: dict[str, Any], reader: LinkReader) -> None:
        """An echo that looks further back than the sequence is long looks back one step less than its length."""
        if values["task"] == "echo" and values["lag"] >= values["length"]:
            reader.warn("lag", str(values["lag"]), f"longer than the sequence; using {values['length'] - 1}")
            values["lag"] = values["length"] - 1


def task_data(settings: UnrolledSettings) -> TrainingData:
    """Random input sequences in [−1, 1] and the task's target at every step, (sequences, length, 1) each."""
    rng = np.random.default_rng(settings.seed)
    inputs = rng.uniform(-1, 1, size=(NUM_TRAIN + NUM_VALIDATION, settings.length, 1)).astype(np.float32)
    if settings.task == "echo":
        targets = np.concatenate([np.zeros_like(inputs[:, :settings.lag]), inputs[:, :-settings.lag]], axis=1)
    elif settings.task == "running_sum":
        targets = np.cumsum(inputs, axis=1) / np.sqrt(settings.length)  # scaled: the sums stay within the tanh's reach
    else:
        targets = np.where(np.cumsum(inputs, axis=1) > 0, 1.0, -1.0).astype(np.float32)
    return TrainingData(inputs[:NUM_TRAIN], targets[:NUM_TRAIN], inputs[NUM_TRAIN:], targets[NUM_TRAIN:])


def network_layers(units: int) -> list[tuple[str, LayerSpec]]:
    """The SimpleRNN (its state at every step) and the output y_t = h_t·V + c."""
    return [("rnn", LayerSpec("simple_rnn", units=units, return_sequences=True)),
            ("output", LayerSpec("dense", units=1, activation="linear"))]


def build_unrolled_model(length: int, units: int, seed: int):
    """The Keras model: (length, 1) inputs in, one output per step out; same seed, same weights."""
    import keras

    named = network_layers(units)
    layer_rows((length, 1), named)
    seeds = iter(range(seed * 1000, seed * 1000 + 1000))
    construction = Construction(initializer=lambda: keras.initializers.GlorotUniform(seed=next(seeds)),
                                next_seed=lambda: next(seeds))
    inputs = keras.Input((length, 1), name="sequence")
    return keras.Model(inputs, build_layers(inputs, named, construction), name="unrolled_rnn")


def make_run(settings: UnrolledSettings) -> TrainingRun:
    """A run that learns the task (the validation sequences score it, one is worked through)."""
    recipe = ModelRecipe(build=partial(build_unrolled_model, settings.length, settings.units), loss="mse")
    return TrainingRun(recipe, task_data(settings), run_settings(settings), seed=settings.seed)


def run_settings(settings: UnrolledSettings) -> RunSettings:
    """The live training settings: optimizer and batch size."""
    return RunSettings(optimizer=settings.optimizer, batch_size=settings.batch_size)


@dataclass(frozen=True)
class UnrolledView:
    """One sequence worked through with the current weights.

    Attributes:
        inputs, targets, outputs: x_t, the task's answer and y_t, (length,) each.
        trace: the SimpleRNN's steps: x_t·U + b, h_{t−1}·W and h_t per step, (length, units).
        U, W, b, V, c: the weights, shared by every step: (1, units), (units, units), (units,), (units, 1), (1,).
    """

    inputs: np.ndarray
    targets: np.ndarray
    outputs: np.ndarray
    trace: RnnTrace
    U: np.ndarray  # noqa: N815 - the course's names
    W: np.ndarray  # noqa: N815
    b: np.ndarray
    V: np.ndarray  # noqa: N815
    c: np.ndarray


class UnrolledObserver:
    """Works through the validation sequence the page picked (``example``, which it may change at any time)."""

    def __init__(self, example: int = 0) -> None:
        self.example = example

    def __call__(self, run: TrainingRun) -> UnrolledView:
        return unrolled_view(run, self.example)


def unrolled_view(run: TrainingRun, example: int) -> UnrolledView:
    """Validation sequence ``example`` through the run's network, one step at a time, every weight named."""
    if not 0 <= example < len(run.data.x_val):
        raise ValueError(f"Expected an example from 0 to {len(run.data.x_val) - 1}. Received: {example}.")
    kernel, recurrent, bias = run.model.get_layer("rnn").get_weights()
    output_kernel, output_bias = run.model.get_layer("output").get_weights()
    inputs = run.data.x_val[example]
    trace = simple_rnn_steps(inputs, kernel, recurrent, bias)
    outputs = (trace.hidden @ output_kernel + output_bias)[:, 0]
    return UnrolledView(inputs[:, 0], run.data.y_val[example][:, 0], outputs, trace, kernel, recurrent, bias,
                        output_kernel, output_bias)


# ----------------------------------------------------------------- share links
to_query_params = fields.to_query_params
from_query_params = partial(fields.from_query_params, UnrolledSettings)
