"""``AgentRun``: an agent learning in an environment, advanced in chunks of episodes.

It is a ``Run`` (``engine.training.contract``), so the RL lab plays, pauses, steps and resets
through a ``Trainer`` exactly like every other lab; its "epochs" are episodes. A chunk of
several episodes also ends after ``CHUNK_SECONDS`` (an episode under way then carries on in
the next chunk), so Pause answers at once even when one episode takes seconds. The history
has one value per finished episode: return, its moving average, length, mean loss and
|TD error| of the episode's updates, and ε.
"""

from __future__ import annotations

import functools
import time
from collections.abc import Hashable
from dataclasses import dataclass, replace
from typing import Any

import numpy as np

from engine.device import tune_xla_for_small_models
from engine.rl.agents import Agent, Evaluation, TabularAgent
from engine.rl.environments import (
    DISCRETE_STATE_ENVIRONMENTS,
    ENVIRONMENTS,
    GRIDWORLD,
    SOLVED_WINDOW,
    encode,
    grid_layout,
    make_environment,
    observation_size,
    solved_threshold,
)
from engine.rl.gridworld import GridLayout, GridWorld, value_iteration
from engine.rl.settings import TABULAR_AGENTS, VALUE_AGENTS, AgentSettings, LiveSettings, run_settings
from engine.training.contract import DIVERGED, FINISHED, READY, ChunkResult, Status
from engine.training.pool import MODEL_POOL

CHUNK_SECONDS = 0.1
MAX_PARAMETERS = 200_000
SERIES = ("reward", "average", "length", "loss", "td_error", "epsilon")


def agent_arguments(settings: AgentSettings) -> tuple[str, tuple]:
    """The class of the agent ``settings.agent`` names and what it takes after the observation and
    action counts: one place for ``make_agent`` and the exported script (``engine.rl.export``)."""
    live = settings.live
    if settings.agent in TABULAR_AGENTS:
        return "TabularAgent", (settings.agent, settings.gamma, live.learning_rate, settings.seed)
    if settings.agent == "dqn":
        return "DQNAgent", (settings.hidden, settings.gamma, live.learning_rate, settings.batch_size,
                            settings.buffer_size, settings.target_period, settings.seed, settings.update_every)
    rollout = settings.batch_size if settings.agent == "actor_critic" else ENVIRONMENTS[settings.environment].max_steps
    return "PolicyGradientAgent", (settings.hidden, settings.gamma, live.learning_rate, settings.agent, rollout,
                                   settings.seed)


def make_agent(settings: AgentSettings, observations: int, actions: int, share: Hashable | None = None) -> Agent:
    """The agent ``settings.agent`` names, sized for the environment (Keras is imported only for deep agents).

    A deep agent made with a ``share`` trains on the compiled updates of every agent made with it.
    """
    name, arguments = agent_arguments(settings)
    if name == "TabularAgent":
        return TabularAgent(observations, actions, *arguments)
    from engine.rl import deep

    agent = getattr(deep, name)(observations, actions, *arguments, share=share)
    if agent.parameters > MAX_PARAMETERS:
        raise ValueError(f"The networks have {agent.parameters:,} parameters. Expected at most {MAX_PARAMETERS:,}: "
                         "use fewer or smaller layers.")
    return agent


def borrow_agent(owner: object, settings: AgentSettings, observations: int, actions: int) -> Agent:
    """``make_agent``'s agent for ``owner``; a deep one lent from ``MODEL_POOL`` when one made alike is idle.

    An agent that differs only in its seed and learning rate is reused, made as new by ``reset``;
    it goes back to the pool when ``owner`` is garbage collected. Agents of one key share their
    compiled updates (``make_agent``'s ``share``), so one made while another trains starts at once.
    """
    key = _agent_key(settings, observations, actions)
    if key is None:
        return make_agent(settings, observations, actions)
    agent, reused = MODEL_POOL.borrow(owner, key, lambda: make_agent(settings, observations, actions, share=key))
    if reused:
        agent.reset(settings.seed)
        agent.set_learning_rate(settings.live.learning_rate)
    return agent


def _agent_key(settings: AgentSettings, observations: int, actions: int) -> tuple | None:
    """What an agent is lent by: everything but its seed and live settings; None for a table (it traces nothing)."""
    if settings.agent in TABULAR_AGENTS:
        return None
    return "agent", replace(settings, seed=0, live=LiveSettings()), observations, actions


@dataclass
class _Episode:
    """The episode under way: where it is and what it has earned."""

    observation: np.ndarray
    action: int
    reward: float = 0.0
    length: int = 0


class AgentRun:
    """An agent, its environment and the history of its episodes.

    Args:
        settings: the lab's settings (a new run for a new structure; live parts via
            ``update_settings``).
    """

    status: Status
    message: str
    history: dict[str, list[float]]

    def __init__(self, settings: AgentSettings) -> None:
        tune_xla_for_small_models()
        self.settings = settings
        self.live = run_settings(settings)
        self.environment = make_environment(settings.environment, settings.slippery, self.live.layout)
        self._space = self.environment.observation_space
        self.num_actions = observation_size(self.environment.action_space)  # a discrete space: its size
        self.agent = borrow_agent(self, settings, observation_size(self._space), self.num_actions)
        self.threshold = solved_threshold(settings.environment)
        self.seed = settings.seed
        self._clear()

    # ----------------------------------------------------------------- observing
    def keras_models(self) -> dict[str, Any]:
        """The agent's networks by role; none for an agent that keeps a table."""
        return getattr(self.agent, "networks", {})

    @property
    def epoch(self) -> int:
        """Episodes finished since the last reset."""
        return len(self.history["reward"])

    @property
    def epsilon(self) -> float:
        """ε for the current episode (0 for policy-gradient agents, which explore by sampling)."""
        if self.settings.agent not in VALUE_AGENTS:
            return 0.0
        return self.live.exploration.epsilon(self.epoch)

    @property
    def discrete_states(self) -> bool:
        """Whether states are cells of a table (gridworld, FrozenLake), so values can be mapped."""
        return self.settings.environment in DISCRETE_STATE_ENVIRONMENTS

    @property
    def grid(self) -> GridLayout | None:
        """The map of a discrete world (gridworld, FrozenLake), for drawing values and the policy."""
        return grid_layout(self.environment) if self.discrete_states else None

    def encode(self, observation: object) -> np.ndarray:
        """An observation as the agent sees it."""
        return encode(observation, self._space)

    def evaluate_all_states(self) -> Evaluation:
        """The agent's values and policy for every state of a discrete world."""
        if not self.discrete_states:
            raise ValueError("Only discrete worlds have a finite list of states.")
        return self.agent.evaluate(np.eye(observation_size(self._space), dtype=np.float32), self.epsilon)

    def best_return(self) -> float | None:
        """The gridworld's best possible return from the start (by value iteration), else None."""
        if self.settings.environment != GRIDWORLD:
            return None
        return optimal_return(self.live.layout, self.settings.gamma, ENVIRONMENTS[GRIDWORLD].max_steps)

    @property
    def compiled(self) -> bool:
        """Whether the agent's updates are compiled (always, for a table)."""
        return self.agent.compiled

    def compile(self) -> None:
        """Compile the agent's updates now, learning nothing (the trainer does it before Play)."""
        self.agent.compile()

    def step(self) -> ChunkResult:
        """Train exactly one more episode (finishing the one under way)."""
        return self.advance(1)

    def advance(self, num_episodes: int) -> ChunkResult:
        """Train up to ``num_episodes`` more episodes (several: at most ~``CHUNK_SECONDS``)."""
        if self.status != READY:
            return ChunkResult(0, self.status, self.message)
        target = self.epoch + max(1, int(num_episodes))
        if self.live.max_episodes:
            target = min(target, self.live.max_episodes)
            if self.epoch >= target:
                return self._finish(FINISHED, f"Reached the maximum of {self.live.max_episodes:,} episodes.", 0)
        started, first = time.perf_counter(), self.epoch
        deadline = started + CHUNK_SECONDS if num_episodes > 1 else float("inf")
        while self.epoch < target and time.perf_counter() < deadline:
            if self._environment_step():
                stop = self._after_episode()
                if stop:
                    return stop
        return ChunkResult(self.epoch - first, READY)

    def reset(self, seed: int | None = None) -> None:
        """Forget everything learned (initial parameters of ``seed`` if given) and clear the history."""
        if seed is not None:
            self.seed = seed
        self.agent.reset(self.seed)
        self._clear()

    def update_settings(self, live: LiveSettings) -> list[str]:
        """Apply live settings from the next step on; returns what changed, in words."""
        old, changes = self.live, []
        if live.learning_rate != old.learning_rate:
            self.agent.set_learning_rate(live.learning_rate)
            changes.append(f"learning rate: {live.learning_rate:g}")
        if live.exploration != old.exploration:
            changes.append("exploration schedule")
        if live.layout != old.layout and live.layout is not None and isinstance(self.environment, GridWorld):
            self.environment.set_layout(live.layout)
            changes.append("gridworld cells")
        if (live.stop_when_solved, live.max_episodes) != (old.stop_when_solved, old.max_episodes) and self.status == FINISHED:
            self.status, self.message = READY, ""
        self.live = live
        return changes

    # ----------------------------------------------------------------- internals
    def _clear(self) -> None:
        self.history = {name: [] for name in SERIES}
        self.status, self.message = READY, ""
        self.total_steps = 0
        self.solved_at: int | None = None
        self._episode: _Episode | None = None
        self._episode_seeded = False

    def _environment_step(self) -> bool:
        """One environment step (starting an episode first if needed); whether the episode ended."""
        if self._episode is None:
            # the first reset seeds the environment; later ones continue its random stream
            raw, _ = self.environment.reset(seed=None if self._episode_seeded else self.seed)
            self._episode_seeded = True
            observation = self.encode(raw)
            self._episode = _Episode(observation, self.agent.first_action(observation, self.epsilon))
        episode = self._episode
        raw, reward, terminated, truncated, _ = self.environment.step(episode.action)
        following = self.encode(raw)
        episode.action = self.agent.step(episode.observation, episode.action, float(reward), following,
                                         bool(terminated), bool(truncated), self.epsilon)
        episode.observation = following
        episode.reward += float(reward)
        episode.length += 1
        self.total_steps += 1
        return bool(terminated or truncated)

    def _after_episode(self) -> ChunkResult | None:
        """Record the finished episode; a ``ChunkResult`` when training must stop."""
        episode, epsilon = self._episode, self.epsilon
        if episode is None:
            return None
        self._episode = None
        metrics = self.agent.episode_metrics()
        rewards = [*self.history["reward"][-(SOLVED_WINDOW - 1):], episode.reward]
        for name, value in (("reward", episode.reward), ("average", float(np.mean(rewards))),
                            ("length", float(episode.length)), ("loss", metrics["loss"]),
                            ("td_error", metrics["td_error"]), ("epsilon", epsilon)):
            self.history[name].append(value)
        if _diverged(metrics):
            return self._finish(DIVERGED, f"The loss became infinite or NaN in episode {self.epoch}: the learning rate "
                                          "is too high for this network. Lower it and press Reset.", 1)
        average = self.history["average"][-1]
        if self.threshold is not None and self.solved_at is None and len(rewards) >= SOLVED_WINDOW \
                and average >= self.threshold:
            self.solved_at = self.epoch
            if self.live.stop_when_solved:
                return self._finish(FINISHED, f"Solved in {self.epoch:,} episodes: the last {SOLVED_WINDOW} "
                                              f"averaged {average:.1f} (≥ {self.threshold:g}).", 1)
        if self.live.max_episodes and self.epoch >= self.live.max_episodes:
            return self._finish(FINISHED, f"Reached the maximum of {self.live.max_episodes:,} episodes.", 1)
        return None

    def _finish(self, status: Status, message: str, episodes: int) -> ChunkResult:
        self.status, self.message = status, message
        return ChunkResult(episodes, status, message)


def make_run(settings: AgentSettings) -> AgentRun:
    """A fresh run of the agent and environment ``settings`` name (the lab contract's name for ``AgentRun``)."""
    return AgentRun(settings)


@dataclass(frozen=True)
class RLView:
    """What the RL page draws for a frame: progress, and a discrete world's values and policy."""

    total_steps: int
    epsilon: float
    threshold: float | None
    best_return: float | None
    solved_at: int | None
    grid: GridLayout | None
    evaluation: Evaluation | None


def observe(run: AgentRun) -> RLView:
    """The frame's view of the run (computed on the worker between chunks)."""
    return RLView(run.total_steps, run.epsilon, run.threshold, run.best_return(), run.solved_at, run.grid,
                  run.evaluate_all_states() if run.discrete_states else None)


@functools.lru_cache(maxsize=64)
def optimal_return(layout: GridLayout, gamma: float, max_steps: int) -> float:
    """The return of the optimal policy from the start (cached: the page asks every frame)."""
    _, policy = value_iteration(layout, gamma)
    state, total = layout.start, 0.0
    for _ in range(max_steps):
        state, reward, done = layout.transition(state, int(policy[state]))
        total += reward
        if done:
            break
    return total


def _diverged(metrics: dict[str, float]) -> bool:
    """Whether an update produced an infinite or NaN number (agents report those as infinity)."""
    return any(np.isinf(value) for value in metrics.values())
