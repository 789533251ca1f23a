"""The start-up warm-up compiles the networks the pages open with: opening them afterwards traces nothing.

Checked in a fresh interpreter, as in a server that has just started: nothing compiled, no model
in the pool, every page at its defaults.
"""

import os
import subprocess
import sys
import time

from tests.conftest import ROOT


def traces() -> dict:
    """How many times each shared compiled function was traced, by its key."""
    from engine.training import shared
    from engine.training.graph import CompiledSteps
    from engine.training.shared import SharedFunction

    counts = {}
    for key, value in shared._SHARED.items():  # noqa: SLF001
        if isinstance(value, CompiledSteps):
            counts[key] = (value.chunk.tracing_count, value.update.tracing_count, value.held_out.tracing_count)
        elif isinstance(value, SharedFunction):
            counts[key] = value.tracing_count
    return counts


def untraced_pages() -> list[str]:
    """Warm up, then open every page the warm-up serves; what each page traced that the warm-up did not."""
    import streamlit as st

    from engine.training.registry import default_registry
    from tests.pages.test_pages import open_page
    from ui.default_networks import compile_default_networks, default_runs
    from ui.runtime import wait_for_warmup

    wait_for_warmup()
    labs = [lab for lab, _ in default_runs()]
    done = compile_default_networks()
    if done != labs:
        return [f"the warm-up compiled {done}, not {labs}"]
    compiled = traces()
    problems = [] if compiled else ["the warm-up compiled nothing"]
    for lab in labs:
        app = open_page(f"{lab}.py")
        if app.exception:
            return [f"{lab}: {app.exception[0].value}"]
        (trainer,) = [trainer for runs in default_registry()._sets.values()  # noqa: SLF001
                      for trainer in runs.trainers.values()]
        deadline = time.monotonic() + 60
        while not (trainer.snapshot().compiled and trainer.snapshot().view is not None) \
                and time.monotonic() < deadline:
            time.sleep(0.05)
        if not (trainer.snapshot().compiled and trainer.snapshot().view is not None):
            problems.append(f"{lab}: not compiled and observed within 60 s")
        now = traces()
        new = [key[1] for key in set(now) - set(compiled)] + [key[1] for key in compiled if now[key] != compiled[key]]
        if new:
            problems.append(f"opening the {lab} page traced what the warm-up did not: {new}")
        st.cache_resource.clear()  # the next page opens in a fresh session, as a new learner's
        default_registry().stop_all()
    return problems


def test_every_page_opens_on_the_networks_the_warm_up_compiled():
    result = subprocess.run([sys.executable, __file__], cwd=ROOT, capture_output=True, text=True, timeout=600,
                            env={**os.environ, "PYTHONPATH": str(ROOT), "DLP_WARM_NETWORKS": "0"})
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]


if __name__ == "__main__":
    found = untraced_pages()
    print("\n".join(found))
    sys.exit(1 if found else 0)
