"""A background job runs its work beside the caller, reports progress, and hands back a result or an error."""

import threading

import pytest

from engine.jobs import Job


def test_a_job_reports_progress_while_it_works_and_hands_back_its_result():
    halfway, go_on = threading.Event(), threading.Event()

    def work(report):
        report(0.5, "half")
        halfway.set()
        go_on.wait(10)
        return 42

    job = Job(work)
    assert halfway.wait(10)
    assert not job.done and job.progress == (0.5, "half")  # the caller was never held up
    go_on.set()
    assert job.result(10) == 42 and job.done and not job.failed and job.progress == (1.0, "half")


def test_a_failing_job_raises_its_error_to_whoever_asks_for_the_result():
    def work(report):
        report(7.0, "beyond the end")  # clamped to 1
        raise ValueError("no data")

    job = Job(work)
    with pytest.raises(ValueError, match="no data"):
        job.result(10)
    assert job.done and job.failed and job.progress[0] == 1.0
