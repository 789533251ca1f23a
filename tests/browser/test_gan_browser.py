"""The 2-D GAN lab in headless Chromium: a distribution drawn on the canvas becomes the real points."""

import time

import numpy as np
import pytest

from tests.browser.conftest import (
    METRIC,
    WAIT_SECONDS,
    choose,
    draw_stroke,
    epoch,
    press,
    trace_points,
    wait_until_idle,
)

pytestmark = pytest.mark.browser


def test_a_stroke_drawn_in_a_corner_becomes_the_real_points_there(server, page):
    page.goto(f"{server}/gan_lab")
    wait_until_idle(page)
    page.get_by_role("button", name="Play", exact=True).wait_for()
    choose(page, "gan_target", "Your points (drawn or uploaded)")
    page.get_by_text("Draw your distribution in the square above").wait_for()
    # A short diagonal stroke near the top-left corner of the 280-pixel square, [-1, 1]² with y up.
    draw_stroke(page, "gan_canvas", [(30 + 3 * step, 60 + 2 * step) for step in range(15)])
    page.wait_for_timeout(1000)  # the canvas sends its image after the stroke ends
    page.get_by_role("button", name="Use drawing", exact=True).click()
    page.get_by_text("from your drawing.", exact=False).wait_for()
    page.get_by_role("button", name="Play", exact=True).wait_for()
    wait_until_idle(page)
    page.wait_for_function("() => document.querySelector('.st-key-gan_plane .js-plotly-plot')")
    real = np.array(trace_points(page, "gan_plane", "real"))
    assert len(real) >= 10
    # The stroke spans pixels 25–77 across and 55–93 down: x from −0.82 to −0.45, y from 0.61 to 0.34.
    assert real[:, 0].max() < -0.3 and real[:, 1].min() > 0.2, (real.min(axis=0), real.max(axis=0))


def test_play_pressed_right_after_picking_a_target_trains_that_target(server, page):
    # Play lands at a different moment of the new target's page run each time: before the page
    # took in the target, while it builds the new run, or after. Every time it trains the new one.
    page.goto(f"{server}/gan_lab")
    wait_until_idle(page)
    for name, modes in (("Grid of 25 Gaussians", 25), ("Ring of 8 Gaussians", 8), ("Grid of 25 Gaussians", 25)):
        page.locator(".st-key-gan_target input[role=combobox]").click()
        page.get_by_role("option", name=name, exact=True).click()
        page.get_by_role("button", name="Play", exact=True).click()  # at once, not after the page's rerun
        page.get_by_role("button", name="Pause", exact=True).wait_for()
        deadline = time.monotonic() + WAIT_SECONDS
        while epoch(page) < 1 and time.monotonic() < deadline:
            time.sleep(0.2)
        assert page.get_by_role("button", name="Pause", exact=True).count() == 1  # still playing
        covered = page.locator(METRIC).filter(has_text="Modes covered").first.inner_text()
        assert f"of {modes}" in covered, covered
        press(page, "Pause")
        page.get_by_role("button", name="Play", exact=True).wait_for()
        wait_until_idle(page)
