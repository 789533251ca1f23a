"""The autoencoder lab's controls: data and model in the sidebar, live β and noise, a share link."""

from __future__ import annotations

import streamlit as st

from engine.data.image_sets import DATASETS
from engine.fields import bounds
from engine.generative.autoencoder import ARCHITECTURES, KINDS, AutoencoderSettings
from engine.training.optimizers import OPTIMIZERS
from ui import links
from ui.playground_controls import LEARNING_RATES, with_current

HIDDEN_UNITS = [16, 32, 64, 128, 256, 512, 1024]
BATCH_SIZES = [16, 32, 64, 128, 256, 512]


def sidebar_controls() -> None:
    """Data, model shape, seed and the optimizer."""
    with st.sidebar:
        st.header("Data")
        st.selectbox("Images", list(DATASETS), format_func=DATASETS.__getitem__, key="ae_data", persist_state="session")
        st.header("Model")
        st.radio("Model", list(KINDS), format_func=KINDS.__getitem__, key="ae_model", persist_state="session")
        st.radio("Encoder and decoder", list(ARCHITECTURES), format_func=ARCHITECTURES.__getitem__, key="ae_arch",
                 persist_state="session",
                 horizontal=True)
        st.slider("Code size (bottleneck)", *bounds(AutoencoderSettings, "latent"), key="ae_latent", persist_state="session",
                  help="How many numbers each image is squeezed into. 2 can be drawn as a map.")
        st.select_slider("Hidden units", with_current(HIDDEN_UNITS, "ae_units"), key="ae_units",
                         persist_state="session",
                         help="Units of the encoder's first dense layer (the next one has half); the decoder mirrors it.")
        st.number_input("Seed", *bounds(AutoencoderSettings, "seed"), key="ae_seed",
                        persist_state="session", help="Initial weights, noise and shuffling.")
        st.header("Training")
        st.selectbox("Optimizer", list(OPTIMIZERS), format_func=OPTIMIZERS.__getitem__, key="ae_optimizer",
                     persist_state="session")
        st.select_slider("Learning rate", with_current(LEARNING_RATES, "ae_lr"), key="ae_lr", persist_state="session")
        st.select_slider("Batch size", with_current(BATCH_SIZES, "ae_batch"), key="ae_batch", persist_state="session")


def live_controls() -> None:
    """β (VAE) and the denoising noise level: they change the running model's training at once."""
    beta, noise = st.columns(2)
    beta.slider("β (weight of the KL term)", *bounds(AutoencoderSettings, "beta"), step=0.1, key="ae_beta", persist_state="session",
                disabled=st.session_state["ae_model"] != "vae",
                help="0: a plain autoencoder with noisy codes. 1: the standard VAE. Larger: smoother, blurrier.")
    noise.slider("Input noise (denoising)", *bounds(AutoencoderSettings, "noise"), step=0.05, key="ae_noise", persist_state="session",
                 help="Standard deviation of the noise added to each input; the target stays the clean image.")


def seed_widgets(settings: AutoencoderSettings) -> None:
    """Set every control from settings (before the widgets are drawn)."""
    links.seed_widgets("ae", settings)


def settings_from_widgets() -> AutoencoderSettings:
    """Settings from the widgets; ``ValueError`` when they cannot work."""
    return links.settings_from_widgets("ae", AutoencoderSettings)
