"""Time series to forecast: generated ones, a column of the learner's CSV, and the windows a network learns from.

Every generator has one signature, ``make_*(num_steps, noise, seed)``, and returns a float32
series of ``num_steps`` values; ``make_series`` picks one by name. A forecaster learns from
windows: ``window`` past values in, the next ``horizon`` values out. The split into training
and validation is in time order, at one point of the series: every validation target lies
after every training target, so the validation score measures forecasting the future, not
filling gaps in the past (windows shuffled across the split would leak it). The series is
standardised with the training part's mean and spread only, for the same reason.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from engine.data.upload import MAX_ABS_VALUE, is_number, uploaded_text

MIN_STEPS, MAX_STEPS = 20, 100_000
MAX_SERIES_BYTES = 5_000_000
DEFAULT_NOISE = {"sine": 0.0, "sum_of_sines": 0.0, "noisy_sine": 0.3, "sawtooth": 0.0, "random_walk": 1.0}


def make_sine(num_steps: int = 1000, noise: float = 0.0, seed: int = 0) -> np.ndarray:
    """One sine wave, 50 steps a period."""
    return with_noise(np.sin(2 * np.pi * np.arange(num_steps) / 50), noise, seed)


def make_sum_of_sines(num_steps: int = 1000, noise: float = 0.0, seed: int = 0) -> np.ndarray:
    """Three sines of periods 50, 17 and 133 steps: a pattern that repeats only after thousands of steps."""
    steps = np.arange(num_steps)
    waves = np.sin(2 * np.pi * steps / 50) + 0.5 * np.sin(2 * np.pi * steps / 17) + 0.7 * np.sin(2 * np.pi * steps / 133)
    return with_noise(waves / 2.2, noise, seed)


def make_noisy_sine(num_steps: int = 1000, noise: float = DEFAULT_NOISE["noisy_sine"], seed: int = 0) -> np.ndarray:
    """A sine under Gaussian noise: the best forecast is the wave, not the noise."""
    return make_sine(num_steps, noise, seed)


def make_sawtooth(num_steps: int = 1000, noise: float = 0.0, seed: int = 0) -> np.ndarray:
    """A ramp from -1 to 1 every 40 steps, then a drop: the jump is what a smooth forecaster gets wrong."""
    return with_noise(2 * (np.arange(num_steps) % 40) / 39 - 1, noise, seed)


def make_random_walk(num_steps: int = 1000, noise: float = DEFAULT_NOISE["random_walk"], seed: int = 0) -> np.ndarray:
    """Cumulative Gaussian steps (of size ``noise``): no pattern at all, so "tomorrow as today" is hard to beat."""
    return np.cumsum(with_noise(np.zeros(num_steps), noise, seed), dtype=np.float64).astype(np.float32)


SERIES: dict[str, Callable[[int, float, int], np.ndarray]] = {
    "sine": make_sine, "sum_of_sines": make_sum_of_sines, "noisy_sine": make_noisy_sine,
    "sawtooth": make_sawtooth, "random_walk": make_random_walk,
}


def make_series(name: str, num_steps: int = 1000, noise: float | None = None, seed: int = 0) -> np.ndarray:
    """The generator ``name``'s series (with its own default noise when ``noise`` is None)."""
    if name not in SERIES:
        raise ValueError(f"Unknown series {name!r}. Expected one of: {', '.join(SERIES)}.")
    _check_length(num_steps)
    return SERIES[name](num_steps, DEFAULT_NOISE[name] if noise is None else noise, seed)


def with_noise(values: np.ndarray, noise: float, seed: int) -> np.ndarray:
    """``values`` plus Gaussian noise of standard deviation ``noise`` (seeded), as float32."""
    if noise < 0:
        raise ValueError(f"Expected a noise level of 0 or more. Received: noise={noise}.")
    jitter = np.random.default_rng(seed).normal(scale=noise, size=values.shape) if noise else 0.0
    return (values + jitter).astype(np.float32)


def _check_length(num_steps: int) -> None:
    if not MIN_STEPS <= num_steps <= MAX_STEPS:
        raise ValueError(f"Expected a series of {MIN_STEPS:,} to {MAX_STEPS:,} steps. Received: {num_steps:,}.")


@dataclass(frozen=True)
class SeriesTable:
    """The numeric columns of an uploaded CSV, each a series to forecast (rows in file order)."""

    names: tuple[str, ...]
    values: np.ndarray  # (rows, columns) float32

    def column(self, name: str) -> np.ndarray:
        """One column's series; ``ValueError`` naming the columns there are."""
        if name not in self.names:
            raise ValueError(f"No column {name!r} in the file. Expected one of: {', '.join(self.names)}.")
        return self.values[:, self.names.index(name)]


def read_series_csv(data: bytes) -> SeriesTable:
    """The numeric columns of CSV bytes (a header row optional), checked; ``ValueError`` saying what is wrong.

    A column counts when every one of its cells is a finite number; text columns (dates,
    names) are left out. Between ``MIN_STEPS`` and ``MAX_STEPS`` rows, at most
    ``MAX_SERIES_BYTES``.
    """
    text = uploaded_text(data, MAX_SERIES_BYTES, "a CSV file with a column of numbers")
    rows = [row for row in csv.reader(io.StringIO(text)) if any(cell.strip() for cell in row)]
    header = rows and not all(is_number(cell) for cell in rows[0] if cell.strip())
    names = [cell.strip() or f"column {index + 1}" for index, cell in enumerate(rows[0])] if header else None
    rows = rows[1:] if header else rows
    if not MIN_STEPS <= len(rows) <= MAX_STEPS:
        raise ValueError(f"Found {len(rows):,} data rows. Expected {MIN_STEPS:,} to {MAX_STEPS:,}.")
    width = max(len(row) for row in rows)
    names = (names or []) + [f"column {index + 1}" for index in range(len(names or []), width)]
    columns = []
    for index in range(width):
        cells = [row[index].strip() if index < len(row) else "" for row in rows]
        if all(is_number(cell) for cell in cells):
            values = np.array([float(cell) for cell in cells])
            if np.isfinite(values).all() and np.abs(values).max() <= MAX_ABS_VALUE:
                columns.append((names[index], values))
    if not columns:
        raise ValueError("No column has a finite number in every row. Expected at least one numeric column "
                         "(text columns such as dates are left out; fill or drop empty cells).")
    return SeriesTable(tuple(name for name, _ in columns),
                       np.stack([values for _, values in columns], axis=1).astype(np.float32))


@dataclass(frozen=True)
class Windows:
    """A series cut into (past ``window`` values → next ``horizon`` values) pairs, split in time order.

    Attributes:
        x_train, x_val: (pairs, window, 1) standardised inputs.
        y_train, y_val: (pairs, horizon) standardised targets.
        split: the series index where validation begins (its first validation target).
        mean, scale: the training part's mean and standard deviation (to undo the standardising).
    """

    x_train: np.ndarray
    y_train: np.ndarray
    x_val: np.ndarray
    y_val: np.ndarray
    split: int
    mean: float
    scale: float

    def original_units(self, values: np.ndarray) -> np.ndarray:
        """Standardised values back in the series' own units."""
        return values * self.scale + self.mean


def split_index(num_steps: int, validation_fraction: float) -> int:
    """Where validation begins in a series of ``num_steps``: its last ``validation_fraction``."""
    if not 0.05 <= validation_fraction <= 0.5:
        raise ValueError(f"Expected a validation share between 0.05 and 0.5. Received: {validation_fraction}.")
    return int(round(num_steps * (1 - validation_fraction)))


def make_windows(series: np.ndarray, window: int, horizon: int = 1, validation_fraction: float = 0.2) -> Windows:
    """Every (window → horizon) pair of ``series``: training targets before the split, validation targets after it.

    A validation pair's inputs may reach back into the training part (a forecaster sees the
    recent past); no training pair's target reaches past the split.
    """
    series = np.asarray(series, np.float64)
    if window < 1 or horizon < 1:
        raise ValueError(f"Expected a window and a horizon of at least 1 step. Received: window={window}, "
                         f"horizon={horizon}.")
    split = split_index(len(series), validation_fraction)
    if split - window - horizon + 1 < 1 or len(series) - split < horizon:
        raise ValueError(
            f"A window of {window} steps and a horizon of {horizon} need more data: the series has {len(series):,} "
            f"steps, {split:,} of them for training and {len(series) - split:,} for validation. Shorten the window "
            "or the horizon, or use a longer series.")
    train = series[:split]
    mean, scale = float(train.mean()), float(train.std()) or 1.0
    standard = (series - mean) / scale
    starts = np.arange(len(series) - window - horizon + 1)
    inputs = np.stack([standard[start:start + window] for start in starts])[..., None]
    targets = np.stack([standard[start + window:start + window + horizon] for start in starts])
    last_target = starts + window + horizon - 1
    is_train = last_target < split
    is_val = starts + window >= split  # every target of the pair after the split
    return Windows(inputs[is_train].astype(np.float32), targets[is_train].astype(np.float32),
                   inputs[is_val].astype(np.float32), targets[is_val].astype(np.float32), split, mean, scale)
