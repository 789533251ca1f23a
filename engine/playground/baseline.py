"""A scikit-learn reference: the same hidden sizes and activation, trained by scikit-learn.

If our Keras network and scikit-learn's ``MLPClassifier``/``MLPRegressor`` end up with
similar scores, a setup's quality comes from its architecture and data; if not, from training.
"""

from __future__ import annotations

import time
import warnings
from dataclasses import dataclass

import numpy as np

from engine.jobs import Report
from engine.playground.settings import PlaygroundSettings
from engine.playground.task import BOUNDARY_RESOLUTION, PlaygroundData
from engine.training.executor import default_executor

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


def compare_with_sklearn(settings: PlaygroundSettings, data: PlaygroundData, max_iter: int = 500,
                         report: Report | None = None) -> BaselineResult:
    """Train scikit-learn's multilayer perceptron on the same split and features.

    It trains one epoch per ``partial_fit`` (Adam keeps its state from one to the next) and
    stops as scikit-learn's own ``fit`` does, once the training loss has not fallen by ``tol``
    for ``n_iter_no_change`` epochs, or after ``max_iter``; ``report(fraction, text)`` hears
    after every epoch (a background job's progress bar), and each epoch takes a slot of the
    shared executor, beside the sessions that train live.
    """
    from sklearn.exceptions import ConvergenceWarning
    from sklearn.neural_network import MLPClassifier, MLPRegressor

    network = settings.network
    activations = set(network.activations) or {"relu"}
    first = next(iter(activations))
    activation = SKLEARN_ACTIVATIONS.get(first, "relu") if len(activations) == 1 else "relu"
    note = ""
    if len(activations) > 1 or first not in SKLEARN_ACTIVATIONS:
        note = "scikit-learn uses one activation for all layers from relu, tanh, logistic and identity: it uses relu here."
    regression = data.problem == "regression"
    model = (MLPRegressor if regression else MLPClassifier)(
        hidden_layer_sizes=network.hidden_units, activation=activation, max_iter=max_iter,
        random_state=settings.seed, learning_rate_init=min(settings.optimizer.learning_rate, 0.1),
        alpha=network.l2, batch_size=min(settings.batch_size, len(data.train_points)),
    )
    x, y = data.training.x_train, data.train_labels
    extra = {} if regression else {"classes": np.arange(data.num_classes)}
    executor = default_executor()
    started, best, stale = time.perf_counter(), np.inf, 0
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        for epoch in range(1, max_iter + 1):
            executor.run(lambda: model.partial_fit(x, y, **extra))
            stale = stale + 1 if model.loss_ > best - model.tol else 0
            best = min(best, model.loss_)
            if report:
                report(epoch / max_iter, f"epoch {epoch}, loss {model.loss_:.4f}")
            if stale >= model.n_iter_no_change:
                break
    if regression:
        score_name, score = "R²", float(model.score(data.training.x_val, data.test_labels))
        grid = model.predict(data.grid_inputs).reshape(BOUNDARY_RESOLUTION, BOUNDARY_RESOLUTION)
    else:
        score_name, score = "accuracy", float(model.score(data.training.x_val, data.test_labels))
        probabilities = model.predict_proba(data.grid_inputs)
        if data.problem == "binary":
            grid = probabilities[:, 1].reshape(BOUNDARY_RESOLUTION, BOUNDARY_RESOLUTION)
        else:
            grid = probabilities.reshape(BOUNDARY_RESOLUTION, BOUNDARY_RESOLUTION, -1)
    return BaselineResult(score_name, score, grid.astype(np.float32), activation, note, time.perf_counter() - started)
