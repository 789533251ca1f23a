"""The gradients lab's controls: the delay, the cells and their recurrent gain, the clipping, the training."""

from __future__ import annotations

import streamlit as st

from engine.fields import bounds
from engine.sequence.gradients import CELL_NAMES, CLIPPING, TASKS, GradientSettings
from engine.training.optimizers import OPTIMIZERS
from ui import links
from ui.lessons import lesson
from ui.playground_controls import LEARNING_RATES, with_current


def seed_widgets(settings: GradientSettings) -> None:
    """Set every control from settings (before the widgets are drawn)."""
    links.seed_widgets("vg", settings)


def sidebar_controls() -> None:
    """The task, the networks, the seed and the optimizer."""
    with st.sidebar:
        st.header("Task", help=lesson("gradients", "task"))
        st.radio("Task", list(TASKS), format_func=TASKS.__getitem__, key="vg_task", persist_state="session")
        st.slider("Delay (steps to remember across)", *bounds(GradientSettings, "delay"), key="vg_delay",
                  persist_state="session")
        st.slider("Symbols", *bounds(GradientSettings, "symbols"), key="vg_symbols", persist_state="session",
                  disabled=st.session_state["vg_task"] != "recall", help="Chance accuracy is one in this many.")
        st.number_input("Seed", *bounds(GradientSettings, "seed"), key="vg_seed", persist_state="session")
        st.header("Networks", help=lesson("gradients", "gain"))
        st.multiselect("Cells in the race", list(CELL_NAMES), format_func=CELL_NAMES.__getitem__, key="vg_cells",
                       persist_state="session")
        st.slider("Units", *bounds(GradientSettings, "units"), key="vg_units", persist_state="session")
        st.slider("Recurrent gain at the start", *bounds(GradientSettings, "gain"), step=0.1, key="vg_gain",
                  persist_state="session",
                  help="Every singular value of the initial recurrent matrix W: below 1 the state and the gradient "
                       "shrink at every step, above 1 they grow.")
        st.header("Training")
        st.selectbox("Optimizer", list(OPTIMIZERS), format_func=OPTIMIZERS.__getitem__, key="vg_optimizer",
                     persist_state="session")
        st.select_slider("Learning rate", with_current(LEARNING_RATES, "vg_lr"), key="vg_lr", persist_state="session")
        st.select_slider("Batch size", with_current([8, 16, 32, 64, 128, 256, 512], "vg_batch"), key="vg_batch",
                         persist_state="session")


def clipping_controls() -> None:
    """Gradient clipping: applies to the next update, without a new run."""
    mode, threshold = st.columns([3, 2])
    mode.radio("Gradient clipping", list(CLIPPING), format_func=CLIPPING.__getitem__, key="vg_clip",
               persist_state="session", horizontal=True, help=lesson("gradients", "clipping"))
    threshold.slider("Clip at", *bounds(GradientSettings, "threshold"), key="vg_threshold", persist_state="session",
                     disabled=st.session_state["vg_clip"] == "none")


def settings_from_widgets() -> GradientSettings:
    """Settings from the widgets; ``ValueError`` when they cannot work."""
    return links.settings_from_widgets("vg", GradientSettings)
