"""The lab contract: what every run a live page trains offers, written as types (no Keras here).

A ``Trainer`` drives any ``Run``: a ``TrainingRun`` (one Keras model), a ``RunGroup`` (several
trained side by side) or an ``AgentRun`` (an RL agent; its epochs are episodes). A run
advances in chunks, each returning a ``ChunkResult``; its ``status`` says whether it can
train on. Two capabilities are optional and checked with ``isinstance``: ``Compilable`` runs
compile their training function ahead of Play, and ``SlowMotion`` runs can train one
mini-batch update at a time.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum
from typing import Any, Protocol, runtime_checkable


class Status(str, Enum):
    """Where a run stands. A string, so snapshots and links show it as one ("ready", ...)."""

    READY = "ready"  # can train on
    DIVERGED = "diverged"  # the loss became NaN or infinite; the weights were rolled back
    STOPPED_EARLY = "stopped_early"  # early stopping: no better validation loss for a while
    FINISHED = "finished"  # reached its epoch limit (or, for an agent, solved its task)
    ERROR = "error"  # a command or an observation failed (snapshots only; a run never reports it)

    def __str__(self) -> str:
        return self.value


READY, DIVERGED, STOPPED_EARLY, FINISHED, ERROR = (
    Status.READY, Status.DIVERGED, Status.STOPPED_EARLY, Status.FINISHED, Status.ERROR)
STOPPED = (DIVERGED, STOPPED_EARLY, FINISHED)  # a run in one of these trains no more until a change or a reset


@dataclass(frozen=True)
class ChunkResult:
    """What one ``advance`` call did: epochs trained, and why it stopped if it did."""

    epochs: int
    status: Status
    message: str = ""

    def then(self, later: ChunkResult) -> ChunkResult:
        """This result followed by ``later``: their epochs together, ``later``'s status."""
        return ChunkResult(self.epochs + later.epochs, later.status, later.message)


@runtime_checkable
class Run(Protocol):
    """What a ``Trainer`` drives: trained in chunks, observed between them."""

    @property
    def epoch(self) -> int:
        """Epochs (episodes) finished since the last reset."""

    @property
    def status(self) -> Status:
        """``READY`` while it can train."""

    @property
    def message(self) -> str:
        """Why it stopped, or a note on how training goes; "" when there is nothing to say."""

    @property
    def history(self) -> dict[str, list[float]]:
        """One value per epoch for every series, Keras's names ("loss", "val_accuracy", ...)."""

    def advance(self, num_epochs: int) -> ChunkResult:
        """Train up to ``num_epochs`` epochs now."""

    def step(self) -> ChunkResult:
        """Train one epoch."""

    def reset(self, seed: int | None = None) -> None:
        """Back to the initial state (drawn again from ``seed`` if given), history cleared."""

    def update_settings(self, settings: Any) -> list[str]:
        """Apply the run's live settings from the next chunk on; what changed, in words."""


@runtime_checkable
class Compilable(Protocol):
    """A run whose training function is compiled on first use, and can be compiled ahead."""

    @property
    def compiled(self) -> bool:
        """Whether the training function is ready."""

    def compile(self) -> None:
        """Compile it now, training nothing."""


@runtime_checkable
class SlowMotion(Protocol):
    """A run that can train one mini-batch update at a time."""

    @property
    def update_in_epoch(self) -> int:
        """Updates made in the epoch under way (0 between epochs)."""

    @property
    def updates_per_epoch(self) -> int:
        """Mini-batch updates in one epoch."""

    def advance_updates(self, num_updates: int) -> ChunkResult:
        """Train ``num_updates`` single updates."""

    def prepare_updates(self) -> None:
        """Trace the single-update functions now, training nothing (safe beside training)."""

    def warm_updates(self) -> None:
        """Run one update and undo it, so the first slow-motion frame comes at once (only where nothing else trains the run)."""


@runtime_checkable
class Exportable(Protocol):
    """A run whose trained Keras models can be saved (the labs' "trained model" download)."""

    def keras_models(self) -> dict[str, Any]:
        """Its Keras models by name: one for most runs, the parts of a custom model (a VAE's encoder
        and decoder), a group's members', none for an agent that keeps a table."""


@dataclass(frozen=True)
class Snapshot:
    """What a page draws: an immutable picture of a run between chunks.

    Attributes:
        revision: increases with every publication.
        playing: whether the worker is training continuously.
        status: the run's status, or ``ERROR`` when a command or the observation failed.
        message: why training stopped, or the last command's effect.
        epoch: epochs trained.
        history: downsampled history (float32 arrays plus "epoch").
        latest: the newest value of every metric.
        view: what the ``observe`` callback returned (None before the first observation).
        epochs_per_second: measured training speed of the last chunks.
        update: updates made in the epoch under way (slow motion), 0 between epochs.
        updates_per_epoch: mini-batch updates per epoch; 0 for runs that cannot step by update.
        compiling: whether the worker is compiling the run's training function right now
            (commands sent meanwhile wait their turn).
        compiled: whether that function is ready (False from a new run until its compilation ends).
        lineage: which weights these are, unique in the process: a new number when a run
            starts, is replaced or is reset; with ``epoch`` and ``update`` it names the network
            a result was computed from.
    """

    revision: int = 0
    playing: bool = False
    status: Status = READY
    message: str = ""
    epoch: int = 0
    history: dict = field(default_factory=dict)
    latest: dict = field(default_factory=dict)
    view: Any = None
    epochs_per_second: float = 0.0
    update: int = 0
    updates_per_epoch: int = 0
    compiling: bool = False
    compiled: bool = True
    lineage: int = 0
