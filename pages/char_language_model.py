"""Character language model: an LSTM or GRU learns a text live, writes while it trains, greedy, sampled or by beam search."""

from __future__ import annotations

import streamlit as st

from engine.sequence.decoding import perplexity
from engine.sequence.language_model import (
    CharacterData,
    LanguageModelSettings,
    LiveSample,
    LiveSampler,
    SampleOptions,
    character_data,
    corpus_text,
    from_query_params,
    generate,
    make_run,
    prompt_codes,
    run_settings,
    to_query_params,
)
from engine.training.contract import Snapshot
from engine.training.trainer import Trainer
from ui.canvas import live_chart, live_metrics
from ui.feed import Metric
from ui.figures import curves_figure
from ui.language_controls import (
    seed_widgets,
    settings_from_widgets,
    sidebar_controls,
    uploaded_text,
    writing_controls,
)
from ui.lessons import lesson
from ui.links import open_lab, stop_on_bad_input, write_url
from ui.live import between_chunks, lab_trainer, live_fragment, run_controls, run_message
from ui.models import export_buttons
from ui.sequence_figures import next_characters_figure, shown_character, vocabulary_figure, written_figure
from ui.text import literal

LAB = "language_model"
NO_TOOLBAR = {"displayModeBar": False}


def trainer_for(settings: LanguageModelSettings, characters: CharacterData, upload: str) -> Trainer:
    """This session's language model, rebuilt when the text or the network change; its live sample follows
    the writing controls without a rebuild."""
    options = SampleOptions(settings.prompt, settings.temperature, settings.sample_length)
    sampler: LiveSampler | None = st.session_state.get("lm_sampler")
    if sampler is None or sampler.vocabulary != characters.vocabulary:
        sampler = st.session_state["lm_sampler"] = LiveSampler(characters.vocabulary, options)
    sampler.options = options
    trainer, _ = lab_trainer(LAB, (settings.structure(), upload), lambda: make_run(settings, characters), sampler,
                             run_settings(settings))
    return trainer


def _metrics(snapshot: Snapshot, vocabulary_size: int) -> list[Metric]:
    """The epoch, the validation loss, its perplexity and accuracy."""
    latest = snapshot.latest
    loss = latest.get("val_loss")
    return [
        Metric("Epoch", f"{snapshot.epoch:,}"),
        Metric("Validation loss", f"{loss:.3f}" if loss is not None else "–",
               help="Cross-entropy of the true next character, in nats, on the text after the training part."),
        Metric("Validation perplexity", f"{perplexity(loss):.2f}" if loss is not None else f"≈ {vocabulary_size}",
               help=lesson("language_model", "perplexity")),
        Metric("Next character right", f"{latest['val_accuracy']:.1%}" if "val_accuracy" in latest else "–",
               help="How often the likeliest character is the true next one, on the validation text."),
    ]


def _draw_training(snapshot: Snapshot, vocabulary_size: int) -> None:
    """One frame: scores, curves and the sample written after the last chunk."""
    live_metrics(lambda shown: _metrics(shown, vocabulary_size), "lm_metrics", snapshot)
    run_message(snapshot)
    live_chart(lambda shown: curves_figure(shown.history, ("loss", "accuracy")), "lm_curves", snapshot,
               config=NO_TOOLBAR)
    sample: LiveSample | None = snapshot.view
    if sample is None:
        return
    if sample.written is None:
        st.warning(literal(sample.message))
        return
    st.markdown(f"**What it writes now** (temperature {sample.options.temperature:g}; the prompt in grey; "
                "colour: the probability of each picked character)")
    live_chart(lambda shown: written_figure(shown.view.written), "lm_written", snapshot, config=NO_TOOLBAR)
    st.markdown(f"**After {literal(sample.options.prompt)!r}, the likeliest next characters**")
    live_chart(lambda shown: next_characters_figure(shown.view.written), "lm_next", snapshot, config=NO_TOOLBAR)


def vocabulary_section(characters: CharacterData) -> None:
    vocabulary = characters.vocabulary
    with st.expander(f"The vocabulary: {vocabulary.size} distinct characters in "
                     f"{len(characters.training_text) + len(characters.validation_text):,}"):
        st.plotly_chart(vocabulary_figure(vocabulary), key="lm_vocabulary", config=NO_TOOLBAR)
        st.caption("Most frequent first; " + ", ".join(f"{shown_character(character)} {count:,}" for character, count
                                                      in zip(vocabulary.characters[:12], vocabulary.counts[:12],
                                                             strict=False)) + " …")


def writing_section(trainer: Trainer, characters: CharacterData, settings: LanguageModelSettings) -> None:
    st.subheader("Greedy, sampled, beam search")
    st.markdown(lesson("language_model", "writing"))
    inputs = (settings.prompt, settings.temperature, settings.beam_width, settings.sample_length, settings.seed)
    with stop_on_bad_input():
        prompt_codes(characters.vocabulary, settings.prompt)  # said here: a failure on the worker would stop the run
    generated = between_chunks(trainer, "lm_generated", inputs, lambda run: generate(run, characters.vocabulary, settings))
    greedy, sampled, beams = st.columns(3)
    greedy.markdown("**Greedy**")
    greedy.code(settings.prompt + generated.greedy.text, language=None, wrap_lines=True)
    sampled.markdown(f"**Sampled at temperature {settings.temperature:g}**")
    sampled.code(settings.prompt + generated.sampled.text, language=None, wrap_lines=True)
    beams.markdown(f"**Beam search, width {settings.beam_width}** (40 characters)")
    for text, probability in generated.beams:
        beams.code(f"{settings.prompt}{text}\n(p = {probability:.2e})", language=None, wrap_lines=True)


def main() -> None:
    open_lab("lm", "Character language model", lesson("language_model", "intro"), from_query_params, seed_widgets)
    sidebar_controls()
    with stop_on_bad_input():
        settings = settings_from_widgets()
        upload, upload_name = uploaded_text(settings)
        characters = character_data(corpus_text(settings, upload), settings)
        trainer = trainer_for(settings, characters, upload_name)
    vocabulary_section(characters)
    writing_controls()
    run_controls(trainer, "lm")
    live_fragment(trainer, "lm", lambda snapshot: _draw_training(snapshot, characters.vocabulary.size))
    writing_section(trainer, characters, settings)
    with st.expander("Export: the trained model, the history"):
        export_buttons("lm", "language_model", trainer)
    write_url(to_query_params(settings))


main()
