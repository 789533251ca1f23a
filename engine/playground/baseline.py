"""A scikit-learn reference: the same hidden sizes and activation, trained by scikit-learn.

If our Keras network and scikit-learn's ``MLPClassifier``/``MLPRegressor`` end up with
similar scores, a setup's quality comes from its architecture and data; if not, from training.
"""

from __future__ import annotations

import time
import warnings
from dataclasses import dataclass

import numpy as np

from engine.playground.settings import PlaygroundSettings
from engine.playground.task import BOUNDARY_RESOLUTION, PlaygroundData

SKLEARN_ACTIVATIONS = {"relu": "relu", "tanh": "tanh", "sigmoid": "logistic", "linear": "identity"}


@dataclass(frozen=True)
class BaselineResult:
    """scikit-learn's score and output over the plane.

    Attributes:
        score_name: "accuracy" or "R²" (on the test points).
        score: its value.
        output_grid: (R, R) probability of class 1 or value, or (R, R, k) probabilities.
        activation: the activation scikit-learn used.
        note: what differs from our network, if anything.
        seconds: training time.
    """

    score_name: str
    score: float
    output_grid: np.ndarray
    activation: str
    note: str
    seconds: float


def compare_with_sklearn(settings: PlaygroundSettings, data: PlaygroundData, max_iter: int = 500) -> BaselineResult:
    """Train scikit-learn's multilayer perceptron on the same split and features."""
    from sklearn.exceptions import ConvergenceWarning
    from sklearn.neural_network import MLPClassifier, MLPRegressor

    network = settings.network
    activations = set(network.activations) or {"relu"}
    first = next(iter(activations))
    activation = SKLEARN_ACTIVATIONS.get(first, "relu") if len(activations) == 1 else "relu"
    note = ""
    if len(activations) > 1 or first not in SKLEARN_ACTIVATIONS:
        note = "scikit-learn uses one activation for all layers from relu, tanh, logistic and identity: it uses relu here."
    options = dict(
        hidden_layer_sizes=network.hidden_units, activation=activation, max_iter=max_iter,
        random_state=settings.seed, learning_rate_init=min(settings.optimizer.learning_rate, 0.1),
        alpha=network.l2, batch_size=min(settings.batch_size, len(data.train_points)),
    )
    started = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        if data.problem == "regression":
            model = MLPRegressor(**options).fit(data.training.x_train, data.train_labels)
            score_name, score = "R²", float(model.score(data.training.x_val, data.test_labels))
            grid = model.predict(data.grid_inputs).reshape(BOUNDARY_RESOLUTION, BOUNDARY_RESOLUTION)
        else:
            model = MLPClassifier(**options).fit(data.training.x_train, data.train_labels)
            score_name, score = "accuracy", float(model.score(data.training.x_val, data.test_labels))
            probabilities = model.predict_proba(data.grid_inputs)
            if data.problem == "binary":
                grid = probabilities[:, 1].reshape(BOUNDARY_RESOLUTION, BOUNDARY_RESOLUTION)
            else:
                grid = probabilities.reshape(BOUNDARY_RESOLUTION, BOUNDARY_RESOLUTION, -1)
    return BaselineResult(score_name, score, grid.astype(np.float32), activation, note, time.perf_counter() - started)
