"""Process-wide set-up that makes one server carry many live sessions.

Measured on 2 cores: after every script or fragment run Streamlit calls
``keras.backend.clear_session()`` (its ``_clean_problem_modules`` hook) and a full
``gc.collect()``. With TensorFlow loaded each costs ~240 ms and blocks every thread, so four
live sessions froze the server. We keep that hook from touching Keras (it would also reset
the global Keras state other sessions are using), turn the GC off in ``.streamlit/config.toml``
(``runner.postScriptGC = false``), and ``gc.freeze()`` the heavy imports once.
"""

from __future__ import annotations

import gc
import importlib
import threading
from collections.abc import Callable
from pathlib import Path

APP_PATH = Path(__file__).resolve().parent.parent / "app.py"
PAGE_RUN_KEY = "page_run"  # session state: how many full runs this session's pages have made
_warmup_started = False
_warmup_lock = threading.Lock()
warmed_up = threading.Event()


def enter_page() -> None:
    """Make sure the page runs inside ``app.py``'s navigation; call first in every page.

    Streamlit keeps a legacy mode for apps with a ``pages/`` folder: when a server's first
    request names a page (a shared link to a lab), it runs that page file on its own,
    without ``app.py``, so the page config, the navigation and ``keep_keras_state`` are all
    skipped. Here the page switches Streamlit to ``st.navigation`` by running ``app.py``
    in its place (which runs this page again, inside the app) and ends the bare run. The
    same run carries on, so nothing the user sent with it (a click, a link) is lost.
    """
    import runpy

    import streamlit as st
    from streamlit.runtime.pages_manager import PagesManager

    if PagesManager.uses_pages_directory:
        PagesManager.uses_pages_directory = False
        runpy.run_path(str(APP_PATH), run_name="__main__")
        st.stop()
    st.session_state[PAGE_RUN_KEY] = st.session_state.get(PAGE_RUN_KEY, 0) + 1


def page_fragment(view: Callable[[], None], run_every: float | None) -> None:
    """Draw ``view`` in a fragment (redrawn every ``run_every`` seconds) that belongs to this page run only.

    A page run that ends in ``st.stop()`` leaves the previous run's fragments in Streamlit's store,
    and a timer tick that reached the server during that run then redraws the old view over the
    new page: a learner who picked "Your points" while the GAN compiled saw the old charts where
    the prompt to draw should be, for good. A fragment from an earlier page run reruns the page
    instead of drawing.
    """
    import streamlit as st

    page_run = st.session_state.get(PAGE_RUN_KEY)

    @st.fragment(run_every=run_every)
    def fragment() -> None:
        if st.session_state.get(PAGE_RUN_KEY) != page_run:
            st.rerun()
        view()

    fragment()


def keep_keras_state() -> None:
    """Replace Streamlit's post-run clean-up so it no longer clears Keras's global session.

    The hook is private (``streamlit.runtime.scriptrunner.script_runner._clean_problem_modules``);
    requirements pin Streamlit's minor range and a test checks the replacement is in effect.
    """
    from streamlit.runtime.scriptrunner import script_runner

    script_runner._clean_problem_modules = _clean_nothing


def _clean_nothing() -> None:
    """Nothing to clean: models live in each session's own state, never in Keras globals."""


def start_warmup() -> None:
    """Import TensorFlow, Keras, Plotly and scikit-learn in the background, once per process.

    Called when the server imports ``app.py`` (and again by every run, a no-op after the first):
    the first visitor of a lab then does not wait ~4 s for ``import tensorflow``; the home page
    never waits for it at all. When done, GPUs get memory growth and imports are frozen for GC.
    Then, on the same thread and at the training threads' priority, the labs' default networks
    are compiled (``ui.default_networks``), so the first learner on each page starts at once.
    """
    global _warmup_started
    with _warmup_lock:
        if _warmup_started:
            return
        _warmup_started = True
    threading.Thread(target=_warm_up, name="dlp-warmup", daemon=True).start()


def wait_for_warmup() -> None:
    """Block until TensorFlow is imported; call before a page touches Keras.

    TensorFlow's import is not safe to run in two threads at once, so a page never imports
    it alongside the warm-up thread: it starts the warm-up (if nobody did) and waits for it.
    """
    start_warmup()
    warmed_up.wait()


def _warm_up() -> None:
    try:
        for name in ("numpy", "plotly.graph_objects", "sklearn.neural_network", "tensorflow", "keras"):
            importlib.import_module(name)
        from engine.device import configure_gpus

        configure_gpus()
        gc.freeze()  # long-lived import objects leave the collector's generations
    finally:
        warmed_up.set()
    from engine.training.pacing import TRAINING_NICENESS, lower_thread_priority
    from ui.default_networks import WARM_NETWORKS, compile_default_networks

    if WARM_NETWORKS:
        lower_thread_priority(TRAINING_NICENESS)
        compile_default_networks()
