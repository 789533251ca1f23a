"""User-supplied text shown as itself: link values, file and folder names, CSV cells.

Streamlit renders messages, captions and labels as Markdown, so a link value such as
``[Reset your password](https://evil.example)`` would become a working link and
``![x](https://evil.example/p.png)`` would make the browser fetch an outside image.
``literal`` escapes every Markdown punctuation mark (a backslash before any ASCII
punctuation is taken literally) and puts an invisible word joiner into what would otherwise
be turned into a link on its own (``https://``, ``www.``, ``name@host``): Streamlit links
bare addresses after escapes are resolved.
"""

from __future__ import annotations

import re

_PUNCTUATION = re.compile(r"([!-/:-@\[-`{-~])")  # every ASCII punctuation character
_AUTOLINKED = re.compile(r"(://|www\.|@)", re.IGNORECASE)
_WORD_JOINER = "\u2060"


def literal(text: str) -> str:
    """``text`` escaped so that Markdown shows it character for character (newlines become spaces)."""
    unlinked = _AUTOLINKED.sub(lambda match: match.group(0)[:-1] + _WORD_JOINER + match.group(0)[-1],
                               " ".join(str(text).splitlines()))
    return _PUNCTUATION.sub(r"\\\1", unlinked)
