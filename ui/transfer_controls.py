"""The transfer-learning lab's controls: the data, the class split, the fine-tuning modes' settings."""

from __future__ import annotations

import streamlit as st

from engine.data.image_sets import DATASETS, class_names
from engine.fields import bounds
from engine.jobs import Job
from engine.training.optimizers import OPTIMIZERS
from engine.vision.transfer import Pretrained, TransferData, TransferSettings, pretrain
from ui import links
from ui.jobs import shared_job
from ui.playground_controls import LEARNING_RATES


def seed_widgets(settings: TransferSettings) -> None:
    """Set every control from settings (before the widgets are drawn)."""
    links.seed_widgets("tl", settings)


def sidebar_controls() -> None:
    """Data set, image size, seed, and the training settings shared by every run."""
    with st.sidebar:
        st.header("Data")
        st.selectbox("Data set", list(DATASETS), format_func=DATASETS.__getitem__, key="tl_data", persist_state="session")
        st.number_input("Image size (pixels a side)", *bounds(TransferSettings, "size"), key="tl_size", persist_state="session",
                        help="The network pools twice, so 8 pixels is the smallest that works.")
        st.number_input("Seed", *bounds(TransferSettings, "seed"), key="tl_seed", persist_state="session",
                        help="Which labelled images are picked, the initial weights and the shuffling.")
        st.header("Training")
        st.selectbox("Optimizer", list(OPTIMIZERS), format_func=OPTIMIZERS.__getitem__, key="tl_optimizer",
                     persist_state="session")
        rates = sorted({*LEARNING_RATES, st.session_state.get("tl_lr", 0.003)})
        st.select_slider("Learning rate", rates, key="tl_lr", persist_state="session",
                         help="Of every fine-tuning run, live. Pre-training always uses Adam at 0.003.")
        st.select_slider("Batch size", [8, 16, 32, 64, 128, 256], key="tl_batch", persist_state="session")


def experiment_controls() -> None:
    """Which classes pre-train, how few labels the rest get, and how much is unfrozen."""
    names = class_names(st.session_state["tl_data"])
    source, labelled, pretrain, unfreeze = st.columns([2, 1, 1, 1])
    source.multiselect("Pre-train on classes", list(range(10)), key="tl_source", persist_state="session",
                       format_func=lambda label: names[label],
                       help="The other classes are the new task.")
    labelled.number_input("Labelled images per new class", *bounds(TransferSettings, "labelled"), key="tl_labelled",
                          persist_state="session")
    pretrain.number_input("Pre-training epochs", *bounds(TransferSettings, "pretrain"), key="tl_pretrain", persist_state="session")
    unfreeze.number_input("Layers to unfreeze", *bounds(TransferSettings, "unfreeze"), key="tl_unfreeze", persist_state="session",
                          help="How many of the last convolution and dense layers train in the "
                               "“last layers unfrozen” mode.")
    st.toggle("Also race a network pre-trained on ImageNet (MobileNetV2)", key="tl_imagenet", persist_state="session",
              help="A fifth run: a new output layer on the features of a network that learned from over a "
                   "million photos. Needs its weights file on this machine (about 2 MB); nothing is downloaded.")


def settings_from_widgets() -> TransferSettings:
    """Settings from the widgets; ``ValueError`` for an impossible combination."""
    return links.settings_from_widgets("tl", TransferSettings,
                                       {"source": tuple(sorted(int(label) for label in st.session_state["tl_source"]))})


def pretraining_job(settings: TransferSettings, data: TransferData) -> Job[Pretrained]:
    """The pre-training of ``settings`` (what ``pretraining_only`` keeps), in the background and shared
    by every session, and the start-up warm-up, with the same data, layers, classes and seed."""
    pretraining = settings.pretraining_only()
    return shared_job("transfer-pretraining", pretraining, lambda report: pretrain(pretraining, data, report))
