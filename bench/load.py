"""Many sessions training at once: does the server stay responsive?

Starts the app, opens N real browser sessions (headless Chromium) that all press Play on the
playground, then for ``--seconds`` polls the server's health check and reads every
session's epoch counter. Prints health latency p50/p95 and counter updates per session per
second. Run: ``python bench/load.py --sessions 8 --seconds 30``.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import threading
import time
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tests.browser.conftest import CHROMIUM, CHROMIUM_FLAGS, free_port  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sessions", type=int, default=8)
    parser.add_argument("--seconds", type=float, default=30.0)
    arguments = parser.parse_args()

    import subprocess

    from playwright.sync_api import sync_playwright

    port = free_port()
    root = Path(__file__).resolve().parent.parent
    server = subprocess.Popen([sys.executable, "-m", "streamlit", "run", "app.py", "--server.port", str(port),
                               "--server.headless", "true"], cwd=root,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    try:
        _wait_healthy(url)
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS)
            pages = []
            for _ in range(arguments.sessions):
                page = browser.new_page(viewport={"width": 1400, "height": 900})
                page.set_default_timeout(120_000)
                page.goto(f"{url}/network_playground")
                page.get_by_role("button", name="▶ Play", exact=True).click()
                page.get_by_role("button", name="⏸ Pause", exact=True).wait_for()
                pages.append(page)
            latencies: list[float] = []
            stop = threading.Event()
            poller = threading.Thread(target=_poll_health, args=(url, latencies, stop), daemon=True)
            poller.start()
            updates = [0] * len(pages)
            last = [None] * len(pages)
            started = time.monotonic()
            while time.monotonic() - started < arguments.seconds:
                for index, page in enumerate(pages):
                    value = page.locator('[data-testid="stMetric"]').first.inner_text()
                    if value != last[index]:
                        updates[index] += last[index] is not None
                        last[index] = value
                time.sleep(0.05)
            stop.set()
            poller.join()
            browser.close()
        elapsed = time.monotonic() - started
        latencies_ms = sorted(latency * 1000 for latency in latencies)
        p95 = latencies_ms[int(0.95 * (len(latencies_ms) - 1))]
        print(f"sessions: {arguments.sessions}, seconds: {elapsed:.0f}")
        print(f"health latency ms: p50 {statistics.median(latencies_ms):.1f}, p95 {p95:.1f} (target p95 < 250)")
        rates = [count / elapsed for count in updates]
        print(f"epoch-counter updates per session per second: min {min(rates):.2f}, "
              f"mean {statistics.mean(rates):.2f} (every session must keep updating)")
    finally:
        server.terminate()


def _wait_healthy(url: str) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(f"{url}/_stcore/health", timeout=1)
            return
        except OSError:
            time.sleep(0.2)
    raise SystemExit("The server did not start within 60 s.")


def _poll_health(url: str, latencies: list[float], stop: threading.Event) -> None:
    while not stop.is_set():
        started = time.perf_counter()
        urllib.request.urlopen(f"{url}/_stcore/health", timeout=30).read()
        latencies.append(time.perf_counter() - started)
        time.sleep(0.1)


if __name__ == "__main__":
    main()
