"""RBMs and deep belief networks: contrastive divergence live, Gibbs chains, and pre-training with few labels."""

from __future__ import annotations

import numpy as np
import streamlit as st

from engine.generative import dbn, rbm
from engine.training.group import RunGroup
from engine.training.optimizers import OptimizerConfig
from engine.training.run import TrainingData
from engine.training.trainer import Snapshot, Trainer
from engine.vision.image_data import ImageDataset
from ui.comparison_figures import comparison_figure
from ui.figures import curves_figure
from ui.generative_figures import animation_figure, filters_figure, tiles_figure
from ui.lessons import lesson
from ui.links import page_header, seed_from_link_once, write_url
from ui.live import apply_live_settings, lab_trainer, live_fragment, run_controls, run_message
from ui.playground_controls import LEARNING_RATES, with_current
from ui.runtime import enter_page, wait_for_warmup
from ui.vision_data import cached_dataset

FRAME_SECONDS = 0.5
NO_TOOLBAR = {"displayModeBar": False}
IMAGE_SIDE = 8


def read_link(params: dict[str, str]) -> tuple[tuple[rbm.RbmSettings, dbn.DbnSettings], list[str]]:
    """Both experiments' settings from one link."""
    rbm_settings, rbm_warnings = rbm.from_query_params(params)
    dbn_settings, dbn_warnings = dbn.from_query_params(params)
    return (rbm_settings, dbn_settings), rbm_warnings + dbn_warnings


def seed_widgets(settings: tuple[rbm.RbmSettings, dbn.DbnSettings]) -> None:
    machine, belief = settings
    st.session_state.update({
        "rbm_hidden": machine.hidden_units, "rbm_k": machine.cd_steps, "rbm_lr": machine.optimizer.learning_rate,
        "rbm_batch": machine.batch_size, "rbm_seed": machine.seed,
        "dbn_h1": belief.hidden[0], "dbn_h2": belief.hidden[1], "dbn_pretrain": belief.pretrain_epochs,
        "dbn_labelled": belief.labelled_per_class, "dbn_lr": belief.optimizer.learning_rate,
    })


# ----------------------------------------------------------------- RBM
def rbm_controls() -> rbm.RbmSettings:
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


def rbm_trainer(settings: rbm.RbmSettings, dataset: ImageDataset) -> Trainer:
    observer = rbm.RbmObserver((IMAGE_SIDE, IMAGE_SIDE))

    def new_run():
        return rbm.make_run(settings, rbm.flatten(dataset.x_train), rbm.flatten(dataset.x_test))

    trainer, _ = lab_trainer("rbm", settings.structure(), new_run, observer, FRAME_SECONDS)
    apply_live_settings(trainer, "rbm_applied", rbm.run_settings(settings))
    return trainer


def _draw_rbm(snapshot: Snapshot) -> None:
    latest = snapshot.latest
    columns = st.columns(4)
    columns[0].metric("Epoch", f"{snapshot.epoch:,}")
    columns[1].metric("Test reconstruction error", f"{latest['val_reconstruction_error']:.4f}"
                      if "val_reconstruction_error" in latest else "–",
                      help="Mean squared difference per pixel between a test image and its one-step reconstruction.")
    columns[2].metric("Free energy (train)", f"{latest['free_energy']:.1f}" if "free_energy" in latest else "–",
                      help="Lower free energy = more probable under the model.")
    columns[3].metric("Free energy (test)", f"{latest['val_free_energy']:.1f}" if "val_free_energy" in latest else "–",
                      help="A test value well above the training value means the RBM is memorising its images.")
    run_message(snapshot)
    st.plotly_chart(curves_figure(snapshot.history, ("reconstruction_error", "free_energy")), key="rbm_curves",
                    config=NO_TOOLBAR)
    view = snapshot.view
    if view is None:
        return
    filters, pairs = st.columns(2)
    with filters:
        shown = min(64, view.filters.shape[2])
        st.markdown(f"**What each hidden unit looks for** (weights of the first {shown} units as 8×8 images: "
                    "blue turns the unit on, orange turns it off, pale means unused)")
        st.plotly_chart(filters_figure(view.filters[:, :, :shown], 8, width=420), key="rbm_filters",
                        config=NO_TOOLBAR)
    with pairs:
        st.markdown("**Test images (top) and their reconstructions** through the hidden layer and back")
        st.plotly_chart(tiles_figure(np.concatenate([view.originals, view.reconstructions]), len(view.originals)),
                        key="rbm_pairs", config=NO_TOOLBAR)


def gibbs_section(trainer: Trainer) -> None:
    st.markdown(lesson("rbm", "gibbs"))
    steps, every, seed = st.columns(3)
    num_steps = steps.slider("Gibbs steps", 10, 1000, 200, step=10, key="rbm_chain_steps", persist_state="session")
    record_every = every.select_slider("Show every", [1, 2, 5, 10, 20, 50], 5, key="rbm_chain_every",
                                       persist_state="session")
    chain_seed = seed.number_input("Chain seed", 0, 2**31 - 1, 0, key="rbm_chain_seed", persist_state="session")
    frames = trainer.call(lambda run: rbm.gibbs_chain(run, int(num_steps), int(record_every), int(chain_seed)))
    images = frames.reshape(len(frames), frames.shape[1], IMAGE_SIDE, IMAGE_SIDE, 1)
    names = [str(index * int(record_every)) for index in range(len(frames))]
    st.plotly_chart(animation_figure(images, 8, names), key="rbm_chain", config=NO_TOOLBAR)


def reference_section(settings: rbm.RbmSettings, dataset: ImageDataset, trainer: Trainer) -> None:
    epochs = trainer.snapshot().epoch
    if not epochs:
        st.caption("Train a few epochs, then compare with scikit-learn's RBM trained for as many.")
        return
    if st.button(f"Train scikit-learn's BernoulliRBM for {epochs} epochs and compare", key="rbm_reference"):
        with st.spinner("scikit-learn is training…"):
            theirs = rbm.sklearn_reference(rbm.flatten(dataset.x_train), rbm.flatten(dataset.x_test), settings,
                                           min(epochs, 200))
        ours = trainer.snapshot().latest["val_reconstruction_error"]
        st.markdown(f"Test reconstruction error: **ours {ours:.4f}** (CD-{settings.cd_steps}), "
                    f"**scikit-learn {theirs:.4f}** (persistent CD-1), same size, rate and batch"
                    f"{' (scikit-learn capped at 200 epochs)' if epochs > 200 else ''}.")


# ----------------------------------------------------------------- DBN
@st.cache_data(show_spinner=False, max_entries=8)
def cached_stack(settings: dbn.DbnSettings) -> dbn.Stack:
    """The greedy pre-training, shared by every session with the same settings."""
    from engine.training.executor import default_executor

    return default_executor().run(lambda: dbn.pretrain(cached_dataset("digits", IMAGE_SIDE, settings.seed), settings))


def dbn_controls() -> dbn.DbnSettings:
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


def _nothing(group: RunGroup) -> None:
    """The comparison's curves come from its history alone: nothing else to observe."""


def dbn_trainer(settings: dbn.DbnSettings, task: TrainingData, stack: dbn.Stack) -> Trainer:
    trainer, _ = lab_trainer(
        "dbn", settings.structure(),
        lambda: dbn.make_comparison(settings, task, stack), _nothing, FRAME_SECONDS,
    )
    apply_live_settings(trainer, "dbn_applied", dbn.fine_tuning_settings(settings))
    return trainer


def _draw_dbn(snapshot: Snapshot, num_labelled: int) -> None:
    columns = st.columns(len(dbn.MEMBERS))
    for column, (member, label) in zip(columns, dbn.MEMBERS.items(), strict=True):
        accuracy = snapshot.latest.get(f"{member}/val_accuracy")
        column.metric(label, f"{accuracy:.1%}" if accuracy is not None else "–")
    st.caption(f"Epoch {snapshot.epoch:,}; test accuracy on every test digit, after learning from {num_labelled} "
               "labelled images.")
    run_message(snapshot)
    st.plotly_chart(comparison_figure(snapshot.history, dbn.MEMBERS), key="dbn_curves", config=NO_TOOLBAR)


def main() -> None:
    enter_page()
    wait_for_warmup()
    seed_from_link_once("rbm", read_link, seed_widgets)
    page_header("RBMs and deep belief networks", lesson("rbm", "intro"), "rbm")
    machine, belief = st.tabs(["Restricted Boltzmann machine", "Deep belief network"])
    dataset = cached_dataset("digits", IMAGE_SIDE, int(st.session_state["rbm_seed"]))
    with machine:
        try:
            rbm_settings = rbm_controls()
            trainer = rbm_trainer(rbm_settings, dataset)
        except ValueError as error:
            st.error(str(error))
            st.stop()
        run_controls(trainer, "rbm")
        live_fragment(trainer, FRAME_SECONDS, _draw_rbm)
        with st.expander("Gibbs chain: let the RBM dream", expanded=True):
            gibbs_section(trainer)
        with st.expander("Cross-check with scikit-learn"):
            reference_section(rbm_settings, dataset, trainer)
    with belief:
        st.markdown(lesson("rbm", "dbn"))
        try:
            dbn_settings = dbn_controls()
            with st.spinner(f"Pre-training two RBMs for {dbn_settings.pretrain_epochs} epochs each…"):
                stack = cached_stack(dbn_settings.pretraining_only())
            task = dbn.labelled_task(dataset, dbn_settings.labelled_per_class, dbn_settings.seed)
            comparison = dbn_trainer(dbn_settings, task, stack)
        except ValueError as error:
            st.error(str(error))
            st.stop()
        st.caption("Pre-trained without labels on all training digits: reconstruction error "
                   + ", ".join(f"{error:.4f}" for error in stack.reconstruction_errors) + " (RBM 1, RBM 2).")
        run_controls(comparison, "dbn")
        live_fragment(comparison, FRAME_SECONDS, lambda snapshot: _draw_dbn(snapshot, len(task.x_train)))
        st.markdown(lesson("rbm", "dbn_reading"))
    write_url({**rbm.to_query_params(rbm_settings), **dbn.to_query_params(dbn_settings)})


main()
