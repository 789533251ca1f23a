"""The forecasting race: a SimpleRNN, an LSTM and a GRU learn to forecast one series, side by side.

Each network reads a window of past values and outputs the next ``horizon`` values. All of
them start from the same seed, see the same windows in the same order and are scored on the
same validation windows (after the split in time: the future), so the curves differ only by
the cell. Their recurrent layers are the registry's (``engine.models.layers``): an LSTM has
four blocks of weights where a SimpleRNN has one (input gate, forget gate, candidate, output
gate) and a GRU three (update gate, reset gate, candidate), and the race shows what those
weights buy. The members form one ``RunGroup``; the page plays, pauses, steps and resets it
like any run.

Two forecasts are drawn. *One step ahead* feeds every validation window the true past, so an
error never carries over. *Free running* starts at the split and feeds each forecast back as
the next input: errors compound, which is how a forecaster is used when the future is unknown.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property, partial

import numpy as np

from engine import fields
from engine.fields import Declared, choice, choices, integer, nested, number, random_seed
from engine.models.layers import Construction, LayerSpec, build_layers, layer_rows, weight_counts
from engine.sequence.races import CELL_NAMES, CellRace
from engine.sequence.series import MAX_STEPS, Windows, make_series, make_windows
from engine.training.group import RunGroup
from engine.training.optimizers import OptimizerConfig
from engine.training.run import TrainingRun
from engine.training.setup import ModelRecipe, RunSettings, TrainingData

UPLOAD = "upload"
SERIES_CHOICES = {"sine": "Sine", "sum_of_sines": "Sum of three sines", "noisy_sine": "Noisy sine",
                  "sawtooth": "Sawtooth", "random_walk": "Random walk", UPLOAD: "A column of your CSV"}
MAX_LAYERS, MAX_UNITS, MAX_WINDOW, MAX_HORIZON = 3, 128, 200, 50
MAX_GENERATED_STEPS = 20_000  # generated series; an upload may be longer (``series.MAX_STEPS``)
FREE_RUN_STEPS = 200  # how far the free-running forecast goes past the split (at most)
MAX_SHOWN_VALIDATION = 400  # validation steps drawn in the one-step chart


@dataclass(frozen=True)
class ForecastSettings(CellRace, Declared):
    """One forecasting race.

    Attributes:
        series: a key of ``SERIES_CHOICES`` (``UPLOAD``: a column of the learner's CSV).
        num_steps: length of a generated series.
        noise: standard deviation of measurement noise added to a generated series (on top of
            the noise that is its nature: the noisy sine's, the random walk's steps).
        column: which numeric column of an uploaded CSV (0 = the first).
        window: past values each forecast reads.
        horizon: future values each forecast gives at once.
        validation_share: the last part of the series, kept for validation.
        cells: the cells that race, keys of ``CELL_NAMES``.
        units: state size of every recurrent layer.
        layers: recurrent layers stacked (each below the top passes on its whole sequence).
        dropout: dropout rate after every recurrent layer (0: none).
        optimizer: optimizer and learning rate (live).
        batch_size: windows per update (live).
        seed: series noise, weights and shuffling.
    """

    series: str = choice("sum_of_sines", SERIES_CHOICES, "series", "series")
    num_steps: int = integer(1000, 200, MAX_GENERATED_STEPS, "steps", "a series length")
    noise: float = number(0.0, 0.0, 1.0, "noise", "a noise level")
    column: int = integer(0, 0, 99, "column", "a column number")
    window: int = integer(30, 2, MAX_WINDOW, "window", "a window length")
    horizon: int = integer(1, 1, MAX_HORIZON, "horizon", "a forecast horizon")
    validation_share: float = number(0.2, 0.05, 0.5, "val", "a validation share")
    cells: tuple[str, ...] = choices(tuple(CELL_NAMES), tuple(CELL_NAMES), "cells", "cells", max_length=3)
    units: int = integer(16, 1, MAX_UNITS, "units", "a number of units")
    layers: int = integer(1, 1, MAX_LAYERS, "layers", "a number of recurrent layers")
    dropout: float = number(0.0, 0.0, 0.5, "dropout", "a dropout rate")
    optimizer: OptimizerConfig = nested(OptimizerConfig("adam", 0.01), keys={"momentum": None}, live=True)
    batch_size: int = integer(32, 1, 512, "batch", "a batch size", live=True)
    seed: int = random_seed()


def series_values(settings: ForecastSettings, upload: np.ndarray | None = None) -> np.ndarray:
    """The series the race forecasts: generated from the settings, or ``upload`` (a CSV column) as given."""
    if settings.series == UPLOAD:
        if upload is None:
            raise ValueError("Upload a CSV file with a column of numbers, or pick a generated series.")
        return np.asarray(upload, np.float32)
    values = make_series(settings.series, settings.num_steps, seed=settings.seed)
    if settings.noise:
        values = values + np.random.default_rng(settings.seed + 1).normal(scale=settings.noise, size=values.shape)
    return values.astype(np.float32)


def forecaster_layers(cell: str, units: int, layers: int, dropout: float, horizon: int) -> list[tuple[str, LayerSpec]]:
    """The named layers of one forecaster: stacked recurrent layers (dropout after each), a linear output."""
    stack: list[tuple[str, LayerSpec]] = []
    for index in range(1, layers + 1):
        stack.append((f"{cell}_{index}", LayerSpec(cell, units=units, return_sequences=index < layers)))
        if dropout:
            stack.append((f"dropout_{index}", LayerSpec("dropout", rate=dropout)))
    return [*stack, ("forecast", LayerSpec("dense", units=horizon, activation="linear"))]


def build_forecaster(window: int, cell: str, units: int, layers: int, dropout: float, horizon: int, seed: int):
    """The Keras model: (window, 1) past values in, ``horizon`` future values out; same seed, same weights."""
    import keras

    named = forecaster_layers(cell, units, layers, dropout, horizon)
    layer_rows((window, 1), named)  # a plain-words error before Keras sees the stack
    seeds = iter(range(seed * 1000, seed * 1000 + 1000))
    construction = Construction(initializer=lambda: keras.initializers.GlorotUniform(seed=next(seeds)),
                                next_seed=lambda: next(seeds))
    inputs = keras.Input((window, 1), name="past")
    return keras.Model(inputs, build_layers(inputs, named, construction), name=f"{cell}_forecaster")


def check_series(settings: ForecastSettings, values: np.ndarray) -> Windows:
    """The race's windows, or a ``ValueError`` in words (a window longer than the series, too few steps)."""
    if not 20 <= len(values) <= MAX_STEPS:
        raise ValueError(f"Expected a series of 20 to {MAX_STEPS:,} steps. Received: {len(values):,}.")
    return make_windows(values, settings.window, settings.horizon, settings.validation_share)


def make_run(settings: ForecastSettings, values: np.ndarray) -> RunGroup:
    """The race: one forecaster per cell, same seed, same windows (the validation windows after the split)."""
    windows = check_series(settings, values)
    data = TrainingData(windows.x_train, windows.y_train, windows.x_val, windows.y_val)
    shape = (settings.window, settings.units, settings.layers, settings.dropout, settings.horizon)
    runs = {}
    for cell in settings.cells:
        build = partial(build_forecaster, settings.window, cell, *shape[1:])
        recipe = ModelRecipe(build=build, loss="mse", metrics={"mae": _mean_absolute_error})
        runs[cell] = TrainingRun(recipe, data, run_settings(settings), seed=settings.seed)
    return RunGroup(runs)


def _mean_absolute_error(y_true, y_pred):
    from keras import ops

    return ops.mean(ops.abs(y_true - y_pred), axis=-1)


def run_settings(settings: ForecastSettings) -> RunSettings:
    """The live training settings: optimizer and batch size."""
    return RunSettings(optimizer=settings.optimizer, batch_size=settings.batch_size)


@dataclass(frozen=True)
class CellSize:
    """One member's weights: its recurrent layers' input, recurrent and bias weights, and the whole model's."""

    input_weights: int
    recurrent_weights: int
    biases: int
    total: int


def cell_sizes(settings: ForecastSettings) -> dict[str, CellSize]:
    """Each racing cell's weights by part, by arithmetic (the registry's counts, equal to Keras's)."""
    sizes = {}
    for cell in settings.cells:
        counts = [weight_counts(cell, 1 if index == 0 else settings.units, settings.units)
                  for index in range(settings.layers)]
        rows = layer_rows((settings.window, 1), forecaster_layers(cell, settings.units, settings.layers,
                                                                  settings.dropout, settings.horizon))
        sizes[cell] = CellSize(sum(count.input_weights for count in counts),
                               sum(count.recurrent_weights for count in counts),
                               sum(count.biases for count in counts), sum(row.parameters for row in rows))
    return sizes


@dataclass(frozen=True)
class ForecastView:
    """What the race's page draws between chunks, in the series' own units.

    Attributes:
        series: the whole series, (steps,).
        split: the index of the first validation step.
        one_step_index: the series indices of the one-step forecasts, (shown,).
        one_step: cell -> the next value forecast from each validation window with the true past.
        free_run_index: the series indices of the free-running forecast, (free,).
        free_run: cell -> the forecast from the split on, each output fed back as input.
        mse: cell -> mean squared error of the one-step forecasts here (original units).
    """

    series: np.ndarray
    split: int
    one_step_index: np.ndarray
    one_step: dict[str, np.ndarray]
    free_run_index: np.ndarray
    free_run: dict[str, np.ndarray]
    mse: dict[str, float]


class ForecastObserver:
    """Draws forecasts from a race over one series (its windows made at the first observation, once)."""

    def __init__(self, settings: ForecastSettings, values: np.ndarray) -> None:
        self.settings = settings
        self.series = np.asarray(values, np.float32)
        self.window, self.horizon = settings.window, settings.horizon

    @cached_property
    def windows(self) -> Windows:
        """The race's windows (the one-step forecasts read the validation ones)."""
        return check_series(self.settings, self.series)

    @cached_property
    def one_step_index(self) -> np.ndarray:
        """The series index each shown one-step forecast is for (the first target of a validation window)."""
        return self.windows.split + np.arange(min(len(self.windows.x_val), MAX_SHOWN_VALIDATION))

    @cached_property
    def free_run_index(self) -> np.ndarray:
        """The series indices of the free-running forecast: from the split on."""
        return self.windows.split + np.arange(min(FREE_RUN_STEPS, len(self.series) - self.windows.split))

    def __call__(self, group: RunGroup) -> ForecastView:
        one_step, free_run, errors = {}, {}, {}
        truth = self.series[self.one_step_index]
        for cell, run in group.runs.items():
            forecast = self.windows.original_units(run.predict(self.windows.x_val[:len(truth)])[:, 0])
            one_step[cell] = forecast
            errors[cell] = float(np.mean((forecast - truth) ** 2))
            free_run[cell] = self.windows.original_units(self._free_run(run))
        return ForecastView(self.series, self.windows.split, self.one_step_index, one_step, self.free_run_index,
                            free_run, errors)

    def _free_run(self, run: TrainingRun) -> np.ndarray:
        """Standardised forecasts from the split on, each output fed back as input, in one compiled loop."""
        import tensorflow as tf

        standard = (self.series[:self.windows.split] - self.windows.mean) / self.windows.scale
        start = tf.constant(standard[-self.window:][None, :, None], tf.float32)
        rounds = -(-len(self.free_run_index) // self.horizon)
        produced = run.model_function("free_run", free_running)(start, tf.constant(rounds)).numpy()
        return produced.reshape(-1)[:len(self.free_run_index)]


def free_running(model):
    """``f(window, rounds)``: ``rounds`` forecasts, each appended to the window (its oldest values
    dropped) before the next: (rounds, horizon). A ``tf.while_loop``, so one compiled call."""
    import tensorflow as tf

    def run(window, rounds):
        length = window.shape[1]

        def one_round(index, window, outputs):
            forecast = model(window, training=False)  # (1, horizon)
            window = tf.concat([window, forecast[:, :, None]], axis=1)[:, -length:]
            return index + 1, window, outputs.write(index, forecast[0])

        outputs = tf.TensorArray(tf.float32, size=rounds)
        _, _, outputs = tf.while_loop(lambda index, *_: index < rounds, one_round, (tf.constant(0), window, outputs))
        return outputs.stack()
    return run


# ----------------------------------------------------------------- share links
to_query_params = fields.to_query_params
from_query_params = partial(fields.from_query_params, ForecastSettings)
