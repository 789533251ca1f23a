"""Reinforcement learning lab: an agent learns in a gymnasium world or our gridworld, live."""

from __future__ import annotations

import streamlit as st

from engine.rl.agents import epsilon_greedy_probabilities
from engine.rl.environments import ACTION_NAMES, DISCRETE_STATE_ENVIRONMENTS, GRID_MOVES, GRIDWORLD, SOLVED_WINDOW
from engine.rl.episodes import record_episode
from engine.rl.export import rl_script
from engine.rl.run import make_run, observe
from engine.rl.settings import (
    AGENTS,
    TABULAR_AGENTS,
    VALUE_AGENTS,
    AgentSettings,
    from_query_params,
    run_settings,
    to_query_params,
)
from engine.training.contract import Snapshot
from engine.training.trainer import Trainer
from ui.canvas import live_chart, live_metrics
from ui.feed import Metric
from ui.lessons import lesson
from ui.links import open_lab, stop_on_bad_input, write_url
from ui.live import lab_trainer, live_fragment, run_controls, run_message
from ui.models import export_buttons
from ui.rl_controls import grid_editor, seed_widgets, settings_from_widgets, sidebar
from ui.rl_figures import curves_panels_figure, episode_figure, grid_figure, reward_figure

LAB = "rl"


def trainer_for(settings: AgentSettings) -> Trainer:
    """This session's RL trainer, rebuilt when the world's shape or the agent changes."""
    trainer, rebuilt = lab_trainer(LAB, settings.structure(), lambda: make_run(settings), observe,
                                   run_settings(settings))
    if rebuilt:
        st.session_state.pop("rl_episode", None)
    return trainer


def _draw(snapshot: Snapshot, settings: AgentSettings) -> None:
    """One frame: counters, the return chart, the training curves and a discrete world's values."""
    live_metrics(lambda shown: _metrics(shown, settings), "rl_metrics", snapshot)
    run_message(snapshot)
    view = snapshot.view
    if view is None:
        return
    if view.evaluation is not None:
        chart, world = st.columns([3, 2])
    else:
        chart, world = st.container(), None
    with chart:
        live_chart(_rewards, "rl_rewards", snapshot, config={"displayModeBar": False})
        series = ("length", "loss", "td_error") + (("epsilon",) if settings.agent in VALUE_AGENTS else ())
        live_chart(lambda shown: curves_panels_figure(shown.history, series), "rl_curves", snapshot,
                   config={"displayModeBar": False})
    if world is not None:
        picking = settings.environment == GRIDWORLD
        exploring = bool(st.session_state.get("rl_exploring_arrows"))
        # A Plotly chart even while training, so a click can pick a cell to edit: it is redrawn with
        # the page's slower refresh, not with every frame of the live feed.
        world.plotly_chart(_world(view, settings, exploring, picking), key="rl_values", config={"displayModeBar": False},
                           **(dict(on_select=_pick_cell, selection_mode="points") if picking else {}))
        if picking:
            world.caption("Click a cell to change it (the editor above opens on it).")
        if st.session_state.pop("rl_cell_picked", False):
            st.rerun(scope="app")  # the editor outside this live view shows the picked cell


def _metrics(snapshot: Snapshot, settings: AgentSettings) -> list[Metric]:
    """Episodes, steps, the returns and (value-based agents) ε."""
    view, latest = snapshot.view, snapshot.latest
    return [
        Metric("Episode", f"{snapshot.epoch:,}"),
        Metric("Steps", f"{view.total_steps:,}" if view else "0"),
        Metric("Last return", f"{latest['reward']:.4g}" if "reward" in latest else "–"),
        Metric(f"Average of last {SOLVED_WINDOW}", f"{latest['average']:.4g}" if "average" in latest else "–",
               help="Solved when this reaches the dashed line (gymnasium's threshold)."),
        Metric("ε", f"{view.epsilon:.3f}" if view and settings.agent in VALUE_AGENTS else "–",
               help="The chance of a random action in the current episode (value-based agents)."),
    ]


def _rewards(snapshot: Snapshot):
    """Returns per episode, with the environment's solved line (or the best possible return)."""
    view = snapshot.view
    if view.threshold is not None:
        line, label = view.threshold, f"solved: average ≥ {view.threshold:g}"
    else:
        line, label = view.best_return, f"best possible: {view.best_return:.3g}" if view.best_return is not None else ""
    return reward_figure(snapshot.history, line, label)


def _world(view, settings: AgentSettings, exploring: bool, picking: bool):
    """A discrete world's state values with the policy's arrows (ε-greedy ones while ``exploring``)."""
    evaluation = view.evaluation
    probabilities, title = evaluation.probabilities, "Critic's values and the policy's probabilities"
    if settings.agent in VALUE_AGENTS:
        if exploring:
            title = f"State values (max Q) and the ε-greedy probabilities (ε = {view.epsilon:.2f})"
        else:
            probabilities, title = epsilon_greedy_probabilities(evaluation.action_values, 0.0), \
                "State values (max Q) and the greedy policy"
    return grid_figure(view.grid, evaluation.values, probabilities, GRID_MOVES[settings.environment], title,
                       clickable=picking)


def _pick_cell() -> None:
    """A click on the gridworld: that cell goes into the editor, which opens on it."""
    event = st.session_state.get("rl_values")
    points = event.selection.points if event else []
    if points:
        state = st.session_state
        state["rl_cell_row"], state["rl_cell_column"] = int(points[0]["y"]), int(points[0]["x"])
        state["rl_cell_picked"] = state["rl_grid_editor"] = True  # and the editor opens on it


def replay_section(trainer: Trainer, settings: AgentSettings) -> None:
    """Record an episode of the current policy and scrub through it."""
    st.subheader("Replay an episode")
    st.markdown(lesson("rl", "replay"))
    seed_column, button = st.columns([1, 1], vertical_alignment="bottom")
    seed = seed_column.number_input("Episode seed", 0, 2**31 - 1, value=0, key="rl_replay_seed",
                                    persist_state="session")
    if button.button("Record an episode", icon=":material/videocam:", key="rl_record", width="stretch"):
        st.session_state["rl_episode"] = trainer.call(lambda run: record_episode(run, int(seed)))
    episode = st.session_state.get("rl_episode")
    if episode is None:
        st.caption("No episode recorded yet: press the button (it works before training too, to see a beginner).")
        return
    st.caption(f"{episode.length} steps, return {episode.total_reward:.4g} (seed {episode.seed}).")
    st.plotly_chart(episode_figure(episode, ACTION_NAMES[episode.environment]), key="rl_replay",
                    config={"displayModeBar": False})


def main() -> None:
    open_lab("rl", "Reinforcement learning", lesson("rl", "intro"), from_query_params, seed_widgets)
    sidebar()
    if st.session_state["rl_env"] == GRIDWORLD:
        with st.expander("Edit the gridworld (applies live)", key="rl_grid_editor", on_change="rerun"):
            grid_editor()
    with stop_on_bad_input():
        settings = settings_from_widgets()
        settings.layout()  # a bad layout says why before anything is built
        trainer = trainer_for(settings)
    st.caption(f"**{AGENTS[settings.agent]}** on **{settings.environment}**.")
    if settings.agent == "dqn":
        st.info(lesson("rl", "dqn"))
    run_controls(trainer, "rl", unit="episode")
    live_fragment(trainer, "rl", lambda snapshot: _draw(snapshot, settings))
    if settings.agent in VALUE_AGENTS and settings.environment in DISCRETE_STATE_ENVIRONMENTS:
        st.toggle("Arrows show the ε-greedy probabilities (how the agent acts while it explores)",
                  key="rl_exploring_arrows", persist_state="session",
                  help="Off: the greedy policy, one arrow per cell (ties share). On: every action's probability.")
    replay_section(trainer, settings)
    with st.expander("Export: a runnable script, the agent's networks and the episodes' history"):
        if settings.agent in TABULAR_AGENTS:
            st.caption("A table agent keeps no network: its Q-table is the grid of values drawn above.")
        export_buttons("rl", "rl", trainer, script=lambda: rl_script(settings),
                       models=None if settings.agent in TABULAR_AGENTS else "zip")
    with st.expander("How the agents learn"):
        st.markdown(lesson("rl", "agents"))
    st.markdown(lesson("rl", "reading"))
    write_url(to_query_params(settings))


main()
