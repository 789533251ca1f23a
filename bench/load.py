"""Many sessions training at once: does the server stay responsive?

Starts the app, opens N real browser sessions (headless Chromium) that all press Play on the
playground, then for ``--seconds`` polls the server's health check and reads every
session's epoch counter. Prints health latency p50/p95, the frames the server sent each
session per second, and epoch-counter changes per session per second as Chromium drew them.

In a classroom each browser runs on its own laptop; here all N share the server's cores, so
the figures are pessimistic. ``--client-niceness N`` gives the browsers a lower share of the
CPU (with training at full speed the server always wants every core, so large values starve
the browsers). Run: ``python bench/load.py --sessions 8 --seconds 30``.
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import statistics
import sys
import time
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tests.browser.conftest import CHROMIUM, CHROMIUM_FLAGS, running_server  # noqa: E402

# Counts the WebSocket messages the page receives (installed before the app's scripts run).
COUNT_FRAMES = """
window.dlpFrames = 0;
const NativeWebSocket = window.WebSocket;
window.WebSocket = function (...args) {
    const socket = new NativeWebSocket(...args);
    socket.addEventListener("message", () => { window.dlpFrames += 1; });
    return socket;
};
window.WebSocket.prototype = NativeWebSocket.prototype;
Object.assign(window.WebSocket, NativeWebSocket);
"""
# Reads the epoch counter every 50 ms in the page and counts its changes; returns the frames so far.
COUNT_COUNTER_CHANGES = """() => {
    window.dlpCounterChanges = 0;
    let last = null;
    setInterval(() => {
        const metric = document.querySelector('[data-testid="stMetric"]');
        const value = metric ? metric.textContent : null;
        if (last !== null && value !== last) window.dlpCounterChanges += 1;
        last = value;
    }, 50);
    return window.dlpFrames;
}"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sessions", type=int, default=8)
    parser.add_argument("--seconds", type=float, default=30.0)
    parser.add_argument("--client-niceness", type=int, default=0,
                        help="OS niceness of this process and the browsers it starts (0: same as the server)")
    arguments = parser.parse_args()

    from playwright.sync_api import sync_playwright

    with running_server() as url:
        # The health poller stands for a load balancer elsewhere: a process of its own (so the
        # browser driver's event handling in this one cannot delay it) started before this
        # process lowers its priority (niceness is inherited by processes started afterwards).
        context = multiprocessing.get_context("spawn")
        measuring, stop = context.Event(), context.Event()
        receiver, sender = context.Pipe(duplex=False)
        poller = context.Process(target=_poll_health, args=(url, sender, measuring, stop), daemon=True)
        poller.start()
        os.nice(arguments.client_niceness)  # the browsers, started below, yield to the server
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS)
            if arguments.client_niceness:
                _lower_browser_share(arguments.client_niceness)
            pages = []
            for _ in range(arguments.sessions):
                page = browser.new_page(viewport={"width": 1400, "height": 900})
                page.set_default_timeout(120_000)
                page.add_init_script(COUNT_FRAMES)
                page.goto(f"{url}/network_playground")
                page.get_by_role("button", name="▶ Play", exact=True).click()
                page.get_by_role("button", name="⏸ Pause", exact=True).wait_for()
                pages.append(page)
            # Counted inside each page: the driver stays idle while measuring, so it takes no
            # CPU from the server.
            frames_before = [page.evaluate(COUNT_COUNTER_CHANGES) for page in pages]
            measuring.set()
            started = time.monotonic()
            time.sleep(arguments.seconds)
            updates = [page.evaluate("window.dlpCounterChanges") for page in pages]
            frames_during = [page.evaluate("window.dlpFrames") - before
                             for page, before in zip(pages, frames_before, strict=True)]
            stop.set()
            latencies = receiver.recv()
            poller.join()
            browser.close()
        elapsed = time.monotonic() - started
        latencies_ms = sorted(latency * 1000 for latency in latencies)
        def percentile(share: float) -> float:
            return latencies_ms[int(share * (len(latencies_ms) - 1))]

        slow = sum(latency > 250 for latency in latencies_ms) / len(latencies_ms)
        print(f"sessions: {arguments.sessions}, seconds: {elapsed:.0f}")
        print(f"health latency ms: p50 {percentile(0.5):.1f}, p90 {percentile(0.9):.1f}, "
              f"p95 {percentile(0.95):.1f} (target < 250), max {latencies_ms[-1]:.0f}; "
              f"{slow:.1%} of checks over 250 ms")
        sent = [count / elapsed for count in frames_during]
        print(f"frames sent per session per second: min {min(sent):.1f}, mean {statistics.mean(sent):.1f}")
        print("frames per session:", [round(value, 1) for value in sent])
        rates = [count / elapsed for count in updates]
        print(f"epoch-counter updates per session per second: min {min(rates):.2f}, "
              f"mean {statistics.mean(rates):.2f} (every session must keep updating)")


def _lower_browser_share(niceness: int) -> None:
    """Give the browsers' scheduling group a lower share of the CPU (Linux).

    Playwright starts Chromium in a session of its own, and with autogroup scheduling each
    session's group shares the CPU equally with the server's, whatever the processes' nice
    values; the group's own nice value (``/proc/PID/autogroup``) sets its share.
    """
    for pid in _descendants(os.getpid()):
        try:
            if Path(f"/proc/{pid}/comm").read_text().strip().startswith("chrom"):
                Path(f"/proc/{pid}/autogroup").write_text(str(niceness))
        except OSError:  # no autogroup support, or the process ended
            continue


def _descendants(root: int) -> list[int]:
    """Process ids below ``root``, read from /proc (empty where there is no /proc)."""
    children: dict[int, list[int]] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        children.setdefault(int(fields[1]), []).append(int(stat.parent.name))
    found, pending = [], [root]
    while pending:
        for child in children.get(pending.pop(), []):
            found.append(child)
            pending.append(child)
    return found


def _poll_health(url: str, sender, measuring, stop) -> None:
    """Time the health check every 0.1 s between ``measuring`` and ``stop``; send the times."""
    latencies = []
    measuring.wait()
    while not stop.is_set():
        started = time.perf_counter()
        urllib.request.urlopen(f"{url}/_stcore/health", timeout=30).read()
        latencies.append(time.perf_counter() - started)
        time.sleep(0.1)
    sender.send(latencies)


if __name__ == "__main__":
    main()
