"""The RL lab in headless Chromium: press Play and see the return chart grow."""

import time

import pytest

from tests.browser.conftest import METRIC, METRIC_VALUE, WAIT_SECONDS, chart_line, wait_until_idle

pytestmark = pytest.mark.browser


def episodes(page) -> int:
    metric = page.locator(METRIC).filter(has_text="Episode").first
    return int(metric.locator(METRIC_VALUE).inner_text().replace(",", ""))


def test_playing_an_agent_updates_the_reward_chart(server, page):
    page.goto(f"{server}/rl_lab?env=CartPole-v1&agent=actor_critic&lr=0.001")
    wait_until_idle(page)
    assert episodes(page) == 0
    page.get_by_role("button", name="Play", exact=True).click()
    page.get_by_role("button", name="Pause", exact=True).wait_for()
    deadline = time.monotonic() + WAIT_SECONDS
    while episodes(page) < 5 and time.monotonic() < deadline:
        time.sleep(0.2)
    first_line, first_count = chart_line(page, "rl_rewards"), episodes(page)
    assert first_count >= 5 and first_line
    deadline = time.monotonic() + WAIT_SECONDS
    while episodes(page) < first_count + 20 and time.monotonic() < deadline:
        time.sleep(0.2)
    assert episodes(page) >= first_count + 20
    assert chart_line(page, "rl_rewards") != first_line  # redrawn while it plays
    page.get_by_role("button", name="Pause", exact=True).click()
    page.get_by_role("button", name="Play", exact=True).wait_for()


def test_clicking_a_gridworld_cell_opens_the_editor_on_that_cell(server, page):
    page.goto(f"{server}/rl_lab?env=Gridworld&agent=q_learning")
    wait_until_idle(page)
    page.get_by_text("Click a cell to change it").wait_for()
    plot = page.locator(".st-key-rl_values .nsewdrag").first
    box = plot.bounding_box()
    rows, columns = 5, 7  # the Detour preset
    plot.click(position={"x": box["width"] * 3.5 / columns, "y": box["height"] * 4.5 / rows})  # row 4, column 3
    editor = page.locator(".st-key-rl_grid_editor")
    editor.get_by_label("Row").wait_for()
    page.wait_for_function("() => document.querySelector('.st-key-rl_cell_row input').value === '4'"
                           " && document.querySelector('.st-key-rl_cell_column input').value === '3'")


def test_a_replay_paused_mid_way_shows_one_frame_number_and_keeps_its_grid(server, page):
    page.goto(f"{server}/rl_lab?env=Gridworld&agent=q_learning")
    wait_until_idle(page)
    page.get_by_role("button", name="Record an episode", exact=True).click()
    replay = page.locator(".st-key-rl_replay")
    replay.locator(".js-plotly-plot").wait_for()
    replay.scroll_into_view_if_needed()
    replay.locator(".updatemenu-button").first.click()  # the animation's own Play
    page.wait_for_function(  # a few frames in
        "() => [...document.querySelectorAll('.st-key-rl_replay .slider-container text')]"
        ".some(text => /^frame ([5-9]|\\d\\d+)$/.test(text.textContent))")
    replay.locator(".updatemenu-button").nth(1).click()  # Pause
    page.wait_for_timeout(500)
    caption = page.evaluate("() => [...document.querySelectorAll('.st-key-rl_replay .textpoint text')]"
                            ".map(text => text.textContent).find(text => text.startsWith('frame '))")
    slider = page.evaluate("() => [...document.querySelectorAll('.st-key-rl_replay .slider-container text')]"
                           ".map(text => text.textContent).find(text => /^frame \\d+$/.test(text))")
    assert caption.split()[1] == slider.split()[1], (caption, slider)
    assert replay.locator(".heatmaplayer image").count() >= 1  # the grid behind the agent is still drawn
