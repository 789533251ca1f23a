"""Seq2seq and attention: an encoder-decoder with attention races the same one without, on a toy task, live."""

from __future__ import annotations

import streamlit as st

from engine.sequence.seq2seq import (
    MEASURED,
    MODELS,
    PairData,
    Seq2SeqObserver,
    Seq2SeqSettings,
    Seq2SeqView,
    beams,
    from_query_params,
    make_run,
    pair_data,
    run_settings,
    to_query_params,
)
from engine.training.contract import Snapshot
from engine.training.trainer import Trainer
from ui.canvas import live_chart, live_metrics
from ui.comparison_figures import comparison_figure
from ui.feed import Metric
from ui.lessons import lesson
from ui.links import open_lab, stop_on_bad_input, write_url
from ui.live import between_chunks, lab_trainer, live_fragment, run_controls, run_message
from ui.models import export_buttons
from ui.seq2seq_controls import example_controls, seed_widgets, settings_from_widgets, sidebar_controls
from ui.sequence_figures import attention_figure
from ui.text import literal

LAB = "seq2seq"
NO_TOOLBAR = {"displayModeBar": False}


@st.cache_resource(max_entries=8, show_spinner=False)
def cached_pairs(task: str, length: int, seed: int) -> PairData:
    """The task's pairs: one object for every session with the same task, length and seed (never changed)."""
    return pair_data(Seq2SeqSettings(task=task, length=length, seed=seed))


def trainer_for(settings: Seq2SeqSettings, pairs: PairData) -> Trainer:
    """This session's race, rebuilt when the task or the networks change; the example follows its control."""
    observer: Seq2SeqObserver | None = st.session_state.get("s2s_observer")
    if observer is None or observer.pairs is not pairs:
        observer = st.session_state["s2s_observer"] = Seq2SeqObserver(pairs)
    observer.example = settings.example
    trainer, _ = lab_trainer(LAB, settings.structure(), lambda: make_run(settings, pairs), observer,
                             run_settings(settings))
    return trainer


def _scores(snapshot: Snapshot) -> list[Metric]:
    view: Seq2SeqView | None = snapshot.view
    return [Metric("Epoch", f"{snapshot.epoch:,}"),
            *(Metric(f"{label}: whole answers right", f"{view.exact[name]:.0%}" if view is not None and snapshot.epoch
                     else "–", help=f"Greedy answers, written without the true tokens, on {MEASURED} validation "
                                    "pairs: every token must be right.")
              for name, label in MODELS.items())]


def _example(snapshot: Snapshot) -> list[Metric]:
    view: Seq2SeqView = snapshot.view
    return [Metric("Source", view.source), Metric("Answer", view.truth),
            *(Metric(label, view.written[name]) for name, label in MODELS.items())]


def _draw(snapshot: Snapshot) -> None:
    """One frame: whole-answer scores, the curves, the example's answers and its attention."""
    live_metrics(_scores, "s2s_scores", snapshot)
    run_message(snapshot)
    live_chart(lambda shown: comparison_figure(shown.history, MODELS, ("val_accuracy", "loss")), "s2s_curves",
               snapshot, config=NO_TOOLBAR)
    if snapshot.view is None:
        return
    live_metrics(_example, "s2s_example_row", snapshot)
    st.markdown(lesson("seq2seq", "attention_map"))
    live_chart(lambda shown: attention_figure(shown.view), "s2s_attention", snapshot, config=NO_TOOLBAR)


def beam_section(trainer: Trainer, pairs: PairData, settings: Seq2SeqSettings) -> None:
    st.subheader("Greedy or beam search")
    st.markdown(lesson("seq2seq", "beams"))
    row = pairs.data.x_val[settings.example]
    found = between_chunks(trainer, "s2s_beams", (settings.example, settings.beam_width),
                           lambda group: {name: beams(group.runs[name], pairs, row, settings.beam_width)
                                          for name in MODELS})
    st.caption(f"Source {literal(pairs.source_text(row))}; answer {literal(pairs.answer_text(pairs.data.y_val[settings.example]))}.")
    for column, (name, label) in zip(st.columns(len(MODELS)), MODELS.items(), strict=True):
        column.markdown(f"**{label}**")
        column.dataframe([{"answer": text, "probability": f"{probability:.2%}"} for text, probability in found[name]],
                         hide_index=True)


def main() -> None:
    open_lab("s2s", "Seq2seq and attention", lesson("seq2seq", "intro"), from_query_params, seed_widgets)
    sidebar_controls()
    with stop_on_bad_input():
        settings = settings_from_widgets()
        pairs = cached_pairs(settings.task, settings.length, settings.seed)
        trainer = trainer_for(settings, pairs)
    example_controls()
    run_controls(trainer, "s2s")
    live_fragment(trainer, "s2s", _draw)
    beam_section(trainer, pairs, settings)
    with st.expander("Export: both trained models, the race's history"):
        export_buttons("s2s", "seq2seq", trainer, models="zip")
    st.markdown(lesson("seq2seq", "reading"))
    write_url(to_query_params(settings))


main()
