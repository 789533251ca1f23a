"""Live views in Chromium: canvases while a run plays, Plotly charts when it stops."""

import time

import pytest

from tests.browser.conftest import chart_line, epoch, live_canvas, play_until_epoch, press, wait_until_idle

pytestmark = pytest.mark.browser

VIEWS = ("pg_network", "pg_curves", "pg_boundary")


def plotly_charts(page) -> list[str]:
    """The keys of the playground's live views that are Plotly charts now."""
    return [key for key in VIEWS if page.locator(f".st-key-{key} .js-plotly-plot").count()]


def test_the_views_are_live_canvases_while_playing_and_plotly_charts_once_paused(server, page):
    page.goto(f"{server}/network_playground")
    wait_until_idle(page)
    page.wait_for_function("keys => keys.every(key => document.querySelector(`.st-key-${key} .js-plotly-plot`))",
                           arg=VIEWS)  # a paused run: full charts to hover, zoom and save
    assert not any(live_canvas(page, key) for key in VIEWS)
    play_until_epoch(page, 20)
    page.wait_for_function("keys => keys.every(key => document.querySelector(`.st-key-${key}_canvas`))", arg=VIEWS)
    first = live_canvas(page, "pg_boundary")
    deadline = time.monotonic() + 60
    while live_canvas(page, "pg_boundary") == first and time.monotonic() < deadline:
        time.sleep(0.2)
    assert live_canvas(page, "pg_boundary") != first  # redrawn frame after frame, in place
    press(page, "Pause")
    page.get_by_role("button", name="Play", exact=True).wait_for()
    page.wait_for_function("keys => keys.every(key => document.querySelector(`.st-key-${key} .js-plotly-plot`))",
                           arg=VIEWS)
    wait_until_idle(page)
    assert plotly_charts(page) == list(VIEWS)
    assert not any(live_canvas(page, key) for key in VIEWS)
    stopped = epoch(page)
    time.sleep(1.5)
    assert epoch(page) == stopped and chart_line(page, "pg_curves")


def test_while_playing_the_counter_and_charts_update_from_the_feed(server, page):
    frames = []
    page.on("response", lambda response: frames.append(response.status) if "/_dlp/feed/" in response.url else None)
    page.goto(f"{server}/network_playground")
    wait_until_idle(page)
    play_until_epoch(page, 20)
    page.locator(".dlp-metric").first.wait_for()  # the live tiles in place of Streamlit's metrics
    fetched, shown, first = len(frames), {epoch(page)}, live_canvas(page, "pg_boundary")
    deadline = time.monotonic() + 60
    while len(shown) < 4 and time.monotonic() < deadline:
        shown.add(epoch(page))
        time.sleep(0.05)
    assert len(shown) >= 4 and len(frames) - fetched >= 3 and set(frames[fetched:]) == {200}
    assert live_canvas(page, "pg_boundary") != first
    press(page, "Pause")
    page.get_by_role("button", name="Play", exact=True).wait_for()
    # the run that answers Pause keeps the tiles; Streamlit's metrics come in the frame after
    page.locator(".dlp-metric").first.wait_for(state="detached")
    wait_until_idle(page)
    assert not page.locator(".dlp-metric").count() and epoch(page) >= max(shown)
