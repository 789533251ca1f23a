"""What a learner sees while a lab trains: frames, their cost in the browser, and how fast controls answer.

Opens each live page in headless Chromium (a new session each, on one warm server: TensorFlow
imported and the default networks compiled, as a server is when its first learner arrives), presses
Play and, for ``--seconds``, records in the page itself, at every animation frame:

- visible updates per second: changes of the epoch (episode) counter as painted;
- browser main-thread milliseconds per update (Chrome's ``TaskDuration`` through CDP);
- kilobytes per update the WebSocket and the live feed (``ui/feed.py``) delivered;
- blank frames: samples where a view drawn in an earlier sample (a Plotly chart, a live canvas, an
  image) was missing; a view that appears only later (a background job's chart) is no blank;
- server CPU milliseconds per update (the server process's CPU time, training included).

Then it times what a learner does: opening the page, Play → first epoch on screen, a control
change while training (the speed selector), Pause (and how many epochs the counter moved past
the moment Pause was pressed), Step and Reset (each once the page is quiet again). Then a
second new session opens the page and presses Play: a learner arriving at a warm server (its
networks compiled, its data loaded, by the first), once the server is quiet again. Last, in
this process, it drives each page through ``AppTest`` and prints the server CPU one
observation (the snapshot a frame draws) costs the trainer's worker.

Run: ``python bench/browser_frames.py`` (idle), ``python bench/browser_frames.py --load 2`` (with
two busy processes on the cores). ``--pages gan_lab,rl_lab`` picks pages.
"""

from __future__ import annotations

import argparse
import contextlib
import multiprocessing
import os
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from load import server_process

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tests.browser.conftest import CHROMIUM, CHROMIUM_FLAGS, running_server  # noqa: E402


@dataclass(frozen=True)
class LivePage:
    """A page that trains live: its URL path, the key prefix of its run controls, and a share link's query."""

    path: str
    prefix: str
    query: str = ""


PAGES = (
    LivePage("network_playground", "pg"), LivePage("cnn_lab", "cnn"), LivePage("transfer_learning", "tl"),
    LivePage("autoencoder_lab", "ae"), LivePage("gan_lab", "gan"), LivePage("image_gan", "dcgan"),
    LivePage("rbm_lab", "rbm"), LivePage("rl_lab", "rl", "env=MountainCar-v0"),  # the default CartPole is solved, and stops, within the window
    LivePage("recurrence_unrolled", "ru"), LivePage("forecasting_race", "fc"), LivePage("char_language_model", "lm"),
    LivePage("vanishing_gradients", "vg"), LivePage("seq2seq_attention", "s2s"),
)
TIMEOUT_MS = 300_000
PAUSE_SETTLE_SECONDS = 1.5  # after Pause: how long the counter must stay put
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")

# Installed before the app's scripts: counts WebSocket and feed bytes, reads the counter at every animation
# frame (what is painted) and samples whether every live view is drawn.
INSTRUMENT = r"""
(() => {
  const bench = {bytes: 0, changes: [], views: [], sampling: false, last: null, received: 0};
  window.dlpBench = bench;
  const NativeWebSocket = window.WebSocket;
  window.WebSocket = function (...args) {
    const socket = new NativeWebSocket(...args);
    socket.addEventListener("message", event => {
      const data = event.data;
      bench.bytes += data.byteLength ?? data.size ?? data.length ?? 0;
      bench.received = performance.now();
    });
    return socket;
  };
  window.WebSocket.prototype = NativeWebSocket.prototype;
  Object.assign(window.WebSocket, NativeWebSocket);
  new PerformanceObserver(list => {
    for (const entry of list.getEntries()) if (entry.name.includes("/_dlp/feed/")) bench.bytes += entry.encodedBodySize;
    performance.clearResourceTimings();  // a full buffer would stop the entries
  }).observe({type: "resource", buffered: false});
  window.dlpCounter = () => {
    for (const metric of document.querySelectorAll('[data-testid="stMetric"], .dlp-metric')) {
      const text = metric.innerText;
      if ((text.startsWith("Epoch") || text.startsWith("Episode")) && !text.includes("/")) {
        return parseInt(metric.querySelector('[data-testid="stMetricValue"], .dlp-metric-value').innerText.replace(/,/g, ""), 10);
      }
    }
    return null;
  };
  // The views drawn now, by key (a chart and the live canvas that stands in for it while the
  // run plays count as one view): Plotly charts, images and live canvases that show something.
  const keyOf = (element, index) => {
    const key = element.closest('[class*="st-key-"]')?.className.match(/st-key-([\w-]+)/)?.[1];
    return key ? key.replace(/_canvas$/, "") : `unkeyed ${index}`;
  };
  const drawnViews = () => {
    const main = document.querySelector('[data-testid="stMain"]');
    if (!main) return [];
    const charts = [...main.querySelectorAll('[data-testid="stPlotlyChart"]')]
      .filter(chart => chart.querySelector(".main-svg") && chart.getBoundingClientRect().height > 20);
    const images = [...main.querySelectorAll('[data-testid="stImage"] img')]
      .filter(image => image.complete && image.naturalWidth > 0);
    const canvases = [...main.querySelectorAll('[data-testid^="stBidiComponent"]')]
      .filter(host => (host.shadowRoot ?? host).querySelector("canvas[data-drawn]"));
    return [...charts, ...images, ...canvases].map(keyOf);
  };
  // A blank sample: a view drawn in an earlier sample is missing now. A view that appears only
  // later (a background job's chart) is not a blank.
  const seen = new Set();
  const missingViews = () => {
    const drawn = new Set(drawnViews());
    const missing = [...seen].filter(key => !drawn.has(key)).length;
    drawn.forEach(key => seen.add(key));
    return missing;
  };
  let frame = 0;
  const tick = () => {
    frame += 1;
    const value = window.dlpCounter();
    if (value !== bench.last) {
      if (bench.sampling && value !== null) bench.changes.push(value);
      bench.last = value;
    }
    if (bench.sampling && frame % 6 === 0) bench.views.push(missingViews());
    requestAnimationFrame(tick);
  };
  requestAnimationFrame(tick);
  window.dlpStartSampling = () => {
    Object.assign(bench, {bytes: 0, changes: [], views: [], sampling: true});
    seen.clear();
  };
})();
"""
SCRIPT_STATE = "() => document.querySelector('[data-testid=\"stApp\"]')?.getAttribute('data-test-script-state')"


@dataclass
class PageFigures:
    """One page's measurements (seconds unless named otherwise)."""

    page: str
    open: float = float("nan")
    first_frame: float = float("nan")
    updates_per_second: float = float("nan")
    main_thread_ms: float = float("nan")
    kilobytes: float = float("nan")
    server_cpu_ms: float = float("nan")
    blank_share: float = float("nan")
    control: float = float("nan")
    pause: float = float("nan")
    past_pause: int = -1
    step: float = float("nan")
    reset: float = float("nan")
    observation_cpu_ms: float = float("nan")
    open_again: float = float("nan")
    first_frame_again: float = float("nan")
    error: str = ""


def wait_until_quiet(pid: int, limit: float = 180.0) -> None:
    """Wait until process ``pid`` spends under a tenth of a core for two seconds running (at most ``limit`` s)."""
    deadline = time.monotonic() + limit
    quiet_since, last = time.monotonic(), _cpu_seconds(pid)
    while time.monotonic() < deadline and time.monotonic() - quiet_since < 2.0:
        time.sleep(0.5)
        now = _cpu_seconds(pid)
        if now - last > 0.05:
            quiet_since = time.monotonic()
        last = now


def _cpu_seconds(pid: int) -> float:
    """User plus system CPU seconds of process ``pid`` so far."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / CLOCK_TICKS


def _task_seconds(cdp) -> float:
    """Seconds the page's main thread has been busy so far (Chrome's TaskDuration)."""
    metrics = cdp.send("Performance.getMetrics")["metrics"]
    return next(metric["value"] for metric in metrics if metric["name"] == "TaskDuration")


def _counter(page) -> int | None:
    return page.evaluate("() => window.dlpCounter()")


def _button(page, name: str):
    return page.get_by_role("button", name=name, exact=True)


def _wait_idle(page) -> None:
    page.wait_for_function(f"() => ({SCRIPT_STATE})() === 'notRunning'")


def _timed(action, until) -> float:
    started = time.perf_counter()
    action()
    until()
    return time.perf_counter() - started


def _new_session(browser):
    """A browser context with the page instrumented, its page, and a CDP session on it."""
    context = browser.new_context(viewport={"width": 1500, "height": 1000})
    context.add_init_script(INSTRUMENT)
    page = context.new_page()
    page.set_default_timeout(TIMEOUT_MS)
    cdp = context.new_cdp_session(page)
    cdp.send("Performance.enable")
    return context, page, cdp


def _open_and_play(page, url: str, live: LivePage) -> tuple[float, float]:
    """Seconds to open the page (until its first run ended), then from Play to the first epoch painted."""
    opened = _timed(lambda: page.goto(f"{url}/{live.path}" + (f"?{live.query}" if live.query else "")),
                    lambda: (_button(page, "Play").wait_for(), _wait_idle(page)))
    first_frame = _timed(lambda: _button(page, "Play").click(),
                         lambda: page.wait_for_function("() => (window.dlpCounter() ?? 0) > 0", polling="raf"))
    return opened, first_frame


def measure(browser, url: str, live: LivePage, seconds: float, server: int) -> PageFigures:
    """Open ``live`` in a new session and measure it, then open it again in another (see the module's docstring)."""
    figures = PageFigures(live.path)
    context, page, cdp = _new_session(browser)
    try:
        figures.open, figures.first_frame = _open_and_play(page, url, live)
        page.evaluate("() => window.dlpStartSampling()")
        task, cpu, started = _task_seconds(cdp), _cpu_seconds(server), time.perf_counter()
        time.sleep(seconds)
        bench = page.evaluate("() => window.dlpBench")
        elapsed = time.perf_counter() - started
        updates = max(1, len(bench["changes"]))
        figures.updates_per_second = len(bench["changes"]) / elapsed
        figures.main_thread_ms = (_task_seconds(cdp) - task) * 1000 / updates
        figures.server_cpu_ms = (_cpu_seconds(server) - cpu) * 1000 / updates
        figures.kilobytes = bench["bytes"] / 1024 / updates
        figures.blank_share = _blank_share(bench["views"])
        figures.control = _change_speed(page, live.prefix)
        shown = _counter(page)
        figures.pause = _timed(lambda: _button(page, "Pause").click(), lambda: _button(page, "Play").wait_for())
        time.sleep(PAUSE_SETTLE_SECONDS)
        _wait_idle(page)
        settled = _counter(page)
        figures.past_pause = (settled or 0) - (shown or 0)
        figures.step = _timed(lambda: _button(page, "Step").click(), lambda: page.wait_for_function(
            "value => window.dlpCounter() > value", arg=settled, polling="raf"))
        time.sleep(PAUSE_SETTLE_SECONDS)  # each command from a quiet page: Plotly takes over from the canvas
        _wait_idle(page)  # in the frame after Step's
        figures.reset = _timed(lambda: _button(page, "Reset").click(), lambda: page.wait_for_function(
            "() => window.dlpCounter() === 0", polling="raf"))
        context.close()
        wait_until_quiet(server)  # the first learner's background work (an explanation after Reset) done
        context, page, _ = _new_session(browser)
        figures.open_again, figures.first_frame_again = _open_and_play(page, url, live)
        _button(page, "Pause").click()  # or it trains on, beside the next page's measurements
        _button(page, "Play").wait_for()
    except Exception as error:  # one page's failure is reported in its row; the others still run
        figures.error = f"{type(error).__name__}: {str(error).splitlines()[0][:120]}"
    finally:
        context.close()
    return figures


def _blank_share(missing: list[int]) -> float:
    """The share of samples where a view drawn in an earlier sample was missing (``missing``: how many, per sample)."""
    if not missing:
        return float("nan")
    return sum(count > 0 for count in missing) / len(missing)


# The app's script-run states with their times, from a mutation observer: a page run of 60 ms
# can begin and end between two polls of a busy page, and a later redraw then passed for it.
# The app's script-run states with their times, from a mutation observer: a page run of 60 ms
# can begin and end between two polls of a busy page, and a later redraw then passed for it.
# A run of a few milliseconds (a fragment's) may never show as running at all: React draws its
# start and its end in one go. Then its last message from the server is its end, once the
# socket has been quiet for QUIET_MS.
QUIET_MS = 250
WATCH_STATES = """() => {
  if (window.dlpStates) { window.dlpStates.length = 0; return; }
  window.dlpStates = [];
  const app = document.querySelector('[data-testid="stApp"]');
  new MutationObserver(() => window.dlpStates.push([performance.now(), app.getAttribute('data-test-script-state')]))
    .observe(app, {attributes: true, attributeFilter: ['data-test-script-state']});
}"""
FIRST_RUN_END = f"""() => {{
  const started = window.dlpStates.findIndex(([, state]) => state === 'running');
  if (started >= 0) {{
    const ended = window.dlpStates.slice(started).find(([, state]) => state === 'notRunning');
    return ended ? ended[0] : null;
  }}
  const received = window.dlpBench.received;
  return received > window.dlpAsked && performance.now() - received > {QUIET_MS} ? received : null;
}}"""


def _change_speed(page, prefix: str) -> float:
    """Seconds from picking another speed while training until the page run it started has ended."""
    box = page.locator(f".st-key-{prefix}_speed input[role=combobox]")
    box.click()
    if box.get_attribute("aria-expanded") != "true":
        box.press("ArrowDown")
    option = page.get_by_role("option", name="Slow motion", exact=False).first
    page.evaluate(WATCH_STATES)
    clicked = page.evaluate("() => (window.dlpAsked = performance.now())")
    option.click()
    page.wait_for_function(f"() => ({FIRST_RUN_END})() !== null")
    return (page.evaluate(FIRST_RUN_END) - clicked) / 1000


def observation_costs(pages: tuple[LivePage, ...], seconds: float) -> dict[str, float]:
    """Mean server CPU ms per observation on each page's default run, driven through ``AppTest`` here."""
    # The servers warm up their default networks; this process only reads observation costs.
    # Its own warm-up would compile beside the pages driven here, and was still compiling when
    # the bench exited (an abort at exit).
    os.environ["DLP_WARM_NETWORKS"] = "0"
    from streamlit.testing.v1 import AppTest

    from engine.training.registry import default_registry
    from engine.training.trainer import Trainer
    from ui.runtime import wait_for_warmup

    wait_for_warmup()
    costs: dict[str, float] = {}
    for live in pages:
        app = AppTest.from_file(str(Path(__file__).resolve().parent.parent / "app.py"), default_timeout=600)
        app.run()
        app.switch_page(f"pages/{live.path}.py").run()
        play = f"{live.prefix}_play"
        deadline = time.monotonic() + 600
        while not any(button.key == play for button in app.button) and time.monotonic() < deadline:
            time.sleep(0.5)  # a pre-training in the background comes first
            app.run()
        app.button(key=play).click().run()
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            app.run()  # a page run reads the snapshot, so the worker observes again
        trainers = [trainer for trainer in list(Trainer._instances) if trainer.playing]
        costs[live.path] = max((trainer.observation_cpu_seconds for trainer in trainers), default=float("nan")) * 1000
        default_registry().stop_all()
    return costs


def _busy() -> None:
    while True:
        pass


@contextlib.contextmanager
def load(processes: int) -> Iterator[None]:
    """``processes`` busy loops on the machine's cores while the block runs."""
    workers = [multiprocessing.Process(target=_busy, daemon=True) for _ in range(processes)]
    for worker in workers:
        worker.start()
    try:
        yield
    finally:
        for worker in workers:
            worker.terminate()


def report(rows: list[PageFigures], processes: int) -> None:
    """The table, in Markdown, as the README carries it."""
    print(f"\n{os.cpu_count()} cores, {processes} busy process(es) beside the server and the browser\n")
    print("| page | open s | Play→frame s | updates/s | main thread ms/update | KB/update | server CPU ms/update "
          "| observation CPU ms | blank | control s | Pause s | epochs past Pause | Step s | Reset s "
          "| open again s | Play→frame again s |")
    print("|" + "---|" * 16)
    for row in rows:
        print(f"| {row.page} | {row.open:.1f} | {row.first_frame:.2f} | {row.updates_per_second:.1f} "
              f"| {row.main_thread_ms:.0f} | {row.kilobytes:.0f} | {row.server_cpu_ms:.0f} "
              f"| {row.observation_cpu_ms:.1f} | {row.blank_share:.0%} | {row.control:.2f} | {row.pause:.2f} "
              f"| {row.past_pause} | {row.step:.2f} | {row.reset:.2f} | {row.open_again:.1f} "
              f"| {row.first_frame_again:.2f} |")
    for row in rows:
        if row.error:
            print(f"{row.page}: {row.error}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=8.0, help="how long each page trains while measured")
    parser.add_argument("--load", type=int, default=0, help="busy processes beside the server (2: both cores)")
    parser.add_argument("--pages", default=",".join(live.path for live in PAGES), help="comma-separated URL paths")
    parser.add_argument("--no-observation", action="store_true", help="skip the in-process observation costs")
    arguments = parser.parse_args()
    chosen = tuple(live for live in PAGES if live.path in arguments.pages.split(","))
    from playwright.sync_api import sync_playwright

    rows = []
    with running_server() as url, sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS)
        server = server_process(url)
        warm = browser.new_page()  # the server's first page run imports TensorFlow: not what a page costs
        warm.goto(url)
        warm.wait_for_selector('[data-testid="stApp"]', timeout=TIMEOUT_MS)
        warm.close()
        wait_until_quiet(server)  # and its start-up compiles the default networks (ui/default_networks.py)
        with load(arguments.load):
            for live in chosen:
                rows.append(measure(browser, url, live, arguments.seconds, server))
                print(rows[-1], flush=True)
        browser.close()
    if not arguments.no_observation:
        with load(arguments.load):
            for row, cost in zip(rows, observation_costs(chosen, arguments.seconds).values(), strict=True):
                row.observation_cpu_ms = cost
    report(rows, arguments.load)


if __name__ == "__main__":
    main()
