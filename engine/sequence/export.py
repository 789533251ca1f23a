"""A runnable script that replays a forecasting race outside the app.

The series is made by the app's own generator (its source carried in the script), or, for an
uploaded column, written into the script as numbers; the windows by the app's ``make_windows``;
every racer's layers by the registry that builds them in the app (``engine.models.layers``),
so the script's models have the app's layers, names, parameter counts and initial weights.
Each cell then trains with ``model.fit`` on the same windows, and the script prints the
validation error of each.
"""

from __future__ import annotations

import textwrap

import numpy as np

from engine.models.layers import layer_code
from engine.sequence import series
from engine.sequence.forecast import UPLOAD, ForecastSettings, forecaster_layers
from engine.training.optimizers import optimizer_code
from engine.training.scripts import SAVE_MODELS, Length, constants, embedded, fill, script

GENERATORS = {  # what each generated series needs carried
    "sine": (series.make_sine,), "sum_of_sines": (series.make_sum_of_sines,),
    "noisy_sine": (series.make_sine, series.make_noisy_sine), "sawtooth": (series.make_sawtooth,),
    "random_walk": (series.make_random_walk,),
}


def forecasting_script(settings: ForecastSettings, values: np.ndarray) -> str:
    """Source of a standalone script (NumPy, Keras) that races the settings' cells on ``values``'s series."""
    return script(
        "Deep Learning Playground export: replay this forecasting race with Keras.", Length(20),
        [constants(SEED=settings.seed, WINDOW=settings.window, HORIZON=settings.horizon,
                   VALIDATION_SHARE=settings.validation_share, CELLS=settings.cells, BATCH_SIZE=settings.batch_size),
         _series_source(settings, values), embedded(series.Windows, series.split_index, series.make_windows),
         model_builder(settings), SAVE_MODELS],
        fill(_MAIN, optimizer=optimizer_code(settings.optimizer)))


def _series_source(settings: ForecastSettings, values: np.ndarray) -> str:
    """``load_series()``: the values written out (an upload) or the app's generator with the settings' noise."""
    if settings.series == UPLOAD:
        numbers = textwrap.fill(", ".join(f"{value:.7g}" for value in values), 110, subsequent_indent=" " * 8)
        return f'def load_series():\n    """Your CSV column, as the app read it."""\n    return np.array([\n        {numbers}],' \
               ' dtype=np.float32)'
    generator = GENERATORS[settings.series][-1].__name__
    added = fill(_ADDED_NOISE, noise=repr(settings.noise)) if settings.noise else ""
    body = fill(_GENERATED, generator=generator, steps=settings.num_steps, noise=repr(series.DEFAULT_NOISE[settings.series]),
                added=added, added_words=", with the measurement noise the race added" if added else "")
    return "\n\n\n".join([constants(DEFAULT_NOISE=series.DEFAULT_NOISE),
                           embedded(series.with_noise, *GENERATORS[settings.series]), body])


def model_builder(settings: ForecastSettings) -> str:
    """``build_model(cell)``: the app's forecaster for one cell, with its initial weights (seed SEED)."""
    branches = []
    for cell in settings.cells:
        lines = layer_code(forecaster_layers(cell, settings.units, settings.layers, settings.dropout, settings.horizon))
        branches.append(f"if cell == {cell!r}:\n" + textwrap.indent("\n".join(lines), " " * 4))
    return fill(_BUILD, layers=textwrap.indent("\nel".join(branches), " " * 4))


_GENERATED = '''def load_series():
    """The app's {generator} series{added_words}."""
    values = {generator}({steps}, {noise}, SEED){added}
    return values.astype(np.float32)'''

_ADDED_NOISE = """
    values = values + np.random.default_rng(SEED + 1).normal(scale={noise}, size=values.shape)"""

_BUILD = '''def build_model(cell):
    seeds = iter(range(SEED * 1000, SEED * 1000 + 1000))

    def init():
        return keras.initializers.GlorotUniform(seed=next(seeds))

    def next_seed():
        return next(seeds)

    inputs = keras.Input((WINDOW, 1), name="past")
    x = inputs
{layers}
    return keras.Model(inputs, x, name=f"{cell}_forecaster")'''

_MAIN = '''def main():
    {arguments}

    windows = make_windows(load_series(), WINDOW, HORIZON, VALIDATION_SHARE)
    models = {}
    for cell in CELLS:
        model = build_model(cell)
        model.compile(optimizer={optimizer}, loss="mse", metrics=["mae"])
        history = model.fit(windows.x_train, windows.y_train, batch_size=BATCH_SIZE, epochs=arguments.epochs,
                            shuffle=True, validation_data=(windows.x_val, windows.y_val), verbose=0)
        print(f"{cell}: {model.count_params():,} weights, validation MSE {history.history['val_loss'][-1]:.4g}")
        models[cell] = model
    save_models(models, arguments.save)'''
