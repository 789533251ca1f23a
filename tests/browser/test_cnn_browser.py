"""The CNN lab in headless Chromium: Play trains the network and the curves move."""

import time

import pytest

from tests.browser.conftest import WAIT_SECONDS, chart_line, epoch, play_until_epoch, wait_until_idle

pytestmark = pytest.mark.browser


def loss_curve(page) -> str:
    return chart_line(page, "cnn_curves")


def test_play_trains_the_cnn_and_the_curve_moves(server, page):
    page.goto(f"{server}/cnn_lab")
    wait_until_idle(page)
    first_epoch, first_curve = play_until_epoch(page, 3), loss_curve(page)
    assert first_epoch >= 3 and first_curve
    deadline = time.monotonic() + WAIT_SECONDS
    while epoch(page) < first_epoch + 3 and time.monotonic() < deadline:
        time.sleep(0.3)
    assert loss_curve(page) != first_curve  # redrawn while training, without a click
    page.get_by_role("button", name="Pause", exact=True).click()
    page.get_by_role("button", name="Play", exact=True).wait_for()
