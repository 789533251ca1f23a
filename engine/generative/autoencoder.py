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

from dataclasses import dataclass, replace
from functools import partial

import numpy as np

from engine import fields
from engine.data.image_sets import DATASETS, ImageDataset
from engine.device import xla_for_convolutions
from engine.fields import Declared, choice, integer, nested, number, random_seed
from engine.generative.codes import interpolate_codes, latent_grid, project_2d, sample_codes, sample_like, tile_images
from engine.training.optimizers import OptimizerConfig
from engine.training.run import TrainingRun
from engine.training.setup import ModelRecipe, RunSettings, TrainingData

KINDS = {"autoencoder": "Autoencoder", "vae": "Variational autoencoder (VAE)"}
ARCHITECTURES = {"dense": "Dense layers", "conv": "Convolutional layers"}
MIN_LATENT, MAX_LATENT = 2, 64
MAX_HIDDEN_UNITS = 1024
MAX_BETA = 20.0
IMAGE_SIZES = {"digits": 8, "mnist": 28, "fashion_mnist": 28}  # each set at its own resolution
NUM_SHOWN = 8  # test images shown with their reconstructions


@dataclass(frozen=True)
class AutoencoderSettings(Declared):
    """One autoencoder experiment.

    Attributes:
        dataset: a key of ``DATASETS`` (each at its own size, ``IMAGE_SIZES``).
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

    dataset: str = choice("digits", DATASETS, "data", "data set")
    kind: str = choice("vae", KINDS, "model", "model")
    architecture: str = choice("dense", ARCHITECTURES, "arch", "architecture")
    latent_dim: int = integer(2, MIN_LATENT, MAX_LATENT, "latent", "a code size")
    hidden_units: int = integer(256, 2, MAX_HIDDEN_UNITS, "units", "a number of hidden units")
    beta: float = number(1.0, 0.0, MAX_BETA, "beta", "β", live=True)
    noise: float = number(0.0, 0.0, 1.0, "noise", "a noise level", live=True)
    optimizer: OptimizerConfig = nested(OptimizerConfig("adam", 0.003), keys={"momentum": None}, live=True)
    batch_size: int = integer(64, 1, 512, "batch", "a batch size", live=True)
    seed: int = random_seed()

    @property
    def variational(self) -> bool:
        return self.kind == "vae"

    def live_options(self) -> dict[str, float]:
        return {"beta": self.beta, "noise": self.noise}


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
    # The seed and the live settings do not shape the model: runs that differ only there share it.
    shape_only = replace(settings, seed=0, beta=1.0, noise=0.0, optimizer=OptimizerConfig(), batch_size=1)
    recipe = ModelRecipe(build=partial(build_autoencoder, image_shape, shape_only), configure=_configure,
                         configure_retraces=False)
    data = TrainingData(dataset.x_train, dataset.x_train, dataset.x_test, dataset.x_test)
    return TrainingRun(recipe, data, run_settings(settings), seed=settings.seed)


def run_settings(settings: AutoencoderSettings) -> RunSettings:
    """The live training settings (optimizer, batch size, β and noise)."""
    return RunSettings(optimizer=settings.optimizer, batch_size=settings.batch_size,
                       live_options=settings.live_options(), jit_compile=xla_for_convolutions())


@dataclass(frozen=True)
class AutoencoderView:
    """What the live page draws between chunks.

    Attributes:
        originals: the clean test images shown, (NUM_SHOWN, h, w, 1).
        inputs: what the model was fed (the originals with the current noise), same shape.
        reconstructions: the model's output for ``inputs``.
        points: every test image's mean code in 2-D (the code itself or its first two
            principal components), (n_test, 2).
        variance_kept: share of the codes' variance the 2-D points keep.
    """

    originals: np.ndarray
    inputs: np.ndarray
    reconstructions: np.ndarray
    points: np.ndarray
    variance_kept: float


def add_noise(images: np.ndarray, level: float, seed: int) -> np.ndarray:
    """Images plus Gaussian noise of standard deviation ``level``, clipped to [0, 1] as in training."""
    noise = np.random.default_rng(seed).standard_normal(images.shape).astype(np.float32)
    return np.clip(images + level * noise, 0.0, 1.0)


def observe(run: TrainingRun) -> AutoencoderView:
    """Reconstructions of the first test images and the 2-D map of all test codes."""
    originals = run.data.x_val[:NUM_SHOWN]
    inputs = add_noise(originals, float(run.model.noise.numpy()), seed=run.seed)
    codes, _ = run.model.encode_images(run.data.x_val)
    points, kept = project_2d(codes)
    return AutoencoderView(originals, inputs, run.predict(inputs), points, kept)


def new_samples(run: TrainingRun, num_samples: int, seed: int) -> np.ndarray:
    """Images decoded from fresh codes: the prior for a VAE, a Gaussian fitted to the training codes otherwise."""
    model = run.model
    if model.variational:
        codes = sample_codes(num_samples, model.decoder.input_shape[-1], seed)
    else:
        codes = sample_like(model.encode_images(run.data.x_train)[0], num_samples, seed)
    return model.decode_codes(codes)


@dataclass(frozen=True)
class LatentMap:
    """The test set in code space, and for 2-D codes the decoded plane behind it.

    Attributes:
        codes: every test image's mean code, (n_test, latent_dim).
        points: the codes in 2-D (themselves, or their first two principal components).
        variance_kept: share of the codes' variance the 2-D points keep.
        extent: the plane shown is [-extent, extent]² (and the range of the code sliders).
        manifold: for 2-D codes, the decoded grid tiled into one image (steps·h, steps·w); else None.
    """

    codes: np.ndarray
    points: np.ndarray
    variance_kept: float
    extent: float
    manifold: np.ndarray | None


def latent_map(run: TrainingRun, steps: int = 15) -> LatentMap:
    """Encode the test set and, for a 2-D code, decode a steps×steps grid over the plane in one batch."""
    model = run.model
    codes, _ = model.encode_images(run.data.x_val)
    points, kept = project_2d(codes)
    spread = float(np.percentile(np.abs(codes), 99)) * 1.1
    extent = round(max(spread, 3.0 if model.variational else 0.1), 1)
    manifold = None
    if codes.shape[1] == 2:
        manifold = tile_images(model.decode_codes(latent_grid(extent, steps)), steps, gap=0)
    return LatentMap(codes, points, kept, extent, manifold)


def decode(run: TrainingRun, code: np.ndarray) -> np.ndarray:
    """The image (h, w, 1) the decoder makes from one code."""
    return run.model.decode_codes(np.asarray(code, np.float32)[None])[0]


def interpolate_images(run: TrainingRun, first: int, second: int, steps: int) -> np.ndarray:
    """Decodings along the straight line between two test images' mean codes, ends included."""
    count = len(run.data.x_val)
    if not (0 <= first < count and 0 <= second < count):
        raise ValueError(f"Expected test image numbers from 0 to {count - 1}. Received: {first} and {second}.")
    codes, _ = run.model.encode_images(run.data.x_val[[first, second]])
    return run.model.decode_codes(interpolate_codes(codes[0], codes[1], steps))


# ----------------------------------------------------------------- share links
to_query_params = fields.to_query_params
from_query_params = partial(fields.from_query_params, AutoencoderSettings)
