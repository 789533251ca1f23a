"""The sequence-to-sequence race's controls: the task, the networks' size, the example and the beam."""

from __future__ import annotations

import streamlit as st

from engine.fields import bounds
from engine.sequence.seq2seq import TASKS, Seq2SeqSettings
from engine.training.optimizers import OPTIMIZERS
from ui import links
from ui.lessons import lesson
from ui.playground_controls import LEARNING_RATES, with_current


def seed_widgets(settings: Seq2SeqSettings) -> None:
    """Set every control from settings (before the widgets are drawn)."""
    links.seed_widgets("s2s", settings)


def sidebar_controls() -> None:
    """The task, the networks, the seed and the optimizer."""
    with st.sidebar:
        st.header("Task", help=lesson("seq2seq", "tasks"))
        st.radio("Task", list(TASKS), format_func=TASKS.__getitem__, key="s2s_task", persist_state="session")
        st.slider("Digits per row", *bounds(Seq2SeqSettings, "length"), key="s2s_length", persist_state="session",
                  disabled=st.session_state["s2s_task"] == "dates",
                  help="Longer rows: more for one state vector to hold, and more for attention to gain.")
        st.number_input("Seed", *bounds(Seq2SeqSettings, "seed"), key="s2s_seed", persist_state="session")
        st.header("Networks")
        st.select_slider("Units (encoder and decoder)", with_current([8, 16, 32, 64, 128, 256], "s2s_units"),
                         key="s2s_units", persist_state="session")
        st.slider("Embedding size", *bounds(Seq2SeqSettings, "embedding"), key="s2s_embedding", persist_state="session")
        st.header("Training")
        st.selectbox("Optimizer", list(OPTIMIZERS), format_func=OPTIMIZERS.__getitem__, key="s2s_optimizer",
                     persist_state="session")
        st.select_slider("Learning rate", with_current(LEARNING_RATES, "s2s_lr"), key="s2s_lr", persist_state="session")
        st.select_slider("Batch size", with_current([8, 16, 32, 64, 128, 256, 512], "s2s_batch"), key="s2s_batch",
                         persist_state="session")


def example_controls() -> None:
    """Which validation pair is drawn, and the beam width (neither changes training)."""
    example, beam = st.columns(2)
    example.number_input("Validation pair shown", *bounds(Seq2SeqSettings, "example"), key="s2s_example",
                         persist_state="session")
    beam.number_input("Beam width", *bounds(Seq2SeqSettings, "beam"), key="s2s_beam", persist_state="session")


def settings_from_widgets() -> Seq2SeqSettings:
    """Settings from the widgets; ``ValueError`` when they cannot work."""
    return links.settings_from_widgets("s2s", Seq2SeqSettings)
