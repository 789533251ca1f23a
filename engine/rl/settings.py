"""The RL lab's settings: what needs a new agent, what changes live, and share links.

Live (applied between chunks, progress kept): the learning rate, the exploration schedule,
the stop conditions and the gridworld's cells (same size). Everything else (environment,
agent, γ, network sizes, batch and buffer sizes, target period, seed) builds a new agent.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

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
UPDATE_EVERY_RANGE = (1, 16)  # DQN's steps per update that the slider offers and links accept
# Each agent's own default step size: a table takes big steps, Adam on a network small ones.
DEFAULT_LEARNING_RATES = {"q_learning": 0.1, "sarsa": 0.1, "dqn": 2.5e-4, "reinforce": 1e-3, "actor_critic": 1e-3}
# DQN's minibatch and actor-critic's rollout (the others do not use it).
DEFAULT_BATCH_SIZES = {"dqn": 128, "actor_critic": 256}
# Actor-critic climbs steadily on CartPole and solves it on every seed tried (bench/rl_speed.py);
# DQN gets there too, but its return often collapses and recovers on the way.
DEFAULT_AGENT = "actor_critic"


@dataclass(frozen=True)
class Exploration:
    """ε-greedy exploration: ε falls from ``start`` towards ``end`` by a factor ``decay`` per episode."""

    start: float = 1.0
    end: float = 0.02
    decay: float = 0.98

    def __post_init__(self) -> None:
        if not (0 <= self.start <= 1 and 0 <= self.end <= 1 and 0 < self.decay <= 1):
            raise ValueError(f"Expected ε start and end in [0, 1] and a decay in (0, 1]. Received: {self}.")

    def epsilon(self, episode: int) -> float:
        """ε during episode ``episode`` (counted from 0)."""
        return self.end + (self.start - self.end) * self.decay**episode


@dataclass(frozen=True)
class LiveSettings:
    """What a running agent takes without starting over.

    Attributes:
        learning_rate: α for a table, Adam's step size for a network.
        exploration: the ε schedule (value-based agents).
        stop_when_solved: stop once the solved threshold is reached.
        max_episodes: stop after this many episodes; 0 for no limit.
        layout: the gridworld's cells (same size as the run's).
    """

    learning_rate: float = DEFAULT_LEARNING_RATES[DEFAULT_AGENT]
    exploration: Exploration = Exploration()
    stop_when_solved: bool = True
    max_episodes: int = 0
    layout: GridLayout | None = None


@dataclass(frozen=True)
class AgentSettings:
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
        layout_text: the gridworld's cells as text.
        step_reward: the gridworld's reward per move.
        live: the live part.
    """

    environment: str = "CartPole-v1"
    agent: str = DEFAULT_AGENT
    seed: int = 0
    gamma: float = 0.99
    hidden: tuple[int, ...] = (64, 64)
    batch_size: int = DEFAULT_BATCH_SIZES[DEFAULT_AGENT]
    buffer_size: int = 10_000
    target_period: int = 500
    update_every: int = 4
    slippery: bool = True
    layout_text: str = PRESETS["Detour"]
    step_reward: float = -0.04
    live: LiveSettings = field(default_factory=LiveSettings)

    def __post_init__(self) -> None:
        if self.environment not in ENVIRONMENTS:
            raise ValueError(f"Unknown environment {self.environment!r}. Expected one of: {', '.join(ENVIRONMENTS)}.")
        if self.agent not in AGENTS:
            raise ValueError(f"Unknown agent {self.agent!r}. Expected one of: {', '.join(AGENTS)}.")
        if self.agent in TABULAR_AGENTS and self.environment not in DISCRETE_STATE_ENVIRONMENTS:
            raise ValueError(f"{AGENTS[self.agent]} keeps a table with one row per state, so it needs a "
                             f"discrete world ({' or '.join(DISCRETE_STATE_ENVIRONMENTS)}); {self.environment} "
                             "has continuous states. Pick DQN or a policy-gradient agent.")
        if not 0 < self.gamma <= 1:
            raise ValueError(f"Expected a discount γ in (0, 1]. Received: {self.gamma}.")
        if len(self.hidden) > MAX_HIDDEN_LAYERS or any(not 1 <= units <= MAX_UNITS for units in self.hidden):
            raise ValueError(f"Expected up to {MAX_HIDDEN_LAYERS} hidden layers of 1 to {MAX_UNITS} units. "
                             f"Received: {self.hidden}.")
        if not self.hidden and self.agent not in TABULAR_AGENTS:
            raise ValueError("A network needs at least one hidden layer here.")
        if not 1 <= self.batch_size <= 1024 or not 1 <= self.buffer_size <= MAX_BUFFER \
                or self.target_period < 1 or not 1 <= self.update_every <= 100:
            raise ValueError(f"Expected a batch of 1 to 1,024, a buffer of 1 to {MAX_BUFFER:,}, a target period of at "
                             "least 1 step and an update every 1 to 100 steps.")
        if not 0 < self.live.learning_rate <= 1:
            raise ValueError(f"Expected a learning rate in (0, 1]. Received: {self.live.learning_rate}.")
        if not 0 <= self.live.max_episodes <= MAX_EPISODES:
            raise ValueError(f"Expected at most {MAX_EPISODES:,} episodes. Received: {self.live.max_episodes}.")

    def layout(self) -> GridLayout:
        """The gridworld's parsed layout (``ValueError`` with the reason when the text is not a grid)."""
        return GridLayout.parse(self.layout_text, self.step_reward)

    def structure(self) -> tuple:
        """What needs a new agent when it changes (the gridworld's size, not its cells)."""
        shape = self.layout().shape if self.environment == GRIDWORLD else None
        return (self.environment, self.agent, self.seed, self.gamma, self.hidden, self.batch_size,
                self.buffer_size, self.target_period, self.update_every, self.slippery, shape)



def run_settings(settings: AgentSettings) -> LiveSettings:
    """The live part of a setup, with the gridworld's current layout."""
    return replace(settings.live, layout=settings.layout() if settings.environment == GRIDWORLD else None)


def to_query_params(settings: AgentSettings) -> dict[str, str]:
    """Share-link parameters for every setting."""
    live, exploration = settings.live, settings.live.exploration
    return {
        "env": settings.environment, "agent": settings.agent, "seed": str(settings.seed),
        "gamma": f"{settings.gamma:g}", "hidden": ",".join(map(str, settings.hidden)),
        "batch": str(settings.batch_size), "buffer": str(settings.buffer_size),
        "target": str(settings.target_period), "every": str(settings.update_every), "slippery": str(int(settings.slippery)),
        "grid": settings.layout_text.replace("\n", "/"), "step": f"{settings.step_reward:g}",
        "lr": f"{live.learning_rate:g}", "eps0": f"{exploration.start:g}", "eps1": f"{exploration.end:g}",
        "decay": f"{exploration.decay:g}", "solved": str(int(live.stop_when_solved)), "episodes": str(live.max_episodes),
    }


def from_query_params(params: dict[str, str]) -> tuple[AgentSettings, list[str]]:
    """Settings from share-link parameters, clamped, with a warning for each bad one."""
    read, default = LinkReader(params), AgentSettings()
    environment = read.choice("env", tuple(ENVIRONMENTS), default.environment)
    agent = read.choice("agent", tuple(AGENTS), default.agent)
    if agent in TABULAR_AGENTS and environment not in DISCRETE_STATE_ENVIRONMENTS:
        read.warn("agent", agent, f"needs a discrete world; using {AGENTS[default.agent]}")
        agent = default.agent
    layout_text = read.text("grid", default.layout_text, max_length=2_000).replace("/", "\n")
    step_reward = read.number("step", default.step_reward, -10, 10)
    try:
        GridLayout.parse(layout_text, step_reward)
    except ValueError as error:
        read.warn("grid", layout_text[:40], f"{error} Using the default grid")
        layout_text = default.layout_text
    schedule = default.live.exploration
    exploration = Exploration(read.number("eps0", schedule.start, 0, 1), read.number("eps1", schedule.end, 0, 1),
                              read.number("decay", schedule.decay, 0.5, 1))
    live = LiveSettings(read.number("lr", DEFAULT_LEARNING_RATES[agent], 1e-5, 1), exploration,
                        read.flag("solved", True), int(read.number("episodes", 0, 0, MAX_EPISODES, integer=True)))
    settings = AgentSettings(
        environment=environment, agent=agent, seed=int(read.number("seed", 0, 0, 2**31 - 1, integer=True)),
        gamma=read.number("gamma", default.gamma, 0.5, 1),
        hidden=read.int_list("hidden", default.hidden, 1, MAX_UNITS, MAX_HIDDEN_LAYERS) or default.hidden,
        batch_size=int(read.number("batch", DEFAULT_BATCH_SIZES.get(agent, default.batch_size), 1, 1024, integer=True)),
        buffer_size=int(read.number("buffer", default.buffer_size, 1, MAX_BUFFER, integer=True)),
        target_period=int(read.number("target", default.target_period, 1, 100_000, integer=True)),
        update_every=int(read.number("every", default.update_every, *UPDATE_EVERY_RANGE, integer=True)),
        slippery=read.flag("slippery", True), layout_text=layout_text, step_reward=step_reward, live=live,
    )
    return settings, read.warnings
