"""Two-dimensional toy data sets: the playground's circles, spirals and friends.

Every generator has the signature ``make_*(num_samples, noise, seed)`` and returns
``(points, labels)``: ``points`` is a float32 array of shape (num_samples, 2) inside the
square [-6, 6]², ``labels`` is an int array of class ids (classification) or a float32
array of targets (regression). ``noise`` is a fraction from 0 to 0.5 that blurs the
classes; the same ``seed`` always gives the same points.

Each generator uses NumPy alone (moons also scikit-learn), so the exported training script
can carry its exact source and rebuild the same data outside the app.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

DOMAIN = 6.0  # points live in [-DOMAIN, DOMAIN]² so every set shares one view
MAX_NOISE = 0.5


def make_circle(num_samples: int, noise: float, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """A disc of class 1 inside a ring of class 0 (not linearly separable in x1, x2)."""
    rng = np.random.default_rng(seed)
    radius = 5.0
    num_inner = num_samples // 2
    # Inner disc up to half the radius, outer ring from 0.7 to 1.0 of it: a clear gap.
    distance = np.concatenate([
        rng.uniform(0.0, 0.5 * radius, num_inner),
        rng.uniform(0.7 * radius, radius, num_samples - num_inner),
    ])
    angle = rng.uniform(0.0, 2 * np.pi, num_samples)
    points = np.stack([distance * np.cos(angle), distance * np.sin(angle)], axis=1)
    labels = np.concatenate([np.ones(num_inner), np.zeros(num_samples - num_inner)])
    points += rng.normal(0.0, 2.0 * noise, points.shape)  # noise blurs the gap
    return points.astype(np.float32), labels.astype(np.int64)


def make_xor(num_samples: int, noise: float, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Four quadrants: class 1 where x1 and x2 share a sign (needs a hidden layer)."""
    rng = np.random.default_rng(seed)
    points = rng.uniform(-5.0, 5.0, (num_samples, 2))
    # Keep points off the axes so the noiseless set has a margin to learn.
    points += np.where(points > 0, 0.3, -0.3)
    labels = (points[:, 0] * points[:, 1] > 0).astype(np.int64)
    points += rng.normal(0.0, 2.0 * noise, points.shape)
    return points.astype(np.float32), labels


def make_gaussians(num_samples: int, noise: float, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Two Gaussian clouds, class 1 around (2, 2) and class 0 around (-2, -2)."""
    rng = np.random.default_rng(seed)
    spread = 0.6 + 3.0 * noise  # standard deviation grows with noise until the clouds overlap
    num_positive = num_samples // 2
    positive = rng.normal(2.0, spread, (num_positive, 2))
    negative = rng.normal(-2.0, spread, (num_samples - num_positive, 2))
    points = np.concatenate([positive, negative])
    labels = np.concatenate([np.ones(num_positive), np.zeros(num_samples - num_positive)])
    return points.astype(np.float32), labels.astype(np.int64)


def make_spiral(
    num_samples: int, noise: float, seed: int, num_classes: int = 2
) -> tuple[np.ndarray, np.ndarray]:
    """Interleaved spiral arms, one class per arm (the playground's hardest set)."""
    rng = np.random.default_rng(seed)
    labels = np.arange(num_samples) % num_classes
    # Position along the arm in [0, 1): radius grows with it while the angle winds 1.75 turns.
    progress = rng.uniform(0.0, 1.0, num_samples)
    radius = 5.0 * progress
    angle = 1.75 * 2 * np.pi * progress + labels * (2 * np.pi / num_classes)
    points = np.stack([radius * np.sin(angle), radius * np.cos(angle)], axis=1)
    points += rng.normal(0.0, 1.5 * noise, points.shape)
    return points.astype(np.float32), labels.astype(np.int64)


def make_moons(num_samples: int, noise: float, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Two interlocking half-circles (scikit-learn's moons, scaled to the domain)."""
    from sklearn.datasets import make_moons as sklearn_make_moons

    points, labels = sklearn_make_moons(num_samples, noise=noise * 0.6, random_state=seed)
    points = (points - [0.5, 0.25]) * 3.0  # centre on the origin and fill the view
    return points.astype(np.float32), labels.astype(np.int64)


def make_blobs(
    num_samples: int, noise: float, seed: int, num_classes: int = 3
) -> tuple[np.ndarray, np.ndarray]:
    """``num_classes`` Gaussian clouds on a circle of radius 3.5, one class each."""
    rng = np.random.default_rng(seed)
    labels = np.arange(num_samples) % num_classes
    angle = 2 * np.pi * labels / num_classes + np.pi / 2
    centres = 3.5 * np.stack([np.cos(angle), np.sin(angle)], axis=1)
    points = centres + rng.normal(0.0, 0.6 + 2.5 * noise, (num_samples, 2))
    return points.astype(np.float32), labels.astype(np.int64)


def make_plane(num_samples: int, noise: float, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Regression on a tilted plane: target (x1 + x2) / 10, plus Gaussian noise."""
    rng = np.random.default_rng(seed)
    points = rng.uniform(-DOMAIN, DOMAIN, (num_samples, 2))
    targets = (points[:, 0] + points[:, 1]) / 10.0 + rng.normal(0.0, noise, num_samples)
    return points.astype(np.float32), targets.astype(np.float32)


def make_gaussian_bumps(num_samples: int, noise: float, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Regression on a landscape of six positive and negative Gaussian bumps."""
    rng = np.random.default_rng(seed)
    points = rng.uniform(-DOMAIN, DOMAIN, (num_samples, 2))
    centres = np.array([[-4, 2.5], [0, 2.5], [4, 2.5], [-4, -2.5], [0, -2.5], [4, -2.5]])
    signs = np.array([1, -1, 1, -1, 1, -1])
    squared_distance = ((points[:, None, :] - centres[None, :, :]) ** 2).sum(axis=2)
    targets = (signs * np.exp(-squared_distance / 2.0)).sum(axis=1)
    targets += rng.normal(0.0, noise, num_samples)
    return points.astype(np.float32), targets.astype(np.float32)


@dataclass(frozen=True)
class DatasetSpec:
    """One entry of the data set registry.

    Attributes:
        title: the name people see.
        problem: "binary", "multiclass" or "regression".
        make: the generator, ``make(num_samples, noise, seed) -> (points, labels)``.
        num_classes: classes it produces (1 for regression).
    """

    title: str
    problem: str
    make: Callable[[int, float, int], tuple[np.ndarray, np.ndarray]]
    num_classes: int


DATASETS: dict[str, DatasetSpec] = {
    "circle": DatasetSpec("Circle", "binary", make_circle, 2),
    "xor": DatasetSpec("Exclusive or", "binary", make_xor, 2),
    "gaussians": DatasetSpec("Two Gaussians", "binary", make_gaussians, 2),
    "spiral": DatasetSpec("Spiral", "binary", make_spiral, 2),
    "moons": DatasetSpec("Moons", "binary", make_moons, 2),
    "blobs3": DatasetSpec("3 blobs", "multiclass", functools.partial(make_blobs, num_classes=3), 3),
    "blobs4": DatasetSpec("4 blobs", "multiclass", functools.partial(make_blobs, num_classes=4), 4),
    "blobs5": DatasetSpec("5 blobs", "multiclass", functools.partial(make_blobs, num_classes=5), 5),
    "spiral3": DatasetSpec(
        "3-arm spiral", "multiclass", functools.partial(make_spiral, num_classes=3), 3
    ),
    "plane": DatasetSpec("Plane (regression)", "regression", make_plane, 1),
    "bumps": DatasetSpec("Gaussian bumps (regression)", "regression", make_gaussian_bumps, 1),
}

MIN_SAMPLES, MAX_SAMPLES = 20, 5000


def get_dataset(name: str) -> DatasetSpec:
    """Look a data set up by key, listing the valid keys when the key is unknown."""
    if name not in DATASETS:
        raise ValueError(f"Unknown data set {name!r}. Expected one of: {', '.join(DATASETS)}.")
    return DATASETS[name]


def make_dataset(name: str, num_samples: int, noise: float, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Generate a registered data set after checking the sizes a host can afford."""
    if not MIN_SAMPLES <= num_samples <= MAX_SAMPLES:
        raise ValueError(
            f"Expected between {MIN_SAMPLES} and {MAX_SAMPLES} points. Received: {num_samples}."
        )
    if not 0.0 <= noise <= MAX_NOISE:
        raise ValueError(f"Expected noise between 0 and {MAX_NOISE}. Received: {noise}.")
    return get_dataset(name).make(num_samples, noise, seed)


def split_train_test(
    points: np.ndarray, labels: np.ndarray, train_fraction: float, seed: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Shuffle with ``seed`` and split into (train_points, train_labels, test_points, test_labels).

    Both parts keep at least one point, whatever the fraction.
    """
    order = np.random.default_rng(seed).permutation(len(points))
    num_train = int(round(train_fraction * len(points)))
    num_train = min(max(num_train, 1), len(points) - 1)
    train, test = order[:num_train], order[num_train:]
    return points[train], labels[train], points[test], labels[test]
