"""The RBM page's controls: the machine's and the deep belief net's, and their share link."""

from __future__ import annotations

import streamlit as st

from engine.fields import bounds
from engine.generative import dbn, rbm
from ui import links
from ui.playground_controls import LEARNING_RATES, with_current


def read_link(params: dict[str, str]) -> tuple[tuple[rbm.RbmSettings, dbn.DbnSettings], list[str]]:
    """Both experiments' settings from one link (they share its seed, so a bad one is reported once)."""
    rbm_settings, rbm_warnings = rbm.from_query_params(params)
    dbn_settings, dbn_warnings = dbn.from_query_params(params)
    return (rbm_settings, dbn_settings), list(dict.fromkeys(rbm_warnings + dbn_warnings))


def seed_widgets(settings: tuple[rbm.RbmSettings, dbn.DbnSettings]) -> None:
    """Both experiments' settings into their widgets (the DBN's two layer sizes have one widget each)."""
    machine, belief = settings
    links.seed_widgets("rbm", machine)
    links.seed_widgets("dbn", belief, skip=("dbn_hidden", "seed"))
    st.session_state.update(dbn_h1=belief.hidden[0], dbn_h2=belief.hidden[1])


def seed_control() -> int:
    """The seed both experiments share (the digits' split and the initial weights), in the sidebar."""
    return int(st.sidebar.number_input("Seed", *bounds(rbm.RbmSettings, "seed"), key="rbm_seed",
                                       persist_state="session",
                                       help="Splits the digits and draws the initial weights of both experiments."))


def rbm_controls() -> rbm.RbmSettings:
    """The RBM's controls in one row; their settings."""
    size, steps, rate, batch = st.columns(4)
    size.select_slider("Hidden units", with_current([16, 32, 64, 128, 256], "rbm_hidden"), key="rbm_hidden",
                       persist_state="session")
    steps.slider("k (Gibbs steps per update)", *bounds(rbm.RbmSettings, "k"), key="rbm_k", persist_state="session",
                 help="CD-k: how far the chain runs from the data before its statistics are taken. Live.")
    rate.select_slider("Learning rate", with_current(LEARNING_RATES, "rbm_lr"), key="rbm_lr",
                       persist_state="session", help="Plain SGD. Live.")
    batch.select_slider("Batch size", with_current([10, 20, 50, 100], "rbm_batch"), key="rbm_batch",
                        persist_state="session")
    return rbm_settings()


def rbm_settings() -> rbm.RbmSettings:
    """The RBM's settings as its widgets last held them (drawn or not on this run)."""
    return links.settings_from_widgets("rbm", rbm.RbmSettings)


def dbn_controls() -> dbn.DbnSettings:
    """The deep belief net's controls in one row; their settings (the seed is the sidebar's)."""
    first, second, epochs, labelled, rate = st.columns(5)
    first.select_slider("RBM 1 units", with_current([32, 64, 128, 256], "dbn_h1"), key="dbn_h1",
                        persist_state="session")
    second.select_slider("RBM 2 units", with_current([16, 32, 64, 128], "dbn_h2"), key="dbn_h2",
                         persist_state="session")
    epochs.number_input("Pre-training epochs each", *bounds(dbn.DbnSettings, "pretrain"), key="dbn_pretrain", persist_state="session")
    labelled.number_input("Labelled images per digit", *bounds(dbn.DbnSettings, "labelled"), key="dbn_labelled",
                          persist_state="session")
    rate.select_slider("Fine-tuning rate (Adam)", with_current(LEARNING_RATES, "dbn_ft_lr"), key="dbn_ft_lr",
                       persist_state="session")
    return dbn_settings()


def dbn_settings() -> dbn.DbnSettings:
    """The deep belief net's settings as its widgets last held them (drawn or not on this run)."""
    state = st.session_state
    return links.settings_from_widgets("dbn", dbn.DbnSettings, {"dbn_hidden": (int(state["dbn_h1"]), int(state["dbn_h2"])),
                                                                "seed": int(state["rbm_seed"])})
