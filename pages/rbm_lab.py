"""RBMs and deep belief networks: contrastive divergence live, Gibbs chains, and pre-training with few labels."""

from __future__ import annotations

import numpy as np
import streamlit as st

from engine.data.image_sets import ImageDataset
from engine.generative import dbn, rbm
from engine.generative.export import dbn_script, rbm_script
from engine.training.contract import Snapshot
from engine.training.group import RunGroup
from engine.training.setup import TrainingData
from engine.training.trainer import Trainer
from ui.canvas import live_chart, live_metrics
from ui.comparison_figures import comparison_figure, race_metrics
from ui.feed import Metric
from ui.figures import curves_figure
from ui.generative_figures import animation_figure, filters_figure, tiles_figure
from ui.jobs import job_result, shared_job, start_job
from ui.lessons import lesson
from ui.links import open_lab, page_section, section_param, stop_on_bad_input, write_url
from ui.live import between_chunks, lab_trainer, live_fragment, run_controls, run_message
from ui.models import export_buttons
from ui.rbm_controls import (
    dbn_controls,
    dbn_settings,
    rbm_controls,
    rbm_settings,
    read_link,
    seed_control,
    seed_widgets,
)
from ui.vision_data import cached_dataset

NO_TOOLBAR = {"displayModeBar": False}
SECTIONS = ("Restricted Boltzmann machine", "Deep belief network")


# ----------------------------------------------------------------- RBM
def rbm_trainer(settings: rbm.RbmSettings, dataset: ImageDataset) -> Trainer:
    observer = rbm.RbmObserver((rbm.IMAGE_SIDE, rbm.IMAGE_SIDE))

    def new_run():
        return rbm.make_run(settings, rbm.flatten(dataset.x_train), rbm.flatten(dataset.x_test))

    trainer, _ = lab_trainer("rbm", settings.structure(), new_run, observer, rbm.run_settings(settings))
    return trainer


def _draw_rbm(snapshot: Snapshot) -> None:
    live_metrics(_rbm_metrics, "rbm_metrics", snapshot)
    run_message(snapshot)
    live_chart(lambda shown: curves_figure(shown.history, ("reconstruction_error", "free_energy")), "rbm_curves",
               snapshot, config=NO_TOOLBAR)
    view = snapshot.view
    if view is None:
        return
    filters, pairs = st.columns(2)
    with filters:
        units = min(64, view.filters.shape[2])
        st.markdown(f"**What each hidden unit looks for** (weights of the first {units} units as 8×8 images: "
                    "blue turns the unit on, orange turns it off, pale means unused)")
        live_chart(lambda shown: filters_figure(shown.view.filters[:, :, :units], 8, width=420), "rbm_filters",
                   snapshot, config=NO_TOOLBAR)
    with pairs:
        st.markdown("**Test images (top) and their reconstructions** through the hidden layer and back")
        live_chart(lambda shown: tiles_figure(np.concatenate([shown.view.originals, shown.view.reconstructions]),
                                              len(shown.view.originals)),
                   "rbm_pairs", snapshot, config=NO_TOOLBAR)


def _rbm_metrics(snapshot: Snapshot) -> list[Metric]:
    """The epoch, the test reconstruction error and the free energies."""
    latest = snapshot.latest
    return [
        Metric("Epoch", f"{snapshot.epoch:,}"),
        Metric("Test reconstruction error", f"{latest['val_reconstruction_error']:.4f}"
               if "val_reconstruction_error" in latest else "–",
               help="Mean squared difference per pixel between a test image and its one-step reconstruction."),
        Metric("Free energy (train)", f"{latest['free_energy']:.1f}" if "free_energy" in latest else "–",
               help="Lower free energy = more probable under the model."),
        Metric("Free energy (test)", f"{latest['val_free_energy']:.1f}" if "val_free_energy" in latest else "–",
               help="A test value well above the training value means the RBM is memorising its images."),
    ]


def gibbs_section(trainer: Trainer) -> None:
    st.markdown(lesson("rbm", "gibbs"))
    steps, every, seed = st.columns(3)
    num_steps = steps.slider("Gibbs steps", 10, 1000, 200, step=10, key="rbm_chain_steps", persist_state="session")
    record_every = every.select_slider("Show every", [1, 2, 5, 10, 20, 50], 5, key="rbm_chain_every",
                                       persist_state="session")
    chain_seed = seed.number_input("Chain seed", 0, 2**31 - 1, 0, key="rbm_chain_seed", persist_state="session")
    frames = between_chunks(trainer, "rbm_chain_kept", (num_steps, record_every, chain_seed),
                            lambda run: rbm.gibbs_chain(run, int(num_steps), int(record_every), int(chain_seed)))
    images = frames.reshape(len(frames), frames.shape[1], rbm.IMAGE_SIDE, rbm.IMAGE_SIDE, 1)
    names = [str(index * int(record_every)) for index in range(len(frames))]
    st.plotly_chart(animation_figure(images, 8, names), key="rbm_chain", config=NO_TOOLBAR)


def _epochs(count: int) -> str:
    return f"{count:,} epoch" + ("" if count == 1 else "s")


def reference_section(settings: rbm.RbmSettings, dataset: ImageDataset, trainer: Trainer) -> None:
    epochs = trainer.snapshot().epoch
    if not epochs:
        st.caption("Train a few epochs, then compare with scikit-learn's RBM trained for as many.")
        return
    if st.button(f"Train scikit-learn's BernoulliRBM for {_epochs(epochs)} and compare", key="rbm_reference"):
        ours, trained = trainer.snapshot().latest["val_reconstruction_error"], min(epochs, 200)
        x_train, x_test = rbm.flatten(dataset.x_train), rbm.flatten(dataset.x_test)
        start_job("rbm_reference", lambda report: (
            ours, epochs, settings.cd_steps, rbm.sklearn_reference(x_train, x_test, settings, trained, report)))
    compared = job_result("rbm_reference", "scikit-learn is training")
    if compared:
        ours, ours_epochs, cd_steps, theirs = compared
        st.markdown(f"Test reconstruction error after {_epochs(ours_epochs)}: **ours {ours:.4f}** "
                    f"(CD-{cd_steps}), **scikit-learn {theirs:.4f}** (persistent CD-1), same size, rate "
                    f"and batch{' (scikit-learn capped at 200 epochs)' if ours_epochs > 200 else ''}.")


# ----------------------------------------------------------------- DBN
def pretrained_stack(settings: dbn.DbnSettings, dataset: ImageDataset) -> dbn.Stack | None:
    """The greedy pre-training, in the background and shared by every session with the same
    settings; its progress bar (and None) until it is done."""
    job = shared_job("dbn-pretraining", settings, lambda report: dbn.pretrain(dataset, settings, report))
    return job_result(job, f"Pre-training two RBMs for {settings.pretrain_epochs} epochs each")


def _nothing(group: RunGroup) -> None:
    """The comparison's curves come from its history alone: nothing else to observe."""


def dbn_trainer(settings: dbn.DbnSettings, task: TrainingData, stack: dbn.Stack) -> Trainer:
    trainer, _ = lab_trainer(
        "dbn", settings.structure(),
        lambda: dbn.make_run(settings, task, stack), _nothing, dbn.run_settings(settings),
    )
    return trainer


def _draw_dbn(snapshot: Snapshot, num_labelled: int) -> None:
    live_metrics(lambda shown: race_metrics(shown, dbn.MEMBERS), "dbn_metrics", snapshot)
    st.caption(f"Test accuracy on every test digit, after learning from {num_labelled} labelled images.")
    run_message(snapshot)
    live_chart(lambda shown: comparison_figure(shown.history, dbn.MEMBERS), "dbn_curves", snapshot, config=NO_TOOLBAR)


def dbn_section(dataset: ImageDataset) -> None:
    """The deep belief net's race: pre-training (in the background), then three classifiers side by side."""
    st.markdown(lesson("rbm", "dbn"))
    with stop_on_bad_input():
        belief = dbn_controls()
        stack = pretrained_stack(belief.pretraining_only(), dataset)
        if stack is None:
            return
        task = dbn.labelled_task(dataset, belief.labelled_per_class, belief.seed)
        comparison = dbn_trainer(belief, task, stack)
    st.caption("Pre-trained without labels on all training digits: reconstruction error "
               + ", ".join(f"{error:.4f}" for error in stack.reconstruction_errors) + " (RBM 1, RBM 2).")
    run_controls(comparison, "dbn")
    live_fragment(comparison, "dbn", lambda snapshot: _draw_dbn(snapshot, len(task.x_train)))
    st.markdown(lesson("rbm", "dbn_reading"))
    with st.expander("Export: a script that replays the experiment, the three classifiers, the race's history"):
        export_buttons("dbn", "dbn", comparison, script=lambda: dbn_script(belief), models="zip")


def main() -> None:
    open_lab("rbm", "RBMs and deep belief networks", lesson("rbm", "intro"), read_link, seed_widgets)
    dataset = cached_dataset("digits", rbm.IMAGE_SIDE, seed_control())
    if page_section("rbm", SECTIONS) == SECTIONS[0]:
        with stop_on_bad_input():
            machine = rbm_controls()
            trainer = rbm_trainer(machine, dataset)
        run_controls(trainer, "rbm")
        live_fragment(trainer, "rbm", _draw_rbm)
        with st.expander("Gibbs chain: let the RBM dream", expanded=True):
            gibbs_section(trainer)
        with st.expander("Cross-check with scikit-learn"):
            reference_section(machine, dataset, trainer)
        with st.expander("Export: a runnable script, the RBM as a Keras model, and the history"):
            export_buttons("rbm", "rbm", trainer, script=lambda: rbm_script(machine))
    else:
        dbn_section(dataset)
    write_url({**rbm.to_query_params(rbm_settings()), **dbn.to_query_params(dbn_settings()),
               **section_param("rbm", SECTIONS)})


main()
