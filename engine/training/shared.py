"""Compiled functions shared by every model of an architecture, at once.

A ``tf.function`` that reads a model's variables through its closure captures them: each
model needs its own trace and, under XLA, its own compilation (seconds on 2 cores). Passed as
arguments instead, variables are inputs that TensorFlow types by shape and dtype, so one trace
and one compiled program serve every model of the same architecture, each call with its own
variables. ``SharedFunction`` wraps such a function; ``shared`` keeps one per key for the
whole process (``engine.training.pool`` keys them by architecture, the RL agents by their kind).
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Hashable
from typing import Any, TypeVar

Made = TypeVar("Made")
_SHARED: dict[Hashable, Any] = {}  # what ``shared`` made, by key
_SHARED_LOCK = threading.Lock()


class SharedFunction:
    """A ``tf.function`` that takes the variables it reads first, traced on its maker's and called with any kit's.

    Each new signature of the other arguments is traced on the maker's variables: a trace made
    while another kit's variables are passed would read the maker's through the closure and
    capture them. A trace that captures a variable all the same (one not among those passed)
    is refused with a ``ValueError``: shared, it would train the maker's weights for every run.

    Args:
        function: a ``tf.function`` whose first argument is a list of variables.
        variables: the maker's variables, in the order every caller passes its own.
    """

    def __init__(self, function, variables: list) -> None:
        self._function, self._variables = function, _backing(variables)
        self._concrete: dict[tuple, Any] = {}  # by signature: calling one directly skips tf.function's dispatch
        self._lock = threading.Lock()
        self.ran = False  # called once: XLA compiles, and TensorFlow optimises a graph, on the first call

    def __call__(self, variables: list, *args) -> Any:
        """``function(variables, *args)``, traced on the maker's variables first if the signature is new."""
        result = self.concrete(*args)(_backing(variables), *args)
        self.ran = True
        return result

    def concrete(self, *args) -> Any:
        """The concrete function for the signature of ``args`` (tensors, arrays or ``TensorSpec``s), traced
        on the maker's variables the first time; call it with any kit's variables first."""
        import tensorflow as tf

        signature = tuple((tuple(part.shape), str(part.dtype)) if hasattr(part, "shape") else part
                          for part in tf.nest.flatten(args))
        concrete = self._concrete.get(signature)
        if concrete is not None:
            return concrete
        with self._lock:
            if signature not in self._concrete:
                concrete = self._function.get_concrete_function(self._variables, *args)
                captured = [tensor for tensor in concrete.captured_inputs if tensor.dtype == tf.resource]
                if captured:
                    raise ValueError(f"{self._function.__name__} reads {len(captured)} variable(s) it is not passed: "
                                     "pass every variable it reads, or it cannot serve other models.")
                self._concrete[signature] = concrete
            return self._concrete[signature]

    @property
    def tracing_count(self) -> int:
        """How many times TensorFlow traced the function."""
        return self._function.experimental_get_tracing_count()


def shared(key: Hashable, make: Callable[[], Made]) -> Made:
    """``make()``'s result for ``key``, made once for the whole process (the compiled functions of one architecture)."""
    with _SHARED_LOCK:
        if key not in _SHARED:
            _SHARED[key] = make()
        return _SHARED[key]


def _backing(variables: list) -> list:
    """TensorFlow's variables behind Keras's: passed as Keras variables, they would be read through the closure."""
    import keras

    return [variable.value if isinstance(variable, keras.Variable) else variable for variable in variables]
