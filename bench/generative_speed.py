"""Generative labs' speed: our compiled chunks against the same models trained with ``model.fit``.

Prints seconds for the default VAE to reach a fixed test reconstruction loss on the 8×8
digits (TARGET_LOSS, the level at which its samples look like digits; the unit tests check
it beats the average-digit reference), 2-D GAN generator steps per second and ms per live
frame, and DCGAN epochs per second, each beside ``model.fit`` on the same model in the same
run. Run: ``python bench/generative_speed.py``.
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import keras  # noqa: E402
import numpy as np  # noqa: E402
from timing import rate  # noqa: E402

from engine.data.image_sets import load_image_dataset  # noqa: E402
from engine.generative.autoencoder import AutoencoderSettings, make_run  # noqa: E402
from engine.generative.image_gan import ImageGanSettings  # noqa: E402
from engine.generative.image_gan import make_run as make_image_run  # noqa: E402
from engine.generative.point_gan import PointGanObserver, PointGanSettings  # noqa: E402
from engine.generative.point_gan import make_run as make_point_run  # noqa: E402
from engine.generative.targets import make_target  # noqa: E402

TARGET_LOSS = 24.0  # summed per-image cross-entropy on the test digits (the average digit scores ~27)
MAX_SECONDS = 120.0


def vae_ours(dataset) -> tuple[float, int]:
    """Seconds (model build included) and epochs until the test reconstruction loss reaches TARGET_LOSS."""
    started = time.perf_counter()
    run = make_run(AutoencoderSettings(), dataset)
    while time.perf_counter() - started < MAX_SECONDS:
        run.advance(5)
        if run.history["val_reconstruction_loss"][-1] <= TARGET_LOSS:
            break
    return time.perf_counter() - started, run.epoch


def vae_fit(dataset) -> tuple[float, int]:
    """The same model and optimizer, one ``model.fit`` epoch at a time with validation, to the same loss."""
    started = time.perf_counter()
    run = make_run(AutoencoderSettings(), dataset)
    model = run.model
    model.compile(optimizer=keras.optimizers.Adam(AutoencoderSettings().optimizer.learning_rate))
    epochs = 0
    while time.perf_counter() - started < MAX_SECONDS:
        history = model.fit(dataset.x_train, dataset.x_train, batch_size=64, epochs=epochs + 5, initial_epoch=epochs,
                            validation_data=(dataset.x_test, dataset.x_test), verbose=0)
        epochs += 5
        if history.history["val_reconstruction_loss"][-1] <= TARGET_LOSS:
            break
    return time.perf_counter() - started, epochs


def main() -> None:
    digits = load_image_dataset("digits", 8, seed=0)
    print(f"Default VAE on the digits to test reconstruction loss ≤ {TARGET_LOSS}:")
    (ours_seconds, ours_epochs), (fit_seconds, fit_epochs) = vae_ours(digits), vae_fit(digits)
    print(f"  ours       {ours_seconds:6.1f} s ({ours_epochs} epochs)")
    print(f"  model.fit  {fit_seconds:6.1f} s ({fit_epochs} epochs)   ratio {fit_seconds / ours_seconds:.1f}x")

    target = make_target("ring", seed=0)
    settings = PointGanSettings()
    batches = int(np.ceil(len(target.points) / settings.training.batch_size))
    run = make_point_run(settings, target)
    ours_steps = rate(lambda: run.advance(10)) * 10 * batches
    fitted = make_point_run(settings, target).model
    fitted.compile(optimizer=keras.optimizers.Adam())  # its train_step uses its own two optimizers
    fit_steps = rate(lambda: fitted.fit(target.points, target.points, batch_size=settings.training.batch_size,
                                        epochs=1, verbose=0)) * batches
    observer = PointGanObserver(target, settings.noise_dim, settings.seed)
    frame_ms = 1000 / rate(lambda: observer(run))
    print("2-D GAN, ring of 8, default networks:")
    print(f"  ours       {ours_steps:8.0f} generator steps/s")
    print(f"  model.fit  {fit_steps:8.0f} generator steps/s   ratio {ours_steps / fit_steps:.1f}x")
    print(f"  live frame (verdict map, noise mesh, arrows, coverage): {frame_ms:.1f} ms")

    image_settings = ImageGanSettings()
    image_run = make_image_run(image_settings, digits)
    ours_epochs_per_second = rate(lambda: image_run.advance(1))
    image_model = make_image_run(image_settings, digits).model
    image_model.compile(optimizer=keras.optimizers.Adam())
    fit_epochs_per_second = rate(lambda: image_model.fit(digits.x_train, digits.x_train, batch_size=64, epochs=1,
                                                         verbose=0))
    print("DCGAN on the digits:")
    print(f"  ours       {ours_epochs_per_second:6.2f} epochs/s")
    print(f"  model.fit  {fit_epochs_per_second:6.2f} epochs/s   ratio {ours_epochs_per_second / fit_epochs_per_second:.1f}x")


if __name__ == "__main__":
    main()
