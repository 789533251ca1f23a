"""One-off work in the background, with a progress bar: the page stays usable while it runs.

``start_job`` hands work to an ``engine.jobs.Job`` kept in the session; ``shared_job`` keeps one
job per settings for every session (a pre-training thirty learners ask for runs once, and each
sees its progress); ``job_result`` draws a running job's progress bar, redrawn twice a second in
a fragment of its own, reruns the page once the job is done, and hands its result back then.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Any, TypeVar

import streamlit as st

from engine.jobs import Job, Report
from ui.runtime import page_fragment
from ui.text import literal

T = TypeVar("T")
PROGRESS_SECONDS = 0.5  # how often a running job's progress bar is redrawn
SHARED_JOBS = 16  # finished shared jobs kept for later sessions (the oldest go first)


def start_job(key: str, work: Callable[[Report], Any]) -> None:
    """Start ``work(report)`` in the background as this session's job ``key`` (the one before is let go)."""
    st.session_state[_job_key(key)] = Job(work)


def _job_key(key: str) -> str:
    """Where the session keeps job ``key`` (apart from widget keys: a job is often named after its button)."""
    return f"job_{key}"


_shared_jobs: OrderedDict[tuple[str, Hashable], Job] = OrderedDict()  # results of plain data, like st.cache_data's
_shared_lock = threading.Lock()


def shared_job(name: str, settings: Hashable, work: Callable[[Report], T]) -> Job[T]:
    """The process-wide job ``name`` for ``settings``, started with ``work`` when there is none yet."""
    key = (name, settings)
    with _shared_lock:
        job = _shared_jobs.get(key)
        if job is None or job.failed:  # a failure is tried again on the next visit
            job = _shared_jobs[key] = Job(work, name=f"dlp-{name}")
            while len(_shared_jobs) > SHARED_JOBS:
                _shared_jobs.popitem(last=False)
        _shared_jobs.move_to_end(key)
    return job


def job_result(job: Job[T] | str | None, label: str) -> T | None:
    """A job's result once it is done; meanwhile its progress bar (and None).

    ``job`` is a ``Job`` or the session key ``start_job`` kept it under (None: no job); ``label``
    is Markdown (escape what the learner named in it). A job that failed says why, as an error
    on the page, and gives None.
    """
    if isinstance(job, str):
        job = st.session_state.get(_job_key(job))
    if job is None:
        return None
    if not job.done:
        running = job

        def progress() -> None:
            if running.done:
                st.rerun()
            fraction, text = running.progress
            st.progress(fraction, text=f"{label}: {literal(text)}" if text else f"{label}…")

        page_fragment(progress, PROGRESS_SECONDS)
        return None
    try:
        return job.result()
    except Exception as error:  # bad settings or a failure on the way: said, never a traceback
        st.error(literal(f"{label} failed: {error}"))
        return None
