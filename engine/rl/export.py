"""A runnable Python script that replays an RL lab setup outside the app.

The script carries the app's own agents and environments (the modules ``replay``, ``agents``,
``gridworld``, ``environments``, ``shared`` and ``deep``, bundled whole), makes the agent the settings
name as ``engine.rl.run.make_agent`` does, and plays episodes in the loop ``AgentRun`` runs:
ε decays per episode, the solved test averages the last ``SOLVED_WINDOW`` returns. A deep
agent's networks can be saved as ``.keras`` files.
"""

from __future__ import annotations

from engine.rl import agents, environments, gridworld, replay
from engine.rl.run import agent_arguments
from engine.rl.settings import VALUE_AGENTS, AgentSettings
from engine.training.scripts import SAVE_MODELS, Length, bundled, constants, fill, script

DEFAULT_EPISODES = 500  # --episodes when the setup has no limit of its own


def rl_script(settings: AgentSettings) -> str:
    """Source of a standalone script (NumPy, gymnasium, Keras for a deep agent) that trains the agent."""
    from engine.rl import deep  # Keras: imported when a script is written, not with the page
    from engine.training import shared  # what the deep agents compile their updates with

    live, exploration = settings.live, settings.live.exploration
    explores = settings.agent in VALUE_AGENTS
    return script(
        "Deep Learning Playground export: train this reinforcement-learning agent outside the app.",
        Length("EPISODES", "episodes"),
        [bundled(replay, agents, gridworld, environments, shared, deep),
         constants(ENVIRONMENT=settings.environment, SEED=settings.seed, SLIPPERY=settings.slippery,
                   LAYOUT=settings.layout_text, STEP_REWARD=settings.step_reward,
                   STOP_WHEN_SOLVED=live.stop_when_solved, EPISODES=live.max_episodes or DEFAULT_EPISODES),
         (constants(EPSILON_START=exploration.start, EPSILON_END=exploration.end, EPSILON_DECAY=exploration.decay)
          if explores else "") + "\n\n\n" + (_EPSILON if explores else _NO_EPSILON),
         fill(_MAKE_AGENT, agent=agent_code(settings)),
         SAVE_MODELS],
        _MAIN)


def agent_code(settings: AgentSettings) -> str:
    """The constructor call ``make_agent`` makes for ``settings``, as source (sizes named observations, actions)."""
    name, arguments = agent_arguments(settings)
    return f"{name}(observations, actions, {', '.join(map(repr, arguments))})"


_EPSILON = '''def epsilon(episode):
    """ε during episode ``episode`` (from 0): the share of moves made at random, decaying episode by episode."""
    return EPSILON_END + (EPSILON_START - EPSILON_END) * EPSILON_DECAY ** episode'''

_NO_EPSILON = '''def epsilon(episode):
    """0: a policy-gradient agent explores by sampling its policy, not by random moves."""
    return 0.0'''

_MAKE_AGENT = '''def make_environment_and_agent():
    """The environment (the gridworld with its layout) and the agent, as the app makes them."""
    layout = GridLayout.parse(LAYOUT, STEP_REWARD) if ENVIRONMENT == GRIDWORLD else None
    environment = make_environment(ENVIRONMENT, SLIPPERY, layout)
    observations = observation_size(environment.observation_space)
    actions = observation_size(environment.action_space)
    return environment, {agent}'''

_MAIN = '''def main():
    {arguments}

    environment, agent = make_environment_and_agent()
    space, threshold, returns = environment.observation_space, solved_threshold(ENVIRONMENT), []
    for episode in range(arguments.episodes):
        raw, _ = environment.reset(seed=SEED if episode == 0 else None)  # later resets continue its random stream
        observation = encode(raw, space)
        action = agent.first_action(observation, epsilon(episode))
        total, done = 0.0, False
        while not done:
            raw, reward, terminated, truncated, _ = environment.step(action)
            following = encode(raw, space)
            action = agent.step(observation, action, float(reward), following, bool(terminated), bool(truncated),
                                epsilon(episode))
            observation, total, done = following, total + float(reward), bool(terminated or truncated)
        returns.append(total)
        average = float(np.mean(returns[-SOLVED_WINDOW:]))
        metrics = agent.episode_metrics()  # mean loss and |TD error| of the episode's updates (NaN: none)
        if (episode + 1) % max(1, arguments.episodes // 20) == 0:
            learned = ", ".join(f"{name} {value:.4f}" for name, value in metrics.items() if not np.isnan(value))
            learned = learned or "no update yet"
            print(f"episode {episode + 1}: return {total:.2f}, average {average:.2f}, {learned}")
        if STOP_WHEN_SOLVED and threshold is not None and len(returns) >= SOLVED_WINDOW and average >= threshold:
            print(f"Solved in {episode + 1} episodes: the last {SOLVED_WINDOW} averaged {average:.1f}.")
            break
    print(f"final average return: {float(np.mean(returns[-SOLVED_WINDOW:])):.2f}")
    save_models(getattr(agent, "networks", {}), arguments.save)'''
