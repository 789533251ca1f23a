"""The forecasting race's controls: the series (or a CSV column), the windows, the cells and their training."""

from __future__ import annotations

import hashlib

import numpy as np
import streamlit as st

from engine.fields import bounds
from engine.sequence.forecast import CELL_NAMES, SERIES_CHOICES, UPLOAD, ForecastSettings
from engine.sequence.series import MAX_SERIES_BYTES, SeriesTable, read_series_csv
from engine.training.optimizers import OPTIMIZERS
from ui import links
from ui.lessons import lesson
from ui.playground_controls import LEARNING_RATES, with_current
from ui.text import literal

UNITS = [1, 2, 4, 8, 16, 32, 64, 128]
BATCH_SIZES = [8, 16, 32, 64, 128, 256, 512]


def seed_widgets(settings: ForecastSettings) -> None:
    """Set every control from settings (before the widgets are drawn)."""
    links.seed_widgets("fc", settings)


def sidebar_controls() -> None:
    """The series and its windows, the cells' shape, the seed and the optimizer."""
    with st.sidebar:
        st.header("Series", help=lesson("forecasting", "series"))
        st.selectbox("Series", list(SERIES_CHOICES), format_func=SERIES_CHOICES.__getitem__, key="fc_series",
                     persist_state="session")
        uploading = st.session_state["fc_series"] == UPLOAD
        st.slider("Steps", *bounds(ForecastSettings, "steps"), step=100, key="fc_steps", persist_state="session",
                  disabled=uploading, help="Length of the generated series.")
        st.slider("Added noise", *bounds(ForecastSettings, "noise"), step=0.05, key="fc_noise", persist_state="session",
                  disabled=uploading, help="Measurement noise added on top of the series: no forecaster can predict it.")
        with st.expander("Upload a CSV", expanded=uploading):
            _upload_control()
        st.number_input("Seed", *bounds(ForecastSettings, "seed"), key="fc_seed", persist_state="session",
                        help="The series' noise, the initial weights and the shuffling.")
        st.header("Windows", help=lesson("forecasting", "windows"))
        st.slider("Window (past steps read)", *bounds(ForecastSettings, "window"), key="fc_window",
                  persist_state="session")
        st.slider("Horizon (future steps forecast)", *bounds(ForecastSettings, "horizon"), key="fc_horizon",
                  persist_state="session")
        st.slider("Validation share (the end of the series)", *bounds(ForecastSettings, "val"), step=0.05,
                  key="fc_val", persist_state="session")
        st.header("Networks")
        st.multiselect("Cells in the race", list(CELL_NAMES), format_func=CELL_NAMES.__getitem__, key="fc_cells",
                       persist_state="session")
        st.select_slider("Units per layer", with_current(UNITS, "fc_units"), key="fc_units", persist_state="session",
                         help="The size of each layer's state h.")
        st.slider("Recurrent layers", *bounds(ForecastSettings, "layers"), key="fc_layers", persist_state="session",
                  help="Stacked: each layer below the top hands its whole sequence of states to the next.")
        st.slider("Dropout after each layer", *bounds(ForecastSettings, "dropout"), step=0.05, key="fc_dropout",
                  persist_state="session")
        st.header("Training")
        st.selectbox("Optimizer", list(OPTIMIZERS), format_func=OPTIMIZERS.__getitem__, key="fc_optimizer",
                     persist_state="session")
        st.select_slider("Learning rate", with_current(LEARNING_RATES, "fc_lr"), key="fc_lr", persist_state="session")
        st.select_slider("Batch size", with_current(BATCH_SIZES, "fc_batch"), key="fc_batch", persist_state="session")


def _upload_control() -> None:
    st.caption(f"A column of numbers, one row per time step, in time order (a header row is fine; "
               f"20 to 100,000 rows, up to {MAX_SERIES_BYTES // 1_000_000} MB).")
    st.file_uploader("CSV file", type=["csv", "txt"], key="fc_upload_file", on_change=_read_upload)
    error = st.session_state.get("fc_upload_error")
    if error:
        st.error(literal(error))
    table: SeriesTable | None = st.session_state.get("fc_table")
    if table is not None:
        st.caption(f"In use: {literal(st.session_state['fc_table_name'])} ({len(table.values):,} rows)")
        if st.session_state.get("fc_column", 0) >= len(table.names):
            st.session_state["fc_column"] = 0
        st.selectbox("Column", list(range(len(table.names))), format_func=lambda index: table.names[index],
                     key="fc_column", persist_state="session")


def _read_upload() -> None:
    """Read a newly chosen CSV (a callback, before the series box is drawn, so it may switch to it).

    A refused file leaves the series in use as it was and says why.
    """
    state = st.session_state
    file = state.get("fc_upload_file")
    if file is None:
        return
    content = file.getvalue()
    try:
        table = read_series_csv(content)
    except ValueError as error:
        state["fc_upload_error"] = f"Could not use {file.name}: {error}"
        return
    state.update(fc_table=table, fc_table_name=file.name, fc_table_digest=hashlib.sha256(content).hexdigest()[:16],
                 fc_series=UPLOAD, fc_upload_error="", fc_column=0)


def uploaded_column(settings: ForecastSettings) -> tuple[np.ndarray | None, str]:
    """The uploaded column the settings pick, and a digest naming it (None and "" without an upload)."""
    table: SeriesTable | None = st.session_state.get("fc_table")
    if settings.series != UPLOAD or table is None:
        return None, ""
    column = min(settings.column, len(table.names) - 1)
    return table.values[:, column], f"{st.session_state['fc_table_digest']}:{column}"


def settings_from_widgets() -> ForecastSettings:
    """Settings from the widgets; ``ValueError`` when they cannot work."""
    return links.settings_from_widgets("fc", ForecastSettings, {"cells": tuple(st.session_state["fc_cells"])})
