"""Models lent to runs, and compiled functions shared by every model of an architecture.

TensorFlow keeps what it traces for the life of the process: every ``tf.function`` a run
compiles leaves its graph functions in the runtime, and XLA its compiled executable, after
Python has freed the run. A server that built and traced a fresh model for every training
session therefore grew by ~9 MB per session, for good; and a learner who opened a network
another learner was training waited seconds for a compilation of what the server had compiled.

A ``ModelKit`` is a model plus its optimizers and compiled functions. A recipe that names its
model's architecture (everything but the initial weights: ``ModelRecipe.architecture``, or a
``build`` that is a ``functools.partial`` of hashable arguments) lets its run borrow an idle kit
of that architecture from ``MODEL_POOL``: the run loads its own initial weights into it and
keeps it to itself; the kit goes back to the pool when the run is garbage collected. Memory
then grows with the number of models trained at once, not with the number of sessions.

The functions go further: kits of one architecture share them (``ModelKit.cached``), each a
``SharedFunction`` (``engine.training.shared``) that takes the variables it reads as its first
argument, so one trace and one XLA program serve every kit: a second learner training the same
network at the same time starts at once. A recipe that names no architecture gets a kit, and
functions, of its own.

The pool lends any such object by key: the RL lab lends its deep agents (networks and
optimizer) the same way; they share their compiled updates through ``shared`` themselves.
"""

from __future__ import annotations

import functools
import os
import threading
import weakref
from collections import deque
from collections.abc import Callable, Hashable
from typing import Any, TypeVar

from engine.training.shared import shared

Lent = TypeVar("Lent")

MAX_IDLE = int(os.environ.get("DLP_MAX_IDLE_MODELS", 32))  # idle models kept for later runs; the oldest go beyond


class ModelKit:
    """A model and what is traced on it: optimizers by configuration and compiled functions by key.

    Used by one run at a time. The run decides the keys (everything a function bakes in) and
    resets the state it borrows: weights through ``load``, an optimizer's state whenever it
    installs one.
    """

    def __init__(self, model, key: Hashable | None = None) -> None:
        self.model, self.key = model, key  # key: what the pool lends it by (None: its run's alone)
        self._optimizers: dict[Hashable, tuple[Any, list]] = {}
        self._functions: dict[Hashable, Any] = {}

    def optimizer(self, key: Hashable, build: Callable[[], Any]) -> Any:
        """The optimizer for ``key``, built on the model's trainable weights the first time, its state as new."""
        if key not in self._optimizers:
            optimizer = build()
            optimizer.build(self.model.trainable_variables)  # eagerly: never inside a traced graph
            self._optimizers[key] = optimizer, [variable.numpy() for variable in optimizer.variables]
        optimizer, initial = self._optimizers[key]
        for variable, value in zip(optimizer.variables, initial, strict=True):
            variable.assign(value)
        return optimizer

    def cached(self, key: Hashable, make: Callable[[], Any]) -> Any:
        """``make()``'s result for ``key``, made on first use by any kit of this kit's architecture.

        What it makes (``SharedFunction``s, and what they report) is shared by every kit with the
        same ``key``: made from the first kit's model, and kept with it for the process's life,
        as TensorFlow keeps the traces. A kit without a key keeps its own.
        """
        if key not in self._functions:
            self._functions[key] = make() if self.key is None else shared((self.key, key), make)
        return self._functions[key]

    def load(self, values: list) -> None:
        """Assign values to the model's state variables, in ``state_variables`` order."""
        for variable, value in zip(state_variables(self.model), values, strict=True):
            variable.assign(value)


class ModelPool:
    """Idle objects by key, each lent to one owner at a time; thread-safe, and safe to give back from the collector."""

    def __init__(self, max_idle: int = MAX_IDLE) -> None:
        self.max_idle = max_idle
        self._lock = threading.Lock()
        self._idle: list[tuple[Hashable, Any]] = []  # oldest first
        # Owners are often collected inside the collector, at any allocation, perhaps while this
        # thread holds the lock: what they held waits here (deque appends are atomic) until the next borrow.
        self._returned: deque[tuple[Hashable, Any]] = deque()

    def borrow(self, owner: object, key: Hashable | None, make: Callable[[], Lent]) -> tuple[Lent, bool]:
        """An idle object of ``key`` for ``owner``, else ``make()``; and whether it was lent before.

        The caller puts a lent object in the state a new one would have. With ``key`` None the
        object is ``owner``'s alone; otherwise it returns to the pool when ``owner`` is garbage
        collected, and nothing else uses it until then.
        """
        if key is None:
            return make(), False
        with self._lock:
            self._take_returned()
            index = next((i for i in reversed(range(len(self._idle))) if self._idle[i][0] == key), None)
            idle = self._idle.pop(index)[1] if index is not None else None
        lent: Lent = make() if idle is None else idle
        weakref.finalize(owner, self._returned.append, (key, lent))
        return lent, idle is not None

    def borrow_kit(self, owner: object, architecture: Hashable | None, fresh) -> ModelKit:
        """A kit for ``owner`` with ``fresh``'s weights: an idle one of the architecture, else one around ``fresh``."""
        key = None if architecture is None else (architecture, _shapes(fresh))
        kit, reused = self.borrow(owner, key, lambda: ModelKit(fresh, key))
        if reused:
            kit.load([variable.numpy() for variable in state_variables(fresh)])
        return kit

    @property
    def idle(self) -> int:
        """Objects waiting for an owner (given back ones included)."""
        with self._lock:
            self._take_returned()
            return len(self._idle)

    def _take_returned(self) -> None:
        """Move given-back objects to the idle list, dropping the oldest beyond ``max_idle`` (call with the lock)."""
        while self._returned:
            self._idle.append(self._returned.popleft())
        del self._idle[:max(0, len(self._idle) - self.max_idle)]


MODEL_POOL = ModelPool()


def architecture_of(build: Callable) -> Hashable | None:
    """What fixes ``build``'s model apart from the seed: a partial's function and arguments, when hashable; else None."""
    if not isinstance(build, functools.partial):
        return None
    key = (build.func, build.args, tuple(sorted(build.keywords.items())))
    try:
        hash(key)
    except TypeError:
        return None
    return key


def state_variables(model) -> list:
    """The model's variables, then those of the optimizers it owns (a GAN's two: ``own_optimizers``)."""
    owned = [variable for optimizer in getattr(model, "own_optimizers", ()) for variable in optimizer.variables]
    return [*model.variables, *owned]


def _shapes(model) -> tuple:
    """Shapes and types of the model's state: two models that differ here cannot share functions."""
    return tuple((tuple(variable.shape), str(variable.dtype)) for variable in state_variables(model))
