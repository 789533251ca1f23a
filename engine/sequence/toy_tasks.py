"""Toy sequence tasks with known answers: what long memories and attention are for.

- The **adding problem**: a long row of random numbers, two of them marked; the answer is
  the sum of the two marked ones. Guessing 1 (the mean sum) scores a mean squared error of
  about 0.17; a network must carry the first marked number across the whole row to beat it.
- **Delayed recall**: a symbol, then ``delay`` random distractor symbols; the answer is the
  first symbol. Chance is one in ``symbols``; the longer the delay, the further a gradient
  has to travel back to learn it (vanishing gradients in a SimpleRNN).
- **Reversing** and **sorting** a short row of digits, and **date formats** ("5 March 2021",
  "Mar 5, 2021", ...  → "2021-03-05"): sequence-to-sequence tasks whose outputs depend on
  inputs far away, where an encoder–decoder gains from attention.

Token tasks come as ``TokenPairs``: codes into a source and a target vocabulary, with code 0
the padding of shorter sequences. Every generator takes ``num_samples`` and ``seed``.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

PAD = "·"  # code 0 of every token vocabulary: fills a short sequence up to the longest
DIGITS = tuple("0123456789")
MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
          "November", "December")
DAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
MAX_SAMPLES = 100_000
MAX_LENGTH = 500


def _check(num_samples: int, length: int) -> None:
    if not 1 <= num_samples <= MAX_SAMPLES:
        raise ValueError(f"Expected 1 to {MAX_SAMPLES:,} samples. Received: {num_samples:,}.")
    if not 2 <= length <= MAX_LENGTH:
        raise ValueError(f"Expected sequences of 2 to {MAX_LENGTH} steps. Received: {length}.")


def make_adding_problem(num_samples: int = 2000, length: int = 50, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Inputs (samples, length, 2): a random number in [0, 1) and a 0/1 marker per step; targets: the marked sum.

    One mark falls in the first half of the row, the other in the second half.
    """
    _check(num_samples, length)
    rng = np.random.default_rng(seed)
    values = rng.uniform(size=(num_samples, length))
    markers = np.zeros((num_samples, length))
    rows = np.arange(num_samples)
    first = rng.integers(0, length // 2, num_samples)
    second = rng.integers(length // 2, length, num_samples)
    markers[rows, first] = markers[rows, second] = 1.0
    inputs = np.stack([values, markers], axis=-1).astype(np.float32)
    return inputs, (values[rows, first] + values[rows, second]).astype(np.float32)


def make_delayed_recall(num_samples: int = 2000, delay: int = 10, seed: int = 0,
                        symbols: int = 8) -> tuple[np.ndarray, np.ndarray]:
    """Inputs (samples, delay + 1) symbol codes 0..symbols-1; targets: each row's first symbol."""
    _check(num_samples, delay + 1)
    if not 2 <= symbols <= 64:
        raise ValueError(f"Expected 2 to 64 symbols. Received: {symbols}.")
    codes = np.random.default_rng(seed).integers(0, symbols, size=(num_samples, delay + 1)).astype(np.int32)
    return codes, codes[:, 0].copy()


@dataclass(frozen=True)
class TokenPairs:
    """Token sequences in and out, as codes into their vocabularies (code 0: ``PAD``)."""

    sources: np.ndarray  # (samples, longest source) int32
    targets: np.ndarray  # (samples, longest target) int32
    source_tokens: tuple[str, ...]
    target_tokens: tuple[str, ...]

    def source_text(self, index: int) -> str:
        """Sample ``index``'s input as text, padding left out."""
        return _text(self.sources[index], self.source_tokens)

    def target_text(self, index: int) -> str:
        """Sample ``index``'s answer as text, padding left out."""
        return _text(self.targets[index], self.target_tokens)


def _text(codes: np.ndarray, tokens: tuple[str, ...]) -> str:
    return "".join(tokens[code] for code in codes if code)


def _pairs(sources: list[str], targets: list[str]) -> TokenPairs:
    """Strings coded character by character, each side in its own sorted vocabulary, padded with code 0."""
    source_tokens = (PAD, *sorted(set("".join(sources))))
    target_tokens = (PAD, *sorted(set("".join(targets))))
    return TokenPairs(_coded(sources, source_tokens), _coded(targets, target_tokens), source_tokens, target_tokens)


def _coded(texts: list[str], tokens: tuple[str, ...]) -> np.ndarray:
    index = {token: code for code, token in enumerate(tokens)}
    codes = np.zeros((len(texts), max(len(text) for text in texts)), np.int32)
    for row, text in enumerate(texts):
        codes[row, :len(text)] = [index[character] for character in text]
    return codes


def make_reversal(num_samples: int = 2000, length: int = 8, seed: int = 0) -> TokenPairs:
    """Rows of ``length`` random digits; the answer is the row backwards."""
    _check(num_samples, length)
    rows = np.random.default_rng(seed).integers(0, 10, size=(num_samples, length))
    texts = ["".join(DIGITS[digit] for digit in row) for row in rows]
    return _pairs(texts, [text[::-1] for text in texts])


def make_sorting(num_samples: int = 2000, length: int = 8, seed: int = 0) -> TokenPairs:
    """Rows of ``length`` random digits; the answer is the row in ascending order."""
    _check(num_samples, length)
    rows = np.random.default_rng(seed).integers(0, 10, size=(num_samples, length))
    texts = ["".join(DIGITS[digit] for digit in row) for row in rows]
    return _pairs(texts, ["".join(sorted(text)) for text in texts])


DATE_FORMATS: tuple[Callable[[datetime.date], str], ...] = (
    lambda date: f"{date.day} {MONTHS[date.month - 1]} {date.year}",
    lambda date: f"{MONTHS[date.month - 1]} {date.day}, {date.year}",
    lambda date: f"{MONTHS[date.month - 1][:3]} {date.day}, {date.year}",
    lambda date: f"{DAYS[date.weekday()]}, {date.day} {MONTHS[date.month - 1][:3]} {date.year}",
    lambda date: f"{date.day:02d}.{date.month:02d}.{date.year}",
    lambda date: f"{date.year}, {MONTHS[date.month - 1].lower()} {date.day}",
)


def make_dates(num_samples: int = 2000, length: int = 10, seed: int = 0) -> TokenPairs:
    """Dates from 1950 to 2049 written in one of ``DATE_FORMATS``; the answer is the ISO form (YYYY-MM-DD).

    ``length`` is the answer's length, always 10; it is there so every token task has the
    same signature.
    """
    _check(num_samples, length)
    rng = np.random.default_rng(seed)
    first, span = datetime.date(1950, 1, 1).toordinal(), 365 * 100 + 24
    dates = [datetime.date.fromordinal(first + int(day)) for day in rng.integers(0, span, num_samples)]
    styles = rng.integers(0, len(DATE_FORMATS), num_samples)
    return _pairs([DATE_FORMATS[style](date) for style, date in zip(styles, dates, strict=True)],
                  [date.isoformat() for date in dates])


TOKEN_TASKS: dict[str, Callable[[int, int, int], TokenPairs]] = {
    "reverse": make_reversal, "sort": make_sorting, "dates": make_dates,
}
