"""The default corpus, uploads and the character vocabulary."""

import numpy as np
import pytest

from engine.sequence.text import MAX_VOCABULARY, Vocabulary, default_corpus, read_text_upload


def test_the_default_corpus_is_the_same_english_text_everywhere():
    corpus = default_corpus()
    assert len(corpus) > 400_000 and corpus == default_corpus()
    vocabulary = Vocabulary.of(corpus)
    assert vocabulary.characters[0] == " " and "e" in vocabulary.characters[:3]  # English: space, then e
    assert vocabulary.size <= MAX_VOCABULARY
    assert sum(vocabulary.counts) == len(corpus)


def test_a_vocabulary_codes_and_decodes_and_names_what_it_lacks():
    vocabulary = Vocabulary.of("abracadabra")
    assert vocabulary.characters == ("a", "b", "r", "c", "d") and vocabulary.counts == (5, 2, 2, 1, 1)
    codes = vocabulary.encode("cabbar")
    np.testing.assert_array_equal(codes, [3, 0, 1, 1, 0, 2])
    assert vocabulary.decode(codes) == "cabbar"
    with pytest.raises(ValueError, match=r"2 character\(s\) are not in the text the model learned: 'x', 'z'"):
        vocabulary.encode("zax")
    with pytest.raises(ValueError, match="empty text"):
        Vocabulary.of("")


def test_an_upload_is_read_as_utf8_or_latin1_with_unix_line_ends():
    text = "Où est la gare? " * 20
    assert read_text_upload(text.encode("utf-8")) == text
    assert read_text_upload(text.encode("latin-1")) == text
    assert "\r" not in read_text_upload(("line one\r\n" * 30).encode())


@pytest.mark.parametrize(("data", "message"), [
    (b"", "The file is empty"),
    (b"   \n ", "The file is empty"),
    (b"short text", "has 10 characters. Expected at least 200"),
    (b"ab" * 200, "uses 2 distinct characters"),
    (bytes(range(1, 32)) * 20, "control codes: the file looks binary"),
    (b"PK\x03\x04\x00\x00" * 100, "looks binary"),
    (b"a" * 2_000_001, "Expected at most 2 MB"),
    ("".join(chr(0x4E00 + index) for index in range(300)).encode(), "uses 300 distinct characters. Expected at most"),
])
def test_bad_uploads_get_a_message(data, message):
    with pytest.raises(ValueError, match=message):
        read_text_upload(data)
