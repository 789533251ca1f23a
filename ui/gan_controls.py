"""Controls of the GAN labs: the game's settings (shared by both pages), networks, targets, drawn points."""

from __future__ import annotations

import numpy as np
import streamlit as st
from streamlit_drawable_canvas import st_canvas

from engine.data.image_sets import DATASETS
from engine.fields import bounds, spec
from engine.generative.gan import LOSSES, PARTS, GanTraining
from engine.generative.image_gan import ImageGanSettings
from engine.generative.point_gan import PointGanSettings
from engine.generative.targets import (
    LINK_POINTS,
    MAX_CUSTOM_POINTS,
    TARGETS,
    check_points,
    ink_mask,
    points_from_csv,
    points_from_mask,
)
from engine.training.optimizers import OPTIMIZERS
from ui import links
from ui.playground_controls import LEARNING_RATES, with_current
from ui.text import literal

UNITS = [4, 8, 16, 32, 64, 128, 256]
BATCH_SIZES = [16, 32, 64, 128, 256]
CANVAS_SIZE = 280
DRAWN_POINTS = 600


def training_sidebar(prefix: str) -> None:
    """Each network's optimizer and learning rate, k, the loss and the batch size."""
    with st.sidebar:
        st.header("The game")
        for network, name in (("d", "Discriminator"), ("g", "Generator")):
            optimizer, rate = st.columns(2)
            optimizer.selectbox(f"{name} optimizer", list(OPTIMIZERS), format_func=OPTIMIZERS.__getitem__,
                                key=f"{prefix}_{network}_opt", persist_state="session")
            rate.select_slider(f"{name} learning rate", with_current(LEARNING_RATES, f"{prefix}_{network}_lr"),
                               key=f"{prefix}_{network}_lr", persist_state="session")
        st.slider("Momentum (Adam's β₁)", *bounds(GanTraining, "momentum"), step=0.01, key=f"{prefix}_momentum", persist_state="session",
                  help="Both networks' momentum: Adam's β₁, or SGD's velocity decay. GANs train steadier at 0.5 "
                       "than at the usual 0.9, where each network overshoots the other's last move.")
        st.slider("k: discriminator steps per generator step", *bounds(GanTraining, "k"), key=f"{prefix}_k",
                  persist_state="session")
        st.selectbox("Loss", list(LOSSES), format_func=LOSSES.__getitem__, key=f"{prefix}_loss", persist_state="session")
        st.select_slider("Batch size", with_current(BATCH_SIZES, f"{prefix}_batch"), key=f"{prefix}_batch",
                         persist_state="session")


def part_control(prefix: str) -> None:
    """Which network the next steps train: both, or one alone (applies live)."""
    st.radio("Train", list(PARTS), format_func=PARTS.__getitem__, key=f"{prefix}_train",
             persist_state="session", horizontal=True,
             help="Step or play with only one network learning, to watch each half of the game by itself.")


# ----------------------------------------------------------------- 2-D GAN
def seed_point_widgets(linked: tuple[PointGanSettings, np.ndarray | None]) -> None:
    """Set every control of the 2-D GAN from settings (before the widgets are drawn), and a link's own points."""
    settings, points = linked
    if points is not None:
        _keep_points(lambda: points, "the link")
    links.seed_widgets("gan", settings, skip=("g", "d"))
    st.session_state.update({
        "gan_g_depth": len(settings.g_layers), "gan_g_units": settings.g_layers[0],
        "gan_d_depth": len(settings.d_layers), "gan_d_units": settings.d_layers[0],
    })


def point_sidebar() -> None:
    """Target, the two networks' sizes and the seed."""
    with st.sidebar:
        st.header("Data")
        st.selectbox("Target distribution", list(TARGETS), format_func=TARGETS.__getitem__, key="gan_target",
                     persist_state="session")
        st.number_input("Seed", *bounds(PointGanSettings, "seed"), key="gan_seed",
                        persist_state="session", help="Weights, noise and the target's points.")
        st.header("Networks")
        for network, name in (("g", "Generator"), ("d", "Discriminator")):
            depth, units = st.columns(2)
            depth.number_input(f"{name} layers", 1, spec(PointGanSettings, network).max_length, key=f"gan_{network}_depth", persist_state="session")
            units.select_slider("units each", with_current(UNITS, f"gan_{network}_units"), key=f"gan_{network}_units",
                                persist_state="session")
        st.slider("Noise numbers", *bounds(PointGanSettings, "noise"), key="gan_noise", persist_state="session",
                  help="The generator's input. With 2 the page can show how it bends a grid of noise.")
    training_sidebar("gan")


def point_settings_from_widgets() -> PointGanSettings:
    """The 2-D GAN's settings; each network's layers are a depth and one width for all."""
    state = st.session_state
    return links.settings_from_widgets("gan", PointGanSettings, {
        network: (int(state[f"gan_{network}_units"]),) * int(state[f"gan_{network}_depth"]) for network in ("g", "d")})


def custom_points_controls() -> np.ndarray | None:
    """Draw a distribution or upload a CSV of points; returns the points in use (kept in the session)."""
    draw, upload = st.columns([3, 2])
    with draw:
        st.caption(f"Draw where the data should be (the square is [-1, 1]²), then press **Use drawing**. "
                   f"Up to {DRAWN_POINTS} points are taken from the ink.")
        drawing = st_canvas(stroke_width=10, stroke_color="#0877bd", background_color="#ffffff", height=CANVAS_SIZE,
                            width=CANVAS_SIZE, drawing_mode="freedraw", return_image_data=True, key="gan_canvas")
        if st.button("Use drawing", key="gan_use_drawing"):
            ink = ink_mask(drawing.image_data) if drawing.image_data is not None else np.zeros((1, 1), bool)
            _keep_points(lambda: check_points(points_from_mask(ink, DRAWN_POINTS, seed=0)), "your drawing")
    with upload:
        st.file_uploader(f"Or a CSV of points (x, y; up to {MAX_CUSTOM_POINTS:,})", type=["csv", "txt"],
                         key="gan_csv", on_change=_read_csv)
        if st.session_state.get("gan_points_note"):
            st.caption(literal(st.session_state["gan_points_note"]))
        st.caption(f"A share link carries up to {LINK_POINTS} of your points.")
    return st.session_state.get("gan_points")


def _read_csv() -> None:
    upload = st.session_state.get("gan_csv")
    if upload is not None:
        _keep_points(lambda: points_from_csv(upload.getvalue()), upload.name + " (scaled to fit the square)")


def _keep_points(read, source: str) -> None:
    """Store new points, or keep the old ones and say why the new ones were refused."""
    try:
        points = read()
    except ValueError as error:
        st.session_state["gan_points_note"] = f"Not used: {error} The points in use did not change."
        return
    st.session_state["gan_points"] = points
    st.session_state["gan_points_version"] = st.session_state.get("gan_points_version", 0) + 1
    st.session_state["gan_points_note"] = f"Using {len(points)} points from {source}."


# ----------------------------------------------------------------- image GAN
def seed_image_widgets(settings: ImageGanSettings) -> None:
    """Set every control of the image GAN from settings (before the widgets are drawn)."""
    links.seed_widgets("dcgan", settings)


def image_sidebar() -> None:
    with st.sidebar:
        st.header("Data")
        st.selectbox("Images", list(DATASETS), format_func=DATASETS.__getitem__, key="dcgan_data", persist_state="session")
        st.number_input("Seed", *bounds(ImageGanSettings, "seed"), key="dcgan_seed",
                        persist_state="session", help="Weights, noise and shuffling.")
        st.header("Networks")
        st.slider("Noise numbers", *bounds(ImageGanSettings, "noise"), key="dcgan_noise", persist_state="session")
        st.select_slider("Filters", [8, 16, 32, 64, 128], key="dcgan_filters", persist_state="session",
                         help="Channels of the generator's last and the discriminator's first convolution.")
    training_sidebar("dcgan")


def image_settings_from_widgets() -> ImageGanSettings:
    return links.settings_from_widgets("dcgan", ImageGanSettings)
