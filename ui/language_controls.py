"""The character language model's controls: the text, the network, its training, and how it writes."""

from __future__ import annotations

import hashlib

import streamlit as st

from engine.fields import bounds
from engine.sequence.embeddings import PROJECTIONS
from engine.sequence.language_model import CELL_NAMES, CORPORA, UPLOAD, LanguageModelSettings
from engine.sequence.text import MAX_TEXT_BYTES, read_text_upload
from engine.training.optimizers import OPTIMIZERS
from ui import links
from ui.lessons import lesson
from ui.playground_controls import LEARNING_RATES, with_current
from ui.text import literal

UNITS = [16, 32, 64, 96, 128, 256, 512]
MAX_INSPECTED = 300  # characters drawn as columns of the gate heatmaps
BATCH_SIZES = [8, 16, 32, 64, 128, 256, 512]


def seed_widgets(settings: LanguageModelSettings) -> None:
    """Set every control from settings (before the widgets are drawn)."""
    links.seed_widgets("lm", settings)


def sidebar_controls() -> None:
    """The text, the network's shape, the seed and the optimizer."""
    with st.sidebar:
        st.header("Text", help=lesson("language_model", "text"))
        st.selectbox("Text to learn", list(CORPORA), format_func=CORPORA.__getitem__, key="lm_corpus",
                     persist_state="session")
        with st.expander("Upload a text", expanded=st.session_state["lm_corpus"] == UPLOAD):
            _upload_control()
        st.select_slider("Characters to train on", with_current([2_000, 10_000, 30_000, 60_000, 100_000, 200_000,
                                                                  400_000], "lm_chars"),
                         key="lm_chars", persist_state="session", format_func=lambda count: f"{count:,}",
                         help="From the start of the text; the tenth that follows is the validation text. More text: "
                              "slower epochs, less learning by heart.")
        st.number_input("Seed", *bounds(LanguageModelSettings, "seed"), key="lm_seed", persist_state="session",
                        help="Initial weights, shuffling and sampling.")
        st.header("Network", help=lesson("language_model", "network"))
        st.radio("Cell", list(CELL_NAMES), format_func=CELL_NAMES.__getitem__, key="lm_cell", persist_state="session",
                 horizontal=True)
        st.slider("Embedding size", *bounds(LanguageModelSettings, "embedding"), key="lm_embedding",
                  persist_state="session", help="Each character becomes a learned vector of this many numbers.")
        st.select_slider("Units per layer", with_current(UNITS, "lm_units"), key="lm_units", persist_state="session")
        st.slider("Recurrent layers", *bounds(LanguageModelSettings, "layers"), key="lm_layers",
                  persist_state="session")
        st.slider("Sequence length", *bounds(LanguageModelSettings, "length"), key="lm_length",
                  persist_state="session", help="Characters per training sequence: how far back a gradient reaches.")
        st.header("Training")
        st.selectbox("Optimizer", list(OPTIMIZERS), format_func=OPTIMIZERS.__getitem__, key="lm_optimizer",
                     persist_state="session")
        st.select_slider("Learning rate", with_current(LEARNING_RATES, "lm_lr"), key="lm_lr",
                         persist_state="session")
        st.select_slider("Batch size", with_current(BATCH_SIZES, "lm_batch"), key="lm_batch", persist_state="session")


def writing_controls() -> None:
    """The prompt and how the model writes after it: they change no training, so they apply at once."""
    prompt, temperature, beam, length = st.columns([3, 2, 1, 1])
    prompt.text_input("Prompt", key="lm_prompt", persist_state="session", max_chars=200,
                      help="The model reads this, then writes what it thinks comes next.")
    temperature.slider("Temperature", *bounds(LanguageModelSettings, "temp"), step=0.05, key="lm_temp",
                       persist_state="session", help=lesson("language_model", "temperature"))
    beam.number_input("Beam width", *bounds(LanguageModelSettings, "beam"), key="lm_beam", persist_state="session",
                      help="How many continuations a beam search keeps at every step.")
    length.number_input("Characters", *bounds(LanguageModelSettings, "sample"), step=50, key="lm_sample",
                        persist_state="session", help="How many characters each sample writes.")


def inspect_controls(default: str) -> None:
    """The text whose gates and states are drawn (empty: ``default``, the start of the validation text)."""
    st.text_area("Text for the cell to read", key="lm_inspect", persist_state="session", max_chars=MAX_INSPECTED,
                 height=80, placeholder=default,
                 help="Leave it empty to read the start of the validation text. Characters the model never saw "
                      "are named.")


def embedding_controls() -> None:
    """How the character vectors are projected, and whose neighbours are listed."""
    projection, character = st.columns([3, 1])
    projection.radio("Projection", list(PROJECTIONS), format_func=PROJECTIONS.__getitem__, key="lm_projection",
                     persist_state="session", horizontal=True)
    character.text_input("Neighbours of", key="lm_of", persist_state="session", max_chars=1)


def _upload_control() -> None:
    st.caption(f"A plain text file (.txt, UTF-8 or Latin-1), up to {MAX_TEXT_BYTES // 1_000_000} MB.")
    st.file_uploader("Text file", type=["txt", "md", "csv", "py"], key="lm_upload_file", on_change=_read_upload)
    error = st.session_state.get("lm_upload_error")
    if error:
        st.error(literal(error))
    if st.session_state.get("lm_text") is not None:
        st.caption(f"In use: {literal(st.session_state['lm_text_name'])} "
                   f"({len(st.session_state['lm_text']):,} characters)")


def _read_upload() -> None:
    """Read a newly chosen file (a callback, before the text box is drawn, so it may switch to it).

    A refused file leaves the text in use as it was and says why.
    """
    state = st.session_state
    file = state.get("lm_upload_file")
    if file is None:
        return
    content = file.getvalue()
    try:
        text = read_text_upload(content)
    except ValueError as error:
        state["lm_upload_error"] = f"Could not use {file.name}: {error}"
        return
    state.update(lm_text=text, lm_text_name=file.name, lm_text_digest=hashlib.sha256(content).hexdigest()[:16],
                 lm_corpus=UPLOAD, lm_upload_error="")


def uploaded_text(settings: LanguageModelSettings) -> tuple[str | None, str]:
    """The uploaded text the settings use, and a digest naming it (None and "" without an upload)."""
    if settings.corpus != UPLOAD:
        return None, ""
    return st.session_state.get("lm_text"), st.session_state.get("lm_text_digest", "")


def settings_from_widgets() -> LanguageModelSettings:
    """Settings from the widgets; ``ValueError`` when they cannot work."""
    return links.settings_from_widgets("lm", LanguageModelSettings)
