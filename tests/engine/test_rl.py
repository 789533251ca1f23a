"""RL engine: the gridworld, tabular agents against dynamic programming, replay, deep agents, episodes."""

import warnings
from dataclasses import replace

import gymnasium as gym
import numpy as np
import pytest
from gymnasium.utils.env_checker import check_env

from engine.rl import run as rl_run
from engine.rl.agents import Accumulator, TabularAgent, epsilon_greedy_probabilities
from engine.rl.environments import encode, make_environment
from engine.rl.episodes import record_episode, scene
from engine.rl.gridworld import PRESETS, GridLayout, GridWorld, value_iteration
from engine.rl.replay import ReplayBuffer
from engine.rl.run import AgentRun
from engine.rl.settings import (
    DEFAULT_AGENT,
    DEFAULT_BATCH_SIZES,
    DEFAULT_LEARNING_RATES,
    AgentSettings,
    Exploration,
    LiveSettings,
    from_query_params,
    to_query_params,
)
from engine.training.contract import FINISHED, READY

SMALL = "S . . #\n. # . -0.5\n. . . G1"


def settings(agent: str, environment: str = "CartPole-v1", **changes) -> AgentSettings:
    """The agent's own defaults (as the page sets them when it is chosen), with ``changes``."""
    live = changes.pop("live", LiveSettings(learning_rate=DEFAULT_LEARNING_RATES[agent]))
    if agent in DEFAULT_BATCH_SIZES:
        changes.setdefault("batch_size", DEFAULT_BATCH_SIZES[agent])
    return AgentSettings(environment=environment, agent=agent, live=live, **changes)


def test_the_gridworld_passes_gymnasiums_environment_checker():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # "no spec" and render-mode notes: we make it directly, without render
        check_env(GridWorld(GridLayout.parse(PRESETS["Detour"])), skip_render_check=True)


def test_gridworld_moves_walls_rewards_and_ends():
    layout = GridLayout.parse(SMALL, step_reward=-0.1)
    world = GridWorld(layout)
    state, _ = world.reset(seed=0)
    assert state == 0
    assert world.step(0)[:3] == (0, -0.1, False)  # up: the edge keeps it in place
    assert world.step(1)[:3] == (1, -0.1, False)  # right
    assert world.step(2)[:3] == (1, -0.1, False)  # down into a wall: stays
    world.step(1)
    assert world.step(1)[:3] == (2, -0.1, False)  # (0, 3) is a wall
    assert layout.transition(layout.state(1, 2), 1) == (layout.state(1, 3), pytest.approx(-0.6), False)
    assert layout.transition(layout.state(1, 3), 2) == (layout.state(2, 3), pytest.approx(0.9), True)


@pytest.mark.parametrize("text, reason", [
    ("", "empty"), ("S . .\n. G1", "same number"), (". . G1", "start"), ("S . .", "terminal"),
    ("S x G1", "Unknown cell"), ("S 1e9 G1", "between -100 and 100"), ("S nan G1", "between"),
])
def test_bad_layouts_say_why(text, reason):
    with pytest.raises(ValueError, match=reason):
        GridLayout.parse(text)


def test_q_learning_finds_the_exact_optimal_values_and_policy_of_a_deterministic_gridworld():
    """With α = 1 on deterministic moves, Q-learning's backups are value iteration's, done in place."""
    layout, gamma = GridLayout.parse(SMALL), 0.9
    world, agent = GridWorld(layout, max_steps=50), TabularAgent(layout.num_states, 4, "q_learning", gamma, 1.0, 0)
    space = world.observation_space
    for episode in range(600):
        state, _ = world.reset(seed=episode)
        observation = encode(state, space)
        action = agent.first_action(observation, epsilon=1.0)  # off-policy: a random walk is enough
        done = False
        while not done:
            state, reward, terminated, truncated, _ = world.step(action)
            following = encode(state, space)
            action = agent.step(observation, action, reward, following, terminated, truncated, epsilon=1.0)
            observation, done = following, terminated or truncated
    optimal, policy = value_iteration(layout, gamma)
    live = [layout.state(r, c) for r, c in layout.positions() if layout.cells[r][c] not in ("#",) and
            not layout.cells[r][c].startswith("G")]
    np.testing.assert_allclose(agent.q[live], optimal[live], atol=1e-9)
    np.testing.assert_array_equal(agent.q[live].argmax(axis=1), policy[live])


def test_editing_a_cell_mid_training_reroutes_the_policy():
    run = AgentRun(settings("q_learning", "Gridworld", gamma=0.95, live=LiveSettings(
        learning_rate=0.5, exploration=Exploration(1.0, 0.2, 0.98), stop_when_solved=False)))
    layout = run.live.layout
    start = layout.start

    def first_move() -> str:
        return ("up", "right", "down", "left")[int(run.agent.q[start].argmax())]

    train(run, 400)
    assert first_move() == "up"  # the short corridor passes the −1 cell: go round
    # the agent avoids the corridor now, so it needs more exploration to find out it changed
    changes = run.update_settings(LiveSettings(learning_rate=0.5, exploration=Exploration(1.0, 0.5, 0.98),
                                               stop_when_solved=False, layout=layout.with_cell(2, 3, ".")))
    assert changes == ["exploration schedule", "gridworld cells"]
    train(run, 900)
    assert first_move() == "right"
    assert run.best_return() == pytest.approx(1 - 6 * 0.04)


def test_sarsa_follows_the_action_it_takes():
    agent = TabularAgent(3, 2, "sarsa", 0.5, 1.0, seed=0)
    agent.q[1] = [10.0, -10.0]
    one_hot = np.eye(3, dtype=np.float32)
    # ε = 1: the next action is random; SARSA's target uses exactly that action's value
    next_action = agent.step(one_hot[0], 0, 1.0, one_hot[1], False, False, epsilon=1.0)
    assert agent.q[0, 0] == pytest.approx(1.0 + 0.5 * agent.q[1, next_action])


def test_epsilon_greedy_probabilities_share_ties_and_sum_to_one():
    probabilities = epsilon_greedy_probabilities(np.array([[1.0, 3.0, 3.0], [0.0, 0.0, 5.0]]), 0.3)
    np.testing.assert_allclose(probabilities, [[0.1, 0.45, 0.45], [0.1, 0.1, 0.8]])


def test_the_exploration_schedule_decays_from_start_to_end():
    schedule = Exploration(1.0, 0.1, 0.5)
    assert [schedule.epsilon(episode) for episode in (0, 1, 2)] == pytest.approx([1.0, 0.55, 0.325])
    assert schedule.epsilon(200) == pytest.approx(0.1)


def test_replay_buffer_keeps_the_newest_and_samples_only_what_it_holds():
    buffer = ReplayBuffer(capacity=5, observation_size=2, seed=0)
    with pytest.raises(ValueError, match="empty"):
        buffer.sample(1)
    for step in range(8):
        buffer.add(np.full(2, step, np.float32), step % 2, float(step), np.full(2, step + 1, np.float32), step == 7)
    assert len(buffer) == 5
    batch = buffer.sample(1_000)
    assert set(batch.rewards) == {3.0, 4.0, 5.0, 6.0, 7.0}  # 0, 1, 2 were overwritten
    np.testing.assert_array_equal(batch.observations[:, 0], batch.rewards)
    np.testing.assert_array_equal(batch.next_observations[:, 0], batch.rewards + 1)
    np.testing.assert_array_equal(batch.actions, batch.rewards.astype(int) % 2)
    np.testing.assert_array_equal(batch.terminated, batch.rewards == 7)
    counts = np.bincount(batch.rewards.astype(int))[3:]
    assert counts.min() > 150  # uniform: about 200 each
    again = ReplayBuffer(capacity=5, observation_size=2, seed=0)
    for step in range(8):
        again.add(np.full(2, step, np.float32), step % 2, float(step), np.full(2, step + 1, np.float32), step == 7)
    np.testing.assert_array_equal(again.sample(1_000).rewards, batch.rewards)  # the seed reproduces it


def test_the_numpy_mirror_computes_the_keras_network():
    from engine.rl.deep import Mirror, build_network

    network = build_network(4, (16, 8), 3, seed=3, name="mirror_test")
    observations = np.random.default_rng(0).normal(size=(5, 4)).astype(np.float32)
    mirror = Mirror(network)
    expected = network(observations).numpy()
    np.testing.assert_allclose([mirror(row) for row in observations], expected, rtol=1e-5, atol=1e-6)


def test_accumulator_reports_nan_without_updates_and_infinity_after_a_bad_one():
    accumulator = Accumulator()
    assert np.isnan(accumulator.means(("loss",))["loss"])
    accumulator.add(loss=1.0)
    accumulator.add(loss=float("nan"))
    assert np.isinf(accumulator.means(("loss",))["loss"])


def train(run: AgentRun, episodes: int) -> None:
    """Advance until ``episodes`` episodes are done or the run stops (solved, finished)."""
    while run.epoch < episodes and run.status == READY:
        run.advance(episodes - run.epoch)


def _average_return(run: AgentRun, first: int, last: int) -> float:
    return float(np.mean(run.history["reward"][first:last]))


def test_dqn_improves_cartpole_over_a_short_budget():
    run = AgentRun(settings("dqn", update_every=1))
    train(run, 300)
    early, late = _average_return(run, 0, 30), _average_return(run, 270, 300)
    assert late > 2 * early, (early, late)
    assert all(np.isfinite(run.history["loss"][-30:]))


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_the_pages_default_agent_learns_cartpole_on_every_seed(seed):
    # What a learner gets by pressing Play: the page's defaults (an empty link), on three seeds.
    run = AgentRun(replace(from_query_params({})[0], seed=seed))
    train(run, 400)
    early, late = _average_return(run, 0, 30), _average_return(run, 370, 400)
    assert late > 3 * early, (early, late)
    assert all(np.isfinite(run.history["loss"][-30:]))


def test_a_seed_reproduces_a_run_and_reset_starts_it_over():
    first = AgentRun(settings("reinforce"))
    train(first, 20)
    rewards = list(first.history["reward"])
    second = AgentRun(settings("reinforce"))
    train(second, 20)
    assert second.history["reward"] == rewards
    first.reset()
    assert first.epoch == 0 and first.total_steps == 0
    train(first, 20)
    assert first.history["reward"] == rewards


@pytest.mark.parametrize("agent", ["dqn", "reinforce", "actor_critic"])
def test_a_deep_agent_compiled_ahead_or_on_another_agents_update_learns_exactly_as_one_of_its_own(agent, monkeypatch):
    small = {"buffer_size": 64, "batch_size": 16, "target_period": 50} if agent == "dqn" else {}
    chosen = settings(agent, hidden=(13,), seed=3, **small)  # 13 units: no agent another test left in the pool
    ahead = AgentRun(chosen)
    sharing = AgentRun(chosen)  # a second learner's, made while the first holds its agent: one update for both
    with monkeypatch.context() as patch:
        patch.setattr(rl_run, "_agent_key", lambda *arguments: None)
        plain = AgentRun(chosen)  # an update of its own, compiled by its first call
    assert sharing.agent is not ahead.agent
    assert not ahead.compiled and not sharing.compiled and not plain.compiled
    weights = [array for network in ahead.agent.networks.values() for array in network.get_weights()]
    optimizer = [variable.numpy() for variable in ahead.agent.optimizer.variables]
    ahead.compile()
    assert ahead.compiled and sharing.compiled and not plain.compiled  # compiled once, for both
    for before, after in zip(weights, [array for network in ahead.agent.networks.values()
                                       for array in network.get_weights()], strict=True):
        np.testing.assert_array_equal(after, before)  # a step size of 0: the weights never moved
    for before, variable in zip(optimizer, ahead.agent.optimizer.variables, strict=True):
        np.testing.assert_array_equal(variable.numpy(), before)  # and the optimizer is as it was
    train(ahead, 4)
    trained = [array for network in ahead.agent.networks.values() for array in network.get_weights()]
    train(sharing, 4)  # on the same compiled update: it must move its own weights only
    train(plain, 4)
    assert plain.compiled and np.isfinite(plain.history["loss"]).any(), "no update: the test would show nothing"
    for name, values in plain.history.items():
        np.testing.assert_allclose(ahead.history[name], values, rtol=1e-5, err_msg=name)
        np.testing.assert_allclose(sharing.history[name], values, rtol=1e-5, err_msg=name)
    for before, after in zip(trained, [array for network in ahead.agent.networks.values()
                                       for array in network.get_weights()], strict=True):
        np.testing.assert_array_equal(after, before)


def test_a_recorded_episode_replays_the_same_trajectory_in_a_fresh_environment():
    run = AgentRun(settings("actor_critic"))
    run.advance(40)
    episode = record_episode(run, seed=7)
    assert len(episode.observations) == episode.length + 1 == len(episode.values) == len(episode.probabilities)
    np.testing.assert_allclose(episode.probabilities.sum(axis=1), 1.0, rtol=1e-6)
    environment = make_environment("CartPole-v1")
    observation, _ = environment.reset(seed=7)
    np.testing.assert_array_equal(observation, episode.observations[0])
    for step, action in enumerate(episode.actions):
        observation, reward, *_ = environment.step(int(action))
        np.testing.assert_array_equal(observation, episode.observations[step + 1])
        assert reward == episode.rewards[step]


def test_the_cartpole_scene_is_drawn_from_the_state():
    shapes = scene("CartPole-v1", np.array([0.5, 0.0, np.pi / 6, 0.0]))
    x0, y0, x1, y1 = shapes.segments["pole"][0]
    assert (x0, y0) == (0.5, pytest.approx(0.3))
    assert (x1, y1) == (pytest.approx(0.5 + np.sin(np.pi / 6)), pytest.approx(0.3 + np.cos(np.pi / 6)))
    assert shapes.segments["cart"][:, [0, 2]].min() == pytest.approx(0.25)


def test_frozen_lake_values_and_map():
    run = AgentRun(settings("q_learning", "FrozenLake-v1", slippery=False))
    assert run.grid.shape == (4, 4) and run.grid.cells[3][3] == "G1"
    train(run, 300)
    assert run.status == FINISHED and "Solved" in run.message  # the non-slippery lake is easy
    evaluation = run.evaluate_all_states()
    assert evaluation.values.shape == (16,) and evaluation.probabilities.shape == (16, 4)
    assert isinstance(run.environment.observation_space, gym.spaces.Discrete)


def test_settings_refuse_a_table_for_continuous_states_and_links_round_trip():
    with pytest.raises(ValueError, match="discrete world"):
        settings("q_learning", "CartPole-v1")
    original = settings("sarsa", "Gridworld", seed=4, gamma=0.9, layout_text=SMALL, step_reward=-0.1)
    restored, warnings_ = from_query_params(to_query_params(original))
    assert restored == original and not warnings_


def test_links_clamp_and_warn():
    restored, warnings_ = from_query_params({"agent": "q_learning", "gamma": "7", "grid": "S x", "lr": "nan",
                                             "hidden": "9999"})
    assert restored.agent == DEFAULT_AGENT  # a table cannot learn CartPole
    assert restored.gamma == 1.0 and restored.hidden == (256,)
    assert restored.layout_text == PRESETS["Detour"]
    assert len(warnings_) == 5
