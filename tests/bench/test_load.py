"""bench/load.py's health poller: a failed check is counted and the poller still reports."""

import socket
import threading

from bench.load import _poll_health


class Sent:
    """Stands in for the pipe's sending end."""

    def __init__(self) -> None:
        self.messages = []

    def send(self, message) -> None:
        self.messages.append(message)


def test_a_server_that_refuses_every_check_is_reported_as_failures_not_a_dead_poller():
    with socket.socket() as probe:  # a port nothing listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    sent, measuring, stop = Sent(), threading.Event(), threading.Event()
    measuring.set()
    poller = threading.Thread(target=_poll_health, args=(f"http://127.0.0.1:{port}", sent, measuring, stop))
    poller.start()
    threading.Timer(0.5, stop.set).start()
    poller.join(timeout=30)
    assert not poller.is_alive()
    [(latencies, failures)] = sent.messages
    assert latencies == [] and failures >= 2
