"""Autoencoders and variational autoencoders (VAE) on small gray images.

An autoencoder squeezes each image through a narrow *code* (the bottleneck) and learns to
rebuild it; a denoising one rebuilds the clean image from a noisy copy. A VAE's encoder
gives a Gaussian per image instead of one point (mean μ and log-variance log σ²), a code is
drawn from it with the reparameterisation z = μ + σ·ε, and the loss adds β times the KL
divergence between that Gaussian and the standard normal prior, so that the codes fill a
smooth region around the origin from which new images can be sampled.

The models are ``keras.Model`` subclasses with their own ``train_step``, so the shared
``TrainingRun`` trains, observes, pauses and resets them like every other model; β and the
noise level are variables and change live without retracing.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from engine.device import xla_for_convolutions
from engine.training.optimizers import OptimizerConfig
from engine.training.run import ModelRecipe, RunSettings, TrainingData, TrainingRun
from engine.vision.image_data import ImageDataset

KINDS = {"autoencoder": "Autoencoder", "vae": "Variational autoencoder (VAE)"}
ARCHITECTURES = {"dense": "Dense layers", "conv": "Convolutional layers"}
MIN_LATENT, MAX_LATENT = 2, 64
MAX_HIDDEN_UNITS = 1024
MAX_BETA = 20.0


@dataclass(frozen=True)
class AutoencoderSettings:
    """One autoencoder experiment.

    Attributes:
        kind: a key of ``KINDS``.
        architecture: a key of ``ARCHITECTURES``.
        latent_dim: size of the code (the bottleneck).
        hidden_units: units of the encoder's first dense layer (the second has half).
        beta: weight of the KL term (VAE only; live).
        noise: standard deviation of the Gaussian noise added to inputs, 0 for none (live).
        optimizer: optimizer and learning rate (live).
        batch_size: images per update (live).
        seed: weights, noise and shuffling.
    """

    kind: str = "vae"
    architecture: str = "dense"
    latent_dim: int = 2
    hidden_units: int = 256
    beta: float = 1.0
    noise: float = 0.0
    optimizer: OptimizerConfig = OptimizerConfig("adam", 0.003)
    batch_size: int = 64
    seed: int = 0

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"Unknown model {self.kind!r}. Expected one of: {', '.join(KINDS)}.")
        if self.architecture not in ARCHITECTURES:
            raise ValueError(f"Unknown architecture {self.architecture!r}. Expected one of: {', '.join(ARCHITECTURES)}.")
        if not MIN_LATENT <= self.latent_dim <= MAX_LATENT:
            raise ValueError(f"Expected a code of {MIN_LATENT} to {MAX_LATENT} numbers. Received: {self.latent_dim}.")
        if not 2 <= self.hidden_units <= MAX_HIDDEN_UNITS:
            raise ValueError(f"Expected 2 to {MAX_HIDDEN_UNITS} hidden units. Received: {self.hidden_units}.")
        if not (math.isfinite(self.beta) and 0 <= self.beta <= MAX_BETA):
            raise ValueError(f"Expected β between 0 and {MAX_BETA:g}. Received: {self.beta}.")
        if not (math.isfinite(self.noise) and 0 <= self.noise <= 1):
            raise ValueError(f"Expected a noise level between 0 and 1. Received: {self.noise}.")

    @property
    def variational(self) -> bool:
        return self.kind == "vae"

    def structure(self) -> tuple:
        """What needs a new model when it changes (β, noise, optimizer and batch size are live)."""
        return self.kind, self.architecture, self.latent_dim, self.hidden_units, self.seed

    def live_options(self) -> dict[str, float]:
        return {"beta": self.beta, "noise": self.noise}


def kl_divergence(mean, log_variance):
    """KL(N(μ, σ²) ‖ N(0, 1)) per example, summed over the code's dimensions (closed form).

    ½ Σ (σ² + μ² − 1 − log σ²). Works on NumPy arrays and tensors alike.
    """
    from keras import ops

    return 0.5 * ops.sum(ops.exp(log_variance) + ops.square(mean) - 1.0 - log_variance, axis=-1)


def check_shape(image_shape: tuple[int, ...], settings: AutoencoderSettings) -> None:
    """``ValueError`` in plain words when the settings cannot work on images of this shape."""
    height, width, _ = image_shape
    pixels = height * width
    if settings.latent_dim >= pixels:
        raise ValueError(f"A code of {settings.latent_dim} numbers for images of {pixels} pixels squeezes nothing: "
                         f"choose fewer than {pixels}.")
    if settings.architecture == "conv" and (height % 4 or width % 4):
        raise ValueError(f"The convolutional model halves the image twice, so its sides must be multiples of 4. "
                         f"Received: {height}×{width}.")


def build_autoencoder(image_shape: tuple[int, ...], settings: AutoencoderSettings, seed: int):
    """The encoder/decoder model for ``settings`` (same seed, same weights); ``ValueError`` for an impossible shape."""
    from engine.generative.latent_model import build_latent_model

    check_shape(image_shape, settings)
    return build_latent_model(image_shape, settings, seed)


def _configure(model, options) -> None:
    """Set β and the noise level in place (variables: no retracing needed)."""
    model.beta.assign(float(options.get("beta", 1.0)))
    model.noise.assign(float(options.get("noise", 0.0)))


def make_run(settings: AutoencoderSettings, dataset: ImageDataset) -> TrainingRun:
    """A run that learns to rebuild the data set's images (the test images validate)."""
    image_shape = dataset.x_train.shape[1:]
    recipe = ModelRecipe(build=lambda seed: build_autoencoder(image_shape, settings, seed), configure=_configure,
                         configure_retraces=False)
    data = TrainingData(dataset.x_train, dataset.x_train, dataset.x_test, dataset.x_test)
    return TrainingRun(recipe, data, run_settings(settings), seed=settings.seed)


def run_settings(settings: AutoencoderSettings) -> RunSettings:
    """The live training settings (optimizer, batch size, β and noise)."""
    return RunSettings(optimizer=settings.optimizer, batch_size=settings.batch_size,
                       live_options=settings.live_options(), jit_compile=xla_for_convolutions())


def latent_grid(extent: float, steps: int) -> np.ndarray:
    """Codes on a steps×steps grid over [-extent, extent]², row by row from the top left.

    Shape (steps * steps, 2); y decreases down the rows so the grid reads like a plot.
    """
    if steps < 2 or not extent > 0:
        raise ValueError(f"Expected at least 2 steps and a positive extent. Received: {steps}, {extent}.")
    values = np.linspace(-extent, extent, steps, dtype=np.float32)
    xs, ys = np.meshgrid(values, values[::-1])
    return np.stack([xs.ravel(), ys.ravel()], axis=1)


def sample_codes(num_samples: int, latent_dim: int, seed: int) -> np.ndarray:
    """Codes drawn from the prior N(0, I); the same seed gives the same codes."""
    return np.random.default_rng(seed).standard_normal((num_samples, latent_dim)).astype(np.float32)


def interpolate_codes(start: np.ndarray, end: np.ndarray, steps: int) -> np.ndarray:
    """``steps`` codes on the straight line from ``start`` to ``end``, both included."""
    weights = np.linspace(0.0, 1.0, steps, dtype=np.float32)[:, None]
    return (1 - weights) * start[None] + weights * end[None]
