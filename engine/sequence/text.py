"""Text for a character language model: the corpus every machine has, the learner's own, and its vocabulary.

The default corpus is the English reference text CPython ships for ``help()``
(``pydoc_data.topics``, about 465,000 characters): it is there on every machine with Python,
needs no download, and is real prose with code in it. A learner's upload is checked before
it is used: text (UTF-8, or Latin-1 when it is not UTF-8), not binary, not empty, not too
big, and with enough distinct characters to be worth modelling.

A vocabulary is the set of characters of a text, most frequent first, each with its count;
characters are coded as their position in it.
"""

from __future__ import annotations

import functools
import re
from collections import Counter
from dataclasses import dataclass

import numpy as np

MAX_TEXT_BYTES = 2_000_000
MIN_TEXT_CHARACTERS = 200
MIN_DISTINCT_CHARACTERS = 5
MAX_VOCABULARY = 200  # distinct characters a model's embedding and output layer take


@functools.cache
def default_corpus() -> str:
    """CPython's ``help()`` topics, one after another in a fixed order (the same text on every machine).

    Each line loses its indentation and its runs of spaces: the pages indent their code and
    tables deeply, and a small model would otherwise spend its capacity (and its samples) on
    long runs of blanks instead of words.
    """
    from pydoc_data.topics import topics

    lines = (" ".join(line.split()) for name in sorted(topics) for line in [*topics[name].strip().splitlines(), ""])
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()


def read_text_upload(data: bytes) -> str:
    """The text of an uploaded file, checked; ``ValueError`` saying what is wrong and what would do."""
    if not data.strip():
        raise ValueError("The file is empty. Expected a plain text file (.txt) of at least "
                         f"{MIN_TEXT_CHARACTERS} characters.")
    if len(data) > MAX_TEXT_BYTES:
        raise ValueError(f"The file is {len(data) / 1e6:.1f} MB. Expected at most {MAX_TEXT_BYTES / 1e6:.0f} MB of text.")
    if b"\x00" in data:
        raise ValueError("The file looks binary (it has zero bytes). Expected a plain text file (.txt).")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = data.decode("latin-1")  # every byte is a Latin-1 character: an old text file reads as written
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    controls = sum(1 for character in text if not character.isprintable() and character not in "\n\t")
    if controls > len(text) // 100:
        raise ValueError(f"{controls:,} of {len(text):,} characters are control codes: the file looks binary. "
                         "Expected a plain text file (.txt).")
    if len(text) < MIN_TEXT_CHARACTERS:
        raise ValueError(f"The text has {len(text):,} characters. Expected at least {MIN_TEXT_CHARACTERS}.")
    distinct = len(set(text))
    if distinct < MIN_DISTINCT_CHARACTERS:
        raise ValueError(f"The text uses {distinct} distinct characters. Expected at least {MIN_DISTINCT_CHARACTERS}: "
                         "there is little for a language model to learn.")
    if distinct > MAX_VOCABULARY:
        raise ValueError(f"The text uses {distinct:,} distinct characters. Expected at most {MAX_VOCABULARY} "
                         "(the model's vocabulary cap): use a text in one alphabet.")
    return text


@dataclass(frozen=True)
class Vocabulary:
    """A text's characters, most frequent first (ties in character order), with their counts."""

    characters: tuple[str, ...]
    counts: tuple[int, ...]

    @classmethod
    def of(cls, text: str) -> Vocabulary:
        """The vocabulary of ``text``; ``ValueError`` when it is empty or bigger than ``MAX_VOCABULARY``."""
        if not text:
            raise ValueError("Expected some text to build a vocabulary from. Received an empty text.")
        ranked = sorted(Counter(text).items(), key=lambda item: (-item[1], item[0]))
        if len(ranked) > MAX_VOCABULARY:
            raise ValueError(f"The text uses {len(ranked):,} distinct characters. Expected at most {MAX_VOCABULARY}.")
        return cls(tuple(character for character, _ in ranked), tuple(count for _, count in ranked))

    @property
    def size(self) -> int:
        """How many distinct characters there are."""
        return len(self.characters)

    def encode(self, text: str) -> np.ndarray:
        """Each character's code (int32); ``ValueError`` naming the characters the vocabulary lacks."""
        index = {character: code for code, character in enumerate(self.characters)}
        unknown = sorted(set(text) - index.keys())
        if unknown:
            shown = ", ".join(repr(character) for character in unknown[:10])
            raise ValueError(f"{len(unknown)} character(s) are not in the text the model learned: {shown}. "
                             "Expected only characters of its vocabulary.")
        return np.fromiter((index[character] for character in text), dtype=np.int32, count=len(text))

    def decode(self, codes: np.ndarray) -> str:
        """The characters of ``codes``."""
        return "".join(self.characters[int(code)] for code in codes)
