"""The RL lab's exported script: the app's agent and environment, trained in the app's loop."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import keras
import numpy as np
import pytest

from engine.rl.export import rl_script
from engine.rl.run import make_agent
from engine.rl.settings import AgentSettings, LiveSettings
from tests.engine.scripts import run_script, script_namespace


def settings_for(agent: str, environment: str = "CartPole-v1") -> AgentSettings:
    return AgentSettings(agent=agent, environment=environment, hidden=(16,), batch_size=32, seed=2,
                         live=LiveSettings(learning_rate=0.01))


@pytest.mark.parametrize("agent", ["dqn", "reinforce", "actor_critic"])
def test_the_script_makes_the_apps_deep_agent(agent):
    settings = settings_for(agent)
    script = script_namespace(rl_script(settings))
    environment, written = script["make_environment_and_agent"]()
    built = make_agent(settings, 4, 2)
    assert environment.spec.id == "CartPole-v1" and type(written).__name__ == type(built).__name__
    assert written.networks.keys() == built.networks.keys()
    for role, network in built.networks.items():
        for mine, theirs in zip(written.networks[role].get_weights(), network.get_weights(), strict=True):
            np.testing.assert_array_equal(mine, theirs)
    assert float(written.optimizer.learning_rate.numpy()) == pytest.approx(0.01)


def test_a_table_agent_on_the_gridworld_explores_with_the_apps_schedule():
    settings = settings_for("q_learning", "Gridworld")
    script = script_namespace(rl_script(settings))
    environment, agent = script["make_environment_and_agent"]()
    cells = script["observation_size"](environment.observation_space)
    assert type(agent).__name__ == "TabularAgent" and agent.q.shape == make_agent(settings, cells, 4).q.shape
    exploration = settings.live.exploration
    assert [script["epsilon"](episode) for episode in (0, 10)] == [exploration.epsilon(0), exploration.epsilon(10)]


@pytest.mark.parametrize(("agent", "environment", "saved"), [
    ("actor_critic", "CartPole-v1", {"policy", "critic"}),
    ("sarsa", "FrozenLake-v1", set()),
], ids=["deep", "table"])
def test_the_script_plays_reports_and_saves_the_networks(tmp_path: Path, agent, environment, saved):
    result = run_script(rl_script(settings_for(agent, environment)), tmp_path, "--episodes", "6", "--save", "trained")
    assert result.returncode == 0, result.stderr[-2000:]
    assert "episode 6: return" in result.stdout and "final average return:" in result.stdout
    assert {path.stem for path in (tmp_path / "trained").glob("*.keras")} == saved
    for name in saved:
        keras.models.load_model(tmp_path / "trained" / f"{name}.keras", safe_mode=True, compile=False)


def test_a_setup_without_a_limit_runs_the_default_number_of_episodes():
    unlimited = replace(settings_for("dqn"), live=LiveSettings(max_episodes=0))
    assert script_namespace(rl_script(unlimited))["EPISODES"] == 500
    assert script_namespace(rl_script(replace(unlimited, live=LiveSettings(max_episodes=70))))["EPISODES"] == 70
