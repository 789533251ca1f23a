"""Many sessions training at once: does the server stay responsive?

Starts the app, opens N real sessions that all press Play on the playground, then for
``--seconds`` polls the server's health check and counts every session's updates. Prints
health latency p50/p95, the frames the server sent each session per second, and epoch-counter
updates per session per second.

Two kinds of client (``--clients``):

- ``protocol`` (default): each session is a WebSocket client speaking Streamlit's own
  protocol, as the browser does: it loads the page, clicks Play by sending the button's
  trigger, and asks for each next frame as the page's pacer does (at the interval the server
  names, once the last frame arrived). It draws
  nothing, so the server's cores serve only the server, as in a classroom where every
  browser runs on its own laptop. This measures the server.
- ``browser``: headless Chromium pages. All N share the server's cores, so each page's
  redraws take CPU from the server, and the figures are pessimistic.
  ``--client-niceness N`` gives the browsers a lower share of the CPU.

Run: ``python bench/load.py --sessions 8 --seconds 30`` (add ``--clients browser`` for Chromium).

``--churn ROUNDS``: instead, ROUNDS times, ``--sessions`` protocol sessions arrive, press Play,
train ``--seconds`` and leave; after each round (once the server has freed the runs that are
gone) it prints the server's resident memory and threads. Memory that climbs round after round
is memory the sessions that left did not give back.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import multiprocessing
import os
import statistics
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path

import websockets
from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DLP_WARM_NETWORKS", "1")  # the servers start as the app does (the tests' set-up turns it off)

from tests.browser.conftest import CHROMIUM, CHROMIUM_FLAGS, running_server  # noqa: E402

# Counts the WebSocket messages and live-feed frames the page receives (installed before the app's scripts run).
COUNT_FRAMES = """
window.dlpFrames = 0;
const nativeFetch = window.fetch;
window.fetch = (...args) => {
    if (String(args[0]).includes("/_dlp/feed/")) window.dlpFrames += 1;
    return nativeFetch(...args);
};
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
        const metric = document.querySelector('[data-testid="stMetric"], .dlp-metric');
        const value = metric ? metric.textContent : null;
        if (last !== null && value !== last) window.dlpCounterChanges += 1;
        last = value;
    }, 50);
    return window.dlpFrames;
}"""


PAGE = "network_playground"
PACER = "dlp_frame_pacer"  # the component in each live view that asks for the next frame (ui/pacer.py)
METRICS, METRICS_KEY = "dlp_live_metrics", "pg_metrics"  # the live metrics row while playing (ui/canvas.py)
INTERNAL_KEY = "$$STREAMLIT_INTERNAL_KEY"  # Streamlit's prefix of a component's trigger widget
HEALTH_REPORT_SECONDS = 60  # how long main waits for the health poller's figures
CHURN_KEEP_SECONDS = 2  # churn: the server frees a departed session's runs this soon (DLP_DETACHED_KEEP_SECONDS)
CHURN_SETTLE_SECONDS = 10  # churn: wait after a round before reading the server's memory


@dataclass
class Counts:
    """What the clients saw while measuring: seconds, and frames and updates per session."""

    seconds: float
    frames: list[int]
    updates: list[int]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sessions", type=int, default=8)
    parser.add_argument("--seconds", type=float, default=30.0)
    parser.add_argument("--clients", choices=("protocol", "browser"), default="protocol",
                        help="WebSocket clients that draw nothing, or headless Chromium pages")
    parser.add_argument("--client-niceness", type=int, default=0,
                        help="browser clients: OS niceness of the browsers (0: same as the server)")
    parser.add_argument("--churn", type=int, default=0, metavar="ROUNDS",
                        help="rounds of sessions that arrive, train --seconds and leave; prints memory per round")
    arguments = parser.parse_args()
    if arguments.churn:
        churn(arguments.churn, arguments.sessions, arguments.seconds)
        return

    with running_server() as url:
        # The health poller stands for a load balancer elsewhere: a process of its own (so the
        # clients' event handling in this one cannot delay it) started before this process
        # lowers its priority (niceness is inherited by processes started afterwards).
        context = multiprocessing.get_context("spawn")
        measuring, stop = context.Event(), context.Event()
        receiver, sender = context.Pipe(duplex=False)
        poller = context.Process(target=_poll_health, args=(url, sender, measuring, stop), daemon=True)
        poller.start()
        if arguments.clients == "browser":
            counts = _browser_sessions(url, arguments.sessions, arguments.seconds, arguments.client_niceness, measuring)
        else:
            counts = asyncio.run(protocol_sessions(url, arguments.sessions, arguments.seconds, measuring))
        stop.set()
        if not receiver.poll(HEALTH_REPORT_SECONDS):
            raise SystemExit(f"The health poller sent nothing within {HEALTH_REPORT_SECONDS} s.")
        latencies, failures = receiver.recv()
        poller.join()
    _report(arguments.sessions, arguments.clients, counts, latencies, failures)


def churn(rounds: int, sessions: int, seconds: float) -> None:
    """Rounds of sessions that arrive, train and leave; the server's memory and threads after each."""
    os.environ["DLP_DETACHED_KEEP_SECONDS"] = str(CHURN_KEEP_SECONDS)  # read by the server started below
    with running_server() as url:
        server = server_process(url)
        print(f"server before any session: {_server_status(server)}")
        for number in range(1, rounds + 1):
            asyncio.run(protocol_sessions(url, sessions, seconds, multiprocessing.Event()))
            time.sleep(CHURN_SETTLE_SECONDS)
            print(f"after round {number} ({number * sessions} sessions came and went): {_server_status(server)}",
                  flush=True)


def server_process(url: str) -> int:
    """The process id of the Streamlit server on ``url``'s port (a child of this process)."""
    port = url.rsplit(":", 1)[1]
    for pid in descendants(os.getpid()):
        try:
            if f"--server.port\0{port}" in Path(f"/proc/{pid}/cmdline").read_text():
                return pid
        except OSError:
            continue
    raise RuntimeError(f"No server process listens on port {port}.")


def _server_status(pid: int) -> str:
    """Resident memory and threads of process ``pid``, from /proc."""
    fields = dict(line.split(":", 1) for line in Path(f"/proc/{pid}/status").read_text().splitlines())
    return f"RSS {int(fields['VmRSS'].split()[0]) / 1024:,.0f} MB, {fields['Threads'].strip()} threads"


def _report(sessions: int, clients: str, counts: Counts, latencies: list[float], failures: int) -> None:
    print(f"sessions: {sessions} ({clients} clients), seconds: {counts.seconds:.0f}")
    if failures or not latencies:
        print(f"health checks failed: {failures} of {failures + len(latencies)}")
    if latencies:
        latencies_ms = sorted(latency * 1000 for latency in latencies)

        def percentile(share: float) -> float:
            return latencies_ms[int(share * (len(latencies_ms) - 1))]

        slow = sum(latency > 250 for latency in latencies_ms) / len(latencies_ms)
        print(f"health latency ms: p50 {percentile(0.5):.1f}, p90 {percentile(0.9):.1f}, "
              f"p95 {percentile(0.95):.1f} (target < 250), max {latencies_ms[-1]:.0f}; "
              f"{slow:.1%} of checks over 250 ms")
    sent = [count / counts.seconds for count in counts.frames]
    print(f"frames sent per session per second: min {min(sent):.1f}, mean {statistics.mean(sent):.1f}")
    print("frames per session:", [round(value, 1) for value in sent])
    rates = [count / counts.seconds for count in counts.updates]
    print(f"epoch-counter updates per session per second: min {min(rates):.2f}, "
          f"mean {statistics.mean(rates):.2f} (every session must keep updating)")


def _browser_sessions(url: str, sessions: int, seconds: float, niceness: int, measuring) -> Counts:
    """Chromium pages that press Play; frames and counter changes are counted inside each page."""
    from playwright.sync_api import sync_playwright

    os.nice(niceness)  # the browsers, started below, yield to the server
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS)
        if niceness:
            _lower_browser_share(niceness)
        pages = []
        for _ in range(sessions):
            page = browser.new_page(viewport={"width": 1400, "height": 900})
            page.set_default_timeout(120_000)
            page.add_init_script(COUNT_FRAMES)
            page.goto(f"{url}/{PAGE}")
            page.get_by_role("button", name="Play", exact=True).click()
            page.get_by_role("button", name="Pause", exact=True).wait_for()
            pages.append(page)
        # The driver stays idle while measuring, so it takes no CPU from the server.
        frames_before = [page.evaluate(COUNT_COUNTER_CHANGES) for page in pages]
        measuring.set()
        started = time.monotonic()
        time.sleep(seconds)
        updates = [page.evaluate("window.dlpCounterChanges") for page in pages]
        frames = [page.evaluate("window.dlpFrames") - before for page, before in zip(pages, frames_before, strict=True)]
        elapsed = time.monotonic() - started
        browser.close()
    return Counts(elapsed, frames, updates)


@dataclass
class ProtocolSession:
    """One session driven over Streamlit's WebSocket protocol, as the browser drives it.

    It opens the page, presses Play once the page has run, and asks for each next frame as the
    page's pacer does in a browser (``ui/pacer.py``): once a frame arrived and the interval it
    names has passed since the last ask. The fragment's ``auto_rerun`` watchdog ticks too
    (skipping a tick while the previous run is still going).
    """

    frames: int = 0
    updates: int = 0
    epoch: str = ""
    page_hash: str = ""
    play_id: str = ""
    pressed: bool = False
    running: bool = True
    timer: asyncio.Task | None = None
    asking: asyncio.Task | None = None
    asked: float = 0.0
    base: str = ""

    async def drive(self, url: str, stop: asyncio.Event) -> None:
        """Run the session until ``stop`` is set."""
        self.base = url
        address = url.replace("http://", "ws://") + "/_stcore/stream"
        async with websockets.connect(address, subprotocols=["streamlit"], max_size=None) as socket:
            await socket.send(_rerun(page_name=PAGE))
            while not stop.is_set():
                try:
                    raw = await asyncio.wait_for(socket.recv(), timeout=0.5)
                except TimeoutError:
                    continue
                await self._receive(ForwardMsg.FromString(raw), socket)
            for task in (self.timer, self.asking):
                if task:
                    task.cancel()

    @property
    def playing(self) -> bool:
        return self.pressed and self.timer is not None

    async def _receive(self, message: ForwardMsg, socket) -> None:
        self.frames += 1
        kind = message.WhichOneof("type")
        if kind == "navigation":
            self.page_hash = next(page.page_script_hash for page in message.navigation.app_pages
                                  if page.url_pathname == PAGE)
        elif kind == "delta" and message.delta.WhichOneof("type") == "new_element":
            self._element(message.delta.new_element)
            pacer = message.delta.new_element.bidi_component
            if pacer.component_name == PACER:
                if self.asking:
                    self.asking.cancel()  # a newer frame: ask for the one after it instead
                self.asking = asyncio.create_task(self._ask(socket, pacer, message.delta.fragment_id))
        elif kind == "auto_rerun":
            if self.timer:
                self.timer.cancel()
            self.timer = asyncio.create_task(self._tick(socket, message.auto_rerun))
        elif kind == "session_status_changed":
            self.running = message.session_status_changed.script_is_running
        elif kind == "script_finished" and not self.pressed and self.play_id:
            self.pressed, self.running = True, True
            await socket.send(_rerun(page_hash=self.page_hash, trigger=self.play_id))

    def _element(self, element) -> None:
        kind = element.WhichOneof("type")
        if kind == "button" and element.button.label == "Play":
            self.play_id = element.button.id
        elif kind == "metric" and element.metric.label == "Epoch":
            self._count_epoch(element.metric.body)
        elif kind == "bidi_component" and element.bidi_component.component_name == METRICS:
            metrics = json.loads(element.bidi_component.json)["metrics"]
            self._count_epoch(dict((label, value) for label, value, _ in metrics).get("Epoch", self.epoch))

    async def _ask(self, socket, pacer, fragment_id: str) -> None:
        """What the pacer does in the browser: take the feed's frames while it has them (``ui/feed.py``),
        then ask for the next fragment run once the interval has passed since the last ask."""
        data = json.loads(pacer.json)
        interval, started = data["interval_ms"] / 1000, time.monotonic()
        while data.get("feed") and time.monotonic() - started < data["refresh_ms"] / 1000:
            await asyncio.sleep(max(0.0, interval - (time.monotonic() - self.asked)))
            cadence, self.asked = self._cadence()
            status, frame = await asyncio.to_thread(_fetch_json, f"{self.base}{data['url']}?cadence_ms={cadence * 1000:.0f}")
            if status == 404:
                return  # the page closed the feed: it is being redrawn
            if frame is None or frame.get("rerun"):
                break
            self.frames += 1
            self._count_epoch(dict(map(tuple, frame["metrics"].get(METRICS_KEY, []))).get("Epoch", self.epoch))
            interval = frame["interval_ms"] / 1000
        await asyncio.sleep(max(0.0, interval - (time.monotonic() - self.asked)))
        cadence, self.asked = self._cadence()
        events = [{"event": "drawn", "value": {"frame": data["frame"], "cadence_ms": cadence * 1000}}]
        message = BackMsg()
        state = message.rerun_script
        state.page_script_hash, state.fragment_id = self.page_hash, fragment_id
        state.widget_states.widgets.add(id=f"{INTERNAL_KEY}_{pacer.id}__events", json_trigger_value=json.dumps(events))
        await socket.send(message.SerializeToString())

    def _cadence(self) -> tuple[float, float]:
        """Seconds since the last ask (0 for the first, as ``ui/pacer.py`` counts), and now."""
        now = time.monotonic()
        return (now - self.asked if self.asked else 0.0), now

    def _count_epoch(self, shown: str) -> None:
        if shown != self.epoch:
            self.updates += bool(self.epoch)  # the first counter drawn is where training starts, not an update
            self.epoch = shown

    async def _tick(self, socket, auto_rerun) -> None:
        while True:
            await asyncio.sleep(auto_rerun.interval)
            if not self.running:
                self.running = True
                await socket.send(_rerun(page_hash=self.page_hash, fragment_id=auto_rerun.fragment_id))


def _fetch_json(url: str) -> tuple[int, dict | None]:
    """GET ``url``: its status and JSON body (None when it is not JSON or did not come)."""
    try:
        with urllib.request.urlopen(url, timeout=30) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, None
    except (OSError, ValueError):
        return 0, None


def _rerun(page_name: str = "", page_hash: str = "", trigger: str = "", fragment_id: str = "") -> bytes:
    """A serialized ``rerun_script`` back-message: open a page, press a button or rerun a fragment."""
    message = BackMsg()
    state = message.rerun_script
    state.page_name, state.page_script_hash = page_name, page_hash
    if trigger:
        state.widget_states.widgets.add(id=trigger, trigger_value=True)
    if fragment_id:
        state.fragment_id, state.is_auto_rerun = fragment_id, True
    return message.SerializeToString()


async def protocol_sessions(url: str, sessions: int, seconds: float, measuring) -> Counts:
    """Protocol clients that press Play; waits until all are playing, then measures."""
    stop = asyncio.Event()
    clients = [ProtocolSession() for _ in range(sessions)]
    tasks = []
    for number, client in enumerate(clients, start=1):  # one after another, as students arrive
        task = asyncio.create_task(client.drive(url, stop))
        tasks.append(task)
        deadline = time.monotonic() + 120
        while not (client.playing and client.updates):  # compiled and training, not only Play pressed
            if task.done() or time.monotonic() > deadline:
                stop.set()
                if task.done():
                    task.result()  # raises the session's own error, if it had one
                raise RuntimeError(f"Session {number} did not start playing (no Play button or no live redraws).")
            await asyncio.sleep(0.1)
    frames_before = [client.frames for client in clients]
    updates_before = [client.updates for client in clients]
    measuring.set()
    started = time.monotonic()
    await asyncio.sleep(seconds)
    elapsed = time.monotonic() - started
    counts = Counts(
        elapsed,
        [client.frames - before for client, before in zip(clients, frames_before, strict=True)],
        [client.updates - before for client, before in zip(clients, updates_before, strict=True)],
    )
    stop.set()
    await asyncio.gather(*tasks)
    return counts


def _lower_browser_share(niceness: int) -> None:
    """Give the browsers' scheduling group a lower share of the CPU (Linux).

    Playwright starts Chromium in a session of its own, and with autogroup scheduling each
    session's group shares the CPU equally with the server's, whatever the processes' nice
    values; the group's own nice value (``/proc/PID/autogroup``) sets its share.
    """
    for pid in descendants(os.getpid()):
        try:
            if Path(f"/proc/{pid}/comm").read_text().strip().startswith("chrom"):
                Path(f"/proc/{pid}/autogroup").write_text(str(niceness))
        except OSError:  # no autogroup support, or the process ended
            continue


def descendants(root: int) -> list[int]:
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
    """Time the health check every 0.1 s between ``measuring`` and ``stop``; send the times and the failures.

    A check that fails (refused, reset, timed out, an HTTP error) is counted, not fatal: the
    poller always sends what it measured, so ``main`` never waits for it in vain.
    """
    latencies, failures = [], 0
    try:
        measuring.wait()
        while not stop.is_set():
            started = time.perf_counter()
            try:
                urllib.request.urlopen(f"{url}/_stcore/health", timeout=30).read()
                latencies.append(time.perf_counter() - started)
            except OSError:  # URLError, HTTPError and socket timeouts are all OSErrors
                failures += 1
            time.sleep(0.1)
    finally:
        sender.send((latencies, failures))


if __name__ == "__main__":
    main()
