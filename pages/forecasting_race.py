"""Forecasting race: a SimpleRNN, an LSTM and a GRU learn one series side by side, live."""

from __future__ import annotations

import numpy as np
import streamlit as st

from engine.sequence.export import forecasting_script
from engine.sequence.forecast import (
    CELL_NAMES,
    ForecastObserver,
    ForecastSettings,
    cell_sizes,
    from_query_params,
    make_run,
    run_settings,
    series_values,
    to_query_params,
)
from engine.sequence.series import split_index
from engine.training.contract import Snapshot
from engine.training.trainer import Trainer
from ui.canvas import live_chart, live_metrics
from ui.comparison_figures import comparison_figure
from ui.feed import Metric
from ui.forecast_controls import seed_widgets, settings_from_widgets, sidebar_controls, uploaded_column
from ui.lessons import lesson
from ui.links import open_lab, stop_on_bad_input, write_url
from ui.live import lab_trainer, live_fragment, run_controls, run_message
from ui.models import export_buttons
from ui.sequence_figures import forecast_figure, series_figure, weights_figure

LAB = "forecasting"
NO_TOOLBAR = {"displayModeBar": False}


def trainer_for(settings: ForecastSettings, values: np.ndarray, upload: str) -> Trainer:
    """This session's race, rebuilt when the series, the windows or the networks change."""
    trainer, _ = lab_trainer(LAB, (settings.structure(), upload), lambda: make_run(settings, values),
                             ForecastObserver(settings, values), run_settings(settings))
    return trainer


def _metrics(snapshot: Snapshot, names: dict[str, str]) -> list[Metric]:
    """The epoch, then each cell's newest validation error."""
    latest = snapshot.latest
    return [Metric("Epoch", f"{snapshot.epoch:,}"),
            *(Metric(f"{label} validation MSE", f"{latest[f'{cell}/val_loss']:.2e}" if f"{cell}/val_loss" in latest
                     else "–", help="Mean squared error of the forecasts on the last part of the series, in "
                                    "standardised units (1.0: as bad as always forecasting the mean).")
              for cell, label in names.items())]


def _draw_race(snapshot: Snapshot, names: dict[str, str]) -> None:
    """One frame: the validation errors, the curves side by side, and the forecasts against the truth."""
    live_metrics(lambda shown: _metrics(shown, names), "fc_metrics", snapshot)
    run_message(snapshot)
    live_chart(lambda shown: comparison_figure(shown.history, names, ("val_loss", "loss"), log_scale=True),
               "fc_curves", snapshot, config=NO_TOOLBAR)
    if snapshot.view is not None:
        st.markdown(lesson("forecasting", "forecasts"))
        live_chart(lambda shown: forecast_figure(shown.view, names), "fc_forecasts", snapshot, config=NO_TOOLBAR)


def series_section(settings: ForecastSettings, values: np.ndarray) -> None:
    split = split_index(len(values), settings.validation_share)
    chart, text = st.columns([3, 1])
    with chart:
        st.plotly_chart(series_figure(values, split), key="fc_series_chart", config=NO_TOOLBAR)
    with text:
        st.metric("Steps", f"{len(values):,}")
        st.markdown(f"Training on steps 0–{split - 1:,}, forecasting {split:,}–{len(values) - 1:,}. "
                    f"Each example: {settings.window} past steps → the next {settings.horizon}.")


def weights_section(settings: ForecastSettings, names: dict[str, str]) -> None:
    chart, text = st.columns([3, 2])
    with chart:
        st.plotly_chart(weights_figure(cell_sizes(settings), names), key="fc_weights_chart", config=NO_TOOLBAR)
    with text:
        st.markdown(lesson("forecasting", "cells"))


def main() -> None:
    open_lab("fc", "Forecasting race", lesson("forecasting", "intro"), from_query_params, seed_widgets)
    sidebar_controls()
    with stop_on_bad_input():
        settings = settings_from_widgets()
        upload, upload_name = uploaded_column(settings)
        values = series_values(settings, upload)
        trainer = trainer_for(settings, values, upload_name)
    names = {cell: CELL_NAMES[cell] for cell in settings.cells}
    series_section(settings, values)
    run_controls(trainer, "fc")
    live_fragment(trainer, "fc", lambda snapshot: _draw_race(snapshot, names))
    st.subheader("What each cell pays in weights")
    weights_section(settings, names)
    with st.expander("Export: a script that replays the race, every trained model, the race's history"):
        export_buttons("fc", "forecasting", trainer, script=lambda: forecasting_script(settings, values),
                       models="zip")
    st.markdown(lesson("forecasting", "reading"))
    write_url(to_query_params(settings))


main()
