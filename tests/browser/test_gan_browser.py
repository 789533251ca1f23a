"""The 2-D GAN lab in headless Chromium: a distribution drawn on the canvas becomes the real points."""

import numpy as np
import pytest

from tests.browser.conftest import choose, draw_stroke, trace_points, wait_until_idle

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
