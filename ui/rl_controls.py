"""Controls of the RL lab: environment, agent, hyperparameters, and the gridworld editor."""

from __future__ import annotations

import streamlit as st

from engine.fields import bounds, spec
from engine.rl.environments import DISCRETE_STATE_ENVIRONMENTS, ENVIRONMENTS
from engine.rl.gridworld import EMPTY, PRESETS, START, WALL, GridLayout
from engine.rl.settings import (
    AGENTS,
    DEFAULT_AGENT,
    DEFAULT_BATCH_SIZES,
    DEFAULT_LEARNING_RATES,
    TABULAR_AGENTS,
    VALUE_AGENTS,
    AgentSettings,
)
from ui import links
from ui.playground_controls import with_current

LEARNING_RATES = [1e-5, 3e-5, 1e-4, 2.5e-4, 5e-4, 1e-3, 3e-3, 0.01, 0.03, 0.05, 0.1, 0.2, 0.3, 0.5, 1.0]
UNITS = [8, 16, 32, 64, 128, 256]
BATCH_SIZES = [16, 32, 64, 128, 256, 512]
BUFFER_SIZES = [1_000, 5_000, 10_000, 50_000, 100_000, 200_000]
TARGET_PERIODS = [1, 10, 50, 100, 250, 500, 1_000, 2_500, 5_000]
CELL_KINDS = {"empty": "Empty", "wall": "Wall", "start": "Start", "reward": "Reward cell (play goes on)",
              "end": "End cell (goal or pit)"}


def seed_widgets(settings: AgentSettings) -> None:
    """Set every control from settings (before the widgets are drawn)."""
    links.seed_widgets("rl", settings, skip=("hidden",))
    st.session_state.update({
        "rl_depth": len(settings.hidden), "rl_units": settings.hidden[0],
        # the cell painter's own controls (not part of a link)
        "rl_cell_row": 2, "rl_cell_column": 3, "rl_cell_kind": "reward", "rl_cell_reward": 0.0, "rl_preset": "Detour",
        "rl_grid_error": "",
    })


def _environment_changed() -> None:
    """A table needs discrete states: leaving them for CartPole & co. switches to the default deep agent."""
    state = st.session_state
    if state["rl_agent"] in TABULAR_AGENTS and state["rl_env"] not in DISCRETE_STATE_ENVIRONMENTS:
        state["rl_agent"] = DEFAULT_AGENT
        _agent_changed()


def _agent_changed() -> None:
    """Each agent starts from its own default step size (and DQN's minibatch or actor-critic's rollout)."""
    state = st.session_state
    agent = state["rl_agent"]
    state["rl_lr"] = DEFAULT_LEARNING_RATES[agent]
    if agent in DEFAULT_BATCH_SIZES:
        state["rl_batch"] = DEFAULT_BATCH_SIZES[agent]


def sidebar() -> None:
    """The world, the agent and its hyperparameters."""
    state = st.session_state
    with st.sidebar:
        st.header("World")
        st.selectbox("Environment", list(ENVIRONMENTS), key="rl_env",
                     persist_state="session", on_change=_environment_changed)
        st.caption(ENVIRONMENTS[state["rl_env"]].description)
        if state["rl_env"] == "FrozenLake-v1":
            st.toggle("Slippery ice", key="rl_slippery", persist_state="session")
        agents = [agent for agent in AGENTS if agent not in TABULAR_AGENTS or state["rl_env"] in DISCRETE_STATE_ENVIRONMENTS]
        st.header("Agent")
        st.selectbox("Agent", agents, format_func=AGENTS.__getitem__, key="rl_agent",
                     persist_state="session", on_change=_agent_changed)
        agent = state["rl_agent"]
        st.select_slider("Learning rate" + (" α" if agent in TABULAR_AGENTS else " (Adam)"),
                         with_current(LEARNING_RATES, "rl_lr"), key="rl_lr",
                         persist_state="session", help="Changes live.")
        st.slider("Discount γ", *bounds(AgentSettings, "gamma"), step=0.01, key="rl_gamma", persist_state="session",
                  help="How much a reward one step later is worth: near 1 the agent plans far ahead.")
        if agent in VALUE_AGENTS:
            start, end = st.columns(2)
            start.slider("ε start", *bounds(AgentSettings, "eps0"), step=0.01, key="rl_eps0",
                         persist_state="session", help="Changes live.")
            end.slider("ε end", *bounds(AgentSettings, "eps1"), step=0.01, key="rl_eps1", persist_state="session", help="Changes live.")
            st.slider("ε decay per episode", *bounds(AgentSettings, "decay"), step=0.001, format="%.3f", key="rl_decay",
                      persist_state="session",
                      help="ε = end + (start − end) · decayᵉᵖⁱˢᵒᵈᵉ. Changes live.")
        if agent not in TABULAR_AGENTS:
            depth, units = st.columns(2)
            depth.slider("Hidden layers", 1, spec(AgentSettings, "hidden").max_length, key="rl_depth", persist_state="session")
            units.select_slider("Units per layer", with_current(UNITS, "rl_units"), key="rl_units",
                                persist_state="session")
        if agent == "dqn":
            st.select_slider("Batch size", with_current(BATCH_SIZES, "rl_batch"), key="rl_batch",
                             persist_state="session")
            st.select_slider("Replay buffer", with_current(BUFFER_SIZES, "rl_buffer"), key="rl_buffer",
                             persist_state="session",
                             format_func=lambda size: f"{size:,}")
            st.select_slider("Target network sync every (steps)", with_current(TARGET_PERIODS, "rl_target"),
                             key="rl_target", persist_state="session")
            st.slider("Learn every (steps)", *bounds(AgentSettings, "every"), key="rl_every", persist_state="session",
                      help="One update per this many environment steps: fewer updates run faster per step.")
        elif agent == "actor_critic":
            st.select_slider("Rollout (steps per update)", with_current(BATCH_SIZES, "rl_batch"), key="rl_batch",
                             persist_state="session")
        st.header("Run")
        st.toggle("Stop when solved", key="rl_solved", persist_state="session")
        st.number_input("Stop after episodes (0: never)", *bounds(AgentSettings, "episodes"), step=100, key="rl_episodes",
                        persist_state="session")
        st.number_input("Seed", *bounds(AgentSettings, "seed"), key="rl_seed",
                        persist_state="session", help="The same seed replays the same run.")


def settings_from_widgets() -> AgentSettings:
    """Settings from the controls (``ValueError`` with the reason for an impossible combination)."""
    state = st.session_state
    return links.settings_from_widgets("rl", AgentSettings, {"hidden": (int(state["rl_units"]),) * int(state["rl_depth"])})


def _paint_cell() -> None:
    """Write the chosen cell into the layout text (a callback: runs before the text area is drawn)."""
    state = st.session_state
    kind, reward = state["rl_cell_kind"], float(state["rl_cell_reward"])
    token = {"empty": EMPTY, "wall": WALL, "start": START, "reward": f"{reward:g}", "end": f"G{reward:g}"}[kind]
    try:
        layout = GridLayout.parse(state["rl_grid"], float(state["rl_step_reward"]))
        state["rl_grid"] = layout.with_cell(int(state["rl_cell_row"]), int(state["rl_cell_column"]), token).text()
        state["rl_grid_error"] = ""
    except ValueError as error:
        state["rl_grid_error"] = str(error)


def _load_preset() -> None:
    st.session_state["rl_grid"] = PRESETS[st.session_state["rl_preset"]]
    st.session_state["rl_grid_error"] = ""


def grid_editor() -> None:
    """Presets, a one-cell painter and the whole layout as text; every edit reaches a running agent live."""
    state = st.session_state
    preset, load = st.columns([3, 1], vertical_alignment="bottom")
    preset.selectbox("Preset", list(PRESETS), key="rl_preset", persist_state="session")
    load.button("Load preset", on_click=_load_preset, key="rl_load_preset", width="stretch")
    try:
        rows, columns = GridLayout.parse(state["rl_grid"]).shape
    except ValueError:
        rows, columns = 12, 12
    row, column, kind, reward, paint = st.columns([1, 1, 2, 1, 1], vertical_alignment="bottom")
    row.number_input("Row", 0, rows - 1, key="rl_cell_row", persist_state="session")
    column.number_input("Column", 0, columns - 1, key="rl_cell_column", persist_state="session")
    kind.selectbox("Make it", list(CELL_KINDS), format_func=CELL_KINDS.__getitem__, key="rl_cell_kind", persist_state="session")
    reward.number_input("Reward", -100.0, 100.0, step=0.5, key="rl_cell_reward", persist_state="session")
    paint.button("Apply", on_click=_paint_cell, key="rl_paint", width="stretch", type="primary")
    if state.get("rl_grid_error"):
        st.error(state["rl_grid_error"])
    text, step = st.columns([3, 1])
    text.text_area("Layout", key="rl_grid", persist_state="session", height=150,
                   help="One row per line, cells separated by spaces: . empty, # wall, S start, a number = a reward "
                        "cell, G and a number = an end cell (goal or pit). Same size: the agent keeps learning.")
    step.number_input("Reward per move", *bounds(AgentSettings, "step_reward"), step=0.01, format="%.2f", key="rl_step_reward",
                      persist_state="session")
