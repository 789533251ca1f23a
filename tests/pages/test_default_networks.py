"""The start-up warm-up compiles the networks the pages open with: opening them afterwards traces nothing."""

import time
from collections import deque

import streamlit as st

from engine.training import pool
from engine.training.graph import CompiledSteps
from engine.training.pool import SharedFunction
from engine.training.registry import default_registry
from tests.pages.test_pages import open_page
from ui.default_networks import compile_default_networks, default_runs


def traces() -> dict:
    """How many times each shared compiled function was traced, by its key."""
    counts = {}
    for key, value in pool._SHARED.items():  # noqa: SLF001
        if isinstance(value, CompiledSteps):
            counts[key] = (value.chunk.tracing_count, value.update.tracing_count, value.held_out.tracing_count)
        elif isinstance(value, SharedFunction):
            counts[key] = value.tracing_count
    return counts


def test_every_page_opens_on_the_networks_the_warm_up_compiled(monkeypatch):
    # As in a server that has just started: nothing compiled, no model waiting in the pool.
    monkeypatch.setattr(pool, "_SHARED", {})
    monkeypatch.setattr(pool.MODEL_POOL, "_idle", [])
    monkeypatch.setattr(pool.MODEL_POOL, "_returned", deque())
    labs = [lab for lab, _ in default_runs()]
    assert compile_default_networks() == labs
    compiled = traces()
    assert compiled, "the warm-up compiled nothing: the test would show nothing"
    for lab in labs:
        app = open_page(f"{lab}.py")
        assert not app.exception, app.exception[0].value if app.exception else ""
        (trainer,) = [trainer for runs in default_registry()._sets.values()  # noqa: SLF001
                      for trainer in runs.trainers.values()]
        deadline = time.monotonic() + 60
        while not (trainer.snapshot().compiled and trainer.snapshot().view is not None) \
                and time.monotonic() < deadline:
            time.sleep(0.05)
        assert trainer.snapshot().compiled and trainer.snapshot().view is not None, lab
        new = [key[1] for key in set(traces()) - set(compiled)] + [key[1] for key in compiled if traces()[key] != compiled[key]]
        assert not new, f"opening the {lab} page traced what the warm-up did not: {new}"
        st.cache_resource.clear()  # the next page opens in a fresh session, as a new learner's
        default_registry().stop_all()
