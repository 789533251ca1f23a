"""The forecasting race in headless Chromium: pick a series and the cells as a learner does, play, pause."""

import pytest

from tests.browser.conftest import (
    chart_line,
    choose,
    epoch,
    live_canvas,
    play_until_epoch,
    press,
    trace_points,
    wait_for_epoch,
    wait_for_rerun,
    wait_until_idle,
)

pytestmark = pytest.mark.browser


def pause_until_plotly(page, key: str) -> None:
    """Press Pause, then wait until the chart with Streamlit key ``key`` is a Plotly chart again."""
    press(page, "Pause")
    page.get_by_role("button", name="Play", exact=True).wait_for()
    wait_until_idle(page)
    page.wait_for_function("key => document.querySelector(`.st-key-${key} .js-plotly-plot`) !== null", arg=key)


def test_a_learner_races_two_cells_on_a_sawtooth_and_pauses_on_the_forecasts(server, page):
    page.goto(f"{server}/forecasting_race")
    wait_until_idle(page)
    choose(page, "fc_series", "Sawtooth")
    page.locator(".st-key-fc_cells").get_by_role("button", name="Remove SimpleRNN").click()
    wait_for_rerun(page)
    assert play_until_epoch(page, 8) >= 8
    page.wait_for_function(
        "key => !!document.querySelector(`.st-key-${key}_canvas [data-testid^=\"stBidiComponent\"]`)", arg="fc_forecasts")
    assert live_canvas(page, "fc_forecasts").startswith("data:image/png")  # drawn live while it plays
    pause_until_plotly(page, "fc_forecasts")
    assert chart_line(page, "fc_forecasts")
    names = page.evaluate("() => document.querySelector('.st-key-fc_forecasts .js-plotly-plot')"
                          "._fullData.map(trace => trace.name)")
    assert names == ["truth", "LSTM", "GRU"] * 2
    truth = trace_points(page, "fc_forecasts", "truth")
    assert min(y for _, y in truth) >= -1.01 and max(y for _, y in truth) <= 1.01  # the sawtooth, in its own units


def test_a_learner_types_a_prompt_trains_the_language_model_and_sees_its_writing_change(server, page):
    page.goto(f"{server}/char_language_model")
    wait_until_idle(page)
    prompt = page.get_by_role("textbox", name="Prompt")
    prompt.fill("The class ")
    prompt.press("Enter")
    wait_for_rerun(page)
    assert play_until_epoch(page, 3) >= 3
    page.wait_for_function(
        "key => !!document.querySelector(`.st-key-${key}_canvas [data-testid^=\"stBidiComponent\"]`)", arg="lm_written")
    first = live_canvas(page, "lm_written")
    page.wait_for_function(  # a later epoch writes another sample
        "([key, before]) => { const host = document.querySelector(`.st-key-${key}_canvas [data-testid^=\"stBidiComponent\"]`);"
        " const canvas = host && (host.shadowRoot ?? host).querySelector('canvas[data-drawn]');"
        " return canvas && canvas.toDataURL() !== before; }", arg=["lm_written", first])
    pause_until_plotly(page, "lm_written")
    cells = page.evaluate("() => document.querySelector('.st-key-lm_written .js-plotly-plot')._fullData[0].text.flat()")
    assert "".join(cells[:10]) == "The␣class␣" and len([cell for cell in cells if cell]) == 10 + 200


def test_a_learner_switches_the_unrolled_network_to_echo_plays_and_pauses_on_its_states(server, page):
    page.goto(f"{server}/recurrence_unrolled")
    wait_until_idle(page)
    page.locator(".st-key-ru_task").get_by_text("Echo the input of a few steps before", exact=True).click()
    wait_for_rerun(page)
    assert play_until_epoch(page, 20) >= 20
    assert live_canvas(page, "ru_unrolled").startswith("data:image/png")
    pause_until_plotly(page, "ru_hidden")
    rows = page.evaluate("() => document.querySelector('.st-key-ru_hidden .js-plotly-plot')._fullData[0].y")
    assert list(rows) == [f"unit {unit}" for unit in range(4)]


def test_a_learner_plays_the_gradient_race_turns_clipping_on_while_it_trains_and_pauses(server, page):
    page.goto(f"{server}/vanishing_gradients")
    wait_until_idle(page)
    assert play_until_epoch(page, 3) >= 3
    page.locator(".st-key-vg_clip").get_by_text("Clip the gradient's norm", exact=True).click()
    wait_for_rerun(page)
    page.get_by_role("button", name="Pause", exact=True).wait_for()  # a live setting: the run plays on
    clipped_at = epoch(page)
    wait_for_epoch(page, clipped_at + 2)
    assert live_canvas(page, "vg_state_gradients").startswith("data:image/png")
    pause_until_plotly(page, "vg_state_gradients")
    names = page.evaluate("() => document.querySelector('.st-key-vg_state_gradients .js-plotly-plot')"
                          "._fullData.map(trace => trace.name)")
    assert names == ["SimpleRNN", "LSTM", "GRU"]


def test_a_learner_picks_the_dates_task_trains_and_sees_where_the_attention_looks(server, page):
    page.goto(f"{server}/seq2seq_attention")
    wait_until_idle(page)
    page.locator(".st-key-s2s_task").get_by_text("Dates to ISO form", exact=True).click()
    wait_for_rerun(page)
    assert play_until_epoch(page, 3) >= 3
    page.wait_for_function(
        "key => !!document.querySelector(`.st-key-${key}_canvas [data-testid^=\"stBidiComponent\"]`)", arg="s2s_attention")
    assert live_canvas(page, "s2s_attention").startswith("data:image/png")
    pause_until_plotly(page, "s2s_attention")
    rows = page.evaluate("() => document.querySelector('.st-key-s2s_attention .js-plotly-plot')._fullData[0].y")
    assert len(rows) == 10  # one row per character of YYYY-MM-DD
