"""Vanishing and exploding gradients: a SimpleRNN, an LSTM and a GRU must carry information across a delay.

Two long-dependency tasks. *Recall*: each sequence starts with one of a few symbols and goes on
with random ones for ``delay`` steps; the network must name the first symbol at the end.
*Adding* (Hochreiter and Schmidhuber's adding problem): ``delay + 1`` random numbers, two of
them marked, one in each half; the network must output their sum. Either way what it needs
comes early, so the loss's gradient must travel back through many steps to teach the weights
that read it.
How big that gradient still is at step t, ‖∂L/∂h_t‖, is measured with ``tf.GradientTape`` as
the networks train (``gradient_model.state_gradients``). A SimpleRNN multiplies it by its
recurrent matrix (and the tanh's slope) at every step: with the matrix's gain below 1 it
vanishes and the network never learns the symbol (chance accuracy); above 1 it can explode,
and a single update throws the weights far away. An LSTM's cell state passes it on through the
forget gate, added rather than multiplied, which is why it reaches across long delays.
Clipping (the gradient's norm, or each value) bounds an exploding update; nothing clips a
vanished one back.

The three cells form one ``RunGroup``: same data, same seed, one history.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from functools import partial

import numpy as np

from engine import fields
from engine.fields import Declared, choice, choices, integer, nested, number, random_seed
from engine.jobs import Report
from engine.models.layers import MAX_GAIN
from engine.sequence.races import CELL_NAMES, CellRace
from engine.sequence.toy_tasks import make_adding_problem, make_delayed_recall
from engine.training.executor import default_executor
from engine.training.group import RunGroup
from engine.training.optimizers import OptimizerConfig
from engine.training.run import TrainingRun
from engine.training.setup import ModelRecipe, RunSettings, TrainingData

TASKS = {"recall": "Remember the first symbol", "adding": "Add the two marked numbers"}
CLIPPING = {"none": "No clipping", "norm": "Clip the gradient's norm", "value": "Clip each gradient value"}
NUM_TRAIN, NUM_VALIDATION = 2000, 500
MEASURED = 256  # validation sequences the gradient norms are averaged over
SWEEP_DELAYS = (2, 5, 10, 20, 40, 80)
SWEEP_EPOCHS = 12


@dataclass(frozen=True)
class GradientSettings(CellRace, Declared):
    """One long-dependency race.

    Attributes:
        task: a key of ``TASKS``.
        delay: random steps between the symbol and the question (adding: the sequence is one longer).
        symbols: how many different symbols there are (recall; chance accuracy is 1/symbols).
        cells: the cells that race, keys of ``CELL_NAMES``.
        units: state size of each network.
        gain: every singular value of the initial recurrent matrix (1: orthogonal, Keras's default).
        clipping: a key of ``CLIPPING`` (live).
        threshold: the clipping's bound (live).
        optimizer: optimizer and learning rate (live).
        batch_size: sequences per update (live).
        seed: the sequences, the weights and the shuffling.
    """

    task: str = choice("adding", TASKS, "task", "task")
    delay: int = integer(30, 1, 200, "delay", "a delay")
    symbols: int = integer(4, 2, 16, "symbols", "a number of symbols")
    cells: tuple[str, ...] = choices(tuple(CELL_NAMES), tuple(CELL_NAMES), "cells", "cells", max_length=3)
    units: int = integer(32, 2, 128, "units", "a number of units")
    gain: float = number(1.0, 0.1, MAX_GAIN, "gain", "a recurrent gain")
    clipping: str = choice("none", CLIPPING, "clip", "a clipping", live=True)
    threshold: float = number(1.0, 0.01, 100.0, "threshold", "a clipping threshold", live=True)
    optimizer: OptimizerConfig = nested(OptimizerConfig("adam", 0.01), keys={"momentum": None}, live=True)
    batch_size: int = integer(64, 8, 512, "batch", "a batch size", live=True)
    seed: int = random_seed()


def task_data(settings: GradientSettings) -> TrainingData:
    """Recall: one-hot sequences (sequences, delay + 1, symbols) and their first symbols. Adding: (value, mark)
    pairs (sequences, delay + 1, 2) and the marked sums. Training, then validation."""
    if settings.task == "adding":
        inputs, targets = make_adding_problem(NUM_TRAIN + NUM_VALIDATION, settings.delay + 1, settings.seed)
    else:
        codes, first = make_delayed_recall(NUM_TRAIN + NUM_VALIDATION, settings.delay, settings.seed, settings.symbols)
        inputs, targets = np.eye(settings.symbols, dtype=np.float32)[codes], first.astype(np.float32)
    return TrainingData(inputs[:NUM_TRAIN], targets[:NUM_TRAIN], inputs[NUM_TRAIN:], targets[NUM_TRAIN:])


def chance_accuracy(settings: GradientSettings, data: TrainingData) -> float:
    """The accuracy of a network that learned nothing about the early steps: a guessed symbol, or the mean sum."""
    if settings.task == "adding":
        from engine.sequence.gradient_model import TOLERANCE

        return float(np.mean(np.abs(data.y_val - data.y_train.mean()) < TOLERANCE))
    return 1.0 / settings.symbols


def _recipe(settings: GradientSettings, cell: str) -> ModelRecipe:
    from engine.sequence import gradient_model

    adding = settings.task == "adding"
    build = partial(gradient_model.build_task_model, settings.delay + 1, 2 if adding else settings.symbols,
                    1 if adding else settings.symbols, cell, settings.units, settings.gain)
    return ModelRecipe(build=build, configure=gradient_model.configure, configure_retraces=False)


def make_run(settings: GradientSettings, data: TrainingData | None = None) -> RunGroup:
    """The race: one network per cell on the same sequences, from the same seed."""
    data = data if data is not None else task_data(settings)
    return RunGroup({cell: TrainingRun(_recipe(settings, cell), data, run_settings(settings), seed=settings.seed)
                     for cell in settings.cells})


def run_settings(settings: GradientSettings) -> RunSettings:
    """The live settings: optimizer, batch size, and the clipping (a model option)."""
    return RunSettings(optimizer=settings.optimizer, batch_size=settings.batch_size,
                       live_options={"clipping": settings.clipping, "threshold": settings.threshold})


@dataclass(frozen=True)
class GradientView:
    """‖∂L/∂h_t‖ per step for each cell, averaged over validation sequences (step 0 holds the symbol)."""

    norms: dict[str, np.ndarray]


def observe(group: RunGroup) -> GradientView:
    """Each member's gradient norms at every step, on the first ``MEASURED`` validation sequences."""
    import tensorflow as tf

    from engine.sequence.gradient_model import state_gradients

    norms = {}
    for cell, run in group.runs.items():
        inputs = tf.constant(run.data.x_val[:MEASURED])
        targets = tf.constant(run.data.y_val[:MEASURED])
        norms[cell] = run.model_function("state_gradients", state_gradients)(inputs, targets).numpy()
    return GradientView(norms)


@dataclass(frozen=True)
class Sweep:
    """Validation accuracy after ``SWEEP_EPOCHS`` epochs for each cell at each delay."""

    delays: tuple[int, ...]
    accuracy: dict[str, list[float]]
    chance: float


def delay_sweep(settings: GradientSettings, report: Report | None = None,
                delays: tuple[int, ...] = SWEEP_DELAYS, epochs: int = SWEEP_EPOCHS) -> Sweep:
    """Train every cell afresh at each delay for ``epochs`` epochs (in the shared executor's slots) and score it."""
    accuracy: dict[str, list[float]] = {cell: [] for cell in settings.cells}
    total = len(delays) * len(settings.cells)
    for index, delay in enumerate(delays):
        shaped = replace(settings, delay=delay)
        data = task_data(shaped)
        for offset, cell in enumerate(settings.cells):
            if report is not None:
                report((index * len(settings.cells) + offset) / total,
                       f"{CELL_NAMES[cell]} at a delay of {delay} steps")
            accuracy[cell].append(default_executor().run(partial(_trained_accuracy, shaped, cell, data, epochs)))
    return Sweep(tuple(delays), accuracy, chance_accuracy(settings, task_data(settings)))


def _trained_accuracy(settings: GradientSettings, cell: str, data: TrainingData, epochs: int) -> float:
    run = TrainingRun(_recipe(settings, cell), data, run_settings(settings), seed=settings.seed)
    run.advance(epochs)
    scores = run.history["val_accuracy"]
    return float(scores[-1]) if scores else float("nan")



# ----------------------------------------------------------------- share links
to_query_params = fields.to_query_params
from_query_params = partial(fields.from_query_params, GradientSettings)
