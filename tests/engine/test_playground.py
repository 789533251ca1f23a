"""The playground task end to end: data, training to a target, links, export, baseline."""

import re
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import keras
import numpy as np
import pytest

from engine.data.upload import parse_points_csv
from engine.models.mlp import NetworkConfig
from engine.playground.baseline import compare_with_sklearn
from engine.playground.export import export_script
from engine.playground.settings import MAX_POINTS, PlaygroundSettings, from_query_params, to_query_params
from engine.playground.task import (
    BOUNDARY_RESOLUTION,
    NEURON_RESOLUTION,
    decode_predictions,
    hidden_layer_names,
    make_run,
    observe,
    prepare_data,
)
from engine.training.metrics import confusion_matrix, regression_scores
from engine.training.optimizers import OptimizerConfig

SPIRAL = PlaygroundSettings(
    dataset="spiral3", noise=0.1, seed=4, features=("x1", "x2", "x1_squared", "x2_squared", "x1_times_x2", "sin_x1", "sin_x2"),
    scaling="standard", network=NetworkConfig((6, 5), ("relu", "tanh"), (0.1, 0.0), batch_norm=True,
                                              regularization="l2", regularization_rate=0.001),
    optimizer=OptimizerConfig("adam", 0.01), batch_size=16,
)


def test_early_stopping_holds_back_a_validation_split_from_the_training_points():
    plain = prepare_data(PlaygroundSettings())
    stopping = prepare_data(PlaygroundSettings(early_stopping_patience=20))
    assert len(plain.validation_points) == 0 and plain.training.x_stop is None
    assert len(stopping.validation_points) == round(0.2 * len(plain.train_points))
    assert len(stopping.train_points) + len(stopping.validation_points) == len(plain.train_points)
    np.testing.assert_array_equal(stopping.test_points, plain.test_points)  # the test set is untouched
    held = {tuple(point) for point in stopping.validation_points}
    assert not held & {tuple(point) for point in stopping.train_points}
    assert not held & {tuple(point) for point in stopping.test_points}
    run = make_run(PlaygroundSettings(early_stopping_patience=20), stopping)
    run.advance(2)
    assert len(run.history["stop_loss"]) == 2
    assert PlaygroundSettings(early_stopping_patience=20).structure() != PlaygroundSettings().structure()


def test_default_circle_task_reaches_97_percent_test_accuracy_within_300_epochs():
    settings = PlaygroundSettings()
    run = make_run(settings, prepare_data(settings))
    run.advance(300)
    assert run.epoch == 300
    assert run.history["val_accuracy"][-1] >= 0.97


def test_observe_returns_every_view_with_documented_shapes():
    data = prepare_data(SPIRAL)
    run = make_run(SPIRAL, data)
    run.advance(2)
    view = observe(run, data, hidden_layer_names(SPIRAL))
    assert view.output_grid.shape == (BOUNDARY_RESOLUTION, BOUNDARY_RESOLUTION, 3)
    np.testing.assert_allclose(view.output_grid.sum(axis=2), 1.0, atol=1e-4)  # softmax
    assert [grid.shape for grid in view.neuron_grids] == [(6, NEURON_RESOLUTION, NEURON_RESOLUTION),
                                                          (5, NEURON_RESOLUTION, NEURON_RESOLUTION)]
    assert view.feature_grids.shape == (7, NEURON_RESOLUTION, NEURON_RESOLUTION)
    assert [kernel.shape for kernel in view.kernels] == [(7, 6), (6, 5), (5, 3)]
    assert view.biases[0] is None and view.biases[2].shape == (3,)  # batch norm replaces the bias
    assert view.test_predictions.shape == (len(data.test_points),)
    assert all(grid.dtype == np.float32 for grid in [view.output_grid, *view.neuron_grids])


def test_neuron_maps_are_the_neurons_outputs_on_the_grid():
    settings = PlaygroundSettings()
    data = prepare_data(settings)
    run = make_run(settings, data)
    view = observe(run, data, hidden_layer_names(settings))
    kernel, bias = run.model.get_layer("hidden_1").kernel.numpy(), run.model.get_layer("hidden_1").bias.numpy()
    expected = np.tanh(data.neuron_grid_inputs @ kernel + bias)  # (r*r, 4)
    np.testing.assert_allclose(view.neuron_grids[0].reshape(4, -1).T, expected, atol=1e-5)


def test_a_single_hidden_layer_gets_one_map_per_neuron():
    settings = replace(PlaygroundSettings(), network=NetworkConfig((3,), ("tanh",), (0.0,)))
    data = prepare_data(settings)
    view = observe(make_run(settings, data), data, hidden_layer_names(settings))
    assert [grid.shape for grid in view.neuron_grids] == [(3, NEURON_RESOLUTION, NEURON_RESOLUTION)]


def test_live_dropout_and_regularization_change_without_a_rebuild():
    data = prepare_data(SPIRAL)
    run = make_run(SPIRAL, data)
    run.advance(2)
    model = run.model
    changed = replace(SPIRAL, network=replace(SPIRAL.network, dropout_rates=(0.5, 0.3), regularization_rate=0.1))
    from engine.playground.task import run_settings

    assert run.update_settings(run_settings(changed)) == ["model options"]
    assert run.model is model and run.epoch == 2
    assert model.get_layer("dropout_1").rate == 0.5
    assert model.get_layer("hidden_1").kernel_regularizer.l2 == 0.1
    run.advance(2)
    assert run.epoch == 4


def test_share_link_round_trips_every_setting():
    params = to_query_params(SPIRAL)
    decoded, warnings = from_query_params(params)
    assert decoded == SPIRAL and warnings == []
    assert from_query_params({})[0] == PlaygroundSettings()


def test_absurd_share_links_are_clamped_or_refused_with_a_warning_each():
    decoded, warnings = from_query_params({
        "data": "mandelbrot", "noise": "7", "points": "1e12", "lr": "nan", "layers": "4,900,2,0",
        "activations": "relu,bogus", "optimizer": "magic", "batch": "-3", "shuffle": "maybe", "seed": "x",
        "features": "x9", "dropout": "2,abc",
    })
    assert decoded.dataset == "circle" and decoded.noise == 0.5 and decoded.num_samples == MAX_POINTS
    assert decoded.optimizer.learning_rate == 0.03 and decoded.optimizer.name == "sgd"
    assert decoded.network.hidden_units == (4, 64, 2, 1)
    assert decoded.network.activations == ("relu", "tanh", "tanh", "tanh")
    assert decoded.network.dropout_rates == (0.9, 0.0, 0.0, 0.0)
    assert decoded.batch_size == 1 and decoded.shuffle is True and decoded.seed == 1
    assert decoded.features == ("x1", "x2")
    assert len(warnings) == 13
    assert any("data='mandelbrot'" in warning and "unknown" in warning for warning in warnings)


def test_uploaded_points_train_with_bounds_from_the_data():
    rows = "".join(f"{index},{index * 2 % 7},{index % 3}\n" for index in range(30))
    uploaded = parse_points_csv(rows.encode())
    settings = PlaygroundSettings(dataset="upload", network=NetworkConfig((5,), ("relu",), (0.0,)))
    data = prepare_data(settings, uploaded)
    assert data.problem == "multiclass" and data.num_classes == 3
    assert data.bounds[0] < 0 < 29 < data.bounds[1]
    make_run(settings, data).advance(3)
    with pytest.raises(ValueError, match="no CSV was uploaded"):
        prepare_data(settings, None)


@pytest.mark.parametrize("settings", [
    PlaygroundSettings(max_epochs=150),
    replace(SPIRAL, max_epochs=40),
    PlaygroundSettings(dataset="bumps", network=NetworkConfig((8,), ("relu",), (0.0,)), max_epochs=20,
                       scaling="minmax", early_stopping_patience=5),
], ids=["circle", "spiral3", "bumps"])
def test_exported_script_rebuilds_the_same_data_and_trains(tmp_path: Path, settings):
    script = tmp_path / "setup.py"
    source = export_script(settings)
    script.write_text(source)
    # Only the code this setup uses: no branch on a constant such as `if 'binary' == "multiclass":`.
    assert not re.search(r"""if ['"][^'"]*['"] *[!=]= *['"]""", source)
    assert ("EarlyStopping" in source) == bool(settings.early_stopping_patience)
    assert ("scaler" in source) == (settings.scaling != "none")
    result = subprocess.run([sys.executable, str(script), "--save", str(tmp_path / "trained")], capture_output=True,
                            text=True, timeout=300, env={"TF_CPP_MIN_LOG_LEVEL": "3", "PATH": "/usr/bin:/bin"})
    assert result.returncode == 0, result.stderr[-2000:]
    keras.models.load_model(tmp_path / "trained" / "playground.keras", safe_mode=True)
    assert "test loss:" in result.stdout
    assert re.search(r"^epoch \d+: .*loss \d", result.stdout, re.MULTILINE)  # it reports while it trains
    if settings.max_epochs == 150:
        accuracy = float(result.stdout.split("accuracy: ")[1].split()[0].rstrip(","))
        assert accuracy >= 0.9
    namespace = {}
    source = script.read_text().split("def main():")[0]
    exec(compile(source, str(script), "exec"), namespace)  # the script's own data functions
    data = prepare_data(settings)
    if settings.dataset == "circle":
        points, labels = namespace["make_circle"](settings.num_samples, settings.noise, settings.seed)
        train = namespace["split_train_test"](points, labels, settings.train_percent / 100, settings.seed)
        np.testing.assert_array_equal(train[0], data.train_points)


def test_export_of_uploaded_points_embeds_them(tmp_path: Path):
    rows = "".join(f"{index},{index % 5},{index % 2}\n" for index in range(20))
    uploaded = parse_points_csv(rows.encode())
    script = export_script(PlaygroundSettings(dataset="upload", max_epochs=2), uploaded)
    assert "POINTS = [[0.0, 0.0], [1.0, 1.0]" in script and "load_points()" in script


def test_sklearn_baseline_uses_the_same_split_and_reports_a_score():
    settings = PlaygroundSettings()
    result = compare_with_sklearn(settings, prepare_data(settings), max_iter=300)
    assert result.score_name == "accuracy" and result.score >= 0.9
    assert result.output_grid.shape == (BOUNDARY_RESOLUTION, BOUNDARY_RESOLUTION)
    reports = []
    compare_with_sklearn(settings, prepare_data(settings), max_iter=300, report=lambda *args: reports.append(args))
    fractions = [fraction for fraction, _ in reports]
    assert fractions == sorted(fractions) and fractions[0] == 1 / 300 and reports[-1][1].startswith(f"epoch {len(reports)},")
    assert len(reports) < 300  # stopped as scikit-learn's fit does, once the loss stopped falling
    mixed = replace(settings, network=NetworkConfig((4, 2), ("relu", "gelu"), (0.0, 0.0)))
    assert "uses relu here" in compare_with_sklearn(mixed, prepare_data(mixed), max_iter=20).note


def test_scores_match_scikit_learn():
    from sklearn.metrics import confusion_matrix as sklearn_confusion
    from sklearn.metrics import mean_squared_error, r2_score

    labels, predictions = np.array([0, 1, 2, 2, 1]), np.array([0, 2, 2, 1, 1])
    np.testing.assert_array_equal(confusion_matrix(labels, predictions, 3), sklearn_confusion(labels, predictions))
    targets, values = np.array([1.0, 2.0, 4.0]), np.array([1.5, 1.5, 3.0])
    r_squared, rmse = regression_scores(targets, values)
    assert r_squared == pytest.approx(r2_score(targets, values))
    assert rmse == pytest.approx(np.sqrt(mean_squared_error(targets, values)))


def test_one_observation_gives_what_separate_predictions_give():
    settings = PlaygroundSettings()
    data = prepare_data(settings)
    run = make_run(settings, data)
    run.advance(3)
    view = observe(run, data, hidden_layer_names(settings))
    np.testing.assert_allclose(view.output_grid.ravel(), run.predict(data.grid_inputs).ravel(), rtol=1e-5, atol=1e-6)
    np.testing.assert_array_equal(view.test_predictions, decode_predictions(run.predict(data.training.x_val),
                                                                            data.problem))
    hidden = run.layer_outputs(data.neuron_grid_inputs, hidden_layer_names(settings))
    np.testing.assert_allclose(view.neuron_grids[0], hidden[0].T.reshape(view.neuron_grids[0].shape), rtol=1e-5,
                               atol=1e-6)
