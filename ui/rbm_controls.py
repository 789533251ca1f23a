"""The RBM page's controls: the machine's and the deep belief net's, and their share link."""

from __future__ import annotations

import streamlit as st

from engine.generative import dbn, rbm
from engine.training.optimizers import OptimizerConfig
from ui.playground_controls import LEARNING_RATES, with_current


def read_link(params: dict[str, str]) -> tuple[tuple[rbm.RbmSettings, dbn.DbnSettings], list[str]]:
    """Both experiments' settings from one link."""
    rbm_settings, rbm_warnings = rbm.from_query_params(params)
    dbn_settings, dbn_warnings = dbn.from_query_params(params)
    return (rbm_settings, dbn_settings), rbm_warnings + dbn_warnings


def seed_widgets(settings: tuple[rbm.RbmSettings, dbn.DbnSettings]) -> None:
    """Both experiments' settings into their widgets."""
    machine, belief = settings
    st.session_state.update({
        "rbm_hidden": machine.hidden_units, "rbm_k": machine.cd_steps, "rbm_lr": machine.optimizer.learning_rate,
        "rbm_batch": machine.batch_size, "rbm_seed": machine.seed,
        "dbn_h1": belief.hidden[0], "dbn_h2": belief.hidden[1], "dbn_pretrain": belief.pretrain_epochs,
        "dbn_labelled": belief.labelled_per_class, "dbn_lr": belief.optimizer.learning_rate,
    })


def rbm_controls() -> rbm.RbmSettings:
    """The RBM's controls in one row; their settings."""
    size, steps, rate, batch, seed = st.columns(5)
    size.select_slider("Hidden units", with_current([16, 32, 64, 128, 256], "rbm_hidden"), key="rbm_hidden",
                       persist_state="session")
    steps.slider("k (Gibbs steps per update)", 1, rbm.MAX_CD_STEPS, key="rbm_k", persist_state="session",
                 help="CD-k: how far the chain runs from the data before its statistics are taken. Live.")
    rate.select_slider("Learning rate", with_current(LEARNING_RATES, "rbm_lr"), key="rbm_lr",
                       persist_state="session", help="Plain SGD. Live.")
    batch.select_slider("Batch size", with_current([10, 20, 50, 100], "rbm_batch"), key="rbm_batch",
                        persist_state="session")
    seed.number_input("Seed", 0, 2**31 - 1, key="rbm_seed", persist_state="session")
    state = st.session_state
    return rbm.RbmSettings(hidden_units=int(state["rbm_hidden"]), cd_steps=int(state["rbm_k"]),
                           optimizer=OptimizerConfig("sgd", float(state["rbm_lr"])),
                           batch_size=int(state["rbm_batch"]), seed=int(state["rbm_seed"]))


def dbn_controls() -> dbn.DbnSettings:
    """The deep belief net's controls in one row; their settings (the seed is the RBM tab's)."""
    first, second, epochs, labelled, rate = st.columns(5)
    first.select_slider("RBM 1 units", with_current([32, 64, 128, 256], "dbn_h1"), key="dbn_h1",
                        persist_state="session")
    second.select_slider("RBM 2 units", with_current([16, 32, 64, 128], "dbn_h2"), key="dbn_h2",
                         persist_state="session")
    epochs.number_input("Pre-training epochs each", 1, 200, key="dbn_pretrain", persist_state="session")
    labelled.number_input("Labelled images per digit", 1, dbn.MAX_LABELLED_PER_CLASS, key="dbn_labelled",
                          persist_state="session")
    rate.select_slider("Fine-tuning rate (Adam)", with_current(LEARNING_RATES, "dbn_lr"), key="dbn_lr",
                       persist_state="session")
    state = st.session_state
    return dbn.DbnSettings(hidden=(int(state["dbn_h1"]), int(state["dbn_h2"])),
                           pretrain_epochs=int(state["dbn_pretrain"]), labelled_per_class=int(state["dbn_labelled"]),
                           optimizer=OptimizerConfig("adam", float(state["dbn_lr"])), seed=int(state["rbm_seed"]))
