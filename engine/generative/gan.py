"""Generative adversarial networks (GANs): 2-D point clouds GAN-Lab style, and a small DCGAN on digits.

A generator G turns random noise into samples; a discriminator D scores samples as real or
fake. They train in turns: D learns to tell the data from G's output, then G moves its output
to where D says "real". Both models are one ``GanModel`` (its own ``train_step``), so the
shared ``TrainingRun`` plays, pauses, steps and resets them like every other model. One
*epoch* is one pass over the real data: a D and a G update per batch (k D updates with k > 1).

Live settings (no retrace, weights kept): both learning rates, k, the loss family, and which
network trains (both, or one only, to watch each half of the game on its own).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import partial

import numpy as np

from engine.device import xla_for_convolutions
from engine.generative.codes import interpolate_codes, sample_codes
from engine.generative.targets import (
    LINK_POINTS,
    TARGETS,
    Coverage,
    Target,
    decode_points,
    encode_points,
    mode_coverage,
)
from engine.links import LinkReader
from engine.training.optimizers import MAX_LEARNING_RATE, MIN_LEARNING_RATE, OPTIMIZERS, OptimizerConfig
from engine.training.run import ModelRecipe, RunSettings, TrainingData, TrainingRun
from engine.vision.image_data import DATASETS, ImageDataset

LOSSES = {
    "minimax": "Original minimax",
    "non_saturating": "Non-saturating",
    "least_squares": "Least squares",
}
PARTS = {"both": "Both networks", "discriminator": "Discriminator only", "generator": "Generator only"}
MAX_LAYERS, MAX_UNITS = 4, 256
MAX_D_STEPS = 10
POINT_NOISE_RANGE = (1, 8)  # noise numbers the 2-D GAN's slider offers and its links accept
HEATMAP_STEPS = 60
MESH_STEPS = 15
NUM_SHOWN = 400  # generated points drawn (fixed noise, so frames compare)
NUM_ARROWS = 120
NUM_FIXED_IMAGES = 64
PINNED_ACCURACY, PINNED_EPOCHS = 0.99, 5
COLLAPSE_RATIO = 0.35
COLLAPSE_AFTER_EPOCHS = 20  # before that every generator's samples are alike grey fog


@dataclass(frozen=True)
class GanTraining:
    """The adversarial game's settings, shared by the 2-D and the image GAN.

    Attributes:
        d_optimizer, g_optimizer: each network's optimizer (the learning rates are live). Adam
            with β₁ = 0.5 (its momentum) by default: with the usual 0.9 the two networks'
            updates overshoot each other and the 2-D generator collapses onto a few modes.
        d_steps: discriminator updates per generator update, k (live).
        loss: a key of ``LOSSES`` (live).
        train: a key of ``PARTS``: which network updates (live).
        batch_size: real samples per update (live).
    """

    d_optimizer: OptimizerConfig = OptimizerConfig("adam", 0.001, momentum=0.5)
    g_optimizer: OptimizerConfig = OptimizerConfig("adam", 0.001, momentum=0.5)
    d_steps: int = 1
    loss: str = "non_saturating"
    train: str = "both"
    batch_size: int = 64

    def __post_init__(self) -> None:
        if self.loss not in LOSSES:
            raise ValueError(f"Unknown GAN loss {self.loss!r}. Expected one of: {', '.join(LOSSES)}.")
        if self.train not in PARTS:
            raise ValueError(f"Unknown choice {self.train!r}. Expected one of: {', '.join(PARTS)}.")
        if not 1 <= self.d_steps <= MAX_D_STEPS:
            raise ValueError(f"Expected 1 to {MAX_D_STEPS} discriminator steps. Received: {self.d_steps}.")
        if self.batch_size < 1:
            raise ValueError(f"Expected a batch size of at least 1. Received: {self.batch_size}.")

    def optimizer_structure(self) -> tuple:
        """What builds new optimizers when it changes: their kinds and momentum (learning rates are live)."""
        return self.d_optimizer.name, self.g_optimizer.name, self.d_optimizer.momentum, self.g_optimizer.momentum

    def live_options(self) -> dict[str, float]:
        return {"d_learning_rate": self.d_optimizer.learning_rate, "g_learning_rate": self.g_optimizer.learning_rate,
                "d_steps": self.d_steps, "loss": list(LOSSES).index(self.loss),
                "train_d": float(self.train != "generator"), "train_g": float(self.train != "discriminator")}


@dataclass(frozen=True)
class PointGanSettings:
    """A 2-D GAN experiment.

    Attributes:
        target: a key of ``TARGETS`` ("custom": the user's points).
        g_layers, d_layers: hidden units per dense layer of G and D (ReLU).
        noise_dim: size of G's input noise (2 lets the noise grid be drawn).
        training: the game's settings.
        seed: weights, noise and the target's points.
    """

    target: str = "ring"
    g_layers: tuple[int, ...] = (64, 64)
    d_layers: tuple[int, ...] = (64, 64)
    noise_dim: int = 2
    training: GanTraining = GanTraining()
    seed: int = 0

    def __post_init__(self) -> None:
        if self.target not in TARGETS:
            raise ValueError(f"Unknown target {self.target!r}. Expected one of: {', '.join(TARGETS)}.")
        for name, layers in (("generator", self.g_layers), ("discriminator", self.d_layers)):
            if not 1 <= len(layers) <= MAX_LAYERS:
                raise ValueError(f"Expected 1 to {MAX_LAYERS} hidden layers in the {name}. Received: {len(layers)}.")
            if not all(1 <= units <= MAX_UNITS for units in layers):
                raise ValueError(f"Expected 1 to {MAX_UNITS} units per layer in the {name}. Received: {layers}. "
                                 "A layer with zero units would cut the network in two.")
        if not 1 <= self.noise_dim <= 16:
            raise ValueError(f"Expected 1 to 16 noise numbers. Received: {self.noise_dim}.")

    def structure(self) -> tuple:
        """What needs a new model when it changes."""
        return self.target, self.g_layers, self.d_layers, self.noise_dim, self.training.optimizer_structure(), self.seed


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


def _configure(model, options) -> None:
    """Assign the live options to the model's variables and its optimizers' learning rates."""
    model.d_optimizer.learning_rate.assign(float(options["d_learning_rate"]))
    model.g_optimizer.learning_rate.assign(float(options["g_learning_rate"]))
    model.d_steps.assign(float(options["d_steps"]))
    model.loss_index.assign(float(options["loss"]))
    model.train_discriminator.assign(float(options["train_d"]))
    model.train_generator.assign(float(options["train_g"]))


def run_settings(training: GanTraining, images: bool = False) -> RunSettings:
    """The run's live settings (its own optimizer goes unused: the GAN updates with its two).

    Dense 2-D GANs always compile with XLA; convolutional ones only where it helps (a GPU).
    """
    return RunSettings(batch_size=training.batch_size, live_options=training.live_options(),
                       jit_compile=xla_for_convolutions() if images else True)


def _run(build, real: np.ndarray, training: GanTraining, seed: int, images: bool) -> TrainingRun:
    recipe = ModelRecipe(build=build, configure=_configure, configure_retraces=False)
    empty = real[:0]
    return TrainingRun(recipe, TrainingData(real, real, empty, empty), run_settings(training, images), seed=seed)


def make_point_run(settings: PointGanSettings, target: Target) -> TrainingRun:
    """A run whose generator learns to imitate the target's points."""
    from engine.generative.gan_model import build_point_gan

    training = settings.training
    return _run(partial(build_point_gan, settings.noise_dim, settings.g_layers, settings.d_layers,
                        training.d_optimizer, training.g_optimizer),
                target.points, training, settings.seed, images=False)


def make_image_run(settings: ImageGanSettings, dataset: ImageDataset) -> TrainingRun:
    """A run whose generator learns to draw the data set's training images."""
    from engine.generative.gan_model import build_image_gan

    height, width = dataset.x_train.shape[1:3]
    if height % 4 or width % 4:
        raise ValueError(f"The DCGAN doubles a small image twice, so image sides must be multiples of 4. "
                         f"Received: {height}×{width}.")
    training = settings.training
    return _run(partial(build_image_gan, dataset.x_train.shape[1:], settings.noise_dim, settings.filters,
                        training.d_optimizer, training.g_optimizer),
                dataset.x_train, training, settings.seed, images=True)


# ----------------------------------------------------------------- 2-D views
@dataclass(frozen=True)
class PointGanView:
    """What the 2-D GAN page draws between chunks.

    Attributes:
        fake: generated points for a fixed noise sample, (NUM_SHOWN, 2).
        extent: the plane shown is [-extent, extent]².
        heatmap: D's verdict (1 = real) on a HEATMAP_STEPS² grid over the plane, row 0 at the bottom.
        mesh: G's image of a MESH_STEPS² grid of noise over [-2, 2]² (2-D noise only), (s, s, 2).
        arrows: (NUM_ARROWS, 2) directions the generator's update pushes the first generated points.
        coverage: mode coverage for mixture targets, else None.
    """

    fake: np.ndarray
    extent: float
    heatmap: np.ndarray
    mesh: np.ndarray | None
    arrows: np.ndarray
    coverage: Coverage | None


class PointGanObserver:
    """Computes ``PointGanView``s for one target with fixed noise (the same points move from frame to frame)."""

    def __init__(self, target: Target, noise_dim: int, seed: int) -> None:
        self.target = target
        self.noise = sample_codes(NUM_SHOWN, noise_dim, seed + 1)
        self.extent = round(float(np.abs(target.points).max()) * 1.35 + 0.05, 2)
        values = np.linspace(-self.extent, self.extent, HEATMAP_STEPS, dtype=np.float32)
        xs, ys = np.meshgrid(values, values)
        self.grid_axis = values
        self.grid = np.stack([xs.ravel(), ys.ravel()], axis=1)
        mesh_values = np.linspace(-2.0, 2.0, MESH_STEPS, dtype=np.float32)
        mesh_x, mesh_y = np.meshgrid(mesh_values, mesh_values)
        self.mesh_noise = np.stack([mesh_x.ravel(), mesh_y.ravel()], axis=1) if noise_dim == 2 else None

    def __call__(self, run: TrainingRun) -> PointGanView:
        model = run.model
        fake = model.generate(self.noise)
        heatmap = model.judge(self.grid).reshape(HEATMAP_STEPS, HEATMAP_STEPS)
        mesh = None
        if self.mesh_noise is not None:
            mesh = model.generate(self.mesh_noise).reshape(MESH_STEPS, MESH_STEPS, 2)
        arrows = model.generator_pull(fake[:NUM_ARROWS])
        coverage = None
        if self.target.modes is not None:
            coverage = mode_coverage(fake, self.target.modes, self.target.mode_std)
        return PointGanView(fake, self.extent, heatmap, mesh, arrows, coverage)


# ----------------------------------------------------------------- image views
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


def training_warnings(history: dict, diversity: float | None = None, samples: str = "images") -> list[str]:
    """Plain-word warnings about the game going wrong: D winning outright, or G collapsing.

    ``samples`` names what the networks make ("images", or "points" in the plane).
    """
    warnings = []
    accuracy = history.get("d_accuracy", [])
    if len(accuracy) >= PINNED_EPOCHS and min(accuracy[-PINNED_EPOCHS:]) >= PINNED_ACCURACY:
        warnings.append(f"The discriminator has been right about {PINNED_ACCURACY:.0%} or more of the {samples} for "
                        f"{PINNED_EPOCHS} epochs: it wins outright, so the generator's gradients carry little "
                        "information. Try a lower discriminator learning rate, k = 1, or the non-saturating loss.")
    if diversity is not None and len(accuracy) >= COLLAPSE_AFTER_EPOCHS and diversity < COLLAPSE_RATIO:
        warnings.append(f"The samples are much less varied than real {samples} (spread {diversity:.0%} of the real "
                        "one): the generator may be collapsing onto a few outputs (mode collapse). Try a lower "
                        "generator learning rate, or reset with another seed.")
    return warnings


# ----------------------------------------------------------------- share links
def _training_params(training: GanTraining) -> dict[str, str]:
    return {
        "d_opt": training.d_optimizer.name, "d_lr": f"{training.d_optimizer.learning_rate:g}",
        "g_opt": training.g_optimizer.name, "g_lr": f"{training.g_optimizer.learning_rate:g}",
        "momentum": f"{training.d_optimizer.momentum:g}", "k": str(training.d_steps), "loss": training.loss, "train": training.train, "batch": str(training.batch_size),
    }


def _training_from(reader: LinkReader, default: GanTraining) -> GanTraining:
    momentum = reader.number("momentum", default.d_optimizer.momentum, 0.0, 0.99)

    def optimizer(prefix: str, fallback: OptimizerConfig) -> OptimizerConfig:
        return OptimizerConfig(reader.choice(f"{prefix}_opt", tuple(OPTIMIZERS), fallback.name),
                               reader.number(f"{prefix}_lr", fallback.learning_rate, MIN_LEARNING_RATE,
                                             MAX_LEARNING_RATE), momentum)

    return GanTraining(
        d_optimizer=optimizer("d", default.d_optimizer), g_optimizer=optimizer("g", default.g_optimizer),
        d_steps=int(reader.number("k", default.d_steps, 1, MAX_D_STEPS, integer=True)),
        loss=reader.choice("loss", tuple(LOSSES), default.loss), train=reader.choice("train", tuple(PARTS), default.train),
        batch_size=int(reader.number("batch", default.batch_size, 1, 512, integer=True)),
    )


def point_to_query_params(settings: PointGanSettings, points: np.ndarray | None = None) -> dict[str, str]:
    """2-D GAN settings as query parameters; the user's own points (``points``) compactly, when they are the target."""
    params = {"target": settings.target, "g": ",".join(map(str, settings.g_layers)),
              "d": ",".join(map(str, settings.d_layers)), "noise": str(settings.noise_dim),
              **_training_params(settings.training), "seed": str(settings.seed)}
    if settings.target == "custom" and points is not None:
        params["points"] = encode_points(points)
    return params


def link_points(params: dict[str, str]) -> np.ndarray | None:
    """The user's points a link carries (see ``encode_points``), or None when it carries none that work."""
    try:
        return decode_points(LinkReader(params).text("points", "", max_length=4 * LINK_POINTS))
    except ValueError:
        return None


def point_from_query_params(params: dict[str, str]) -> tuple[PointGanSettings, list[str]]:
    """2-D GAN settings from a link; one warning per value ignored or clamped.

    A link that names the user's own points but carries none that can be read opens on the
    ring instead (and says so): a visitor never lands on a page with nothing to train on.
    """
    reader, default = LinkReader(params), PointGanSettings()
    target = reader.choice("target", tuple(TARGETS), default.target)
    if target == "custom" and link_points(params) is None:
        reader.warn("target", target, "the link carries no points of its own that can be read; using the ring")
        target = default.target
    settings = PointGanSettings(
        target=target,
        g_layers=reader.int_list("g", default.g_layers, 1, MAX_UNITS, MAX_LAYERS) or default.g_layers,
        d_layers=reader.int_list("d", default.d_layers, 1, MAX_UNITS, MAX_LAYERS) or default.d_layers,
        noise_dim=int(reader.number("noise", default.noise_dim, *POINT_NOISE_RANGE, integer=True)),
        training=_training_from(reader, default.training),
        seed=int(reader.number("seed", default.seed, 0, 2**31 - 1, integer=True)),
    )
    return settings, reader.warnings


def image_to_query_params(settings: ImageGanSettings) -> dict[str, str]:
    """Image GAN settings as query parameters."""
    return {"data": settings.dataset, "noise": str(settings.noise_dim), "filters": str(settings.filters),
            **_training_params(settings.training), "seed": str(settings.seed)}


def image_from_query_params(params: dict[str, str]) -> tuple[ImageGanSettings, list[str]]:
    """Image GAN settings from a link; one warning per value ignored or clamped."""
    reader, default = LinkReader(params), ImageGanSettings()
    settings = ImageGanSettings(
        dataset=reader.choice("data", tuple(DATASETS), default.dataset),
        noise_dim=int(reader.number("noise", default.noise_dim, 2, 128, integer=True)),
        filters=int(reader.number("filters", default.filters, 4, 128, integer=True)),
        training=_training_from(reader, default.training),
        seed=int(reader.number("seed", default.seed, 0, 2**31 - 1, integer=True)),
    )
    return settings, reader.warnings
