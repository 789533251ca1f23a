"""CNN lab speed: the default CNN on the 8×8 digits, our training run beside ``model.fit``.

Prints training images per second for our compiled chunks (as the lab runs them, and forced
under XLA, which the lab uses only on a GPU), for a plain ``model.fit`` of the same
architecture (same batch size, one epoch per call as a live page would), and the
seconds our run needs from a fresh model to 97 % test accuracy (target: under 10 s on
2 CPU cores; compilation included). Run: ``python bench/cnn_speed.py``.
"""

from __future__ import annotations

import dataclasses
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from engine.data.image_sets import load_image_dataset  # noqa: E402
from engine.vision.cnn import build_cnn  # noqa: E402
from engine.vision.cnn_lab import CnnLabSettings, make_run, run_settings  # noqa: E402

EPOCHS = 10


def main() -> None:
    import keras
    import numpy as np

    settings = CnnLabSettings()
    dataset = load_image_dataset(settings.dataset, settings.image_size, settings.seed)
    images = len(dataset.x_train)

    started = time.perf_counter()
    run = make_run(settings, dataset)
    while run.history["val_accuracy"][-1:] < [0.97] and run.epoch < 200:
        run.advance(1)
    to_target = time.perf_counter() - started
    reached, epochs_to_target = run.history["val_accuracy"][-1], run.epoch

    def images_per_second(jit_compile: bool) -> float:
        run = make_run(settings, dataset)
        run.update_settings(dataclasses.replace(run_settings(settings), jit_compile=jit_compile))
        run.advance(1)  # compile first
        started = time.perf_counter()
        run.advance(EPOCHS)
        return EPOCHS * images / (time.perf_counter() - started)

    ours, ours_xla = images_per_second(run_settings(settings).jit_compile), images_per_second(True)

    model = build_cnn(dataset.x_train.shape[1:], settings.layers, 10, seed=settings.seed)
    model.compile(optimizer=keras.optimizers.Adam(settings.optimizer.learning_rate),
                  loss="categorical_crossentropy", metrics=["accuracy"])
    targets = np.eye(10, dtype=np.float32)[dataset.y_train]
    validation = (dataset.x_test, np.eye(10, dtype=np.float32)[dataset.y_test])
    model.fit(dataset.x_train, targets, batch_size=settings.batch_size, epochs=1, verbose=0,
              validation_data=validation)
    started = time.perf_counter()
    for _ in range(EPOCHS):
        model.fit(dataset.x_train, targets, batch_size=settings.batch_size, epochs=1, verbose=0,
                  validation_data=validation)
    fit = EPOCHS * images / (time.perf_counter() - started)

    print(f"default CNN on {images} digits 8×8, batch {settings.batch_size}")
    print(f"training images/s: ours {ours:,.0f}, model.fit per epoch {fit:,.0f} ({ours / fit:.1f}×); "
          f"ours forced under XLA {ours_xla:,.0f} ({ours_xla / ours:.2f}× ours)")
    print(f"fresh model to 97 % test accuracy: {to_target:.1f} s, {epochs_to_target} epochs, "
          f"reached {reached:.1%} (target < 10 s)")


if __name__ == "__main__":
    main()
