"""Scores the labs report beside their curves: a confusion matrix, and R² with RMSE for regression."""

from __future__ import annotations

import numpy as np


def confusion_matrix(labels: np.ndarray, predictions: np.ndarray, num_classes: int) -> np.ndarray:
    """(num_classes, num_classes) counts: row = true class, column = predicted class."""
    matrix = np.zeros((num_classes, num_classes), dtype=np.int64)
    np.add.at(matrix, (labels.astype(np.int64), predictions.astype(np.int64)), 1)
    return matrix


def regression_scores(targets: np.ndarray, predictions: np.ndarray) -> tuple[float, float]:
    """(R², RMSE): the share of the targets' variance explained, and the typical error."""
    residual = float(((targets - predictions) ** 2).sum())
    total = float(((targets - targets.mean()) ** 2).sum())
    r_squared = 1.0 - residual / total if total > 0 else 0.0
    return r_squared, float(np.sqrt(residual / len(targets)))
