"""LIME-style explanations: which parts of an image does a black-box classifier rely on?

LIME (local interpretable model-agnostic explanations) needs only the classifier's outputs:

1. cut the image into superpixels (here: k-means on pixel position and brightness, so a
   region follows strokes and background rather than a fixed grid);
2. make many copies of the image with random superpixels hidden (set to the background);
3. ask the classifier for the explained class's probability on every copy;
4. fit a weighted linear model, probability ≈ intercept + Σ weight_j · shown_j, where copies
   closer to the original image (fewer parts hidden) count more.

A large positive weight means "showing this region raises the class's probability"; a
negative one means the region speaks against the class. The fit's R² says how well a
straight-line story describes the classifier around this image.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from engine.jobs import Report

MAX_SAMPLES = 2000
MAX_SEGMENTS = 64
KERNEL_WIDTH = 0.25  # of the cosine distance between masks (the value LIME uses for images)


@dataclass(frozen=True)
class LimeExplanation:
    """A fitted local explanation.

    Attributes:
        segments: (height, width) superpixel id of every pixel, 0..k-1.
        weights: (k,) the linear model's weight per superpixel.
        intercept: the model's probability with every superpixel hidden, as the fit sees it.
        score: weighted R² of the fit (1 = the linear story is exact).
        target: the explained class.
        num_samples, seed: how the perturbations were drawn (same values, same answer).
    """

    segments: np.ndarray
    weights: np.ndarray
    intercept: float
    score: float
    target: int
    num_samples: int
    seed: int

    def pixel_weights(self) -> np.ndarray:
        """(height, width) each pixel's superpixel weight, for drawing over the image."""
        return self.weights[self.segments].astype(np.float32)


def superpixels(image: np.ndarray, num_segments: int, seed: int = 0, compactness: float = 1.0) -> np.ndarray:
    """(height, width) superpixel ids from k-means on (row, column, brightness).

    ``compactness`` weighs position against brightness: higher gives rounder, grid-like
    regions; lower lets regions follow the strokes. Ids are numbered in reading order.
    """
    from sklearn.cluster import KMeans

    gray = _gray(image)
    height, width = gray.shape
    if not 2 <= num_segments <= min(MAX_SEGMENTS, height * width):
        raise ValueError(f"Expected 2 to {min(MAX_SEGMENTS, height * width)} superpixels for a "
                         f"{height}×{width} image. Received: {num_segments}.")
    rows, cols = np.mgrid[0:height, 0:width]
    span = float(gray.max() - gray.min()) or 1.0
    features = np.column_stack([
        compactness * rows.ravel() / max(height, width), compactness * cols.ravel() / max(height, width),
        (gray.ravel() - gray.min()) / span,
    ])
    labels = KMeans(num_segments, n_init=3, random_state=seed).fit_predict(features)
    _, first = np.unique(labels, return_index=True)
    reading_order = np.argsort(np.argsort(first))  # old id -> rank of its first pixel
    return reading_order[labels].reshape(height, width)


def explain(
    image: np.ndarray,
    predict: Callable[[np.ndarray], np.ndarray],
    target: int,
    num_samples: int = 500,
    num_segments: int = 16,
    seed: int = 0,
    background: float = 0.0,
    ridge_alpha: float = 1.0,
    batch_size: int | None = None,
    report: Report | None = None,
) -> LimeExplanation:
    """Explain ``predict``'s class ``target`` for one (height, width, channels) image.

    Args:
        image: the image as the classifier reads it.
        predict: (n, height, width, channels) -> (n, classes) probabilities.
        target: the class to explain.
        num_samples: perturbed copies to score (the first is the image itself).
        num_segments: superpixels to cut the image into.
        seed: superpixels and perturbations.
        background: the value hidden pixels take (0 = no ink for the digits).
        ridge_alpha: the linear model's L2 penalty (scikit-learn's ``Ridge``).
        batch_size: score the copies this many at a time (all at once when None): each batch
            is a short call, so a live trainer that runs them answers Pause in between.
        report: ``report(fraction, text)`` after each batch, for a progress bar.
    """
    from sklearn.linear_model import Ridge

    if image.ndim != 3:
        raise ValueError(f"Expected one (height, width, channels) image. Received shape {image.shape}.")
    if not 10 <= num_samples <= MAX_SAMPLES:
        raise ValueError(f"Expected 10 to {MAX_SAMPLES} samples. Received: {num_samples}.")
    segments = superpixels(image, num_segments, seed)
    count = int(segments.max()) + 1
    rng = np.random.default_rng(seed)
    masks = rng.integers(0, 2, size=(num_samples, count))
    masks[0] = 1
    shown = masks[:, segments]  # (n, height, width)
    copies = np.where(shown[..., None] == 1, image[None], np.float32(background)).astype(np.float32)
    step = batch_size or num_samples
    parts = []
    for start in range(0, num_samples, step):
        parts.append(np.asarray(predict(copies[start:start + step])))
        if report is not None:
            done = min(num_samples, start + step)
            report(done / num_samples, f"{done} of {num_samples} perturbed copies scored")
    probabilities = np.concatenate(parts)
    if probabilities.ndim != 2 or not 0 <= target < probabilities.shape[1]:
        raise ValueError(f"Expected class 0 to {probabilities.shape[-1] - 1}. Received: {target}.")
    scores = probabilities[:, target]
    kept = masks.sum(axis=1)
    cosine = np.where(kept > 0, kept / np.sqrt(np.maximum(kept, 1) * count), 0.0)
    sample_weight = np.sqrt(np.exp(-((1.0 - cosine) ** 2) / KERNEL_WIDTH**2))
    model = Ridge(alpha=ridge_alpha).fit(masks, scores, sample_weight=sample_weight)
    return LimeExplanation(
        segments=segments, weights=model.coef_.astype(np.float32), intercept=float(model.intercept_),
        score=float(model.score(masks, scores, sample_weight=sample_weight)), target=int(target),
        num_samples=num_samples, seed=seed,
    )


def _gray(image: np.ndarray) -> np.ndarray:
    values = np.asarray(image, dtype=np.float64)
    return values.mean(axis=-1) if values.ndim == 3 else values
