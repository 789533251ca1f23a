"""Vanishing and exploding gradients: three cells must remember a symbol across a delay; the gradient at every step."""

from __future__ import annotations

import streamlit as st

from engine.sequence.gradient_model import TOLERANCE
from engine.sequence.gradients import (
    CELL_NAMES,
    SWEEP_DELAYS,
    SWEEP_EPOCHS,
    GradientSettings,
    delay_sweep,
    from_query_params,
    make_run,
    observe,
    run_settings,
    to_query_params,
)
from engine.training.contract import Snapshot
from engine.training.trainer import Trainer
from ui.canvas import live_chart, live_metrics
from ui.comparison_figures import comparison_figure
from ui.feed import Metric
from ui.gradient_controls import clipping_controls, seed_widgets, settings_from_widgets, sidebar_controls
from ui.jobs import job_result, start_job
from ui.lessons import lesson
from ui.links import open_lab, stop_on_bad_input, write_url
from ui.live import lab_trainer, live_fragment, run_controls, run_message
from ui.models import export_buttons
from ui.sequence_figures import state_gradients_figure, sweep_figure

LAB = "gradients"
NO_TOOLBAR = {"displayModeBar": False}


def trainer_for(settings: GradientSettings) -> Trainer:
    """This session's race, rebuilt when the task or the networks change; clipping and optimizer apply live."""
    trainer, _ = lab_trainer(LAB, settings.structure(), lambda: make_run(settings), observe, run_settings(settings))
    return trainer


ACCURACY_HELP = {"recall": "How often it names the first symbol of a validation sequence.",
                 "adding": f"How often its sum is within {TOLERANCE} of the true one, on validation sequences."}


def _metrics(snapshot: Snapshot, names: dict[str, str], task: str) -> list[Metric]:
    latest = snapshot.latest
    return [Metric("Epoch", f"{snapshot.epoch:,}"),
            *(Metric(f"{label} accuracy", f"{latest[f'{cell}/val_accuracy']:.0%}" if f"{cell}/val_accuracy" in latest
                     else "–", help=ACCURACY_HELP[task])
              for cell, label in names.items())]


def _draw(snapshot: Snapshot, names: dict[str, str], task: str) -> None:
    """One frame: accuracies, the curves (accuracy and the update's gradient norm), and ‖∂L/∂h_t‖ per step."""
    live_metrics(lambda shown: _metrics(shown, names, task), "vg_metrics", snapshot)
    run_message(snapshot)
    live_chart(lambda shown: comparison_figure(shown.history, names, ("val_accuracy", "gradient_norm"), log_scale=True),
               "vg_curves", snapshot, config=NO_TOOLBAR)
    if snapshot.view is not None:
        st.markdown(lesson("gradients", "reading"))
        live_chart(lambda shown: state_gradients_figure(shown.view, names), "vg_state_gradients", snapshot,
                   config=NO_TOOLBAR)


def sweep_section(settings: GradientSettings, names: dict[str, str]) -> None:
    st.subheader("Accuracy against the delay")
    st.markdown(lesson("gradients", "sweep", epochs=SWEEP_EPOCHS,
                       delays=", ".join(str(delay) for delay in SWEEP_DELAYS)))
    if st.button("Train every cell at every delay", key="vg_sweep_button", icon=":material/play_circle:"):
        start_job("vg_sweep", lambda report: (settings, delay_sweep(settings, report)))
    found = job_result("vg_sweep", "Training the sweep")
    if found:
        swept_settings, sweep = found
        st.plotly_chart(sweep_figure(sweep, {cell: CELL_NAMES[cell] for cell in sweep.accuracy}), key="vg_sweep_chart",
                        config=NO_TOOLBAR)
        if swept_settings != settings:
            st.caption("Swept with the settings before your last change; press the button again for the current ones.")


def main() -> None:
    open_lab("vg", "Vanishing and exploding gradients", lesson("gradients", "intro"), from_query_params, seed_widgets)
    sidebar_controls()
    with stop_on_bad_input():
        settings = settings_from_widgets()
        trainer = trainer_for(settings)
    names = {cell: CELL_NAMES[cell] for cell in settings.cells}
    clipping_controls()
    run_controls(trainer, "vg")
    live_fragment(trainer, "vg", lambda snapshot: _draw(snapshot, names, settings.task))
    sweep_section(settings, names)
    with st.expander("Export: the trained networks, the race's history"):
        export_buttons("vg", "gradients", trainer, models="zip")
    write_url(to_query_params(settings))


main()
