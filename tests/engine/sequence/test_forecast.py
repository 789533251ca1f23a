"""The forecasting race: models from the registry, the race as one group, forecasts against NumPy loops, links."""

import dataclasses

import numpy as np
import pytest

from engine.sequence.forecast import (
    CELL_NAMES,
    UPLOAD,
    ForecastObserver,
    ForecastSettings,
    build_forecaster,
    cell_sizes,
    from_query_params,
    make_run,
    series_values,
    to_query_params,
)
from engine.training.contract import READY

SMALL = ForecastSettings(num_steps=300, window=12, units=6, batch_size=64)


@pytest.fixture(scope="module")
def trained():
    values = series_values(SMALL)
    group = make_run(SMALL, values)
    group.advance(5)
    return group, values


@pytest.mark.parametrize("layers, dropout", [(1, 0.0), (3, 0.2)])
def test_each_cells_weights_by_part_are_keras_own(layers, dropout):
    settings = dataclasses.replace(SMALL, layers=layers, dropout=dropout, horizon=4)
    sizes = cell_sizes(settings)
    for cell in CELL_NAMES:
        model = build_forecaster(settings.window, cell, settings.units, layers, dropout, 4, seed=0)
        assert model.count_params() == sizes[cell].total
        recurrent = [layer for layer in model.layers if layer.name.startswith(cell)]
        assert len(recurrent) == layers
        kernels, recurrents, biases = zip(*(layer.get_weights() for layer in recurrent), strict=True)
        assert sizes[cell].input_weights == sum(kernel.size for kernel in kernels)
        assert sizes[cell].recurrent_weights == sum(weights.size for weights in recurrents)
        assert sizes[cell].biases == sum(bias.size for bias in biases)
        assert model.output_shape == (None, 4)
    # The recurrent weights grow with the blocks: the LSTM's four, the GRU's three, the SimpleRNN's one.
    assert sizes["lstm"].recurrent_weights == 4 * sizes["simple_rnn"].recurrent_weights
    assert sizes["gru"].recurrent_weights == 3 * sizes["simple_rnn"].recurrent_weights


def test_the_race_trains_every_cell_on_the_same_windows_from_one_seed():
    values = series_values(SMALL)
    first, second = make_run(SMALL, values), make_run(SMALL, values)
    assert list(first.runs) == list(CELL_NAMES)
    for cell in CELL_NAMES:
        for a, b in zip(first.runs[cell].weights(), second.runs[cell].weights(), strict=True):
            np.testing.assert_array_equal(a, b)
        np.testing.assert_array_equal(first.runs[cell].data.x_val, first.runs["lstm"].data.x_val)
    result = first.advance(3)
    assert result.status == READY and first.epoch == 3
    assert {"lstm/loss", "lstm/val_loss", "gru/mae", "simple_rnn/val_mae"} <= set(first.history)


def test_training_lowers_every_cells_validation_error(trained):
    group, values = trained
    fresh = make_run(SMALL, values)
    fresh.advance(1)
    group.advance(25)
    for cell in CELL_NAMES:
        assert group.history[f"{cell}/val_loss"][-1] < 0.5 * fresh.history[f"{cell}/val_loss"][0]


def test_one_step_forecasts_read_the_true_past_and_line_up_with_the_series(trained):
    group, values = trained
    observer = ForecastObserver(SMALL, values)
    view = observer(group)
    windows = observer.windows
    np.testing.assert_allclose(values[view.one_step_index], windows.original_units(windows.y_val[:, 0]), atol=1e-5)
    for cell, run in group.runs.items():
        expected = windows.original_units(run.predict(windows.x_val)[:, 0])
        np.testing.assert_allclose(view.one_step[cell], expected, rtol=1e-5, atol=1e-5)
        truth = values[view.one_step_index]
        assert view.mse[cell] == pytest.approx(float(np.mean((expected - truth) ** 2)), rel=1e-4)


@pytest.mark.parametrize("horizon", [1, 3])
def test_free_running_feeds_each_forecast_back_as_a_python_loop_would(horizon):
    settings = dataclasses.replace(SMALL, horizon=horizon, cells=("gru",))
    values = series_values(settings)
    group = make_run(settings, values)
    group.advance(2)
    observer = ForecastObserver(settings, values)
    view = observer(group)
    run, windows = group.runs["gru"], observer.windows
    history = list((values[:windows.split] - windows.mean) / windows.scale)
    produced: list[float] = []
    while len(produced) < len(view.free_run_index):
        forecast = run.predict(np.asarray(history[-settings.window:], np.float32)[None, :, None])[0]
        produced.extend(forecast)
        history.extend(forecast)
    expected = windows.original_units(np.asarray(produced[:len(view.free_run_index)]))
    np.testing.assert_allclose(view.free_run["gru"], expected, rtol=1e-4, atol=1e-4)
    assert view.free_run_index[0] == windows.split


def test_generated_series_repeat_with_their_seed_and_noise_is_added_on_top():
    plain = series_values(SMALL)
    np.testing.assert_array_equal(plain, series_values(SMALL))
    noisy = series_values(dataclasses.replace(SMALL, noise=0.5))
    assert noisy.shape == plain.shape and 0.3 < np.std(noisy - plain) < 0.7


def test_impossible_setups_are_explained_in_words():
    with pytest.raises(ValueError, match="A window of 200 steps and a horizon of 1 need more data"):
        make_run(dataclasses.replace(SMALL, window=200, num_steps=200), series_values(dataclasses.replace(SMALL, num_steps=200)))
    with pytest.raises(ValueError, match="Upload a CSV file"):
        series_values(dataclasses.replace(SMALL, series=UPLOAD))
    with pytest.raises(ValueError, match="at least one cell"):
        ForecastSettings(cells=())
    uploaded = np.linspace(0, 1, 400, dtype=np.float32)
    assert series_values(dataclasses.replace(SMALL, series=UPLOAD), uploaded) is not None


def test_links_round_trip_and_a_link_without_cells_races_all_three():
    settings = ForecastSettings(series="sawtooth", num_steps=700, noise=0.1, window=25, horizon=3, cells=("gru", "lstm"),
                                units=12, layers=2, dropout=0.1, batch_size=16, seed=5)
    assert from_query_params(to_query_params(settings)) == (settings, [])
    restored, warnings = from_query_params({"cells": "", "window": "9999", "series": "stock"})
    assert restored.cells == tuple(CELL_NAMES) and restored.window == 200 and restored.series == "sum_of_sines"
    assert len(warnings) == 3
