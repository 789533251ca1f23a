"""Page tests share one session id under AppTest: each test starts without the last one's runs."""

import pytest

from engine.training.registry import default_registry
from ui.runtime import wait_for_warmup


@pytest.fixture(autouse=True)
def fresh_session_resources():
    """Every AppTest shares one session id: release session-scoped trainers between tests."""
    import streamlit as st

    wait_for_warmup()
    yield
    st.cache_resource.clear()  # runs the release hook: the session's runs are detached
    default_registry().stop_all()  # and stopped now, not after the reaper's delay
