"""A small gridworld with editable walls, rewards and goals, on gymnasium's ``Env`` API.

A layout is text, one row per line (or rows joined by ``/`` in a share link), cells separated
by spaces:

- ``.`` an empty cell, ``#`` a wall, ``S`` the start;
- a number (``-1``, ``0.5``) a cell that pays that reward on entering and play goes on;
- ``G`` followed by a number (``G1``, ``G-1``) a terminal cell: a goal or a pit.

Moves are up, right, down, left; walking into a wall or the edge keeps the agent where it is.
Every move also pays ``step_reward`` (a small cost makes short paths better). Parsing reads
numbers with ``float`` only: layout text from a link is never evaluated.
"""

from __future__ import annotations

from dataclasses import dataclass

import gymnasium as gym
import numpy as np

ACTIONS = ("up", "right", "down", "left")
MOVES = ((-1, 0), (0, 1), (1, 0), (0, -1))
MAX_SIDE = 12
EMPTY, WALL, START = ".", "#", "S"

PRESETS: dict[str, str] = {
    "Detour": ". . . . . . .\n. # # # # # .\nS . . -1 . . G1\n. # # # # # .\n. . . . . . .",
    "Cliff": ". . . . . .\n. . . . . .\nS G-1 G-1 G-1 G-1 G1",
    "Two goals": "G0.5 . . . . .\n. # . # . .\n. # S # . .\n. # . # # .\n. . . . . G1",
    "Open room": "S . . . .\n. . . . .\n. . . . .\n. . . . .\n. . . . G1",
}


@dataclass(frozen=True)
class GridLayout:
    """A parsed gridworld: its cells' tokens row by row, and the reward of every move.

    Attributes:
        cells: the tokens, ``cells[row][column]``.
        step_reward: paid on every move, on top of the cell's reward.
    """

    cells: tuple[tuple[str, ...], ...]
    step_reward: float = -0.04

    @classmethod
    def parse(cls, text: str, step_reward: float = -0.04) -> GridLayout:
        """Read layout text; ``ValueError`` with the reason when it is not a usable grid."""
        rows = [line.split() for line in text.replace("/", "\n").splitlines() if line.strip()]
        if not rows:
            raise ValueError("The gridworld is empty. Expected at least one row of cells.")
        widths = {len(row) for row in rows}
        if len(widths) != 1:
            raise ValueError(f"Every row needs the same number of cells. Received rows of {sorted(widths)} cells.")
        if len(rows) > MAX_SIDE or len(rows[0]) > MAX_SIDE or len(rows) * len(rows[0]) < 2:
            raise ValueError(f"Expected 2 to {MAX_SIDE * MAX_SIDE} cells, at most {MAX_SIDE} a side. "
                             f"Received {len(rows)} × {len(rows[0])}.")
        for token in (token for row in rows for token in row):
            cell_reward(token)  # raises on a bad token
        starts = sum(token == START for row in rows for token in row)
        if starts != 1:
            raise ValueError(f"Expected exactly one start cell S. Received {starts}.")
        if not any(is_terminal(token) for row in rows for token in row):
            raise ValueError("Expected at least one terminal cell (G followed by its reward, e.g. G1).")
        if not np.isfinite(step_reward) or abs(step_reward) > 100:
            raise ValueError(f"Expected a step reward between -100 and 100. Received: {step_reward}.")
        return cls(tuple(tuple(row) for row in rows), float(step_reward))

    @property
    def shape(self) -> tuple[int, int]:
        """(rows, columns)."""
        return len(self.cells), len(self.cells[0])

    @property
    def num_states(self) -> int:
        return self.shape[0] * self.shape[1]

    @property
    def start(self) -> int:
        """The start cell's state index (row × columns + column)."""
        return next(self.state(row, column) for row, column in self.positions() if self.cells[row][column] == START)

    def state(self, row: int, column: int) -> int:
        return row * self.shape[1] + column

    def position(self, state: int) -> tuple[int, int]:
        return divmod(int(state), self.shape[1])

    def positions(self) -> list[tuple[int, int]]:
        rows, columns = self.shape
        return [(row, column) for row in range(rows) for column in range(columns)]

    def token(self, state: int) -> str:
        row, column = self.position(state)
        return self.cells[row][column]

    def text(self, separator: str = "\n") -> str:
        """The layout as text (``/`` between rows for a link)."""
        return separator.join(" ".join(row) for row in self.cells)

    def with_cell(self, row: int, column: int, token: str) -> GridLayout:
        """A copy with one cell replaced (checked like parsed text)."""
        rows = [list(cells) for cells in self.cells]
        if not (0 <= row < len(rows) and 0 <= column < len(rows[0])):
            raise ValueError(f"Cell ({row}, {column}) is outside the {len(rows)} × {len(rows[0])} grid.")
        if token == START:
            rows = [[EMPTY if cell == START else cell for cell in cells] for cells in rows]
        rows[row][column] = token
        return GridLayout.parse("\n".join(" ".join(cells) for cells in rows), self.step_reward)

    def transition(self, state: int, action: int) -> tuple[int, float, bool]:
        """Where ``action`` leads from ``state``: (next state, reward, terminated)."""
        row, column = self.position(state)
        rows, columns = self.shape
        target_row, target_column = row + MOVES[action][0], column + MOVES[action][1]
        if 0 <= target_row < rows and 0 <= target_column < columns and self.cells[target_row][target_column] != WALL:
            row, column = target_row, target_column
        token = self.cells[row][column]
        return self.state(row, column), self.step_reward + cell_reward(token), is_terminal(token)


def is_terminal(token: str) -> bool:
    """Whether a cell ends the episode (``G`` plus a reward)."""
    return token.startswith("G")


def cell_reward(token: str) -> float:
    """The reward for entering a cell; ``ValueError`` for a token that is not a cell."""
    if token in (EMPTY, WALL, START):
        return 0.0
    number = token[1:] if token.startswith("G") else token
    try:
        value = float(number)
    except ValueError:
        raise ValueError(f"Unknown cell {token!r}. Expected ., #, S, a number, or G and a number.") from None
    if not np.isfinite(value) or abs(value) > 100:
        raise ValueError(f"Cell {token!r}: expected a reward between -100 and 100.")
    return value


class GridWorld(gym.Env):
    """The gridworld as a gymnasium environment: discrete states (cells) and four moves.

    ``layout`` may be replaced between steps (``set_layout``) with a grid of the same shape: the
    agent keeps learning in the changed world, which is how a page edits rewards mid-training.
    """

    metadata = {"render_modes": []}

    def __init__(self, layout: GridLayout, max_steps: int = 200) -> None:
        self.layout = layout
        self.max_steps = max_steps
        self.observation_space = gym.spaces.Discrete(layout.num_states)
        self.action_space = gym.spaces.Discrete(len(ACTIONS))
        self._state = layout.start
        self._steps = 0

    def set_layout(self, layout: GridLayout) -> None:
        """Swap in an edited layout of the same shape (the episode under way goes on)."""
        if layout.shape != self.layout.shape:
            raise ValueError(f"Expected a {self.layout.shape[0]} × {self.layout.shape[1]} grid. "
                             f"Received {layout.shape[0]} × {layout.shape[1]}; a new size needs a new run.")
        self.layout = layout

    def reset(self, *, seed: int | None = None, options: dict | None = None) -> tuple[int, dict]:
        super().reset(seed=seed)
        self._state, self._steps = self.layout.start, 0
        return self._state, {}

    def step(self, action: int) -> tuple[int, float, bool, bool, dict]:
        self._state, reward, terminated = self.layout.transition(self._state, int(action))
        self._steps += 1
        return self._state, reward, terminated, self._steps >= self.max_steps and not terminated, {}


def value_iteration(layout: GridLayout, gamma: float, tolerance: float = 1e-10) -> tuple[np.ndarray, np.ndarray]:
    """Optimal action values ``Q*[state, action]`` and a greedy policy, by dynamic programming.

    The reference the tabular agents are tested against: with the model known, repeated
    Bellman optimality backups converge to the true values.
    """
    q = np.zeros((layout.num_states, len(ACTIONS)))
    outcomes = [[layout.transition(state, action) for action in range(len(ACTIONS))] for state in range(layout.num_states)]
    for _ in range(10_000):
        values = q.max(axis=1)
        updated = np.array([[reward + (0.0 if done else gamma * values[following])
                             for following, reward, done in row] for row in outcomes])
        if np.abs(updated - q).max() < tolerance:
            return updated, updated.argmax(axis=1)
        q = updated
    return q, q.argmax(axis=1)
