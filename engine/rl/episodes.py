"""Record one episode of the current policy, and the geometry to draw each of its frames.

A recorded ``Episode`` keeps every raw observation (one more than there are actions: the
state after the last step too), what the agent did and earned, and what it believed at every
frame: the state's value and the policy's action probabilities. ``scene`` turns one raw
observation into plain shapes (segments and points in the plane) that a chart can draw, so
CartPole is drawn from its state, not from a rendered picture.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from engine.rl.environments import ENVIRONMENTS, make_environment
from engine.rl.gridworld import GridLayout

MAX_REPLAY_STEPS = 500
CART_WIDTH, CART_HEIGHT, POLE_LENGTH = 0.5, 0.3, 1.0  # CartPole's pole is 1 long (its half-length is 0.5)


@dataclass(frozen=True)
class Episode:
    """One recorded episode.

    Attributes:
        environment: the catalogue name it ran in.
        observations: raw observations, ``length + 1`` rows (discrete worlds: state numbers).
        actions, rewards: per step.
        values: the agent's value estimate at every frame (``length + 1``).
        probabilities: ``[frame, action]`` action probabilities at every frame.
        seed: the environment seed that reproduces it.
        layout: a discrete world's map (gridworld, FrozenLake), for drawing it.
    """

    environment: str
    observations: np.ndarray
    actions: np.ndarray
    rewards: np.ndarray
    values: np.ndarray
    probabilities: np.ndarray
    seed: int
    layout: GridLayout | None = None

    @property
    def length(self) -> int:
        return len(self.actions)

    @property
    def total_reward(self) -> float:
        return float(self.rewards.sum())


def record_episode(run, seed: int, max_steps: int = MAX_REPLAY_STEPS) -> Episode:
    """Play one episode with ``run``'s current policy (no exploration) in a fresh, seeded environment.

    Args:
        run: an ``AgentRun`` (its agent and settings; its own environment is left alone).
        seed: seeds the environment and, for a stochastic policy, the sampled actions.
        max_steps: cut the recording after this many steps.
    """
    settings = run.settings
    environment = make_environment(settings.environment, settings.slippery, run.live.layout)
    rng = np.random.default_rng(seed)
    raw, _ = environment.reset(seed=seed)
    observations, actions, rewards = [raw], [], []
    for _ in range(min(max_steps, ENVIRONMENTS[settings.environment].max_steps)):
        action = run.agent.policy_action(run.encode(raw), rng)
        raw, reward, terminated, truncated, _ = environment.step(action)
        observations.append(raw)
        actions.append(action)
        rewards.append(float(reward))
        if terminated or truncated:
            break
    evaluation = run.agent.evaluate(np.stack([run.encode(observation) for observation in observations]), 0.0)
    return Episode(settings.environment, np.asarray(observations), np.asarray(actions, np.int64),
                   np.asarray(rewards), evaluation.values, evaluation.probabilities, seed,
                   run.grid)


@dataclass(frozen=True)
class Scene:
    """Shapes for one frame: ``segments`` are (x0, y0, x1, y1) rows drawn as lines; ``points`` as markers.

    Attributes:
        segments: named groups of line segments (the cart's outline, the pole, the track).
        points: named groups of points (the car on the hill, the agent in its cell).
    """

    segments: dict[str, np.ndarray]
    points: dict[str, np.ndarray]


def _box(x: float, y: float, width: float, height: float) -> np.ndarray:
    corners = [(x - width / 2, y), (x + width / 2, y), (x + width / 2, y + height), (x - width / 2, y + height)]
    return np.array([[*corners[index], *corners[(index + 1) % 4]] for index in range(4)])


def scene(environment: str, observation: np.ndarray, layout: GridLayout | None = None) -> Scene:
    """The shapes that show ``observation`` of ``environment``."""
    observation = np.asarray(observation, np.float64)
    if environment == "CartPole-v1":
        x, _, angle, _ = observation
        pivot_y = CART_HEIGHT
        tip = (x + POLE_LENGTH * np.sin(angle), pivot_y + POLE_LENGTH * np.cos(angle))
        return Scene({"track": np.array([[-2.4, 0, 2.4, 0]]), "cart": _box(x, 0, CART_WIDTH, CART_HEIGHT),
                      "pole": np.array([[x, pivot_y, *tip]])}, {"pivot": np.array([[x, pivot_y]])})
    if environment == "Acrobot-v1":
        cos1, sin1, cos2, sin2 = observation[:4]
        first = (sin1, -cos1)  # angles from hanging straight down
        angle = np.arctan2(sin1, cos1) + np.arctan2(sin2, cos2)
        second = (first[0] + np.sin(angle), first[1] - np.cos(angle))
        return Scene({"bar": np.array([[-2.2, 1, 2.2, 1]]), "links": np.array([[0, 0, *first], [*first, *second]])},
                     {"joints": np.array([[0, 0], first]), "tip": np.array([second])})
    if environment == "MountainCar-v0":
        position = observation[0]
        hill = np.linspace(-1.2, 0.6, 60)
        heights = np.sin(3 * hill) * 0.45 + 0.55
        curve = np.column_stack([hill[:-1], heights[:-1], hill[1:], heights[1:]])
        return Scene({"hill": curve, "flag": np.array([[0.5, np.sin(1.5) * 0.45 + 0.55, 0.5, np.sin(1.5) * 0.45 + 0.7]])},
                     {"car": np.array([[position, np.sin(3 * position) * 0.45 + 0.55]])})
    rows, columns = layout.shape if layout is not None else (4, 4)
    row, column = divmod(int(observation), columns)
    return Scene({}, {"agent": np.array([[column, row]])})
