"""Share links on a page: seed its controls from the URL once per session, and say what was off."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import streamlit as st

from ui.live import RUN_PARAM, session_runs
from ui.text import literal


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
