"""The lab's environments: gymnasium's classics and our gridworld, behind one small catalogue.

Every environment keeps gymnasium's own API (``reset(seed=...)``, ``step(action)``); agents
see observations as float vectors (``encode``): a discrete state becomes a one-hot vector, so
a network can learn on a gridworld too, while tabular agents index their table by the state.
"""

from __future__ import annotations

from dataclasses import dataclass

import gymnasium as gym
import numpy as np

from engine.rl.gridworld import PRESETS, GridLayout, GridWorld

GRIDWORLD = "Gridworld"
SOLVED_WINDOW = 100  # episodes averaged for the "solved" test, as gymnasium's leaderboards do


@dataclass(frozen=True)
class EnvironmentInfo:
    """What the lab needs to know about an environment.

    Attributes:
        name: the catalogue key (a gymnasium id, or ``GRIDWORLD``).
        description: one line for the page.
        max_steps: the episode's time limit.
    """

    name: str
    description: str
    max_steps: int


ENVIRONMENTS: dict[str, EnvironmentInfo] = {
    info.name: info for info in (
        EnvironmentInfo("CartPole-v1", "Keep a pole upright by pushing its cart left or right: +1 per step, "
                        "up to 500.", 500),
        EnvironmentInfo("Acrobot-v1", "Swing a two-link arm's tip above the bar: −1 per step until it gets "
                        "there (at most 500).", 500),
        EnvironmentInfo("MountainCar-v0", "Drive an underpowered car up a hill by rocking back and forth: −1 "
                        "per step, and random moves rarely reach the top.", 200),
        EnvironmentInfo("FrozenLake-v1", "Cross a frozen lake to the goal without falling into a hole; on "
                        "slippery ice a move goes sideways two times in three.", 100),
        EnvironmentInfo(GRIDWORLD, "Our own grid: edit its walls, rewards and goals, even while the agent "
                        "learns.", 200),
    )
}
DISCRETE_STATE_ENVIRONMENTS = ("FrozenLake-v1", GRIDWORLD)
ACTION_NAMES: dict[str, tuple[str, ...]] = {
    "CartPole-v1": ("push left", "push right"),
    "Acrobot-v1": ("torque −1", "no torque", "torque +1"),
    "MountainCar-v0": ("accelerate left", "coast", "accelerate right"),
    "FrozenLake-v1": ("left", "down", "right", "up"),
    GRIDWORLD: ("up", "right", "down", "left"),
}
# (row, column) step of each action in the discrete worlds, to draw policy arrows
GRID_MOVES: dict[str, tuple[tuple[int, int], ...]] = {
    "FrozenLake-v1": ((0, -1), (1, 0), (0, 1), (-1, 0)),
    GRIDWORLD: ((-1, 0), (0, 1), (1, 0), (0, -1)),
}


def make_environment(name: str, slippery: bool = True, layout: GridLayout | None = None) -> gym.Env:
    """A fresh environment from the catalogue (``slippery`` for FrozenLake, ``layout`` for the gridworld)."""
    if name not in ENVIRONMENTS:
        raise ValueError(f"Unknown environment {name!r}. Expected one of: {', '.join(ENVIRONMENTS)}.")
    if name == GRIDWORLD:
        return GridWorld(layout or GridLayout.parse(PRESETS["Detour"]), ENVIRONMENTS[name].max_steps)
    if name == "FrozenLake-v1":
        return gym.make(name, is_slippery=slippery)
    return gym.make(name)


def grid_layout(environment: gym.Env) -> GridLayout | None:
    """A discrete world's map as a ``GridLayout`` for drawing (FrozenLake's holes become 0-reward ends)."""
    base = environment.unwrapped
    if isinstance(base, GridWorld):
        return base.layout
    description = getattr(base, "desc", None)
    if description is None:
        return None
    tokens = {"S": "S", "F": ".", "H": "G0", "G": "G1"}
    return GridLayout(tuple(tuple(tokens[cell.decode()] for cell in row) for row in description), 0.0)


def solved_threshold(name: str) -> float | None:
    """The average return over ``SOLVED_WINDOW`` episodes that counts as solved (gymnasium's own), if any."""
    if name == GRIDWORLD:
        return None
    return gym.spec(name).reward_threshold


def observation_size(space: gym.Space) -> int:
    """Length of ``encode``'s vectors for an observation space."""
    if isinstance(space, gym.spaces.Discrete):
        return int(space.n)
    return int(np.prod(space.shape or ()))


def encode(observation: object, space: gym.Space) -> np.ndarray:
    """An observation as a float32 vector: one-hot for a discrete state, flattened otherwise."""
    if isinstance(space, gym.spaces.Discrete):
        vector = np.zeros(space.n, np.float32)
        vector[int(np.asarray(observation)) - int(space.start)] = 1.0
        return vector
    return np.asarray(observation, np.float32).reshape(-1)
