"""The RL lab in headless Chromium: press Play and see the return chart grow."""

import time

import pytest

from tests.browser.conftest import chart_line, wait_until_idle

pytestmark = pytest.mark.browser


def episodes(page) -> int:
    metric = page.locator('[data-testid="stMetric"]').filter(has_text="Episode").first
    return int(metric.locator('[data-testid="stMetricValue"]').inner_text().replace(",", ""))


def test_playing_an_agent_updates_the_reward_chart(server, page):
    page.goto(f"{server}/rl_lab?env=CartPole-v1&agent=actor_critic&lr=0.001")
    wait_until_idle(page)
    assert episodes(page) == 0
    page.get_by_role("button", name="Play", exact=True).click()
    page.get_by_role("button", name="Pause", exact=True).wait_for()
    deadline = time.monotonic() + 60
    while episodes(page) < 5 and time.monotonic() < deadline:
        time.sleep(0.2)
    first_line, first_count = chart_line(page, "rl_rewards"), episodes(page)
    assert first_count >= 5 and first_line
    deadline = time.monotonic() + 60
    while episodes(page) < first_count + 20 and time.monotonic() < deadline:
        time.sleep(0.2)
    assert episodes(page) >= first_count + 20
    page.wait_for_function(
        "([key, before]) => { const line = document.querySelector(`.st-key-${key} .scatterlayer path.js-line`);"
        " return line && line.getAttribute('d') !== before; }", arg=["rl_rewards", first_line])
    page.get_by_role("button", name="Pause", exact=True).click()
    page.get_by_role("button", name="Play", exact=True).wait_for()
