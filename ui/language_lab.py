"""The character language model's three pages (training, inside the cell, embeddings): one network, shared.

Each page opens the lab (``open_lab``), then calls ``setup`` for the sidebar, the settings and
this browser's trainer, and draws its own part. The three share the widget prefix and the
trainer, so a model trained on one page is the one inspected on the others, and Play on any of
them trains it on.
"""

from __future__ import annotations

import streamlit as st

from engine.sequence.decoding import perplexity
from engine.sequence.embeddings import PROJECTIONS, embedding_map, embedding_table, nearest_characters
from engine.sequence.export import language_model_script
from engine.sequence.inside import MAX_TRACED, trace_text, tracking_units
from engine.sequence.language_model import (
    CELL_NAMES,
    CharacterData,
    LanguageModelSettings,
    LiveSample,
    LiveSampler,
    SampleOptions,
    character_data,
    corpus_text,
    generate,
    make_run,
    prompt_codes,
    run_settings,
)
from engine.training.contract import Snapshot
from engine.training.trainer import Trainer
from ui.canvas import live_chart, live_metrics
from ui.feed import Metric
from ui.figures import curves_figure
from ui.language_controls import (
    embedding_controls,
    inspect_controls,
    seed_widgets,
    settings_from_widgets,
    sidebar_controls,
    uploaded_text,
    writing_controls,
)
from ui.lessons import lesson
from ui.links import stop_on_bad_input
from ui.live import between_chunks, lab_trainer, live_fragment, run_controls, run_message
from ui.models import export_buttons
from ui.sequence_figures import (
    cell_trace_figure,
    embedding_figure,
    next_characters_figure,
    shown_character,
    tracking_figure,
    vocabulary_figure,
    written_figure,
)
from ui.text import literal

LAB = "language_model"
NO_TOOLBAR = {"displayModeBar": False}
DEFAULT_INSPECTED = 120  # characters of the validation text inspected when the learner typed none
SHOWN_UNITS = 32
SHOWN_FEATURES = 3


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


def network_caption(trainer: Trainer) -> None:
    """Which network the page shows: how long it trained, and how well it predicts the validation text."""
    snapshot = trainer.snapshot()
    loss = snapshot.latest.get("val_loss")
    scored = f", validation perplexity {perplexity(loss):.2f}" if loss is not None else ""
    st.caption(f"The language model's network after {snapshot.epoch:,} epochs{scored}.")


def inside_section(trainer: Trainer, characters: CharacterData, settings: LanguageModelSettings) -> None:
    """The first recurrent layer's gates and states on a text, and the units that track what a reader sees."""
    network_caption(trainer)
    st.markdown(lesson("language_model", "inside"))
    inspect_controls(characters.validation_text[:DEFAULT_INSPECTED])
    text = settings.inspected or characters.validation_text[:DEFAULT_INSPECTED]
    with stop_on_bad_input():
        characters.vocabulary.encode(text)
        if not text.strip():
            raise ValueError("Type some text for the cell to read.")
    trace = between_chunks(trainer, "lm_trace", (text,), lambda run: trace_text(run, characters.vocabulary, text))
    shown = min(SHOWN_UNITS, trace.quantities["hidden"].shape[1])
    long_trace = between_chunks(trainer, "lm_long_trace", (), lambda run: trace_text(
        run, characters.vocabulary, characters.validation_text[:MAX_TRACED]), note=False)
    found = tracking_units(long_trace)[:SHOWN_FEATURES]
    units = list(dict.fromkeys([item.unit for item in found] + list(range(trace.quantities["hidden"].shape[1]))))[:shown]
    st.caption(f"{len(text)} characters read by the first {CELL_NAMES[trace.cell]} layer; {shown} of its "
               f"{trace.quantities['hidden'].shape[1]} units shown, the tracking units below first.")
    st.plotly_chart(cell_trace_figure(trace, units), key="lm_cell_trace", config=NO_TOOLBAR)
    st.markdown(lesson("language_model", "tracking", characters=len(long_trace.text)))
    if found:
        st.plotly_chart(tracking_figure(long_trace, found), key="lm_tracking", config=NO_TOOLBAR)


def embeddings_section(trainer: Trainer, characters: CharacterData, settings: LanguageModelSettings) -> None:
    """The learned character vectors in 2-D by kind, and the nearest neighbours of a chosen character."""
    network_caption(trainer)
    st.markdown(lesson("language_model", "embeddings"))
    embedding_controls()
    found = between_chunks(trainer, "lm_embedding_map", (settings.projection, settings.seed),
                           lambda run: embedding_map(run, characters.vocabulary, settings.projection, settings.seed))
    chart, neighbours = st.columns([3, 1])
    with chart:
        kept = f" ({found.variance_kept:.0%} of the vectors' spread)" if found.variance_kept is not None else ""
        st.caption(f"{len(found.characters)} characters, {settings.embedding_size} numbers each, by "
                   f"{PROJECTIONS[settings.projection]}{kept}.")
        st.plotly_chart(embedding_figure(found), key="lm_embedding_chart", config=NO_TOOLBAR)
    with neighbours, stop_on_bad_input():
        table = between_chunks(trainer, "lm_embedding_table", (), embedding_table, note=False)
        nearest = nearest_characters(table, characters.vocabulary, settings.neighbours_of)
        st.markdown(f"**Nearest to {literal(shown_character(settings.neighbours_of))}** (cosine similarity)")
        st.dataframe([{"character": shown_character(character), "similarity": f"{similarity:+.2f}"}
                      for character, similarity in nearest], hide_index=True)


def setup(page: str) -> tuple[LanguageModelSettings, CharacterData, Trainer]:
    """The sidebar, the settings, the text and this browser's trainer (a bad input stops the page with its reason).

    Streamlit gives each page's widgets their own identity, so the sidebar of the page just
    opened would start at its bounds; the settings the last page used are written into its
    widgets first, and the three pages keep one setup (and so one network).
    """
    state = st.session_state
    if state.get("lm_page") != page and state.get("lm_settings") is not None:
        seed_widgets(state["lm_settings"])
    state["lm_page"] = page
    sidebar_controls()
    with stop_on_bad_input():
        settings = settings_from_widgets()
        state["lm_settings"] = settings
        upload, upload_name = uploaded_text(settings)
        characters = character_data(corpus_text(settings, upload), settings)
        trainer = trainer_for(settings, characters, upload_name)
    return settings, characters, trainer


def training_part(trainer: Trainer, characters: CharacterData, settings: LanguageModelSettings) -> None:
    """The vocabulary, the writing controls, Play and friends, the live view and the three ways of writing."""
    vocabulary_section(characters)
    writing_controls()
    run_controls(trainer, "lm")
    live_fragment(trainer, "lm", lambda snapshot: _draw_training(snapshot, characters.vocabulary.size))
    writing_section(trainer, characters, settings)
    inside, embeddings = st.columns(2)
    inside.page_link("pages/inside_the_cell.py", label="Open this network: inside the cell", icon=":material/biotech:")
    embeddings.page_link("pages/character_embeddings.py", label="See the character vectors it learned",
                         icon=":material/bubble_chart:")
    with st.expander("Export: a script that trains this model and lets it write, the trained model, the history"):
        export_buttons("lm", "language_model", trainer, script=lambda: language_model_script(settings, characters))
