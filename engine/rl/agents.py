"""What every agent offers the run, and the two tabular agents (Q-learning and SARSA).

An agent is driven one environment step at a time by ``AgentRun``: ``first_action`` at the
start of an episode, then ``step`` with the transition that action led to, which learns from
it and returns the next action. Between steps the run may change the live settings
(``set_learning_rate``; the exploration rate is passed with every call). ``evaluate`` tells a
page what the agent currently believes about some states: their value and the policy's
action probabilities.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

import numpy as np


@dataclass(frozen=True)
class Evaluation:
    """An agent's view of some states.

    Attributes:
        values: the estimated value of each state (max Q for value-based agents, the critic's
            V otherwise; NaN when the agent has no estimate).
        probabilities: ``[state, action]`` probability of each action under the current policy.
        action_values: ``[state, action]`` Q-values, for value-based agents; None otherwise.
    """

    values: np.ndarray
    probabilities: np.ndarray
    action_values: np.ndarray | None = None


class Agent(Protocol):
    """The interface ``AgentRun`` drives (see the module docstring)."""

    def first_action(self, observation: np.ndarray, epsilon: float) -> int: ...

    def step(self, observation: np.ndarray, action: int, reward: float, next_observation: np.ndarray,
             terminated: bool, truncated: bool, epsilon: float) -> int: ...

    def episode_metrics(self) -> dict[str, float]:
        """Mean loss and |TD error| since the last call (NaN when there were no updates)."""
        ...

    def policy_action(self, observation: np.ndarray, rng: np.random.Generator) -> int:
        """The learned policy's action, without exploring (greedy; sampled for a stochastic policy)."""
        ...

    def evaluate(self, observations: np.ndarray, epsilon: float) -> Evaluation: ...

    def set_learning_rate(self, learning_rate: float) -> None: ...

    def reset(self, seed: int) -> None:
        """Forget everything learned; initial parameters drawn from ``seed``."""
        ...

    @property
    def compiled(self) -> bool:
        """Whether its updates are ready to run fast (a deep agent's are compiled by XLA on first use)."""
        ...

    def compile(self) -> None:
        """Compile the updates now, learning nothing."""
        ...


def epsilon_greedy_probabilities(action_values: np.ndarray, epsilon: float) -> np.ndarray:
    """``[state, action]`` probabilities of ε-greedy on Q-values (ties share the greedy mass)."""
    action_values = np.atleast_2d(action_values)
    best = action_values == action_values.max(axis=1, keepdims=True)
    greedy = best / best.sum(axis=1, keepdims=True)
    return (1 - epsilon) * greedy + epsilon / action_values.shape[1]


class Accumulator:
    """Running means of per-update numbers, read and cleared once per episode.

    A NaN or infinite number counts as infinity, so a mean is NaN only when nothing was
    added (no updates yet) and infinite when an update went wrong.
    """

    def __init__(self) -> None:
        self._sums: dict[str, float] = {}
        self._count = 0

    def add(self, **values: float) -> None:
        for name, value in values.items():
            value = float(value) if np.isfinite(value) else np.inf
            self._sums[name] = self._sums.get(name, 0.0) + value
        self._count += 1

    def means(self, names: tuple[str, ...]) -> dict[str, float]:
        """Each named mean (NaN if nothing was added), then start over."""
        means = {name: self._sums.get(name, np.nan) / max(self._count, 1) for name in names}
        self._sums, self._count = {}, 0
        return means


class TabularAgent:
    """Q-learning (off-policy) or SARSA (on-policy) with a table of ``Q[state, action]``.

    Q-learning moves ``Q(s, a)`` towards ``r + γ max_a' Q(s', a')``, the value of acting
    greedily afterwards whatever the agent will really do; SARSA towards ``r + γ Q(s', a')``
    for the action ``a'`` it will actually take, exploration included. Near a cliff that
    difference shows: SARSA learns the safer path. States are the one-hot observations'
    indices; the learning rate is the step size α.

    Args:
        num_states, num_actions: the table's shape.
        method: "q_learning" or "sarsa".
        gamma: discount factor.
        learning_rate: α.
        seed: seeds tie-breaking and exploration.
    """

    def __init__(self, num_states: int, num_actions: int, method: str, gamma: float, learning_rate: float,
                 seed: int = 0) -> None:
        if method not in ("q_learning", "sarsa"):
            raise ValueError(f"Unknown tabular method {method!r}. Expected 'q_learning' or 'sarsa'.")
        self.method, self.gamma, self.learning_rate = method, gamma, learning_rate
        self.q = np.zeros((num_states, num_actions))
        self._metrics = Accumulator()
        self._rng = np.random.default_rng(seed)

    compiled = True  # a table has nothing to compile

    def compile(self) -> None:
        """Nothing to do: a table's update is plain NumPy."""

    def _choose(self, state: int, epsilon: float) -> int:
        if self._rng.random() < epsilon:
            return int(self._rng.integers(self.q.shape[1]))
        row = self.q[state]
        return int(self._rng.choice(np.flatnonzero(row == row.max())))

    def first_action(self, observation: np.ndarray, epsilon: float) -> int:
        return self._choose(int(np.argmax(observation)), epsilon)

    def step(self, observation: np.ndarray, action: int, reward: float, next_observation: np.ndarray,
             terminated: bool, truncated: bool, epsilon: float) -> int:
        state, following = int(np.argmax(observation)), int(np.argmax(next_observation))
        next_action = self._choose(following, epsilon)
        if terminated:
            future = 0.0
        elif self.method == "sarsa":
            future = self.q[following, next_action]
        else:
            future = self.q[following].max()
        error = reward + self.gamma * future - self.q[state, action]
        self.q[state, action] += self.learning_rate * error
        self._metrics.add(td_error=abs(error))
        return next_action

    def episode_metrics(self) -> dict[str, float]:
        return {"loss": np.nan, **self._metrics.means(("td_error",))}

    def policy_action(self, observation: np.ndarray, rng: np.random.Generator) -> int:
        return int(np.argmax(self.q[int(np.argmax(observation))]))

    def evaluate(self, observations: np.ndarray, epsilon: float) -> Evaluation:
        action_values = self.q[np.argmax(observations, axis=1)]
        return Evaluation(action_values.max(axis=1), epsilon_greedy_probabilities(action_values, epsilon),
                          action_values)

    def set_learning_rate(self, learning_rate: float) -> None:
        self.learning_rate = learning_rate

    def reset(self, seed: int) -> None:
        self.q[:] = 0.0
        self._metrics = Accumulator()
        self._rng = np.random.default_rng(seed)
