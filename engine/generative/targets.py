"""Two-dimensional target distributions for the GAN lab, and how well a sample covers them.

Each target is a cloud of real points inside roughly [-1, 1]². The mixtures (a ring and a
grid of small Gaussians) have known modes, so ``mode_coverage`` can say how many of them the
generator reaches: a GAN that *collapses* piles its samples onto a few modes and scores low.
Users can also bring their own points, drawn or uploaded.
"""

from __future__ import annotations

import base64
import binascii
import csv
import io
import math
from dataclasses import dataclass

import numpy as np

from engine.data.upload import MAX_ABS_VALUE, uploaded_text

TARGETS = {
    "ring": "Ring of 8 Gaussians",
    "grid": "Grid of 25 Gaussians",
    "moons": "Two moons",
    "line": "Line",
    "spiral": "Spiral",
    "custom": "Your points (drawn or uploaded)",
}
NUM_POINTS = 512
MIN_CUSTOM_POINTS = 10
MAX_CUSTOM_POINTS = 2000
MAX_UPLOAD_BYTES = 1_000_000
LINK_POINTS = 600  # at most this many of the user's points travel in a share link
COVERAGE_SIGMAS = 3.0  # a sample within this many standard deviations of a mode's centre counts for it


@dataclass(frozen=True)
class Target:
    """Real points to imitate, with the mixture's modes when there are any.

    Attributes:
        points: (n, 2) float32.
        modes: (m, 2) centres of the mixture's Gaussians, or None.
        mode_std: their common standard deviation (0 when there are no modes).
    """

    points: np.ndarray
    modes: np.ndarray | None = None
    mode_std: float = 0.0


def make_target(name: str, seed: int, custom_points: np.ndarray | None = None, num_points: int = NUM_POINTS) -> Target:
    """The named target's points (the same seed gives the same points)."""
    rng = np.random.default_rng(seed)
    if name == "ring":
        angles = np.arange(8) * 2 * math.pi / 8
        return _mixture(np.stack([np.cos(angles), np.sin(angles)], axis=1), 0.05, num_points, rng)
    if name == "grid":
        values = np.linspace(-1.0, 1.0, 5)
        xs, ys = np.meshgrid(values, values)
        return _mixture(np.stack([xs.ravel(), ys.ravel()], axis=1), 0.04, num_points, rng)
    if name == "moons":
        from sklearn.datasets import make_moons

        points, _ = make_moons(num_points, noise=0.05, random_state=seed)
        return Target(((points - [0.5, 0.25]) / 1.5).astype(np.float32))
    if name == "line":
        along = rng.uniform(-1.0, 1.0, num_points)
        points = np.stack([along, 0.6 * along], axis=1) + rng.normal(scale=0.02, size=(num_points, 2))
        return Target(points.astype(np.float32))
    if name == "spiral":
        turn = np.sqrt(rng.uniform(0.02, 1.0, num_points)) * 3 * math.pi
        points = np.stack([turn * np.cos(turn), turn * np.sin(turn)], axis=1) / (3 * math.pi)
        return Target((points + rng.normal(scale=0.02, size=points.shape)).astype(np.float32))
    if name == "custom":
        if custom_points is None:
            raise ValueError(f"Draw or upload at least {MIN_CUSTOM_POINTS} points first.")
        return Target(check_points(custom_points))
    raise ValueError(f"Unknown target {name!r}. Expected one of: {', '.join(TARGETS)}.")


def _mixture(centres: np.ndarray, std: float, num_points: int, rng: np.random.Generator) -> Target:
    chosen = rng.integers(len(centres), size=num_points)
    points = centres[chosen] + rng.normal(scale=std, size=(num_points, 2))
    return Target(points.astype(np.float32), centres.astype(np.float32), std)


def check_points(points: np.ndarray) -> np.ndarray:
    """User points as (n, 2) float32; ``ValueError`` in words when there are too few or they are not finite."""
    points = np.asarray(points, dtype=np.float64)
    if points.ndim != 2 or points.shape[1] != 2:
        raise ValueError(f"Expected points with two coordinates each. Received shape {points.shape}.")
    if not np.isfinite(points).all():
        raise ValueError("Some points are NaN or infinite. Expected finite coordinates.")
    if np.abs(points).max(initial=0.0) > MAX_ABS_VALUE:  # finite here, infinite in the model's float32
        raise ValueError(f"Some coordinates are larger than {MAX_ABS_VALUE:.0e} in size. Expected values a 32-bit "
                         "model can train on: rescale them.")
    if len(points) < MIN_CUSTOM_POINTS:
        raise ValueError(f"A distribution needs at least {MIN_CUSTOM_POINTS} points to learn from. "
                         f"Received: {len(points)}. Draw or upload more.")
    if len(points) > MAX_CUSTOM_POINTS:
        raise ValueError(f"Expected at most {MAX_CUSTOM_POINTS:,} points. Received: {len(points):,}.")
    return points.astype(np.float32)


def fit_to_square(points: np.ndarray) -> np.ndarray:
    """Points shifted and scaled (one factor for both axes) to fill [-1, 1]², so any units work."""
    points = np.asarray(points, dtype=np.float64)  # spans of large float32 values can overflow float32
    centre = (points.max(axis=0) + points.min(axis=0)) / 2
    half_span = float((points.max(axis=0) - points.min(axis=0)).max()) / 2
    return ((points - centre) / (half_span or 1.0)).astype(np.float32)


def points_from_csv(data: bytes) -> np.ndarray:
    """The first two numeric columns of a CSV file (a header row is skipped), fitted to [-1, 1]²."""
    text = uploaded_text(data, MAX_UPLOAD_BYTES, "a CSV with two numeric columns (x, y)")
    rows = []
    for row in csv.reader(io.StringIO(text)):
        try:
            rows.append((float(row[0]), float(row[1])))
        except (ValueError, IndexError):
            if rows:  # only a leading header may be skipped
                raise ValueError(f"Row {len(rows) + 2} is not two numbers: {','.join(row)[:60]!r}.") from None
    return fit_to_square(check_points(np.array(rows).reshape(-1, 2)))


def ink_mask(rgba: np.ndarray, background: tuple[int, int, int] = (255, 255, 255)) -> np.ndarray:
    """Where a drawing has ink: opaque pixels whose colour is far from the canvas's background.

    A drawing canvas returns its background too (opaque white here), so transparency alone
    marks every pixel as drawn; the colour tells the stroke apart.

    Args:
        rgba: (height, width, 4) uint8 pixels, as the canvas returns them.
        background: the canvas's background colour.

    Returns:
        A (height, width) boolean mask.
    """
    pixels = np.asarray(rgba, dtype=np.int16)
    difference = np.abs(pixels[:, :, :3] - np.array(background, np.int16)).max(axis=2)
    return (pixels[:, :, 3] > 0) & (difference > 64)


def points_from_mask(mask: np.ndarray, max_points: int, seed: int) -> np.ndarray:
    """Points where a drawing's mask is set, in [-1, 1]² with y up (row 0 is the top edge)."""
    rows, cols = np.nonzero(mask)
    if len(rows) > max_points:
        keep = np.random.default_rng(seed).choice(len(rows), max_points, replace=False)
        rows, cols = rows[keep], cols[keep]
    height, width = mask.shape
    x = (cols + 0.5) / width * 2 - 1
    y = 1 - (rows + 0.5) / height * 2
    return np.stack([x, y], axis=1).astype(np.float32)


def encode_points(points: np.ndarray, max_points: int = LINK_POINTS, seed: int = 0) -> str:
    """Points in [-1, 1]² as a short share-link value.

    Each coordinate is rounded to one of 256 steps across the square (one byte), so a point
    takes two bytes, written in URL-safe base64: 600 points make 1,600 characters. Beyond
    ``max_points`` a seeded sample is kept, which keeps the shape.
    """
    points = np.asarray(points, dtype=np.float64)
    if len(points) > max_points:
        points = points[np.sort(np.random.default_rng(seed).choice(len(points), max_points, replace=False))]
    codes = np.clip(np.round((points + 1.0) / 2.0 * 255.0), 0, 255).astype(np.uint8)
    return base64.urlsafe_b64encode(codes.tobytes()).decode("ascii").rstrip("=")


def decode_points(text: str) -> np.ndarray:
    """The (n, 2) float32 points of ``encode_points``' text; ``ValueError`` in words for anything else."""
    try:
        raw = base64.b64decode(text + "=" * (-len(text) % 4), altchars=b"-_", validate=True)
    except (binascii.Error, ValueError):
        raise ValueError("The points are not in the link's format (URL-safe base64).") from None
    if len(raw) % 2:
        raise ValueError("The points are cut short: every point needs two coordinates.")
    codes = np.frombuffer(raw, np.uint8).reshape(-1, 2)
    return check_points(codes.astype(np.float32) / 255.0 * 2.0 - 1.0)


@dataclass(frozen=True)
class Coverage:
    """How a sample covers a mixture.

    Attributes:
        covered: number of modes holding at least a fifth of their fair share of the samples.
        num_modes: modes in the mixture.
        near_share: share of samples within ``COVERAGE_SIGMAS`` standard deviations of some mode.
    """

    covered: int
    num_modes: int
    near_share: float

    @property
    def fraction(self) -> float:
        return self.covered / self.num_modes


def mode_coverage(samples: np.ndarray, modes: np.ndarray, std: float) -> Coverage:
    """Count the modes the samples reach: each sample counts for its nearest mode if it is close enough."""
    distances = np.linalg.norm(samples[:, None, :] - modes[None, :, :], axis=2)
    nearest = distances.argmin(axis=1)
    near = distances[np.arange(len(samples)), nearest] <= COVERAGE_SIGMAS * std
    counts = np.bincount(nearest[near], minlength=len(modes))
    needed = max(1.0, 0.2 * len(samples) / len(modes))
    return Coverage(int((counts >= needed).sum()), len(modes), float(near.mean()) if len(samples) else 0.0)
