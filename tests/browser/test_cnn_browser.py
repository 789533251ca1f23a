"""The CNN lab in headless Chromium: Play trains the network and the curves move."""

import time

import pytest

from tests.browser.conftest import wait_until_idle
from tests.browser.test_playground_browser import epoch

pytestmark = pytest.mark.browser


def loss_curve(page) -> str:
    lines = page.locator(".st-key-cnn_curves .scatterlayer path.js-line")
    return lines.first.get_attribute("d") if lines.count() else ""


def test_play_trains_the_cnn_and_the_curve_moves(server, page):
    page.goto(f"{server}/cnn_lab")
    wait_until_idle(page)
    page.get_by_role("button", name="▶ Play", exact=True).click()
    page.get_by_role("button", name="⏸ Pause", exact=True).wait_for()
    deadline = time.monotonic() + 90
    while epoch(page) < 3 and time.monotonic() < deadline:
        time.sleep(0.3)
    first_epoch, first_curve = epoch(page), loss_curve(page)
    assert first_epoch >= 3 and first_curve
    while epoch(page) < first_epoch + 3 and time.monotonic() < deadline:
        time.sleep(0.3)
    assert loss_curve(page) != first_curve  # redrawn while training, without a click
    page.get_by_role("button", name="⏸ Pause", exact=True).click()
    page.get_by_role("button", name="▶ Play", exact=True).wait_for()
