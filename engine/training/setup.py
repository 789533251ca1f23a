"""What a ``TrainingRun`` is made of: its data, the recipe for its model, and its live settings.

Plain frozen dataclasses, validated on creation, and no Keras: a lab builds them from its own
settings (``make_run``, ``run_settings``) and the run takes them.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Hashable, Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from engine.training.optimizers import OptimizerConfig

MAX_DATA_BYTES = int(os.environ.get("DLP_MAX_DATA_BYTES", 200_000_000))


@dataclass(frozen=True)
class TrainingData:
    """Arrays a run trains and evaluates on.

    Attributes:
        x_train, y_train: what the model learns from.
        x_val, y_val: held-out examples scored every epoch as ``val_*`` (may have zero rows;
            the labs show them as the test set).
        x_stop, y_stop: optional validation split for early stopping, taken from the training
            data, scored every epoch as ``stop_loss``: early stopping then never looks at the
            test set.
    """

    x_train: np.ndarray
    y_train: np.ndarray
    x_val: np.ndarray
    y_val: np.ndarray
    x_stop: np.ndarray | None = None
    y_stop: np.ndarray | None = None

    def __post_init__(self) -> None:
        pairs = [("training", self.x_train, self.y_train), ("validation", self.x_val, self.y_val)]
        if (self.x_stop is None) != (self.y_stop is None):
            raise ValueError("Expected both x_stop and y_stop, or neither.")
        if self.x_stop is not None and self.y_stop is not None:
            pairs.append(("early-stopping", self.x_stop, self.y_stop))
        for name, inputs, targets in pairs:
            if len(inputs) != len(targets):
                raise ValueError(f"Expected as many targets as inputs. Received: {len(inputs)} {name} inputs for "
                                 f"{len(targets)} targets.")
        if len(self.x_train) == 0:
            raise ValueError("Expected at least one training example. Received none.")
        arrays = [array for _, inputs, targets in pairs for array in (inputs, targets)]
        size = sum(array.nbytes for array in arrays)
        if size > MAX_DATA_BYTES:
            raise ValueError(f"The data takes {size / 1e6:.0f} MB. Expected at most {MAX_DATA_BYTES / 1e6:.0f} MB.")
        for (name, _, _), array in zip([pair for pair in pairs for _ in (0, 1)], arrays, strict=True):
            if not np.isfinite(array).all():
                raise ValueError(f"The {name} data contains NaN or infinite values. Expected finite numbers.")

    @property
    def has_stop_split(self) -> bool:
        """Whether early stopping has a validation split of its own."""
        return self.x_stop is not None and len(self.x_stop) > 0


@dataclass(frozen=True)
class ModelRecipe:
    """How to build a model and score it.

    Attributes:
        build: ``build(seed) -> keras.Model``; the same seed must give the same weights.
        loss: a Keras loss key ("mse", "binary_crossentropy", ...); None when the model's own
            ``train_step`` computes its loss.
        metrics: Keras metric name -> per-example function ``f(y_true, y_pred)``.
        configure: ``configure(model, live_options)`` applies live model options in place.
        configure_retraces: whether ``configure`` changes values read when the chunk function
            is traced (plain Python rates: retrace) or only assigns variables (no retrace).
        architecture: a hashable value that fixes everything about the built model but its
            initial weights (layers, shapes, which layers train); runs of one architecture share
            compiled models (``engine.training.pool``). By default a ``functools.partial``
            ``build`` names it by its function and arguments; None otherwise: not shared.
    """

    build: Callable[[int], Any]
    loss: str | None = None
    metrics: Mapping[str, Callable] = field(default_factory=dict)
    configure: Callable[[object, Mapping], None] | None = None
    configure_retraces: bool = True
    architecture: Hashable | None = None


@dataclass(frozen=True)
class RunSettings:
    """Training settings that can change between chunks without losing progress.

    Attributes:
        optimizer: which optimizer, learning rate and momentum.
        batch_size: examples per update, clamped to the training set size.
        shuffle: reshuffle the training set every epoch (reproducibly, from the seed).
        max_epochs: stop at this epoch; 0 for no limit.
        early_stopping_patience: stop after this many epochs without a better validation
            loss; 0 turns early stopping off.
        live_options: model options passed to ``ModelRecipe.configure``.
        jit_compile: compile chunks with XLA (much faster for small models).
    """

    optimizer: OptimizerConfig = OptimizerConfig()
    batch_size: int = 32
    shuffle: bool = True
    max_epochs: int = 0
    early_stopping_patience: int = 0
    live_options: Mapping = field(default_factory=dict)
    jit_compile: bool = True

    def __post_init__(self) -> None:
        if self.batch_size < 1:
            raise ValueError(f"Expected a batch size of at least 1. Received: {self.batch_size}.")
        if self.max_epochs < 0 or self.early_stopping_patience < 0:
            raise ValueError("Expected max_epochs and early_stopping_patience of 0 or more.")
