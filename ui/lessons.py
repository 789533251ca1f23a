"""Short explanations shown beside control groups, read from ``assets/text``."""

from __future__ import annotations

import functools
from pathlib import Path

TEXT_FOLDER = Path(__file__).resolve().parent.parent / "assets" / "text"


@functools.cache
def lessons(name: str) -> dict[str, str]:
    """Sections of ``assets/text/<name>.md`` keyed by their ``## key`` headings."""
    sections: dict[str, list[str]] = {}
    current = None
    for line in (TEXT_FOLDER / f"{name}.md").read_text(encoding="utf-8").splitlines():
        if line.startswith("## "):
            current = line[3:].strip()
            sections[current] = []
        elif current is not None:
            sections[current].append(line)
    return {key: "\n".join(lines).strip() for key, lines in sections.items()}


def lesson(name: str, key: str, **values: object) -> str:
    """One explanation, its ``{placeholders}`` filled from ``values``; a missing key is a bug (``KeyError``)."""
    text = lessons(name)[key]
    return text.format(**values) if values else text
