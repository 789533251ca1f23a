"""The image GAN lab: a small DCGAN learns to draw the images of a data set.

A fixed set of noise vectors is decoded every frame, so the grid shows the same samples
sharpening while the game goes on; their spread against real images warns of mode collapse.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import partial

import numpy as np

from engine import fields
from engine.data.image_sets import DATASETS, ImageDataset
from engine.fields import Declared, choice, integer, nested, random_seed
from engine.generative.codes import interpolate_codes, sample_codes
from engine.generative.gan import GanTraining, game_settings, gan_run
from engine.training.optimizers import OptimizerConfig
from engine.training.run import TrainingRun
from engine.training.setup import RunSettings

NUM_FIXED_IMAGES = 64


@dataclass(frozen=True)
class ImageGanSettings(Declared):
    """A DCGAN experiment on an image set.

    Attributes:
        dataset: a key of ``DATASETS`` (8×8 digits by default; 28×28 sets when Keras has them).
        noise_dim: size of G's input noise.
        filters: channels of G's last and D's first convolution (the others have twice as many).
        training: the game's settings.
        seed: weights, noise and shuffling.
    """

    dataset: str = choice("digits", DATASETS, "data", "data set")
    noise_dim: int = integer(16, 2, 128, "noise", "a number of noise inputs")
    filters: int = integer(32, 4, 128, "filters", "a number of filters")
    training: GanTraining = nested(GanTraining(OptimizerConfig("adam", 0.001, 0.5), OptimizerConfig("adam", 0.002, 0.5)))
    seed: int = random_seed()


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


to_query_params = fields.to_query_params
from_query_params = partial(fields.from_query_params, ImageGanSettings)
