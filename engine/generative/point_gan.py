"""The 2-D GAN lab: a generator learns to imitate points in the plane, GAN-Lab style.

The views show the discriminator's verdict over the plane, how the generator bends a grid of
noise, and where its next update pushes each generated point; a target of separate Gaussians
also reports how many of its modes the samples cover.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import partial

import numpy as np

from engine.generative.codes import sample_codes
from engine.generative.gan import GanTraining, game_settings, gan_run, training_from, training_params
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
from engine.training.run import TrainingRun
from engine.training.setup import RunSettings

MAX_LAYERS, MAX_UNITS = 4, 256
NOISE_RANGE = (1, 8)  # noise numbers the slider offers and links accept
HEATMAP_STEPS = 60
MESH_STEPS = 15
NUM_SHOWN = 400  # generated points drawn (fixed noise, so frames compare)
NUM_ARROWS = 120


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


def make_run(settings: PointGanSettings, target: Target) -> TrainingRun:
    """A run whose generator learns to imitate the target's points."""
    from engine.generative.gan_model import build_point_gan

    training = settings.training
    return gan_run(partial(build_point_gan, settings.noise_dim, settings.g_layers, settings.d_layers,
                        training.d_optimizer, training.g_optimizer),
                target.points, training, settings.seed, images=False)


def run_settings(settings: PointGanSettings) -> RunSettings:
    """The live part of a setup: the game's settings (a dense GAN always compiles with XLA)."""
    return game_settings(settings.training)


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


def to_query_params(settings: PointGanSettings, points: np.ndarray | None = None) -> dict[str, str]:
    """2-D GAN settings as query parameters; the user's own points (``points``) compactly, when they are the target."""
    params = {"target": settings.target, "g": ",".join(map(str, settings.g_layers)),
              "d": ",".join(map(str, settings.d_layers)), "noise": str(settings.noise_dim),
              **training_params(settings.training), "seed": str(settings.seed)}
    if settings.target == "custom" and points is not None:
        params["points"] = encode_points(points)
    return params


def link_points(params: dict[str, str]) -> np.ndarray | None:
    """The user's points a link carries (see ``encode_points``), or None when it carries none that work."""
    try:
        return decode_points(LinkReader(params).text("points", "", max_length=4 * LINK_POINTS))
    except ValueError:
        return None


def from_query_params(params: dict[str, str]) -> tuple[PointGanSettings, list[str]]:
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
        noise_dim=int(reader.number("noise", default.noise_dim, *NOISE_RANGE, integer=True)),
        training=training_from(reader, default.training),
        seed=int(reader.number("seed", default.seed, 0, 2**31 - 1, integer=True)),
    )
    return settings, reader.warnings
