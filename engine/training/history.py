"""Per-epoch history helpers: smoothing and downsampling for charts.

A long run records hundreds of thousands of epochs; charts only need about a thousand
points, and a noisy curve reads better through TensorBoard's exponential moving average.
"""

from __future__ import annotations

import numpy as np


def smooth_ema(values: np.ndarray | list[float], weight: float) -> np.ndarray:
    """TensorBoard-style smoothing: a debiased exponential moving average.

    ``weight`` in [0, 1): 0 returns the values unchanged, 0.99 smooths heavily. The
    debiasing divides by ``1 - weight**t`` so the curve does not start near zero.
    """
    if not 0.0 <= weight < 1.0:
        raise ValueError(f"Expected a smoothing weight in [0, 1). Received: {weight}.")
    values = np.asarray(values, dtype=np.float64)
    smoothed = np.empty_like(values)
    average = 0.0
    for index, value in enumerate(values):
        average = weight * average + (1.0 - weight) * value
        smoothed[index] = average / (1.0 - weight ** (index + 1))
    return smoothed


def downsample_indices(length: int, max_points: int) -> np.ndarray:
    """Indices of at most ``max_points`` evenly spread entries, always keeping the last one."""
    if length <= max_points:
        return np.arange(length)
    indices = np.linspace(0, length - 1, max_points).round().astype(np.int64)
    return np.unique(indices)


def downsample_history(history: dict[str, list[float]], max_points: int = 800) -> dict[str, np.ndarray]:
    """A chart-sized copy of a history: every series sampled at the same epochs.

    Returns float32 arrays keyed like the history plus ``"epoch"`` (1-based epoch numbers).
    Only the sampled entries are read, so the cost does not grow with the run's length (a
    trainer calls this several times a second while holding Python's GIL).
    """
    length = len(next(iter(history.values()), []))
    indices = downsample_indices(length, max_points)
    sampled = {
        name: np.fromiter((values[index] for index in indices), dtype=np.float32, count=len(indices))
        for name, values in history.items()
    }
    sampled["epoch"] = (indices + 1).astype(np.int64)
    return sampled
