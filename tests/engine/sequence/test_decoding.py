"""Perplexity, temperature and beam search against formulas and brute force."""

import itertools

import numpy as np
import pytest

from engine.sequence.decoding import beam_search, perplexity, sample, with_temperature

VOCABULARY = 3


def _markov(seed: int):
    """A tiny language model: the next token's log-probabilities depend on the last token only."""
    table = np.log(np.random.default_rng(seed).dirichlet(np.ones(VOCABULARY), size=VOCABULARY))

    def next_log_probabilities(prefixes: np.ndarray) -> np.ndarray:
        return table[prefixes[:, -1]]

    return table, next_log_probabilities


def _exhaustive(table: np.ndarray, prompt: list[int], length: int) -> list[tuple[tuple[int, ...], float]]:
    scored = []
    for tokens in itertools.product(range(VOCABULARY), repeat=length):
        path = [prompt[-1], *tokens]
        scored.append((tokens, sum(table[a, b] for a, b in itertools.pairwise(path))))
    return sorted(scored, key=lambda item: -item[1])


@pytest.mark.parametrize("seed", range(5))
def test_a_beam_as_wide_as_every_sequence_is_exhaustive_search(seed):
    table, model = _markov(seed)
    expected = _exhaustive(table, [1], 4)
    found = beam_search(model, np.array([1]), 4, VOCABULARY ** 4)
    np.testing.assert_allclose([beam.log_probability for beam in found], [score for _, score in expected])
    scores = dict(expected)  # each beam is scored as its own tokens are (equal sums may come in either order)
    assert len({beam.tokens for beam in found}) == len(expected)
    np.testing.assert_allclose([scores[beam.tokens] for beam in found], [beam.log_probability for beam in found])


@pytest.mark.parametrize("seed", range(5))
def test_width_one_is_greedy_and_a_wider_beam_never_finds_a_worse_best(seed):
    table, model = _markov(seed)
    greedy, token = [], 0
    for _ in range(5):
        token = int(np.argmax(table[token]))
        greedy.append(token)
    assert beam_search(model, np.array([0]), 5, 1)[0].tokens == tuple(greedy)
    best = [beam_search(model, np.array([0]), 5, width)[0].log_probability for width in (1, 2, 4, 243)]
    assert best == sorted(best) and best[-1] == pytest.approx(_exhaustive(table, [0], 5)[0][1])


def test_perplexity_is_e_to_the_mean_cross_entropy():
    assert perplexity(0.0) == 1.0
    assert perplexity(np.log(27.0)) == pytest.approx(27.0)  # uniform over 27 symbols
    assert perplexity(float("nan")) == float("inf") and np.isfinite(perplexity(1e6))


def test_temperature_sharpens_and_flattens_and_refuses_zero():
    probabilities = np.array([0.6, 0.3, 0.1])
    np.testing.assert_allclose(with_temperature(probabilities, 1.0), probabilities)
    cold, hot = with_temperature(probabilities, 0.25), with_temperature(probabilities, 4.0)
    assert cold[0] > 0.9 and np.ptp(hot) < np.ptp(probabilities)
    np.testing.assert_allclose(cold, probabilities ** 4 / np.sum(probabilities ** 4))
    with pytest.raises(ValueError, match="Expected a temperature above 0"):
        with_temperature(probabilities, 0.0)
    draws = [sample(probabilities, 1.0, np.random.default_rng(seed)) for seed in range(2000)]
    np.testing.assert_allclose(np.bincount(draws, minlength=3) / 2000, probabilities, atol=0.04)
