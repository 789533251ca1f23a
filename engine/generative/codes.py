"""Codes (latent vectors) and the images made from them: grids, samples, paths, projections, tiles.

Shared by every generative model: a VAE's or an autoencoder's latent space, a GAN's noise.
Plain NumPy, so the same helpers serve the engine, the pages and the tests.
"""

from __future__ import annotations

import numpy as np

MAX_SAMPLES = 400


def latent_grid(extent: float, steps: int) -> np.ndarray:
    """Codes on a steps×steps grid over [-extent, extent]², row by row from the top left.

    Shape (steps * steps, 2); y decreases down the rows so the grid reads like a plot.
    """
    if steps < 2 or not extent > 0:
        raise ValueError(f"Expected at least 2 steps and a positive extent. Received: {steps}, {extent}.")
    values = np.linspace(-extent, extent, steps, dtype=np.float32)
    xs, ys = np.meshgrid(values, values[::-1])
    return np.stack([xs.ravel(), ys.ravel()], axis=1)


def _check_count(num_samples: int) -> None:
    if not 1 <= num_samples <= MAX_SAMPLES:
        raise ValueError(f"Expected 1 to {MAX_SAMPLES} samples. Received: {num_samples}.")


def sample_codes(num_samples: int, latent_dim: int, seed: int) -> np.ndarray:
    """Codes drawn from the prior N(0, I); the same seed gives the same codes."""
    _check_count(num_samples)
    return np.random.default_rng(seed).standard_normal((num_samples, latent_dim)).astype(np.float32)


def sample_like(codes: np.ndarray, num_samples: int, seed: int) -> np.ndarray:
    """Codes drawn from a Gaussian fitted to ``codes`` (mean and covariance).

    A plain autoencoder has no prior: its codes sit wherever training put them, so sampling
    N(0, I) mostly lands where the decoder has never been. Fitting a Gaussian to the encoded
    data is the simplest honest way to sample it.
    """
    _check_count(num_samples)
    mean = codes.mean(axis=0)
    covariance = np.atleast_2d(np.cov(codes, rowvar=False)) + 1e-6 * np.eye(codes.shape[1])
    rng = np.random.default_rng(seed)
    return rng.multivariate_normal(mean, covariance, size=num_samples, method="cholesky").astype(np.float32)


def interpolate_codes(start: np.ndarray, end: np.ndarray, steps: int) -> np.ndarray:
    """``steps`` codes on the straight line from ``start`` to ``end``, both included."""
    weights = np.linspace(0.0, 1.0, steps, dtype=np.float32)[:, None]
    return (1 - weights) * start[None] + weights * end[None]


def project_2d(codes: np.ndarray) -> tuple[np.ndarray, float]:
    """Codes as 2-D points: themselves when 2-D, else their first two principal components.

    Returns the points and the share of the codes' variance they keep (1.0 for 2-D codes).
    """
    if codes.shape[1] <= 2:
        return codes.astype(np.float32), 1.0
    centred = codes - codes.mean(axis=0)
    _, singular_values, components = np.linalg.svd(centred, full_matrices=False)
    variance = singular_values ** 2
    kept = float(variance[:2].sum() / variance.sum()) if variance.sum() > 0 else 1.0
    return (centred @ components[:2].T).astype(np.float32), kept


def tile_images(images: np.ndarray, columns: int, gap: int = 1) -> np.ndarray:
    """(n, h, w, 1) images as one (rows·(h+gap)−gap, columns·(w+gap)−gap) array, NaN between tiles.

    One heatmap of the whole grid draws far faster than a subplot per image; NaN gaps show
    as blank lines. Missing tiles in the last row stay blank too.
    """
    count, height, width = images.shape[:3]
    columns = max(1, min(columns, count))
    rows = -(-count // columns)
    sheet = np.full((rows * (height + gap) - gap, columns * (width + gap) - gap), np.nan, dtype=np.float32)
    for index in range(count):
        row, column = divmod(index, columns)
        top, left = row * (height + gap), column * (width + gap)
        sheet[top:top + height, left:left + width] = images[index, :, :, 0]
    return sheet
