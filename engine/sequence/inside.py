"""Inside a trained character model: its first recurrent layer's gates and states on a text, and the units
that track something a reader can see (LSTMVis-style).

The trace is computed by our own unrolled cells (``engine.sequence.cells``) on the trained
weights, the characters embedded by the model's own embedding table, so every gate is kept;
tests hold its hidden states equal to the Keras layer's output on the same text. A unit
*tracks* a feature of the text (inside quotes, the position in the line, ...) when its value
follows that feature along a long text: the unit whose value correlates most with it
(Pearson's r, sign included) is named, with the correlation.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from engine.sequence.cells import gru_steps, lstm_steps, simple_rnn_steps
from engine.sequence.text import Vocabulary
from engine.training.run import TrainingRun

MAX_TRACED = 2_000  # characters a trace reads
QUANTITIES = {  # per cell: what the trace keeps, in the order a learner reads them, with their meaning
    "lstm": {"input_gate": "input gate i (how much new to write)", "forget_gate": "forget gate f (how much to keep)",
             "output_gate": "output gate o (how much to show)", "candidate": "candidate c̃ (what could be written)",
             "cell": "cell state C (the memory)", "hidden": "hidden state h = o ⊙ tanh(C)"},
    "gru": {"update_gate": "update gate z (how much old state to keep)",
            "reset_gate": "reset gate r (how much old state the candidate sees)",
            "candidate": "candidate h̃", "hidden": "hidden state h"},
    "simple_rnn": {"hidden": "hidden state h"},
}
STEPS: dict[str, Callable] = {"lstm": lstm_steps, "gru": gru_steps, "simple_rnn": simple_rnn_steps}


def _in_pairs(text: str, opening: str, closing: str) -> np.ndarray:
    """1 for every character between an opening mark and its closing one (marks included), else 0."""
    depth, inside = 0, []
    for character in text:
        if character in opening and (opening != closing or depth == 0):
            depth += 1
            inside.append(1.0)
            continue
        inside.append(1.0 if depth > 0 else 0.0)
        if character in closing and depth > 0:
            depth -= 1
    return np.asarray(inside)


def _position(text: str, breaks: str) -> np.ndarray:
    """How many characters since the last break character (0 at a break)."""
    count, positions = 0, []
    for character in text:
        count = 0 if character in breaks else count + 1
        positions.append(float(count))
    return np.asarray(positions)


FEATURES: dict[str, tuple[str, Callable[[str], np.ndarray]]] = {
    "quotes": ("inside quotes", lambda text: _in_pairs(text, "\"", "\"")),
    "brackets": ("inside brackets", lambda text: _in_pairs(text, "([{", ")]}")),
    "line": ("position in the line", lambda text: _position(text, "\n")),
    "word": ("position in the word", lambda text: _position(text, " \n\t.,;:()[]{}\"'")),
    "space": ("a space", lambda text: np.asarray([float(character == " ") for character in text])),
    "capital": ("a capital letter", lambda text: np.asarray([float(character.isupper()) for character in text])),
}


def text_features(text: str) -> dict[str, np.ndarray]:
    """Each feature of ``FEATURES`` at every character of ``text``."""
    return {name: compute(text) for name, (_, compute) in FEATURES.items()}


@dataclass(frozen=True)
class CellTrace:
    """A text read by the first recurrent layer: each quantity (``QUANTITIES[cell]``) per character and unit.

    Attributes:
        cell: "lstm", "gru" or "simple_rnn".
        text: the characters read.
        quantities: name -> (characters, units) array.
    """

    cell: str
    text: str
    quantities: dict[str, np.ndarray]


def first_recurrent_layer(run: TrainingRun) -> tuple[str, object]:
    """The cell kind and the Keras layer the trace reads (the first recurrent layer)."""
    layer = next(layer for layer in run.model.layers if hasattr(layer, "cell"))
    return layer.name.rsplit("_", 1)[0], layer


def trace_text(run: TrainingRun, vocabulary: Vocabulary, text: str) -> CellTrace:
    """Every gate and state of the run's first recurrent layer over ``text`` (at most ``MAX_TRACED`` characters)."""
    if not text:
        raise ValueError("Type some text for the cell to read.")
    text = text[:MAX_TRACED]
    codes = vocabulary.encode(text)
    table = run.model.get_layer("embedding").get_weights()[0]
    cell, layer = first_recurrent_layer(run)
    trace = STEPS[cell](table[codes], *layer.get_weights())  # type: ignore[attr-defined]
    return CellTrace(cell, text, {name: getattr(trace, name) for name in QUANTITIES[cell]})


@dataclass(frozen=True)
class TrackingUnit:
    """The unit whose value follows a feature of the text most closely.

    Attributes:
        feature: a key of ``FEATURES``.
        quantity: which state it is read from (the LSTM's cell state, else the hidden state).
        unit: its index.
        correlation: Pearson's r between the unit's value and the feature along the text.
    """

    feature: str
    quantity: str
    unit: int
    correlation: float


def tracking_units(trace: CellTrace) -> list[TrackingUnit]:
    """For every feature that varies along the trace's text, the unit that correlates with it most, strongest first."""
    quantity = "cell" if trace.cell == "lstm" else "hidden"
    values = trace.quantities[quantity]
    found = []
    for name, feature in text_features(trace.text).items():
        correlations = correlation_with(values, feature)
        if correlations is None:
            continue
        unit = int(np.nanargmax(np.abs(correlations)))
        found.append(TrackingUnit(name, quantity, unit, float(correlations[unit])))
    return sorted(found, key=lambda item: -abs(item.correlation))


def correlation_with(values: np.ndarray, feature: np.ndarray) -> np.ndarray | None:
    """Pearson's r of each column of ``values`` with ``feature`` (NaN for a constant column); None for a constant feature."""
    feature = feature - feature.mean()
    spread = np.sqrt((feature ** 2).sum())
    if spread == 0:
        return None
    centred = values - values.mean(axis=0)
    norms = np.sqrt((centred ** 2).sum(axis=0))
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(norms > 0, centred.T @ feature / (norms * spread), np.nan)
