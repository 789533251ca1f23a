"""The image GAN lab: a small DCGAN learns to draw the images of a data set.

A fixed set of noise vectors is decoded every frame, so the grid shows the same samples
sharpening while the game goes on; their spread against real images warns of mode collapse.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import partial

import numpy as np

from engine.data.image_sets import DATASETS, ImageDataset
from engine.generative.codes import interpolate_codes, sample_codes
from engine.generative.gan import GanTraining, game_settings, gan_run, training_from, training_params
from engine.links import LinkReader
from engine.training.optimizers import OptimizerConfig
from engine.training.run import TrainingRun
from engine.training.setup import RunSettings

NUM_FIXED_IMAGES = 64


@dataclass(frozen=True)
class ImageGanSettings:
    """A DCGAN experiment on an image set.

    Attributes:
        dataset: a key of ``DATASETS`` (8×8 digits by default; 28×28 sets when Keras has them).
        noise_dim: size of G's input noise.
        filters: channels of G's last and D's first convolution (the others have twice as many).
        training: the game's settings.
        seed: weights, noise and shuffling.
    """

    dataset: str = "digits"
    noise_dim: int = 16
    filters: int = 32
    training: GanTraining = GanTraining(OptimizerConfig("adam", 0.001, 0.5), OptimizerConfig("adam", 0.002, 0.5))
    seed: int = 0

    def __post_init__(self) -> None:
        if self.dataset not in DATASETS:
            raise ValueError(f"Unknown data set {self.dataset!r}. Expected one of: {', '.join(DATASETS)}.")
        if not 2 <= self.noise_dim <= 128:
            raise ValueError(f"Expected 2 to 128 noise numbers. Received: {self.noise_dim}.")
        if not 4 <= self.filters <= 128:
            raise ValueError(f"Expected 4 to 128 filters. Received: {self.filters}.")

    def structure(self) -> tuple:
        return self.dataset, self.noise_dim, self.filters, self.training.optimizer_structure(), self.seed


def make_run(settings: ImageGanSettings, dataset: ImageDataset) -> TrainingRun:
    """A run whose generator learns to draw the data set's training images."""
    from engine.generative.gan_model import build_image_gan

    height, width = dataset.x_train.shape[1:3]
    if height % 4 or width % 4:
        raise ValueError(f"The DCGAN doubles a small image twice, so image sides must be multiples of 4. "
                         f"Received: {height}×{width}.")
    training = settings.training
    return gan_run(partial(build_image_gan, dataset.x_train.shape[1:], settings.noise_dim, settings.filters,
                        training.d_optimizer, training.g_optimizer),
                dataset.x_train, training, settings.seed, images=True)


def run_settings(settings: ImageGanSettings) -> RunSettings:
    """The live part of a setup: the game's settings (convolutions compile with XLA only on a GPU)."""
    return game_settings(settings.training, images=True)


@dataclass(frozen=True)
class ImageGanView:
    """What the image GAN page draws: the fixed-noise grid and how varied it is.

    Attributes:
        samples: G's images for the fixed noise, (NUM_FIXED_IMAGES, h, w, 1).
        diversity: their mean pairwise distance divided by that of as many real images.
    """

    samples: np.ndarray
    diversity: float


def mean_pairwise_distance(images: np.ndarray) -> float:
    """Mean Euclidean distance between all pairs of images (flattened)."""
    flat = images.reshape(len(images), -1).astype(np.float64)
    squared = (flat ** 2).sum(axis=1)
    distances = np.sqrt(np.maximum(squared[:, None] + squared[None, :] - 2 * flat @ flat.T, 0.0))
    count = len(images)
    return float(distances.sum() / (count * (count - 1))) if count > 1 else 0.0


class ImageGanObserver:
    """Fixed-noise samples every frame, so the grid shows the same 64 'people' growing up."""

    def __init__(self, real: np.ndarray, noise_dim: int, seed: int) -> None:
        self.noise = sample_codes(NUM_FIXED_IMAGES, noise_dim, seed + 1)
        self.real_spread = mean_pairwise_distance(real[:NUM_FIXED_IMAGES])

    def __call__(self, run: TrainingRun) -> ImageGanView:
        samples = run.model.generate(self.noise)
        return ImageGanView(samples, mean_pairwise_distance(samples) / (self.real_spread or 1.0))


def fresh_samples(run: TrainingRun, count: int, seed: int) -> np.ndarray:
    """Images for new noise drawn with ``seed``."""
    return run.model.generate(sample_codes(count, run.model.noise_dim, seed))


def noise_walk(run: TrainingRun, first_seed: int, second_seed: int, steps: int) -> np.ndarray:
    """Images along the straight line between two noise vectors (drawn from two seeds)."""
    dim = run.model.noise_dim
    start, end = sample_codes(1, dim, first_seed)[0], sample_codes(1, dim, second_seed)[0]
    return run.model.generate(interpolate_codes(start, end, steps))


def to_query_params(settings: ImageGanSettings) -> dict[str, str]:
    """Image GAN settings as query parameters."""
    return {"data": settings.dataset, "noise": str(settings.noise_dim), "filters": str(settings.filters),
            **training_params(settings.training), "seed": str(settings.seed)}


def from_query_params(params: dict[str, str]) -> tuple[ImageGanSettings, list[str]]:
    """Image GAN settings from a link; one warning per value ignored or clamped."""
    reader, default = LinkReader(params), ImageGanSettings()
    settings = ImageGanSettings(
        dataset=reader.choice("data", tuple(DATASETS), default.dataset),
        noise_dim=int(reader.number("noise", default.noise_dim, 2, 128, integer=True)),
        filters=int(reader.number("filters", default.filters, 4, 128, integer=True)),
        training=training_from(reader, default.training),
        seed=int(reader.number("seed", default.seed, 0, 2**31 - 1, integer=True)),
    )
    return settings, reader.warnings
