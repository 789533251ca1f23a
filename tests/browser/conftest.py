"""A real server on a free loopback port and headless Chromium to drive it."""

import contextlib
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator

import pytest
from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import TimeoutError as PlaywrightTimeoutError

from tests.conftest import ROOT

CHROMIUM = "/usr/bin/chromium"
# A metric tile: Streamlit's own (paused), or the live feed's (ui/canvas.py) while a run plays.
METRIC, METRIC_VALUE = '[data-testid="stMetric"], .dlp-metric', '[data-testid="stMetricValue"], .dlp-metric-value'
# How long a wait on the app's state may take: training threads run at a lower priority, so on
# a machine whose cores are busy with other work a compilation or an epoch can take minutes.
TIMEOUT_MS = 240_000
WAIT_SECONDS = TIMEOUT_MS / 1000
CHROMIUM_FLAGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextlib.contextmanager
def running_server() -> Iterator[str]:
    """``streamlit run app.py`` on a free port, as ``make run`` starts it; yields its base URL."""
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", str(ROOT / "app.py"), "--server.port", str(port),
         "--server.address", "127.0.0.1", "--server.headless", "true"],
        cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        env={**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3"},
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=1) as response:
                if response.status == 200:
                    break
        except OSError:
            time.sleep(0.2)
    else:
        process.kill()
        pytest.fail("The Streamlit server did not answer its health check within 120 s.")
    try:
        yield url
    finally:
        process.terminate()
        try:
            process.wait(timeout=60)  # it lets a compilation under way finish, slow on a busy machine
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@pytest.fixture(scope="session")
def server() -> Iterator[str]:
    """One server shared by the browser tests."""
    with running_server() as url:
        yield url


@pytest.fixture(scope="session")
def browser():
    if not shutil.which(CHROMIUM):
        pytest.skip(f"Chromium is not installed at {CHROMIUM} (apt-get install chromium).")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1500, "height": 1000})
    page = context.new_page()
    page.set_default_timeout(TIMEOUT_MS)
    yield page
    context.close()


def wait_until_idle(page) -> None:
    """Wait for the websocket to connect and the script to finish its run."""
    page.wait_for_selector('[data-testid="stApp"]')
    page.wait_for_function(
        "() => !document.querySelector('[data-testid=\"stStatusWidget\"]')"
        " || !document.querySelector('[data-testid=\"stStatusWidget\"]').innerText.includes('Running')"
    )


def wait_for_rerun(page) -> None:
    """After an interaction: wait for the script run it starts (if it starts within 2 s), then for its end."""
    script_state = "() => document.querySelector('[data-testid=\"stApp\"]').getAttribute('data-test-script-state')"
    try:
        page.wait_for_function(f"() => ({script_state})() === 'running'", timeout=2_000)
    except PlaywrightTimeoutError:
        pass  # it ran and ended already, or the interaction needed no run
    page.wait_for_function(f"() => ({script_state})() !== 'running'")
    wait_until_idle(page)


def choose(page, key: str, label: str) -> None:
    """Pick the option shown as ``label`` in the select box with Streamlit key ``key``, as a click does."""
    box = page.locator(f".st-key-{key} input[role=combobox]")
    box.click()
    if box.get_attribute("aria-expanded") != "true":  # a box that already had the focus opens on the arrow key
        box.press("ArrowDown")
    page.get_by_role("option", name=label, exact=True).click()
    wait_for_rerun(page)
    page.wait_for_function(  # the choice held through the rerun (a lost choice fails here, not later)
        "([key, label]) => document.querySelector(`.st-key-${key} input[role=combobox]`).value === label",
        arg=[key, label])


def draw_stroke(page, key: str, points: list[tuple[float, float]]) -> None:
    """Draw a line through ``points`` (pixels from the top-left corner) on the canvas with key ``key``."""
    canvas = page.locator(f".st-key-{key} canvas.upper-canvas")
    canvas.scroll_into_view_if_needed()
    box = canvas.bounding_box()
    # Hover first, as a hand does: the canvas's toolbar then slides out of the drawing area.
    page.mouse.move(box["x"] + points[0][0], box["y"] + points[0][1])
    time.sleep(0.5)
    page.mouse.down()
    for x, y in points[1:]:
        page.mouse.move(box["x"] + x, box["y"] + y, steps=2)
    page.mouse.up()


def trace_points(page, key: str, name: str) -> list[list[float]]:
    """The (x, y) points of the trace called ``name`` in the Plotly chart with Streamlit key ``key``."""
    return page.evaluate(
        "([key, name]) => { const chart = document.querySelector(`.st-key-${key} .js-plotly-plot`);"
        " const trace = chart && chart._fullData.find(item => item.name === name);"
        " return trace ? Array.from(trace.x, (x, index) => [x, trace.y[index]]) : []; }", [key, name])


def epoch(page) -> int:
    """The run's epoch counter as the page shows it."""
    metric = page.locator(METRIC).filter(has_text="Epoch").first  # not "Epochs / s"
    return int(metric.locator(METRIC_VALUE).inner_text().replace(",", ""))


def wait_for_epoch(page, value: int, timeout: float = TIMEOUT_MS) -> None:
    """Wait until the page's epoch counter shows ``value``."""
    page.wait_for_function(
        "([value, tile, number]) => [...document.querySelectorAll(tile)].some(metric =>"
        " metric.innerText.startsWith('Epoch') && !metric.innerText.includes('/')"
        " && metric.querySelector(number).innerText.replace(/,/g, '') === String(value))",
        arg=[value, METRIC, METRIC_VALUE], timeout=timeout)


def chart_line(page, key: str) -> str:
    """What the chart with Streamlit key ``key`` shows ("" before it is drawn).

    While a run plays, the chart is a live canvas (``ui/canvas.py``): its pixels, as a data
    URL; otherwise a Plotly chart: the SVG path of its first line.
    """
    canvas = live_canvas(page, key)
    if canvas:
        return canvas
    lines = page.locator(f".st-key-{key} .scatterlayer path.js-line")
    return lines.first.get_attribute("d") if lines.count() else ""


def live_canvas(page, key: str) -> str:
    """The pixels of the live canvas that shows the chart with Streamlit key ``key``, as a data URL ("" if none is drawn)."""
    return page.evaluate(
        "key => { const host = document.querySelector(`.st-key-${key}_canvas [data-testid^=\"stBidiComponent\"]`);"
        " const canvas = host && (host.shadowRoot ?? host).querySelector('canvas[data-drawn]');"
        " return canvas ? canvas.toDataURL() : ''; }", key)


def only(locator):
    """``locator`` once it matches exactly one element (a rerun may briefly keep a stale copy of one)."""
    deadline = time.monotonic() + TIMEOUT_MS / 1000
    while locator.count() != 1 and time.monotonic() < deadline:
        time.sleep(0.1)
    return locator


def press(page, name: str) -> None:
    """Click the button labelled ``name`` once the page shows exactly one.

    A rerun may add a stale copy between the count and the click (Playwright then refuses
    an ambiguous click): that click is tried again.
    """
    deadline = time.monotonic() + TIMEOUT_MS / 1000
    while True:
        try:
            only(page.get_by_role("button", name=name, exact=True)).click()
            return
        except PlaywrightError as error:
            if "strict mode violation" not in str(error) or time.monotonic() > deadline:
                raise
            time.sleep(0.1)


def play_until_epoch(page, minimum: int, seconds: float = WAIT_SECONDS) -> int:
    """Press Play, wait until it turned into Pause and the counter reached ``minimum``; return it."""
    press(page, "Play")
    page.get_by_role("button", name="Pause", exact=True).wait_for()
    deadline = time.monotonic() + seconds
    while epoch(page) < minimum and time.monotonic() < deadline:
        time.sleep(0.2)
    return epoch(page)
