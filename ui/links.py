"""How every lab page opens and reads its share link, and how bad input ends a page run.

``open_lab`` is the opening each lab shares: the app shell, TensorFlow ready, the link's
settings in the widgets (once per session), the title, the introduction and what was off in
the link. ``stop_on_bad_input`` shows a ``ValueError`` as the page's error and ends the run.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import streamlit as st

from ui.live import RUN_PARAM, session_runs
from ui.runtime import enter_page, wait_for_warmup
from ui.text import literal


def open_lab(prefix: str, title: str, introduction: str, read: Callable[[dict[str, str]], tuple[Any, list[str]]],
             seed_widgets: Callable[[Any], None], warm_up: bool = True) -> None:
    """Open a lab page: enter the app, wait for TensorFlow (unless ``warm_up`` is False: the page
    waits later itself), seed the widgets from the link once, and draw the header.

    Args:
        prefix: the page's widget-key prefix (``pg``, ``cv``, ...).
        title, introduction: the page's title and its first paragraph (Markdown).
        read, seed_widgets: as ``seed_from_link_once`` takes them.
        warm_up: whether the page needs TensorFlow before its controls.
    """
    enter_page()
    if warm_up:
        wait_for_warmup()
    seed_from_link_once(prefix, read, seed_widgets)
    page_header(title, introduction, prefix)


@contextmanager
def stop_on_bad_input() -> Iterator[None]:
    """A ``ValueError`` raised inside becomes the page's error and ends the run, never a traceback.

    The message is shown literally: it may quote what the learner typed, uploaded or linked.
    """
    try:
        yield
    except ValueError as error:
        st.error(literal(str(error)))
        st.stop()


def seed_from_link_once(prefix: str, read: Callable[[dict[str, str]], tuple[Any, list[str]]],
                        seed_widgets: Callable[[Any], None]) -> None:
    """Seed the page's widgets from the URL (or the defaults) on its first run in a session.

    Args:
        prefix: the page's widget-key prefix (``pg``, ``cv``, ...).
        read: ``read(query_params) -> (settings, warnings)``; no parameters means the defaults.
        seed_widgets: writes settings into the widgets' session-state keys.
    """
    if st.session_state.get(f"{prefix}_initialised"):
        return
    settings, warnings = read(dict(st.query_params))
    seed_widgets(settings)
    st.session_state.update({f"{prefix}_initialised": True, f"{prefix}_link_warnings": warnings})


def page_header(title: str, introduction: str, prefix: str) -> None:
    """The page's title, its introduction, and a warning per link setting that was ignored or clamped."""
    st.title(title)
    st.markdown(introduction)
    for warning in st.session_state.get(f"{prefix}_link_warnings", []):
        st.warning(literal(warning))  # it quotes the link's text


def write_url(params: dict[str, str]) -> None:
    """Show the page's settings in the URL, with this browser's run id (so a reload finds its runs)."""
    st.query_params.from_dict({**params, RUN_PARAM: session_runs().run_id})
