"""Embeddings: kinds, projections against scikit-learn's own, and nearest neighbours by brute force."""

import numpy as np
import pytest
from sklearn.decomposition import PCA

from engine.sequence.embeddings import kind_of, nearest_characters, project
from engine.sequence.text import Vocabulary


def test_every_character_gets_its_kind():
    assert [kind_of(character) for character in "aZx7 \n.("] == [
        "vowel", "consonant", "consonant", "digit", "space", "space", "punctuation", "punctuation"]


def test_pca_keeps_the_two_directions_of_largest_spread():
    table = np.random.default_rng(0).normal(size=(40, 6)) * np.array([5, 3, 1, 0.1, 0.1, 0.1])
    points, kept = project(table, "pca")
    reference = PCA(n_components=2).fit(table)
    np.testing.assert_allclose(np.abs(points), np.abs(reference.transform(table)), atol=1e-9)
    assert kept == pytest.approx(reference.explained_variance_ratio_.sum()) and kept > 0.95


def test_tsne_keeps_two_far_apart_groups_apart():
    rng = np.random.default_rng(1)
    table = np.vstack([rng.normal(0, 0.1, (15, 8)), rng.normal(5, 0.1, (15, 8))])
    points, kept = project(table, "tsne", seed=0)
    assert kept is None and points.shape == (30, 2)
    first, second = points[:15].mean(axis=0), points[15:].mean(axis=0)
    spread = max(points[:15].std(axis=0).max(), points[15:].std(axis=0).max())
    assert np.linalg.norm(first - second) > 3 * spread
    with pytest.raises(ValueError, match="Unknown projection"):
        project(table, "umap")


def test_nearest_characters_are_the_most_similar_by_cosine():
    vocabulary = Vocabulary(("a", "b", "c", "d"), (4, 3, 2, 1))
    table = np.array([[1.0, 0.0], [0.9, 0.1], [-1.0, 0.0], [0.0, 1.0]])
    found = nearest_characters(table, vocabulary, "a", count=3)
    assert [character for character, _ in found] == ["b", "d", "c"]
    assert found[0][1] == pytest.approx(0.9 / np.hypot(0.9, 0.1)) and found[2][1] == pytest.approx(-1.0)
    with pytest.raises(ValueError, match="one character of the vocabulary"):
        nearest_characters(table, vocabulary, "ab")
