"""``RunGroup``: several ``TrainingRun``s advanced in lockstep, to compare them epoch by epoch.

A comparison (fine-tuning modes beside training from scratch, optimizers on one problem)
trains its runs with the same number of epochs per chunk, so their curves share one axis.
The group is a ``Run`` that is ``Compilable`` and ``SlowMotion`` (``engine.training.contract``),
so a live page plays, pauses, steps, slows down and resets a comparison exactly like a single run.

The group's history names each series ``"<member>/<metric>"`` (``"scratch/val_accuracy"``).
A member that stops (diverges, finishes) leaves the others training; its series are padded
with NaN so every series keeps the group's length.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np

from engine.training.contract import READY, ChunkResult, Status
from engine.training.run import TrainingRun
from engine.training.setup import RunSettings

SEPARATOR = "/"


class RunGroup:
    """Named runs trained side by side.

    Args:
        runs: member name -> run; the order is the order of the charts' legends.
    """

    def __init__(self, runs: Mapping[str, TrainingRun]) -> None:
        if not runs:
            raise ValueError("Expected at least one run in a group. Received none.")
        bad = [name for name in runs if SEPARATOR in name]
        if bad:
            raise ValueError(f"Run names cannot contain {SEPARATOR!r}. Received: {', '.join(bad)}.")
        self.runs = dict(runs)

    # ----------------------------------------------------------------- observing
    def keras_models(self) -> dict[str, Any]:
        """Every member's models, named ``<member>`` (or ``<member>_<part>`` for a member with several)."""
        found = {}
        for member, run in self.runs.items():
            models = run.keras_models()
            found.update({member if len(models) == 1 else f"{member}_{name}": model for name, model in models.items()})
        return found

    @property
    def epoch(self) -> int:
        """Epochs trained by the member that trained longest."""
        return max(run.epoch for run in self.runs.values())

    @property
    def compiled(self) -> bool:
        """Whether every member's training chunk is compiled."""
        return all(run.compiled for run in self.runs.values())

    def compile(self) -> None:
        """Compile every member's training chunk (see ``TrainingRun.compile``)."""
        for run in self.runs.values():
            run.compile()

    @property
    def update_in_epoch(self) -> int:
        """Updates of the epoch under way (slow motion), as the first member counts them."""
        return next(iter(self.runs.values())).update_in_epoch

    @property
    def updates_per_epoch(self) -> int:
        """Mini-batch updates per epoch of the first member."""
        return next(iter(self.runs.values())).updates_per_epoch

    @property
    def status(self) -> Status:
        """``READY`` while any member can train; otherwise the first member's status."""
        statuses = [run.status for run in self.runs.values()]
        return READY if READY in statuses else statuses[0]

    @property
    def message(self) -> str:
        """Every member's message, named."""
        return " ".join(f"{name}: {run.message}" for name, run in self.runs.items() if run.message)

    @property
    def history(self) -> dict[str, list[float]]:
        """Every member's series as ``"<member>/<metric>"``, padded with NaN to one length."""
        length = self.epoch
        series = {}
        for name, run in self.runs.items():
            for metric, values in run.history.items():
                padding = length - len(values)
                series[f"{name}{SEPARATOR}{metric}"] = values if not padding else [*values, *[np.nan] * padding]
        return series

    # ----------------------------------------------------------------- controlling
    def step(self) -> ChunkResult:
        """Train every member one epoch."""
        return self.advance(1)

    def advance(self, num_epochs: int) -> ChunkResult:
        """Train every member that can still train by ``num_epochs`` epochs."""
        return self._advance_each(lambda run: run.advance(num_epochs))

    def advance_updates(self, num_updates: int) -> ChunkResult:
        """Train every member that can still train by ``num_updates`` single updates."""
        return self._advance_each(lambda run: run.advance_updates(num_updates))

    def prepare_updates(self) -> None:
        """Trace every member's single-update functions (see ``TrainingRun.prepare_updates``)."""
        for run in self.runs.values():
            run.prepare_updates()

    def warm_updates(self) -> None:
        """Run and undo one update of every member (see ``TrainingRun.warm_updates``)."""
        for run in self.runs.values():
            run.warm_updates()

    def _advance_each(self, advance) -> ChunkResult:
        results = [advance(run) for run in self.runs.values() if run.status == READY]
        epochs = max((result.epochs for result in results), default=0)
        return ChunkResult(epochs, self.status, self.message)

    def reset(self, seed: int | None = None) -> None:
        """Every member back to its initial weights (drawn again from ``seed`` if given)."""
        for run in self.runs.values():
            run.reset(seed)

    def update_settings(self, settings: RunSettings) -> list[str]:
        """Apply live settings to every member; the changes, in words, once."""
        changes: list[str] = []
        for run in self.runs.values():
            changes = run.update_settings(settings) or changes
        return changes
