"""The CNN lab's controls: data, an editable layer table, and training settings.

The layer list is a ``st.data_editor`` table (rows can be added, removed and edited); a
preset replaces it. Like the convolution lab's kernel, the table's widget key carries a
version so a preset load starts it afresh from the preset's rows.
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

from engine.training.optimizers import OPTIMIZERS, OptimizerConfig
from engine.vision.cnn import CONV_ACTIVATIONS, KINDS, MAX_LAYERS, PRESETS, LayerSpec
from engine.vision.cnn_lab import CnnLabSettings
from engine.vision.image_data import DATASETS
from ui.playground_controls import LEARNING_RATES

COLUMNS = ("kind", "filters", "kernel_size", "strides", "padding", "activation", "pool_size", "rate", "units")
CUSTOM = "Custom"


def _rows(layers: tuple[LayerSpec, ...]) -> list[dict]:
    return [{column: getattr(layer, column) for column in COLUMNS} for layer in layers]


def _load_preset() -> None:
    name = st.session_state["cnn_preset"]
    if name in PRESETS:
        st.session_state["cnn_layers"] = _rows(PRESETS[name].layers)
        st.session_state["cnn_size"] = PRESETS[name].image_size
        st.session_state["cnn_table_version"] = st.session_state.get("cnn_table_version", 0) + 1


def seed_widgets(settings: CnnLabSettings) -> None:
    """Set every control from settings (before the widgets are drawn)."""
    preset = next((name for name, item in PRESETS.items() if item.layers == settings.layers), CUSTOM)
    st.session_state.update({
        "cnn_dataset": settings.dataset, "cnn_seed": settings.seed, "cnn_size": settings.image_size,
        "cnn_preset": preset, "cnn_layers": _rows(settings.layers),
        "cnn_optimizer": settings.optimizer.name, "cnn_lr": settings.optimizer.learning_rate,
        "cnn_batch": settings.batch_size,
        "cnn_table_version": st.session_state.get("cnn_table_version", 0) + 1,
    })


def sidebar_controls() -> None:
    """Data set, image size, seed and training settings."""
    with st.sidebar:
        st.header("Data")
        st.selectbox("Data set", list(DATASETS), format_func=DATASETS.get, key="cnn_dataset")
        st.number_input("Image size (pixels a side)", 4, 64, key="cnn_size",
                        help="Images are resized to this; presets set the size their design expects.")
        st.number_input("Seed", 0, 2**31 - 1, key="cnn_seed", help="Data split, initial weights and shuffling.")
        st.header("Training")
        st.selectbox("Optimizer", list(OPTIMIZERS), format_func=OPTIMIZERS.get, key="cnn_optimizer")
        rates = sorted({*LEARNING_RATES, st.session_state.get("cnn_lr", 0.003)})
        st.select_slider("Learning rate", rates, key="cnn_lr")
        st.select_slider("Batch size", [8, 16, 32, 64, 128, 256], key="cnn_batch")


def architecture_controls() -> list[dict]:
    """Preset and layer table; returns the table's rows as the user left them."""
    st.selectbox("Preset", [CUSTOM, *PRESETS], key="cnn_preset", on_change=_load_preset)
    if st.session_state["cnn_preset"] in PRESETS:
        st.caption(PRESETS[st.session_state["cnn_preset"]].description)
    frame = pd.DataFrame(st.session_state["cnn_layers"], columns=list(COLUMNS))
    edited = st.data_editor(
        frame, key=f"cnn_table_{st.session_state['cnn_table_version']}", num_rows="dynamic", hide_index=True,
        width="stretch",
        column_config={
            "kind": st.column_config.SelectboxColumn("layer", options=list(KINDS), required=True),
            "filters": st.column_config.NumberColumn("filters", min_value=1, max_value=128, step=1),
            "kernel_size": st.column_config.NumberColumn("kernel", min_value=1, max_value=7, step=1),
            "strides": st.column_config.NumberColumn("stride", min_value=1, max_value=4, step=1),
            "padding": st.column_config.SelectboxColumn("padding", options=["same", "valid"]),
            "activation": st.column_config.SelectboxColumn("activation", options=list(CONV_ACTIVATIONS)),
            "pool_size": st.column_config.NumberColumn("pool", min_value=1, max_value=4, step=1),
            "rate": st.column_config.NumberColumn("dropout", min_value=0.0, max_value=0.9, step=0.05),
            "units": st.column_config.NumberColumn("units", min_value=1, max_value=512, step=1),
        },
    )
    return edited.to_dict("records")


def settings_from_widgets(rows: list[dict]) -> CnnLabSettings:
    """Settings from the widgets and the layer table; ``ValueError`` names a bad row."""
    if len(rows) > MAX_LAYERS:
        raise ValueError(f"Expected at most {MAX_LAYERS} layers. Received: {len(rows)}.")
    layers = []
    defaults = LayerSpec("dense")
    for index, row in enumerate(rows, start=1):
        values = {column: row.get(column) for column in COLUMNS}
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
    state = st.session_state
    return CnnLabSettings(
        dataset=state["cnn_dataset"], image_size=state["cnn_size"], layers=tuple(layers),
        optimizer=OptimizerConfig(state["cnn_optimizer"], state["cnn_lr"]), batch_size=state["cnn_batch"],
        seed=state["cnn_seed"],
    )
