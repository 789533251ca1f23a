"""Input features computed from a 2-D point, feature scaling, and the evaluation grid.

The playground lets people feed a network more than the raw coordinates: squares, the
product and sines of x1 and x2. With the right feature a single neuron can separate a circle
(x1² + x2²) that would otherwise need a hidden layer.
"""

from __future__ import annotations

import numpy as np

FEATURES: dict[str, str] = {
    "x1": "x₁",
    "x2": "x₂",
    "x1_squared": "x₁²",
    "x2_squared": "x₂²",
    "x1_times_x2": "x₁·x₂",
    "sin_x1": "sin x₁",
    "sin_x2": "sin x₂",
}
SCALINGS = ("none", "standard", "minmax")


def make_features(points: np.ndarray, feature_names: tuple[str, ...] | list[str]) -> np.ndarray:
    """Map (n, 2) points to an (n, len(feature_names)) float32 feature matrix, in that order."""
    unknown = [name for name in feature_names if name not in FEATURES]
    if unknown:
        raise ValueError(f"Unknown features {unknown}. Expected some of: {', '.join(FEATURES)}.")
    if not feature_names:
        raise ValueError("Expected at least one input feature. Received none: switch one on.")
    x1, x2 = points[:, 0], points[:, 1]
    columns = {
        "x1": lambda: x1,
        "x2": lambda: x2,
        "x1_squared": lambda: x1 * x1,
        "x2_squared": lambda: x2 * x2,
        "x1_times_x2": lambda: x1 * x2,
        "sin_x1": lambda: np.sin(x1),
        "sin_x2": lambda: np.sin(x2),
    }
    return np.stack([columns[name]() for name in feature_names], axis=1).astype(np.float32)


def fit_scaler(features: np.ndarray, scaling: str):
    """Fit a scikit-learn scaler on training features; ``None`` for ``scaling="none"``.

    Fitting on the training part only keeps test data unseen, as it would be in practice.
    """
    from sklearn.preprocessing import MinMaxScaler, StandardScaler

    if scaling not in SCALINGS:
        raise ValueError(f"Unknown scaling {scaling!r}. Expected one of: {', '.join(SCALINGS)}.")
    if scaling == "none":
        return None
    scaler = StandardScaler() if scaling == "standard" else MinMaxScaler(feature_range=(-1, 1))
    return scaler.fit(features)


def apply_scaler(scaler, features: np.ndarray) -> np.ndarray:
    """Scale features with a fitted scaler (or return them unchanged for ``None``)."""
    if scaler is None:
        return features
    return scaler.transform(features).astype(np.float32)


def make_grid(bounds: tuple[float, float, float, float], resolution: int) -> np.ndarray:
    """Points of a resolution × resolution grid over (x_min, x_max, y_min, y_max).

    Returns a (resolution², 2) float32 array in row-major order: row i holds y = y_min + ...
    so reshaping a per-point result to (resolution, resolution) gives an image whose first
    row is the bottom of the plane, as a heatmap expects.
    """
    x_min, x_max, y_min, y_max = bounds
    xs = np.linspace(x_min, x_max, resolution, dtype=np.float32)
    ys = np.linspace(y_min, y_max, resolution, dtype=np.float32)
    grid_x, grid_y = np.meshgrid(xs, ys)
    return np.stack([grid_x.ravel(), grid_y.ravel()], axis=1)


def padded_bounds(points: np.ndarray, padding: float = 0.1) -> tuple[float, float, float, float]:
    """A square-ish view around uploaded points, padded by a fraction of their extent."""
    low, high = points.min(axis=0), points.max(axis=0)
    extent = np.maximum(high - low, 1e-6)
    low, high = low - padding * extent, high + padding * extent
    return float(low[0]), float(high[0]), float(low[1]), float(high[1])
