"""The CNN lab's controls: data, an editable layer table, and training settings.

The layer list is a ``st.data_editor`` table (rows can be added, removed and edited); a
preset replaces it. Like the convolution lab's kernel, the table's widget key carries a
version so a preset load starts it afresh from the preset's rows.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
import streamlit as st
from streamlit_drawable_canvas import st_canvas

from engine.data.image_sets import ImageDataset
from engine.data.images import load_upload
from engine.fields import bounds
from engine.models.layers import ACTIVATIONS, LayerSpec
from engine.training.optimizers import OPTIMIZERS
from engine.vision.cnn import COLUMNS, MAX_LAYERS, PRESETS, TABLE_KINDS, editor_rows, tidy_rows
from engine.vision.cnn_lab import DATA_CHOICES, UPLOAD, CnnLabSettings
from engine.vision.digit_input import prepare_digit
from engine.vision.lime import MAX_SAMPLES
from ui import links
from ui.editors import remember_shown, shown_before_leaving
from ui.playground_controls import LEARNING_RATES
from ui.text import literal

CUSTOM = "Custom"


def _load_preset() -> None:
    name = st.session_state["cnn_preset"]
    if name in PRESETS:
        st.session_state["cnn_layers"] = editor_rows(PRESETS[name].layers)
        st.session_state["cnn_size"] = PRESETS[name].image_size
        st.session_state["cnn_table_version"] = st.session_state.get("cnn_table_version", 0) + 1


@dataclass(frozen=True)
class ZipUpload:
    """The zip of class folders this session trains on, kept apart from the uploader (whose state a page
    change drops)."""

    name: str
    file_id: str
    data: bytes


def _use_upload() -> None:
    """A new zip becomes the data; removing it from the uploader goes back to the digits."""
    state = st.session_state
    upload = state.get("cnn_zip")
    if upload is not None:
        state["cnn_zip_file"] = ZipUpload(upload.name, upload.file_id, upload.getvalue())
        state["cnn_data"] = UPLOAD
    else:
        state.pop("cnn_zip_file", None)
        if state.get("cnn_data") == UPLOAD:
            state["cnn_data"] = CnnLabSettings().dataset


def seed_widgets(settings: CnnLabSettings) -> None:
    """Set every control from settings (before the widgets are drawn)."""
    preset = next((name for name, item in PRESETS.items() if item.layers == settings.layers), CUSTOM)
    links.seed_widgets("cnn", settings, skip=("layers",))
    st.session_state.update({
        "cnn_preset": preset, "cnn_layers": editor_rows(settings.layers),
        "cnn_table_version": st.session_state.get("cnn_table_version", 0) + 1,
    })


def sidebar_controls() -> None:
    """Data set, image size, seed and training settings."""
    with st.sidebar:
        st.header("Data")
        st.selectbox("Data set", list(DATA_CHOICES), format_func=DATA_CHOICES.__getitem__, key="cnn_data",
                     persist_state="session")
        with st.expander("Your images", expanded=st.session_state["cnn_data"] == UPLOAD):
            st.file_uploader(
                "A zip with one folder of images per class", type=["zip"], key="cnn_zip", on_change=_use_upload,
                help="For example cats/1.jpg, cats/2.png, dogs/1.jpg. Images become grayscale squares; "
                     "files that are not images are skipped and listed.")
            kept = st.session_state.get("cnn_zip_file")
            if kept is not None:
                st.caption(f"In use: {literal(kept.name)}")
        st.number_input("Image size (pixels a side)", *bounds(CnnLabSettings, "size"), key="cnn_size", persist_state="session",
                        help="Images are resized to this; presets set the size their design expects.")
        st.number_input("Seed", *bounds(CnnLabSettings, "seed"), key="cnn_seed",
                        persist_state="session", help="Data split, initial weights and shuffling.")
        st.header("Training")
        st.selectbox("Optimizer", list(OPTIMIZERS), format_func=OPTIMIZERS.__getitem__, key="cnn_optimizer",
                     persist_state="session")
        rates = sorted({*LEARNING_RATES, st.session_state.get("cnn_lr", 0.003)})
        st.select_slider("Learning rate", rates, key="cnn_lr", persist_state="session")
        st.select_slider("Batch size", [8, 16, 32, 64, 128, 256], key="cnn_batch", persist_state="session")


def architecture_controls() -> list[dict]:
    """Preset and layer table; returns the table's rows as the user left them."""
    lost_edits = shown_before_leaving("cnn_layers")
    if lost_edits is not None:
        st.session_state["cnn_layers"] = lost_edits
    st.selectbox("Preset", [CUSTOM, *PRESETS], key="cnn_preset", persist_state="session", on_change=_load_preset)
    if st.session_state["cnn_preset"] in PRESETS:
        st.caption(PRESETS[st.session_state["cnn_preset"]].description)
    frame = pd.DataFrame(st.session_state["cnn_layers"], columns=list(COLUMNS))
    editor_key = f"cnn_table_{st.session_state['cnn_table_version']}"
    edited = st.data_editor(
        frame, key=editor_key, num_rows="dynamic", hide_index=True,
        width="stretch",
        column_config={
            "kind": st.column_config.SelectboxColumn("layer", options=list(TABLE_KINDS), required=True),
            "filters": st.column_config.NumberColumn("filters", min_value=1, max_value=128, step=1),
            "kernel_size": st.column_config.NumberColumn("kernel", min_value=1, max_value=7, step=1),
            "strides": st.column_config.NumberColumn("stride", min_value=1, max_value=4, step=1),
            "padding": st.column_config.SelectboxColumn("padding", options=["same", "valid"]),
            "activation": st.column_config.SelectboxColumn("activation", options=list(ACTIVATIONS)),
            "pool_size": st.column_config.NumberColumn("pool", min_value=1, max_value=4, step=1),
            "rate": st.column_config.NumberColumn("dropout", min_value=0.0, max_value=0.9, step=0.05),
            "units": st.column_config.NumberColumn("units", min_value=1, max_value=512, step=1),
        },
    )
    rows = edited.to_dict("records")
    tidy = tidy_rows(rows)
    if tidy is not None:  # a row changed its kind: show only the cells that kind has, from a fresh table
        st.session_state["cnn_layers"] = tidy
        st.session_state["cnn_table_version"] += 1
        st.rerun()
    remember_shown("cnn_layers", editor_key, rows)
    st.caption("Empty cells do not apply to that kind of layer; choosing another kind fills in its own.")
    return rows


def settings_from_widgets(rows: list[dict]) -> CnnLabSettings:
    """Settings from the widgets and the layer table; ``ValueError`` names a bad row."""
    if len(rows) > MAX_LAYERS:
        raise ValueError(f"Expected at most {MAX_LAYERS} layers. Received: {len(rows)}.")
    layers = []
    defaults = LayerSpec("dense")
    for index, row in enumerate(rows, start=1):
        values: dict[str, Any] = {column: row.get(column) for column in COLUMNS}
        if not values["kind"] or pd.isna(values["kind"]):
            raise ValueError(f"Row {index} has no layer kind: pick one or delete the row.")
        for column in COLUMNS[1:]:  # an empty cell takes the default
            if values[column] is None or (not isinstance(values[column], str) and pd.isna(values[column])):
                values[column] = getattr(defaults, column)
        try:
            layers.append(LayerSpec(
                kind=str(values["kind"]), filters=int(values["filters"]), kernel_size=int(values["kernel_size"]),
                strides=int(values["strides"]), padding=str(values["padding"]), activation=str(values["activation"]),
                pool_size=int(values["pool_size"]), rate=float(values["rate"]), units=int(values["units"]),
            ))
        except ValueError as error:
            raise ValueError(f"Row {index}: {error}") from None
    return links.settings_from_widgets("cnn", CnnLabSettings, {"layers": tuple(layers)})


@dataclass(frozen=True)
class ChosenImage:
    """The image the "inside" views explain.

    Attributes:
        image: (size, size, 1) network input, or None when there is nothing to show yet.
        label: the true class id for a test image, else None.
        message: why there is no image, or what was done to a drawing or upload.
        refused: whether the message says why an upload or a drawing could not be used.
    """

    image: np.ndarray | None
    label: int | None = None
    message: str = ""
    refused: bool = False


SOURCES = ("A test image", "Draw one", "Upload one")


def image_choice(dataset: ImageDataset) -> ChosenImage:
    """A test image by index, a drawing on a canvas, or an uploaded picture, as network input."""
    source = st.radio("Image", SOURCES, horizontal=True, key="cnn_source", persist_state="session")
    if source == SOURCES[0]:
        index = st.number_input("Test image", 0, len(dataset.x_test) - 1, key="cnn_image", persist_state="session")
        return ChosenImage(dataset.x_test[index], int(dataset.y_test[index]))
    if source == SOURCES[1]:
        st.caption("Draw with the mouse or a finger, large and centred; the bin icon clears the canvas.")
        drawing = st_canvas(stroke_width=18, stroke_color="#FFFFFF", background_color="#000000", height=224,
                            width=224, drawing_mode="freedraw", return_image_data=True, key="cnn_canvas")
        pixels = drawing.image_data
        if pixels is None:
            return ChosenImage(None, message="Draw a digit in the black square to see what the network makes of it.")
        return _prepared(pixels, dataset.image_size, "your drawing")
    upload = st.file_uploader("A picture of one digit or object", type=["png", "jpg", "jpeg", "webp", "bmp", "gif"],
                              key="cnn_digit_upload")
    if upload is None:
        return ChosenImage(None, message="Upload a picture: dark ink on light paper or light on dark both work.")
    try:
        pixels = load_upload(upload.getvalue()).pixels
    except ValueError as error:
        return ChosenImage(None, message=literal(f"{upload.name} was not used: {error}"), refused=True)
    return _prepared(pixels, dataset.image_size, upload.name)


def _prepared(pixels: np.ndarray, image_size: int, what: str) -> ChosenImage:
    try:
        prepared = prepare_digit(pixels, image_size)
    except ValueError as error:
        return ChosenImage(None, message=literal(str(error)), refused=True)
    flipped = " (dark ink on a light background, so light and dark were swapped)" if prepared.inverted else ""
    return ChosenImage(prepared.image, message=f"The network sees {what} cropped to its ink, centred and scaled to "
                                               f"{image_size}×{image_size} pixels{flipped}.")


@dataclass(frozen=True)
class LimeOptions:
    """How the LIME explanation is drawn: samples, superpixels and seed."""

    num_samples: int
    num_segments: int
    seed: int


def lime_controls(image_size: int) -> LimeOptions:
    """Samples, superpixels and seed of the LIME explanation."""
    samples, segments, seed = st.columns(3)
    return LimeOptions(
        num_samples=samples.select_slider("LIME samples", [100, 250, 500, 1000, MAX_SAMPLES], value=500,
                                          key="cnn_lime_samples",
                                          persist_state="session", help="Perturbed copies scored by the network."),
        num_segments=segments.slider("Superpixels", 4, min(64, image_size * image_size // 2), min(16, image_size * 2),
                                     key="cnn_lime_segments",
                                     persist_state="session", help="Regions hidden or shown together."),
        seed=seed.number_input("LIME seed", 0, 2**31 - 1, 0, key="cnn_lime_seed", persist_state="session",
                               help="Same seed, same regions and perturbations, same answer."),
    )
