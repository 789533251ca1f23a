"""A run survives a dropped connection and a reload, in headless Chromium."""

import time

import pytest

from tests.browser.conftest import WAIT_SECONDS, epoch, play_until_epoch, wait_until_idle

pytestmark = pytest.mark.browser

# Keep a handle on every websocket the page opens, so the test can cut the connection as a
# network blip or a sleeping laptop would; Streamlit's page then reconnects by itself.
KEEP_SOCKETS = """
window.__sockets = [];
const NativeSocket = window.WebSocket;
window.WebSocket = class extends NativeSocket {
  constructor(...args) { super(...args); window.__sockets.push(this); }
};
"""


def wait_for_epoch_at_least(page, minimum: int, seconds: float = WAIT_SECONDS) -> int:
    """Poll the counter until it shows at least ``minimum`` (it is briefly absent while reconnecting)."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            value = epoch(page)
        except Exception:  # the page is redrawing after the reconnect
            value = -1
        if value >= minimum:
            return value
        time.sleep(0.2)
    return epoch(page)


def test_a_dropped_connection_finds_the_run_where_it_was(server, page):
    page.add_init_script(KEEP_SOCKETS)
    page.goto(f"{server}/network_playground")
    wait_until_idle(page)
    play_until_epoch(page, 30)
    assert page.evaluate("() => window.__sockets.filter(socket => socket.readyState === 1).length") >= 1
    before = epoch(page)
    page.evaluate("() => window.__sockets.forEach(socket => socket.close())")
    page.wait_for_function("() => window.__sockets.some(socket => socket.readyState === 1)"
                           " && window.__sockets.length > 1")  # Streamlit reconnected
    # The run kept playing through the drop (or paused itself, had the drop outlasted the
    # unwatched-pause delay on a busy machine): stop it and read a freshly drawn counter.
    pause, play = (page.get_by_role("button", name=name, exact=True) for name in ("Pause", "Play"))
    pause.or_(play).wait_for()
    if pause.is_visible():
        pause.click()
    play.wait_for()
    wait_until_idle(page)
    assert wait_for_epoch_at_least(page, before) >= before  # a fresh run would show 0


def test_a_reload_finds_the_run_through_its_url(server, page):
    page.goto(f"{server}/network_playground")
    wait_until_idle(page)
    before = play_until_epoch(page, 30)
    page.get_by_role("button", name="Pause", exact=True).click()
    page.get_by_role("button", name="Play", exact=True).wait_for()
    wait_until_idle(page)
    paused_at = epoch(page)
    assert paused_at >= before and "run=" in page.url
    page.reload()
    wait_until_idle(page)
    page.get_by_role("button", name="Play", exact=True).wait_for()
    assert wait_for_epoch_at_least(page, paused_at) == paused_at
    # A second tab with the same URL is a second learner: the same settings, a run of its own.
    other = page.context.new_page()
    other.goto(page.url)
    wait_until_idle(other)
    other.get_by_role("button", name="Play", exact=True).wait_for()
    assert epoch(other) == 0 and epoch(page) == paused_at
    other.close()
