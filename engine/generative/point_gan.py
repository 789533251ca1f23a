"""The 2-D GAN lab: a generator learns to imitate points in the plane, GAN-Lab style.

The views show the discriminator's verdict over the plane, how the generator bends a grid of
noise, and where its next update pushes each generated point; a target of separate Gaussians
also reports how many of its modes the samples cover.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import partial
from typing import Any

import numpy as np

from engine import fields
from engine.fields import Declared, choice, integer, integers, nested, random_seed
from engine.generative.codes import sample_codes
from engine.generative.gan import GanTraining, game_settings, gan_run
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
HEATMAP_STEPS = 60
MESH_STEPS = 15
NUM_SHOWN = 400  # generated points drawn (fixed noise, so frames compare)
NUM_ARROWS = 120


@dataclass(frozen=True)
class PointGanSettings(Declared):
    """A 2-D GAN experiment.

    Attributes:
        target: a key of ``TARGETS`` ("custom": the user's points).
        g_layers, d_layers: hidden units per dense layer of G and D (ReLU).
        noise_dim: size of G's input noise (2 lets the noise grid be drawn).
        training: the game's settings.
        seed: weights, noise and the target's points.
    """

    target: str = choice("ring", TARGETS, "target", "target")
    g_layers: tuple[int, ...] = integers((64, 64), 1, MAX_UNITS, "g", "generator layer sizes", MAX_LAYERS, min_length=1)
    d_layers: tuple[int, ...] = integers((64, 64), 1, MAX_UNITS, "d", "discriminator layer sizes", MAX_LAYERS,
                                         min_length=1)
    noise_dim: int = integer(2, 1, 8, "noise", "a number of noise inputs")
    training: GanTraining = nested(GanTraining())
    seed: int = random_seed()

    @classmethod
    def repair_link(cls, values: dict[str, Any], reader: LinkReader) -> None:
        """A link that names the user's own points but carries none that can be read opens on the
        ring instead (and says so): a visitor never lands on a page with nothing to train on."""
        if values["target"] == "custom" and link_points(reader.params) is None:
            reader.warn("target", "custom", "the link carries no points of its own that can be read; using the ring")
            values["target"] = cls().target


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
        mesh_noise = self.mesh_noise if self.mesh_noise is not None else np.zeros((0, self.noise.shape[1]), np.float32)
        fake, verdict, mesh_points, arrows = run.model.plane_view(self.noise, self.grid, mesh_noise, NUM_ARROWS)
        heatmap = verdict.reshape(HEATMAP_STEPS, HEATMAP_STEPS)
        mesh = mesh_points.reshape(MESH_STEPS, MESH_STEPS, 2) if self.mesh_noise is not None else None
        coverage = None
        if self.target.modes is not None:
            coverage = mode_coverage(fake, self.target.modes, self.target.mode_std)
        return PointGanView(fake, self.extent, heatmap, mesh, arrows, coverage)


def to_query_params(settings: PointGanSettings, points: np.ndarray | None = None) -> dict[str, str]:
    """2-D GAN settings as query parameters; the user's own points (``points``) compactly, when they are the target."""
    params = fields.to_query_params(settings)
    if settings.target == "custom" and points is not None:
        params["points"] = encode_points(points)
    return params


def link_points(params: dict[str, str]) -> np.ndarray | None:
    """The user's points a link carries (see ``encode_points``), or None when it carries none that work."""
    try:
        return decode_points(LinkReader(params).text("points", "", max_length=4 * LINK_POINTS))
    except ValueError:
        return None


from_query_params = partial(fields.from_query_params, PointGanSettings)
