"""AppTest: the unrolled SimpleRNN trains, works one sequence through step by step, and shares its setup."""

import numpy as np

from engine.sequence.unrolled import from_query_params
from tests.pages.test_pages import figure, metric, open_page, plotted, shown, url_settings

PAGE = "recurrence_unrolled.py"


def test_steps_lower_the_error_and_the_unrolled_view_shows_one_node_per_step():
    app = open_page(PAGE)
    assert not app.exception and not app.error
    app.button(key="ru_step").click().run()
    first = float(metric(app, "Validation MSE"))
    for _ in range(10):
        app.button(key="ru_step").click().run()
    assert float(metric(app, "Validation MSE")) < first
    _, inputs, hidden, outputs, targets = figure(app, "ru_unrolled")["data"]
    assert len(plotted(hidden["x"])) == len(plotted(inputs["x"])) == 8
    assert np.allclose(plotted(targets["customdata"]), np.cumsum([float(text) for text in inputs["text"]]) / np.sqrt(8),
                       atol=0.01)
    weights = figure(app, "ru_weights")["layout"]["annotations"]
    assert [item["text"] for item in weights] == ["<b>U (input → state): 1×4</b>", "<b>W (state → next state): 4×4</b>",
                                                   "<b>V (state → output): 4×1</b>"]


def test_the_example_and_the_task_follow_their_controls():
    app = open_page(PAGE)
    app.button(key="ru_step").click().run()
    before = figure(app, "ru_unrolled")["data"][1]["text"]
    app.number_input(key="ru_example").set_value(3).run()
    app.button(key="ru_step").click().run()
    assert figure(app, "ru_unrolled")["data"][1]["text"] != before
    app.radio(key="ru_task").set_value("echo").run()
    app.slider(key="ru_units").set_value(2).run()
    app.button(key="ru_step").click().run()
    assert metric(app, "Epoch") == "1"  # a new task, a new network
    assert figure(app, "ru_weights")["layout"]["annotations"][1]["text"] == "<b>W (state → next state): 2×2</b>"
    app.slider(key="ru_length").set_value(3).run()
    app.slider(key="ru_lag").set_value(3).run()
    assert "An echo 3 steps back needs sequences longer than 3 steps" in shown(app.error) and not app.exception


def test_the_link_carries_the_setup():
    app = open_page(PAGE)
    app.radio(key="ru_task").set_value("sign").run()
    app.slider(key="ru_units").set_value(6).run()
    params = url_settings(app)
    assert params["task"] == "sign" and params["units"] == "6"
    shared = open_page(PAGE, params)
    assert not shared.exception
    assert from_query_params(url_settings(shared))[0] == from_query_params(params)[0]
