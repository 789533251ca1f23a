"""The character vectors a language model learned, projected to 2-D, by kind, with each one's nearest neighbours.

A trained embedding puts characters that play the same part close together: vowels near
vowels, digits near digits, an opening bracket near the others. With 16 or more numbers per
character that cannot be drawn, so it is projected: PCA keeps the two directions of largest
spread (a linear view, distances honest along them), t-SNE keeps each character's nearest
neighbours near (a non-linear view: clusters honest, distances between them not).
Neighbours are measured in the full vectors by cosine similarity.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from engine.sequence.text import Vocabulary
from engine.training.run import TrainingRun

PROJECTIONS = {"pca": "PCA (linear)", "tsne": "t-SNE (neighbours kept)"}
KINDS = ("vowel", "consonant", "digit", "space", "punctuation")
VOWELS = set("aeiouAEIOU")


def kind_of(character: str) -> str:
    """What a character is, for colouring: vowel, consonant, digit, space (any blank) or punctuation."""
    if character in VOWELS:
        return "vowel"
    if character.isalpha():
        return "consonant"
    if character.isdigit():
        return "digit"
    return "space" if character.isspace() else "punctuation"


@dataclass(frozen=True)
class EmbeddingMap:
    """Every character's learned vector in 2-D.

    Attributes:
        characters: the vocabulary, most frequent first.
        kinds: each character's ``kind_of``.
        points: (characters, 2) projected vectors.
        variance_kept: for PCA, the share of the vectors' spread the two axes keep (None for t-SNE).
    """

    characters: tuple[str, ...]
    kinds: tuple[str, ...]
    points: np.ndarray
    variance_kept: float | None


def embedding_table(run: TrainingRun) -> np.ndarray:
    """The trained embedding: one row per character code."""
    return run.model.get_layer("embedding").get_weights()[0]


def project(table: np.ndarray, method: str, seed: int = 0) -> tuple[np.ndarray, float | None]:
    """The rows of ``table`` in 2-D by ``method`` (a key of ``PROJECTIONS``), and PCA's variance kept."""
    from sklearn.decomposition import PCA
    from sklearn.manifold import TSNE

    if method not in PROJECTIONS:
        raise ValueError(f"Unknown projection {method!r}. Expected one of: {', '.join(PROJECTIONS)}.")
    if method == "pca":
        pca = PCA(n_components=2, random_state=seed).fit(table)
        return pca.transform(table), float(pca.explained_variance_ratio_.sum())
    perplexity = float(min(30.0, max(2.0, (len(table) - 1) / 3)))
    return TSNE(n_components=2, perplexity=perplexity, init="pca", random_state=seed).fit_transform(table), None


def embedding_map(run: TrainingRun, vocabulary: Vocabulary, method: str, seed: int = 0) -> EmbeddingMap:
    """The run's character vectors projected to 2-D, with each character's kind."""
    points, kept = project(embedding_table(run), method, seed)
    return EmbeddingMap(vocabulary.characters, tuple(kind_of(character) for character in vocabulary.characters),
                        points, kept)


def nearest_characters(table: np.ndarray, vocabulary: Vocabulary, character: str, count: int = 8
                       ) -> list[tuple[str, float]]:
    """The ``count`` characters whose vectors point most nearly the same way as ``character``'s (cosine similarity)."""
    code = int(vocabulary.encode(character)[0]) if len(character) == 1 else -1
    if code < 0:
        raise ValueError(f"Expected one character of the vocabulary. Received: {character!r}.")
    norms = np.linalg.norm(table, axis=1)
    similarity = table @ table[code] / np.maximum(norms * norms[code], 1e-12)
    order = [index for index in np.argsort(-similarity, kind="stable") if index != code][:count]
    return [(vocabulary.characters[index], float(similarity[index])) for index in order]
