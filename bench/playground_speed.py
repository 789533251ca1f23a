"""Playground training speed: our compiled chunks against model.fit and scikit-learn.

Prints epochs/s for the default task (circle, 2→4→2→1 tanh, batch 10, 250 training points)
and for the 6×8 spiral with all seven features, and ms per 100×100 decision-boundary frame,
each beside a reference measured in the same run. Run: ``python bench/playground_speed.py``.
"""

from __future__ import annotations

import os
import sys
import warnings
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import keras  # noqa: E402
import numpy as np  # noqa: E402
from sklearn.exceptions import ConvergenceWarning  # noqa: E402
from sklearn.neural_network import MLPClassifier  # noqa: E402
from timing import SECONDS, rate  # noqa: E402

from engine.data.features import FEATURES  # noqa: E402
from engine.models.mlp import NetworkConfig  # noqa: E402
from engine.playground.settings import PlaygroundSettings  # noqa: E402
from engine.playground.task import make_run, prepare_data  # noqa: E402

TASKS = {
    "default circle 2-4-2-1": PlaygroundSettings(),
    "spiral 6x8, 7 features": PlaygroundSettings(
        dataset="spiral", noise=0.1, features=tuple(FEATURES),
        network=NetworkConfig((8,) * 6, ("tanh",) * 6, (0.0,) * 6),
    ),
}


def ours(settings, data, epochs_per_chunk: int) -> float:
    run = make_run(settings, data)
    return rate(lambda: run.advance(epochs_per_chunk)) * epochs_per_chunk


def keras_fit(settings, data) -> float:
    run = make_run(settings, data)
    model = run.model
    model.compile(optimizer=keras.optimizers.SGD(settings.optimizer.learning_rate), loss="binary_crossentropy")
    training = data.training
    return rate(lambda: model.fit(training.x_train, training.y_train, batch_size=settings.batch_size, epochs=1,
                                  validation_data=(training.x_val, training.y_val), verbose=0), seconds=SECONDS)


def sklearn_partial_fit(settings, data) -> float:
    network = settings.network
    model = MLPClassifier(network.hidden_units, activation="tanh", solver="sgd", batch_size=settings.batch_size,
                          learning_rate_init=settings.optimizer.learning_rate, momentum=0.0, random_state=0)
    classes = np.unique(data.train_labels)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        return rate(lambda: model.partial_fit(data.training.x_train, data.train_labels, classes=classes))


def main() -> None:
    print(f"{'task':28} {'ours (epochs/s)':>16} {'model.fit':>10} {'sklearn':>10} {'vs fit':>8} {'vs sklearn':>10}")
    for name, settings in TASKS.items():
        data = prepare_data(settings)
        best = max(ours(settings, data, chunk) for chunk in (10, 100, 500))
        fit, sklearn = keras_fit(settings, data), sklearn_partial_fit(settings, data)
        print(f"{name:28} {best:16,.0f} {fit:10,.1f} {sklearn:10,.0f} {best / fit:7,.0f}x {best / sklearn:9.1f}x")
    settings = PlaygroundSettings()
    data = prepare_data(settings)
    run = make_run(settings, data)
    frame_ms = 1000 / rate(lambda: run.predict(data.grid_inputs))
    predict_ms = 1000 / rate(lambda: run.model.predict(data.grid_inputs, verbose=0), seconds=1.0)
    print(f"\n100x100 boundary frame: ours {frame_ms:.3f} ms, model.predict {predict_ms:.1f} ms "
          f"({predict_ms / frame_ms:,.0f}x)")


if __name__ == "__main__":
    main()
