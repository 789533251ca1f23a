"""Transfer learning: pre-train a CNN on some classes, then learn the others from a few images four ways."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import streamlit as st

from engine.training.contract import Snapshot
from engine.training.history import downsample_history
from engine.training.setup import TrainingData
from engine.training.trainer import Trainer
from engine.vision.backbone import BACKBONE, find_weights
from engine.vision.cnn import layer_table
from engine.vision.transfer import (
    PRETRAIN_OPTIMIZER,
    Pretrained,
    TransferData,
    TransferSettings,
    from_query_params,
    imagenet_task,
    make_run,
    run_settings,
    split_classes,
    to_query_params,
    trainable_parameters,
)
from engine.vision.transfer_export import transfer_script
from ui.canvas import live_chart, live_metrics
from ui.comparison_figures import comparison_figure, race_metrics
from ui.figures import curves_figure
from ui.jobs import job_result, shared_job
from ui.lessons import lesson
from ui.links import open_lab, stop_on_bad_input, write_url
from ui.live import lab_trainer, live_fragment, run_controls, run_message
from ui.models import export_buttons, layer_table_view
from ui.text import literal
from ui.transfer_controls import (
    experiment_controls,
    pretraining_job,
    seed_widgets,
    settings_from_widgets,
    sidebar_controls,
)
from ui.vision_data import cached_dataset

LAB = "transfer"
WHAT_TRAINS = {
    "head": "only the new output layer",
    "last": "the last {n} pre-trained layer(s) and the new output layer",
    "all": "every layer, from the pre-trained weights",
    "scratch": "every layer, from random weights",
    "imagenet": "only a new output layer, on ImageNet features",
}


def pretrained_weights(settings: TransferSettings, data: TransferData) -> Pretrained | None:
    """Pre-trained weights (``pretraining_job``); the progress bar (and None) until they are ready."""
    job = pretraining_job(settings, data)
    sources = literal(", ".join(data.source_names))  # folder names of a zip are the learner's text
    return job_result(job, f"Pre-training on {sources} for {settings.pretrain_epochs} epochs")


def imagenet_data(settings: TransferSettings, data: TransferData) -> tuple[TransferSettings, TrainingData | None]:
    """The ImageNet run's features when it is asked for and its weights are here (computed in the
    background, shared by every session with the same split: a progress bar and None meanwhile);
    else a warning, the settings without it and None."""
    if not settings.imagenet:
        return settings, None
    weights, message = find_weights()
    if weights is None:
        st.warning(message)
        return replace(settings, imagenet=False), None
    # Keyed by the split only: the optimizer and the other live settings do not change the features.
    split = replace(settings.pretraining_only(), labelled_per_class=settings.labelled_per_class)
    job = shared_job("imagenet-features", (split, str(weights)), lambda report: imagenet_task(data, weights, report))
    return settings, job_result(job, f"{BACKBONE} is computing the features of the new classes' images")


def trainer_for(settings: TransferSettings, data: TransferData, pretrained: Pretrained,
                imagenet: TrainingData | None) -> Trainer:
    """This session's fine-tuning comparison, rebuilt when the experiment changes."""
    trainer, _ = lab_trainer(
        LAB, settings.structure(),
        lambda: make_run(settings, data, pretrained, imagenet), trainable_parameters,
        run_settings(settings),
    )
    return trainer


def pretraining_section(settings: TransferSettings, data: TransferData, pretrained: Pretrained) -> None:
    source, target = ", ".join(data.source_names), ", ".join(data.target_names)
    st.subheader(f"1 · Pre-trained on {source}")
    text, chart = st.columns([1, 2])
    with text:
        st.metric("Test accuracy on the source classes", f"{pretrained.accuracy:.1%}")
        st.markdown(f"{len(data.source.x_train):,} training images, {settings.pretrain_epochs} epochs of Adam "
                    f"at {PRETRAIN_OPTIMIZER.learning_rate:g}. "
                    f"These weights are the starting point for learning **{target}**.")
        if pretrained.message:
            st.error(f"Pre-training stopped: {pretrained.message}")
        with st.expander("The network"):
            layer_table_view(layer_table(data.source.x_train.shape[1:], settings.layers, len(data.target_names)))
    with chart:
        st.plotly_chart(curves_figure(downsample_history(pretrained.history), ("loss", "accuracy")),
                        key="tl_pretrain_curves", config={"displayModeBar": False})


def fine_tuning_section(settings: TransferSettings, data: TransferData, trainer: Trainer) -> None:
    st.subheader(f"2 · Learn {', '.join(data.target_names)} from {settings.labelled_per_class} labelled "
                 f"image(s) each ({len(data.target.x_train)} in all)")
    st.markdown(lesson("transfer", "modes"))
    run_controls(trainer, "tl")
    live_fragment(trainer, "tl", lambda snapshot: _draw_comparison(snapshot, settings, len(data.target.x_val)))


def _draw_comparison(snapshot: Snapshot, settings: TransferSettings, num_test: int) -> None:
    """One frame: test accuracy per mode, the curves side by side, and what each mode trains."""
    modes = settings.modes()
    live_metrics(lambda shown: race_metrics(shown, modes), "tl_metrics", snapshot)
    st.caption(f"Test accuracy on the {num_test} test images of the new classes.")
    run_message(snapshot)
    live_chart(lambda shown: comparison_figure(shown.history, modes), "tl_curves", snapshot)
    counts = snapshot.view or {}
    history = snapshot.history
    st.dataframe([{
        "mode": label,
        "what trains": WHAT_TRAINS[mode].format(n=settings.unfreeze_last),
        "trainable weights": f"{counts.get(mode, 0):,}",
        "test accuracy": f"{snapshot.latest[f'{mode}/val_accuracy']:.1%}" if snapshot.epoch else "–",
        "best so far": f"{np.nanmax(history[f'{mode}/val_accuracy']):.1%}" if snapshot.epoch else "–",
    } for mode, label in modes.items()], hide_index=True)


def main() -> None:
    open_lab("tl", "Transfer learning", lesson("transfer", "intro"), from_query_params, seed_widgets)
    sidebar_controls()
    experiment_controls()
    with stop_on_bad_input():
        settings = linked = settings_from_widgets()
        dataset = cached_dataset(settings.dataset, settings.image_size, settings.seed)
        data = split_classes(dataset, settings)
        pretrained = pretrained_weights(settings, data)
        ready = pretrained is not None
        if pretrained is not None:
            settings, imagenet = imagenet_data(settings, data)
            ready = not settings.imagenet or imagenet is not None
            if ready:
                trainer = trainer_for(settings, data, pretrained, imagenet)
    if dataset.note:
        st.warning(dataset.note)
    if ready:
        pretraining_section(settings, data, pretrained)
        fine_tuning_section(settings, data, trainer)
        with st.expander("Export: a script that replays the experiment, every fine-tuned model, the race's history"):
            export_buttons("tl", "transfer", trainer, script=lambda: transfer_script(settings, data), models="zip")
        st.markdown(lesson("transfer", "reading", images=len(data.target.x_train)))
    write_url(to_query_params(linked))  # as asked, even where the backbone is missing


main()
