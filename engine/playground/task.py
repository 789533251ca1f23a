"""Turning playground settings into data, a training run, and what the views draw.

``prepare_data`` generates (or takes uploaded) points, splits them, computes features and
scaling once, including for the evaluation grids. ``make_run`` builds the ``TrainingRun``.
``observe`` is what the live page asks for after each chunk: the output over the plane,
every neuron's output over the plane, the weights, and test-set scores, all from compiled
calls on precomputed grid features so a frame costs about a millisecond.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import partial

import numpy as np

from engine.data.features import apply_scaler, fit_scaler, make_features, make_grid, padded_bounds
from engine.data.planar import DATASETS, DOMAIN, make_dataset, split_train_test
from engine.data.upload import UploadedPoints
from engine.models.mlp import apply_live_options, build_mlp, neuron_layer_names, output_head
from engine.playground.settings import UPLOAD, PlaygroundSettings
from engine.training.run import TrainingRun
from engine.training.setup import ModelRecipe, RunSettings, TrainingData

BOUNDARY_RESOLUTION = 100  # output heatmap: 100 × 100 points
VALIDATION_SHARE = 0.2  # of the training points, held back for early stopping when it is on
NEURON_RESOLUTION = 24  # each neuron's thumbnail in the network diagram


@dataclass(frozen=True)
class PlaygroundData:
    """Points, labels and model-ready arrays for one setup.

    Attributes:
        problem: "binary", "multiclass" or "regression".
        num_classes: classes (1 for regression); class_names label them.
        train_points, train_labels, test_points, test_labels: the raw split, points (n, 2).
        validation_points, validation_labels: the training points held back for early
            stopping (none when it is off); they are not trained on.
        bounds: (x_min, x_max, y_min, y_max) of the view.
        training: model-ready arrays (features scaled, targets encoded for the loss).
        grid_inputs: model inputs of the BOUNDARY_RESOLUTION² grid over ``bounds``.
        neuron_grid_inputs: model inputs of the NEURON_RESOLUTION² grid.
        neuron_grid_features: unscaled feature values on that grid (the input neurons' maps).
    """

    problem: str
    num_classes: int
    class_names: tuple[str, ...]
    train_points: np.ndarray
    train_labels: np.ndarray
    test_points: np.ndarray
    test_labels: np.ndarray
    validation_points: np.ndarray
    validation_labels: np.ndarray
    bounds: tuple[float, float, float, float]
    training: TrainingData
    grid_inputs: np.ndarray
    neuron_grid_inputs: np.ndarray
    neuron_grid_features: np.ndarray


def prepare_data(settings: PlaygroundSettings, uploaded: UploadedPoints | None = None) -> PlaygroundData:
    """Generate or take the points and compute everything the run and views need."""
    if settings.dataset == UPLOAD:
        if uploaded is None:
            raise ValueError("The data set is 'upload' but no CSV was uploaded. Upload one or pick a data set.")
        points, labels = uploaded.points, uploaded.labels
        problem, num_classes, class_names = uploaded.problem, uploaded.num_classes, uploaded.class_names
        bounds = padded_bounds(points)
    else:
        spec = DATASETS[settings.dataset]
        points, labels = make_dataset(settings.dataset, settings.num_samples, settings.noise, settings.seed)
        problem, num_classes = spec.problem, spec.num_classes
        class_names = tuple(str(index) for index in range(num_classes)) if problem != "regression" else ()
        bounds = (-DOMAIN, DOMAIN, -DOMAIN, DOMAIN)
    train_points, train_labels, test_points, test_labels = split_train_test(
        points, labels, settings.train_percent / 100, settings.seed
    )
    validation_points, validation_labels = train_points[:0], train_labels[:0]
    if settings.early_stopping_patience:  # early stopping watches its own split, never the test points
        if len(train_points) < 5:
            raise ValueError(f"Early stopping holds back a fifth of the training points, but there are only "
                             f"{len(train_points)}. Use more points or a larger training share, or turn it off.")
        train_points, train_labels, validation_points, validation_labels = split_train_test(
            train_points, train_labels, 1 - VALIDATION_SHARE, settings.seed + 1)
    train_features = make_features(train_points, settings.features)
    scaler = fit_scaler(train_features, settings.scaling)

    def inputs(some_points: np.ndarray) -> np.ndarray:
        return apply_scaler(scaler, make_features(some_points, settings.features))

    neuron_grid = make_grid(bounds, NEURON_RESOLUTION)
    return PlaygroundData(
        problem=problem, num_classes=num_classes, class_names=class_names,
        train_points=train_points, train_labels=train_labels,
        test_points=test_points, test_labels=test_labels,
        validation_points=validation_points, validation_labels=validation_labels, bounds=bounds,
        training=TrainingData(
            inputs(train_points), encode_targets(train_labels, problem, num_classes),
            inputs(test_points), encode_targets(test_labels, problem, num_classes),
            *((inputs(validation_points), encode_targets(validation_labels, problem, num_classes))
              if len(validation_points) else ()),
        ),
        grid_inputs=inputs(make_grid(bounds, BOUNDARY_RESOLUTION)),
        neuron_grid_inputs=inputs(neuron_grid),
        neuron_grid_features=make_features(neuron_grid, settings.features),
    )


def encode_targets(labels: np.ndarray, problem: str, num_classes: int) -> np.ndarray:
    """Targets as the loss expects: (n, 1) 0/1 or values, or (n, k) one-hot for multi-class."""
    if problem == "multiclass":
        return np.eye(num_classes, dtype=np.float32)[labels]
    return labels.astype(np.float32).reshape(-1, 1)


def loss_name(settings: PlaygroundSettings, problem: str) -> str:
    """The Keras loss key for a problem: cross-entropy unless "mse" is chosen."""
    if problem == "regression" or settings.loss == "mse":
        return "mean_squared_error"
    return "binary_crossentropy" if problem == "binary" else "categorical_crossentropy"


def make_recipe(settings: PlaygroundSettings, data: PlaygroundData) -> ModelRecipe:
    """How to build and score the playground network for this data."""
    import keras

    metrics = {}
    if data.problem == "binary":
        metrics = {"accuracy": keras.metrics.binary_accuracy}
    elif data.problem == "multiclass":
        metrics = {"accuracy": keras.metrics.categorical_accuracy}
    num_features = data.training.x_train.shape[1]
    return ModelRecipe(
        build=partial(build_mlp, settings.network, num_features, data.problem, data.num_classes),
        loss=loss_name(settings, data.problem),
        metrics=metrics,
        configure=lambda model, options: apply_live_options(model, **options),
    )


def run_settings(settings: PlaygroundSettings) -> RunSettings:
    """The live part of a setup, as the training run takes it."""
    network = settings.network
    return RunSettings(
        optimizer=settings.optimizer,
        batch_size=settings.batch_size,
        shuffle=settings.shuffle,
        max_epochs=settings.max_epochs,
        early_stopping_patience=settings.early_stopping_patience,
        live_options={"dropout_rates": network.dropout_rates, "l1": network.l1, "l2": network.l2},
    )


def make_run(settings: PlaygroundSettings, data: PlaygroundData) -> TrainingRun:
    """A fresh run whose initial weights depend only on ``settings.seed``."""
    return TrainingRun(make_recipe(settings, data), data.training, run_settings(settings), seed=settings.seed)


@dataclass(frozen=True)
class PlaygroundView:
    """What the live views draw after a chunk.

    Attributes:
        output_grid: (R, R) probability of class 1 or regression value, or (R, R, k) class
            probabilities, over the boundary grid (row 0 is the bottom of the plane).
        neuron_grids: per hidden layer, a (units, r, r) array of each neuron's output.
        feature_grids: (num_features, r, r) input feature values.
        output_neuron_grid: (r, r) the output unit (class-1 probability or value; the
            winning class index for multi-class).
        kernels: the (inputs, units) kernel of every Dense layer, input to output.
        biases: each Dense layer's bias, or None where batch normalization replaces it.
        test_predictions: class ids or values predicted for the test points.
        train_predictions: the same for the training points.
    """

    output_grid: np.ndarray
    neuron_grids: list[np.ndarray]
    feature_grids: np.ndarray
    output_neuron_grid: np.ndarray
    kernels: list[np.ndarray]
    biases: list[np.ndarray | None]
    test_predictions: np.ndarray
    train_predictions: np.ndarray


def observe(run: TrainingRun, data: PlaygroundData, layer_names: tuple[str, ...]) -> PlaygroundView:
    """Evaluate the run's model for every view in one compiled call; float32 throughout to keep payloads small.

    The neuron grid, the output grid and the test and training points go through the model
    together: one call per frame instead of five is most of what a frame costs the server.
    """
    resolution, small = BOUNDARY_RESOLUTION, NEURON_RESOLUTION
    parts = (data.neuron_grid_inputs, data.grid_inputs, data.training.x_val, data.training.x_train)
    *hidden, outputs = run.layer_outputs(np.concatenate(parts), layer_names, with_output=True)
    ends = np.cumsum([len(part) for part in parts])
    small_output, output, test_outputs, train_outputs = np.split(outputs, ends[:-1])
    hidden = [values[:ends[0]] for values in hidden]
    dense_layers = [layer for layer in run.model.layers if layer.__class__.__name__ == "Dense"]
    output_grid: np.ndarray
    if data.problem == "multiclass":
        output_grid = output.reshape(resolution, resolution, -1)
        output_neuron = small_output.argmax(axis=1).reshape(small, small).astype(np.float32)
    else:
        output_grid = output.reshape(resolution, resolution)
        output_neuron = small_output.reshape(small, small)
    return PlaygroundView(
        output_grid=output_grid.astype(np.float32),
        neuron_grids=[values.T.reshape(-1, small, small).astype(np.float32) for values in hidden],
        feature_grids=data.neuron_grid_features.T.reshape(-1, small, small),
        output_neuron_grid=output_neuron.astype(np.float32),
        kernels=[layer.kernel.numpy() for layer in dense_layers],
        biases=[layer.bias.numpy() if layer.use_bias else None for layer in dense_layers],
        test_predictions=decode_predictions(test_outputs, data.problem),
        train_predictions=decode_predictions(train_outputs, data.problem),
    )


def decode_predictions(outputs: np.ndarray, problem: str) -> np.ndarray:
    """Model outputs to class ids (threshold 0.5 or arg-max) or to values for regression."""
    if problem == "binary":
        return (outputs[:, 0] > 0.5).astype(np.int64)
    if problem == "multiclass":
        return outputs.argmax(axis=1)
    return outputs[:, 0]


def hidden_layer_names(settings: PlaygroundSettings) -> tuple[str, ...]:
    """Layers whose outputs the network diagram shows, for ``observe``."""
    return tuple(neuron_layer_names(settings.network))


def output_units(data: PlaygroundData) -> int:
    """Units of the output layer for the data's problem."""
    return output_head(data.problem, data.num_classes)[0]
