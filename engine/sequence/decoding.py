"""Turning a language model's next-token probabilities into text: temperature sampling, greedy choice, beam search.

A model gives, for a prefix, a probability for every next token. Three ways to pick:

- **Sampling at a temperature**: divide the log-probabilities by T and renormalise. T = 1
  keeps the model's own odds; T < 1 sharpens them towards the likeliest token (safer, more
  repetitive); T > 1 flattens them (more surprising, more mistakes).
- **Greedy**: always the likeliest token. Cheap, but a likely first step can lead to an
  unlikely whole.
- **Beam search**: keep the ``beam_width`` likeliest prefixes at every step, extend each by
  every token and keep the best again. Width 1 is greedy; a width as large as every possible
  prefix is exhaustive search. It scores whole sequences by the sum of their tokens'
  log-probabilities.

``perplexity`` is how a language model's loss reads: e to the mean cross-entropy (in nats),
the number of equally likely tokens the model is, on average, choosing between.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

NextLogProbabilities = Callable[[np.ndarray], np.ndarray]  # (prefixes, length) codes → (prefixes, vocabulary)


def perplexity(mean_cross_entropy: float) -> float:
    """e to the mean cross-entropy in nats (inf when the loss is; never an overflow warning)."""
    return float(np.exp(min(float(mean_cross_entropy), 700.0))) if np.isfinite(mean_cross_entropy) else float("inf")


def with_temperature(probabilities: np.ndarray, temperature: float) -> np.ndarray:
    """``probabilities`` sharpened (T < 1) or flattened (T > 1) along the last axis; ``ValueError`` for T ≤ 0."""
    if not temperature > 0:
        raise ValueError(f"Expected a temperature above 0 (greedy choice is its own option). Received: {temperature}.")
    logits = np.log(np.clip(np.asarray(probabilities, np.float64), 1e-300, None)) / temperature
    logits -= logits.max(axis=-1, keepdims=True)
    weights = np.exp(logits)
    return weights / weights.sum(axis=-1, keepdims=True)


def sample(probabilities: np.ndarray, temperature: float, rng: np.random.Generator) -> int:
    """One token drawn from ``probabilities`` at ``temperature``."""
    adjusted = with_temperature(probabilities, temperature)
    return int(rng.choice(len(adjusted), p=adjusted))


@dataclass(frozen=True)
class Beam:
    """A finished beam: its tokens after the prompt and their summed log-probability (natural log)."""

    tokens: tuple[int, ...]
    log_probability: float


def beam_search(next_log_probabilities: NextLogProbabilities, prompt: np.ndarray, length: int,
                beam_width: int) -> list[Beam]:
    """The ``beam_width`` likeliest continuations of ``length`` tokens after ``prompt``, best first.

    ``next_log_probabilities`` scores a batch of prefixes (prompt included) at once. Ties are
    broken by token order, so a search is repeatable.
    """
    if length < 1 or beam_width < 1:
        raise ValueError(f"Expected a length and a beam width of at least 1. Received: length={length}, "
                         f"beam_width={beam_width}.")
    prompt = np.asarray(prompt, np.int64)
    beams = np.zeros((1, 0), np.int64)
    scores = np.zeros(1)
    for _ in range(length):
        prefixes = np.concatenate([np.broadcast_to(prompt, (len(beams), len(prompt))), beams], axis=1)
        log_probabilities = np.asarray(next_log_probabilities(prefixes), np.float64)
        candidates = (scores[:, None] + log_probabilities).ravel()  # beam-major: beam b, token t at b·V + t
        keep = np.argsort(-candidates, kind="stable")[:beam_width]
        vocabulary = log_probabilities.shape[1]
        beams = np.concatenate([beams[keep // vocabulary], (keep % vocabulary)[:, None]], axis=1)
        scores = candidates[keep]
    return [Beam(tuple(int(token) for token in beam), float(score)) for beam, score in zip(beams, scores, strict=True)]
