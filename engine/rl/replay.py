"""Experience replay: a fixed-size ring buffer of transitions, sampled uniformly at random.

DQN learns from random minibatches of old transitions instead of the last few steps, which
breaks the strong correlation between consecutive steps and reuses every experience many
times. When the buffer is full the oldest transition makes room for the newest.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class Batch:
    """Transitions side by side: row ``i`` of every array is one transition."""

    observations: np.ndarray
    actions: np.ndarray
    rewards: np.ndarray
    next_observations: np.ndarray
    terminated: np.ndarray


class ReplayBuffer:
    """Stores up to ``capacity`` transitions and samples minibatches of them.

    Args:
        capacity: transitions kept; the oldest go first.
        observation_size: length of each observation vector.
        seed: seeds the sampling, so a run is reproducible.
    """

    def __init__(self, capacity: int, observation_size: int, seed: int = 0) -> None:
        if capacity < 1:
            raise ValueError(f"Expected a buffer of at least 1 transition. Received: {capacity}.")
        self.capacity = capacity
        self._observations = np.zeros((capacity, observation_size), np.float32)
        self._next_observations = np.zeros((capacity, observation_size), np.float32)
        self._actions = np.zeros(capacity, np.int32)
        self._rewards = np.zeros(capacity, np.float32)
        self._terminated = np.zeros(capacity, np.float32)
        self._next = 0
        self._size = 0
        self._rng = np.random.default_rng(seed)

    def __len__(self) -> int:
        return self._size

    def add(self, observation: np.ndarray, action: int, reward: float, next_observation: np.ndarray,
            terminated: bool) -> None:
        """Store one transition, overwriting the oldest when full."""
        index = self._next
        self._observations[index] = observation
        self._actions[index] = action
        self._rewards[index] = reward
        self._next_observations[index] = next_observation
        self._terminated[index] = terminated
        self._next = (index + 1) % self.capacity
        self._size = min(self._size + 1, self.capacity)

    def sample(self, batch_size: int) -> Batch:
        """``batch_size`` transitions drawn uniformly (with replacement) from those stored."""
        if self._size == 0:
            raise ValueError("The replay buffer is empty. Add transitions before sampling.")
        rows = self._rng.integers(0, self._size, batch_size)
        return Batch(self._observations[rows], self._actions[rows], self._rewards[rows],
                     self._next_observations[rows], self._terminated[rows])
