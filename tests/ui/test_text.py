"""literal: user text shown by Streamlit's Markdown as itself."""

import re

from ui.text import literal


def test_every_markdown_mark_is_escaped_and_reads_back_as_the_original():
    text = "[a](b) ![c](d) *e* _f_ `g` # h <i> $j$ | k ~ l"
    escaped = literal(text)
    assert re.sub(r"\\(.)", r"\1", escaped) == text
    assert not re.search(r"(?<!\\)[\[\]()*_`#<>$|~!]", escaped)  # no mark left unescaped


def test_addresses_get_a_word_joiner_so_they_are_not_linked_on_their_own():
    escaped = literal("see https://evil.example or www.evil.example or me@evil.example\nnext line")
    assert "://" not in escaped.replace("\\", "") and "www." not in escaped.replace("\\", "")
    assert "\u2060" in escaped and "\n" not in escaped
