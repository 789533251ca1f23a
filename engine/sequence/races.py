"""What the labs that race recurrent cells side by side share: the cells' names and the rule that a race has one."""

from __future__ import annotations

from typing import Any

from engine.links import LinkReader

CELL_NAMES = {"simple_rnn": "SimpleRNN", "lstm": "LSTM", "gru": "GRU"}


class CellRace:
    """Mixin for a declared settings class with a ``cells`` field (keys of ``CELL_NAMES``), put before ``Declared``."""

    cells: tuple[str, ...]

    def __post_init__(self) -> None:
        super().__post_init__()  # type: ignore[misc]
        if not self.cells:
            raise ValueError("Pick at least one cell to race.")

    @classmethod
    def repair_link(cls, values: dict[str, Any], reader: LinkReader) -> None:
        """A link that names no cell races all three."""
        if not values["cells"]:
            reader.warn("cells", reader.params.get("cells", ""), "names no cell to race; racing all three")
            values["cells"] = tuple(CELL_NAMES)
