"""Recurrence unrolled: a SimpleRNN learns a sequence task live, one sequence worked through step by step."""

from __future__ import annotations

import streamlit as st

from engine.sequence.unrolled import (
    UnrolledObserver,
    UnrolledSettings,
    UnrolledView,
    from_query_params,
    make_run,
    run_settings,
    to_query_params,
)
from engine.training.contract import Snapshot
from engine.training.trainer import Trainer
from ui.canvas import live_chart, live_metrics
from ui.feed import Metric
from ui.figures import curves_figure
from ui.lessons import lesson
from ui.links import open_lab, stop_on_bad_input, write_url
from ui.live import lab_trainer, live_fragment, run_controls, run_message
from ui.models import export_buttons
from ui.sequence_figures import hidden_states_figure, unrolled_figure, weights_heatmaps_figure
from ui.unrolled_controls import example_control, seed_widgets, settings_from_widgets, sidebar_controls

LAB = "unrolled"
NO_TOOLBAR = {"displayModeBar": False}


def trainer_for(settings: UnrolledSettings) -> Trainer:
    """This session's SimpleRNN, rebuilt when the task or its size change; the example follows the control."""
    observer: UnrolledObserver = st.session_state.setdefault("ru_observer", UnrolledObserver())
    observer.example = settings.example
    trainer, _ = lab_trainer(LAB, settings.structure(), lambda: make_run(settings), observer, run_settings(settings))
    return trainer


def _metrics(snapshot: Snapshot) -> list[Metric]:
    latest = snapshot.latest
    return [Metric("Epoch", f"{snapshot.epoch:,}"),
            Metric("Validation MSE", f"{latest['val_loss']:.4f}" if "val_loss" in latest else "–",
                   help="Mean squared error of y_t against the target, over every step of the validation sequences.")]


def _draw(snapshot: Snapshot) -> None:
    """One frame: scores, the curves, the unrolled network on the example, its states and its weights."""
    live_metrics(_metrics, "ru_metrics", snapshot)
    run_message(snapshot)
    view: UnrolledView | None = snapshot.view
    if view is None:
        return
    curves, unrolled = st.columns([1, 2])
    with curves:
        live_chart(lambda shown: curves_figure(shown.history, ("loss",), log_scale=True, height=300), "ru_curves", snapshot,
                   config=NO_TOOLBAR)
    with unrolled:
        live_chart(lambda shown: unrolled_figure(shown.view), "ru_unrolled", snapshot, config=NO_TOOLBAR)
    st.markdown("**The hidden state after every step** (one row per unit)")
    live_chart(lambda shown: hidden_states_figure(shown.view), "ru_hidden", snapshot, config=NO_TOOLBAR)
    st.markdown("**The weights: one U, one W, one V, used at every step**")
    live_chart(lambda shown: weights_heatmaps_figure(shown.view), "ru_weights", snapshot, config=NO_TOOLBAR)


def step_table(view: UnrolledView) -> None:
    """The first steps' arithmetic, number by number."""
    rows = []
    for step in range(min(len(view.inputs), 6)):
        rows.append({"t": step, "x_t": f"{view.inputs[step]:+.3f}",
                     "x_t·U + b": "[" + ", ".join(f"{value:+.2f}" for value in view.trace.input_part[step]) + "]",
                     "h_{t−1}·W": "[" + ", ".join(f"{value:+.2f}" for value in view.trace.recurrent_part[step]) + "]",
                     "h_t = tanh(sum)": "[" + ", ".join(f"{value:+.2f}" for value in view.trace.hidden[step]) + "]",
                     "y_t = h_t·V + c": f"{view.outputs[step]:+.3f}", "target": f"{view.targets[step]:+.3f}"})
    st.dataframe(rows, hide_index=True)


def main() -> None:
    open_lab("ru", "Recurrence unrolled", lesson("unrolled", "intro"), from_query_params, seed_widgets)
    sidebar_controls()
    with stop_on_bad_input():
        settings = settings_from_widgets()
        trainer = trainer_for(settings)
    st.markdown(lesson("unrolled", "weights"))
    example_control()
    run_controls(trainer, "ru")
    live_fragment(trainer, "ru", _draw)
    view = trainer.snapshot().view
    if view is not None:
        with st.expander("Step by step, number by number (the first six steps)"):
            step_table(view)
    with st.expander("Export: the trained model, the history"):
        export_buttons("ru", "unrolled_rnn", trainer)
    st.markdown(lesson("unrolled", "reading"))
    write_url(to_query_params(settings))


main()
