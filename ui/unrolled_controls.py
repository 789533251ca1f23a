"""The unrolled SimpleRNN's controls: the task, the sequence and state sizes, the example worked through."""

from __future__ import annotations

import streamlit as st

from engine.fields import bounds
from engine.sequence.unrolled import TASKS, UnrolledSettings
from engine.training.optimizers import OPTIMIZERS
from ui import links
from ui.lessons import lesson
from ui.playground_controls import LEARNING_RATES, with_current


def seed_widgets(settings: UnrolledSettings) -> None:
    """Set every control from settings (before the widgets are drawn)."""
    links.seed_widgets("ru", settings)


def sidebar_controls() -> None:
    """The task, the network's size, the seed and the optimizer."""
    with st.sidebar:
        st.header("Task", help=lesson("unrolled", "tasks"))
        st.radio("Task", list(TASKS), format_func=TASKS.__getitem__, key="ru_task", persist_state="session")
        st.slider("Sequence length", *bounds(UnrolledSettings, "length"), key="ru_length", persist_state="session")
        st.slider("Echo lag (steps back)", *bounds(UnrolledSettings, "lag"), key="ru_lag", persist_state="session",
                  disabled=st.session_state["ru_task"] != "echo")
        st.number_input("Seed", *bounds(UnrolledSettings, "seed"), key="ru_seed", persist_state="session",
                        help="The sequences, the initial weights and the shuffling.")
        st.header("Network")
        st.slider("Hidden units (size of h)", *bounds(UnrolledSettings, "units"), key="ru_units",
                  persist_state="session")
        st.header("Training")
        st.selectbox("Optimizer", list(OPTIMIZERS), format_func=OPTIMIZERS.__getitem__, key="ru_optimizer",
                     persist_state="session")
        st.select_slider("Learning rate", with_current(LEARNING_RATES, "ru_lr"), key="ru_lr", persist_state="session")
        st.select_slider("Batch size", with_current([8, 16, 32, 64, 128, 256], "ru_batch"), key="ru_batch",
                         persist_state="session")


def example_control() -> None:
    """Which validation sequence is worked through (changes nothing in training)."""
    st.number_input("Validation sequence worked through", *bounds(UnrolledSettings, "example"), key="ru_example",
                    persist_state="session")


def settings_from_widgets() -> UnrolledSettings:
    """Settings from the widgets; ``ValueError`` when they cannot work."""
    return links.settings_from_widgets("ru", UnrolledSettings)
