"""RL lab's speed: environment steps per second and wall seconds to solve CartPole-v1.

For actor-critic (the lab's default agent) and DQN with their default settings, on three
seeds: train until CartPole-v1 is solved (the last 100 episodes average ≥ 475) or
MAX_SECONDS pass, and print steps/s, the median and the worst seconds to solve, and the
largest fall of the 100-episode average on the way (how steadily it climbs).
Beside each, the same agent choosing its actions with a compiled ``tf.function`` call per
step and with a plain per-step ``model.predict``: their steps/s are measured in the same run
for STEPS_PER_REFERENCE steps each, and their time to solve is estimated as the steps our
agent needed divided by their speed (training them to the end would take far longer).
Run: ``python bench/rl_speed.py``.
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import numpy as np  # noqa: E402
import tensorflow as tf  # noqa: E402

from engine.rl.run import AgentRun  # noqa: E402
from engine.rl.settings import DEFAULT_BATCH_SIZES, DEFAULT_LEARNING_RATES, AgentSettings, LiveSettings  # noqa: E402

MAX_SECONDS = 180.0
SEEDS = (0, 1, 2)
STEPS_PER_REFERENCE = {"compiled call": 3_000, "model.predict": 300}


class CompiledForward:
    """Acts with one compiled ``tf.function`` call per step (what the agents did before ``Mirror``)."""

    def __init__(self, network) -> None:
        self._function = tf.function(network, jit_compile=True)

    def set(self, weights) -> None:  # the network itself holds the weights
        pass

    def refresh(self) -> None:
        pass

    def __call__(self, observation: np.ndarray) -> np.ndarray:
        return self._function(observation[None])[0].numpy()


class PredictForward(CompiledForward):
    """Acts with ``model.predict`` on one observation per step (the plain Keras way)."""

    def __init__(self, network) -> None:
        self._network = network

    def __call__(self, observation: np.ndarray) -> np.ndarray:
        return self._network.predict(observation[None], verbose=0)[0]


def settings_for(agent: str, seed: int = 0) -> AgentSettings:
    """The lab's defaults for ``agent`` on CartPole-v1."""
    return AgentSettings(agent=agent, seed=seed, batch_size=DEFAULT_BATCH_SIZES[agent],
                         live=LiveSettings(learning_rate=DEFAULT_LEARNING_RATES[agent]))


def solve(agent: str, seed: int) -> tuple[float, int, int, bool, float]:
    """Seconds (agent build included), environment steps, episodes, whether it solved CartPole,
    and the largest fall of the 100-episode average below its best so far."""
    started = time.perf_counter()
    run = AgentRun(settings_for(agent, seed))
    while run.status == "ready" and time.perf_counter() - started < MAX_SECONDS:
        run.advance(1_000)
    average = np.array(run.history["average"])
    fall = float((np.maximum.accumulate(average) - average).max()) if len(average) else 0.0
    return time.perf_counter() - started, run.total_steps, run.epoch, run.solved_at is not None, fall


def reference_speed(agent: str, forward: type[CompiledForward], steps: int) -> float:
    """Steps per second of the same agent acting through ``forward`` (after its first update)."""
    run = AgentRun(settings_for(agent))
    network = run.agent.network if agent == "dqn" else run.agent.policy
    run.agent._mirror = forward(network)
    while run.total_steps < 1_200:  # past DQN's replay warm-up and the first traces
        run.advance(1)
    first, started = run.total_steps, time.perf_counter()
    while run.total_steps - first < steps:
        run.advance(1)
    return (run.total_steps - first) / (time.perf_counter() - started)


def main() -> None:
    print(f"CartPole-v1 on {os.cpu_count()} cores; solved = last 100 episodes average ≥ 475; limit {MAX_SECONDS:.0f} s; "
          f"seeds {', '.join(map(str, SEEDS))}")
    for agent in ("actor_critic", "dqn"):
        runs = [solve(agent, seed) for seed in SEEDS]
        for seed, (seconds, steps, episodes, solved, fall) in zip(SEEDS, runs, strict=True):
            verdict = f"solved in {seconds:6.1f} s" if solved else f"NOT solved in {seconds:.0f} s"
            print(f"{agent:13s} seed {seed}: {steps / seconds:8,.0f} steps/s, {verdict} ({steps:,} steps, "
                  f"{episodes:,} episodes), largest fall of the average {fall:5.0f}")
        times = [seconds if solved else float("inf") for seconds, _, _, solved, _ in runs]
        print(f"{agent:13s} median {np.median(times):6.1f} s, worst {max(times):6.1f} s to solve")
        seconds, steps = runs[0][0], runs[0][1]
        ours = steps / seconds
        for name, forward in (("compiled call", CompiledForward), ("model.predict", PredictForward)):
            speed = reference_speed(agent, forward, STEPS_PER_REFERENCE[name])
            print(f"{'':13s} {name + ':':19s} {speed:8,.0f} steps/s, ~{steps / speed:8,.0f} s for seed 0's steps "
                  f"(ours is {ours / speed:5.1f}x faster)")


if __name__ == "__main__":
    main()
