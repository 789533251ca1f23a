"""Table editors whose edits outlive a visit to another page.

A ``st.data_editor`` keeps the user's edits in its own widget state, which Streamlit drops
when the page is left. The labs hold each table as a base value plus the editor's edits, and
the editor's key carries a version (a preset load starts a fresh editor). So each run
remembers what the editor showed under which key; when that key has vanished from the
session, the page was left, and what was shown becomes the base again.
"""

from __future__ import annotations

from typing import Any

import streamlit as st


def remember_shown(name: str, editor_key: str, value: Any) -> None:
    """Record what the editor with ``editor_key`` shows this run (its base with the edits applied)."""
    st.session_state[f"{name}_shown"] = (editor_key, value)


def shown_before_leaving(name: str) -> Any | None:
    """What the editor showed when the page was left, if its edits were dropped since; else None."""
    remembered = st.session_state.get(f"{name}_shown")
    if remembered is None or remembered[0] in st.session_state:
        return None
    return remembered[1]
