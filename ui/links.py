"""How every lab page opens and reads its share link, and how bad input ends a page run.

``open_lab`` is the opening each lab shares: the app shell, TensorFlow ready, the link's
settings in the widgets (once per session), the title, the introduction and what was off in
the link. ``stop_on_bad_input`` shows a ``ValueError`` as the page's error and ends the run.
``seed_widgets`` and ``settings_from_widgets`` move a lab's declared settings (``engine.fields``)
into and out of its widgets, each under the key ``{prefix}_{link key}``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from typing import Any

import streamlit as st

from engine.fields import Declared, Settings, Spec, build, walk
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


def seed_widgets(prefix: str, settings: Declared, skip: tuple[str, ...] = ()) -> None:
    """Write every setting (but the link keys in ``skip``) into its widget's key, before the widgets are drawn."""
    st.session_state.update({f"{prefix}_{spec.key}": list(value) if isinstance(value, tuple) else value
                             for spec, value in walk(settings) if spec.key and spec.key not in skip})


def settings_from_widgets(prefix: str, cls: type[Settings], given: Mapping[str, Any] | None = None) -> Settings:
    """``cls`` from its widgets' values; ``given`` supplies values by link key that no widget holds as such.

    A setting without a widget keeps its default. Raises ``ValueError`` for values that cannot work.
    """
    given = given or {}
    state = st.session_state

    def value_of(spec: Spec, default: Any, length: int) -> Any:
        if spec.key in given:
            return given[spec.key]
        key = f"{prefix}_{spec.key}"
        return typed(spec, state[key]) if key in state else default

    return build(cls, value_of)


def typed(spec: Spec, value: Any) -> Any:
    """A widget's value as the setting's type (number inputs and sliders may hand back either number type)."""
    item = {"integer": int, "integers": int, "number": float, "numbers": float, "flag": bool}.get(spec.kind)
    if spec.kind in ("integers", "numbers", "choices"):
        return tuple(item(part) if item else part for part in value)
    return item(value) if item else value


SECTION_PARAM = "view"


def page_section(prefix: str, sections: Sequence[str]) -> str:
    """Which part of a lab page to draw, picked in a row of buttons where tabs would be.

    Only the chosen part runs and is sent. Streamlit draws every tab's content on every run, and
    its tab panels search all their content for something focusable after each update, so a
    Plotly chart in any tab cost every live frame tens of milliseconds of the browser's time.
    The first visit opens the part the link names (``view``, its position counted from 1),
    else the first; ``section_param`` puts the choice back into the link.
    """
    key = f"{prefix}_section"
    if key not in st.session_state:
        linked = st.query_params.get(SECTION_PARAM, "")
        st.session_state[key] = sections[int(linked) - 1] if linked.isdigit() and 1 <= int(linked) <= len(sections) \
            else sections[0]
    chosen = st.segmented_control("Part of the page", sections, key=key, required=True, label_visibility="collapsed",
                                  persist_state="session")
    return chosen or sections[0]  # required: never None, though its type allows it


def section_param(prefix: str, sections: Sequence[str]) -> dict[str, str]:
    """The link parameter that reopens the part of the page shown now (``page_section``)."""
    return {SECTION_PARAM: str(list(sections).index(st.session_state[f"{prefix}_section"]) + 1)}


def write_url(params: dict[str, str]) -> None:
    """Show the page's settings in the URL, with this browser's run id (so a reload finds its runs)."""
    st.query_params.from_dict({**params, RUN_PARAM: session_runs().run_id})
