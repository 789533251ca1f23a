"""The RL lab's settings: what needs a new agent, what changes live, and share links.

Live (applied between chunks, progress kept): the learning rate, the exploration schedule,
the stop conditions and the gridworld's cells (same size). Everything else (environment,
agent, γ, network sizes, batch and buffer sizes, target period, seed) builds a new agent.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from functools import partial
from typing import Any

from engine import fields
from engine.fields import Declared, choice, flag, integer, integers, nested, number, random_seed, text
from engine.links import LinkReader
from engine.rl.environments import DISCRETE_STATE_ENVIRONMENTS, ENVIRONMENTS, GRIDWORLD
from engine.rl.gridworld import PRESETS, GridLayout

AGENTS: dict[str, str] = {
    "q_learning": "Q-learning (table)",
    "sarsa": "SARSA (table)",
    "dqn": "DQN",
    "reinforce": "REINFORCE",
    "actor_critic": "Actor-critic",
}
TABULAR_AGENTS = ("q_learning", "sarsa")
VALUE_AGENTS = ("q_learning", "sarsa", "dqn")  # those that explore ε-greedily
MAX_HIDDEN_LAYERS, MAX_UNITS = 3, 256
MAX_BUFFER = 200_000
MAX_EPISODES = 100_000
# Each agent's own default step size: a table takes big steps, Adam on a network small ones.
DEFAULT_LEARNING_RATES = {"q_learning": 0.1, "sarsa": 0.1, "dqn": 2.5e-4, "reinforce": 1e-3, "actor_critic": 1e-3}
# DQN's minibatch and actor-critic's rollout (the others do not use it).
DEFAULT_BATCH_SIZES = {"dqn": 128, "actor_critic": 256}
# Actor-critic climbs steadily on CartPole and solves it on every seed tried (bench/rl_speed.py);
# DQN gets there too, but its return often collapses and recovers on the way.
DEFAULT_AGENT = "actor_critic"


@dataclass(frozen=True)
class Exploration(Declared):
    """ε-greedy exploration: ε falls from ``start`` towards ``end`` by a factor ``decay`` per episode."""

    start: float = number(1.0, 0.0, 1.0, "eps0", "a starting ε", live=True)
    end: float = number(0.02, 0.0, 1.0, "eps1", "a final ε", live=True)
    decay: float = number(0.98, 0.5, 1.0, "decay", "an ε decay", live=True)

    def epsilon(self, episode: int) -> float:
        """ε during episode ``episode`` (counted from 0)."""
        return self.end + (self.start - self.end) * self.decay**episode


@dataclass(frozen=True)
class LiveSettings(Declared):
    """What a running agent takes without starting over.

    Attributes:
        learning_rate: α for a table, Adam's step size for a network.
        exploration: the ε schedule (value-based agents).
        stop_when_solved: stop once the solved threshold is reached.
        max_episodes: stop after this many episodes; 0 for no limit.
        layout: the gridworld's cells (same size as the run's; not in a link: ``AgentSettings`` has its text).
    """

    learning_rate: float = number(DEFAULT_LEARNING_RATES[DEFAULT_AGENT], 1e-5, 1.0, "lr", "a learning rate", live=True)
    exploration: Exploration = nested(Exploration())
    stop_when_solved: bool = flag(True, "solved", "stopping when solved", live=True)
    max_episodes: int = integer(0, 0, MAX_EPISODES, "episodes", "a number of episodes", live=True)
    layout: GridLayout | None = None


def _grid(link_text: str) -> str:
    """A layout from a link (rows separated by "/"); ``ValueError`` with the reason when it is not a grid."""
    text = link_text.replace("/", "\n")
    GridLayout.parse(text)
    return text


@dataclass(frozen=True)
class AgentSettings(Declared):
    """Everything the RL lab's controls set.

    Attributes:
        environment: a key of ``ENVIRONMENTS``.
        agent: a key of ``AGENTS`` (tabular agents need discrete states).
        seed: seeds the environment, the weights, exploration and replay sampling.
        gamma: discount factor.
        hidden: hidden layer widths of every network.
        batch_size: DQN's minibatch; actor-critic's rollout length.
        buffer_size: DQN's replay capacity.
        target_period: environment steps between DQN's target-network syncs.
        update_every: environment steps between DQN's updates.
        slippery: FrozenLake's ice.
        layout_text: the gridworld's cells as text (its size builds a new agent, its cells are live).
        step_reward: the gridworld's reward per move (live).
        live: the live part.
    """

    environment: str = choice("CartPole-v1", ENVIRONMENTS, "env", "environment")
    agent: str = choice(DEFAULT_AGENT, AGENTS, "agent", "agent")
    seed: int = random_seed()
    gamma: float = number(0.99, 0.5, 1.0, "gamma", "a discount γ")
    hidden: tuple[int, ...] = integers((64, 64), 1, MAX_UNITS, "hidden", "hidden layer sizes", MAX_HIDDEN_LAYERS,
                                       min_length=1)
    batch_size: int = integer(DEFAULT_BATCH_SIZES[DEFAULT_AGENT], 1, 1024, "batch", "a batch size")
    buffer_size: int = integer(10_000, 1, MAX_BUFFER, "buffer", "a replay buffer size")
    target_period: int = integer(500, 1, 100_000, "target", "a target sync period")
    update_every: int = integer(4, 1, 16, "every", "a number of steps per update")
    slippery: bool = flag(True, "slippery", "slippery ice")
    layout_text: str = text(PRESETS["Detour"], "grid", "grid", encode=lambda layout: layout.replace("\n", "/"),
                            decode=_grid, live=True)
    step_reward: float = number(-0.04, -10.0, 10.0, "step_reward", "a reward per move", live=True)
    live: LiveSettings = nested(LiveSettings())

    def __post_init__(self) -> None:
        super().__post_init__()
        if self.agent in TABULAR_AGENTS and self.environment not in DISCRETE_STATE_ENVIRONMENTS:
            raise ValueError(f"{AGENTS[self.agent]} keeps a table with one row per state, so it needs a "
                             f"discrete world ({' or '.join(DISCRETE_STATE_ENVIRONMENTS)}); {self.environment} "
                             "has continuous states. Pick DQN or a policy-gradient agent.")

    @classmethod
    def repair_link(cls, values: dict[str, Any], reader: LinkReader) -> None:
        """A table agent in a continuous world becomes the default agent; a link without a learning
        rate or batch size gets its agent's own."""
        if values["agent"] in TABULAR_AGENTS and values["environment"] not in DISCRETE_STATE_ENVIRONMENTS:
            reader.warn("agent", values["agent"], f"needs a discrete world; using {AGENTS[DEFAULT_AGENT]}")
            values["agent"] = DEFAULT_AGENT
        agent = values["agent"]
        if "lr" not in reader.params:
            values["live"] = replace(values["live"], learning_rate=DEFAULT_LEARNING_RATES[agent])
        if "batch" not in reader.params and agent in DEFAULT_BATCH_SIZES:
            values["batch_size"] = DEFAULT_BATCH_SIZES[agent]

    def layout(self) -> GridLayout:
        """The gridworld's parsed layout (``ValueError`` with the reason when the text is not a grid)."""
        return GridLayout.parse(self.layout_text, self.step_reward)

    def structure(self) -> tuple:
        """What needs a new agent when it changes (the gridworld's size, not its cells)."""
        return (*super().structure(), self.layout().shape if self.environment == GRIDWORLD else None)



def run_settings(settings: AgentSettings) -> LiveSettings:
    """The live part of a setup, with the gridworld's current layout."""
    return replace(settings.live, layout=settings.layout() if settings.environment == GRIDWORLD else None)


to_query_params = fields.to_query_params


from_query_params = partial(fields.from_query_params, AgentSettings)
