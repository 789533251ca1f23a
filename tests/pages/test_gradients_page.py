"""AppTest: the gradients race steps, draws ‖∂L/∂h_t‖ per step, clips live, sweeps the delay and shares its setup."""

import numpy as np

from engine.sequence.gradients import from_query_params
from tests.pages.test_pages import figure, metric, open_page, plotted, shown, until, url_settings

PAGE = "vanishing_gradients.py"


def test_steps_train_every_cell_and_the_gradient_is_drawn_at_every_step():
    app = open_page(PAGE)
    assert not app.exception and not app.error
    app.button(key="vg_step").click().run()
    assert metric(app, "Epoch") == "1"
    assert all(metric(app, f"{name} accuracy").endswith("%") for name in ("SimpleRNN", "LSTM", "GRU"))
    lines = figure(app, "vg_state_gradients")["data"]
    assert [line["name"] for line in lines] == ["SimpleRNN", "LSTM", "GRU"]
    assert all(len(plotted(line["x"])) == 31 for line in lines)  # the symbol, then 30 steps of delay
    curves = figure(app, "vg_curves")["layout"]
    assert curves["yaxis2"]["type"] == "log"


def test_clipping_applies_live_and_a_new_gain_makes_a_new_race():
    app = open_page(PAGE)
    app.button(key="vg_step").click().run()
    app.radio(key="vg_clip").set_value("norm").run()
    app.slider(key="vg_threshold").set_value(0.5).run()
    app.button(key="vg_step").click().run()
    assert metric(app, "Epoch") == "2" and not app.exception
    app.slider(key="vg_gain").set_value(0.5).run()
    app.multiselect(key="vg_cells").set_value(["simple_rnn"]).run()
    app.button(key="vg_step").click().run()
    assert metric(app, "Epoch") == "1"
    (line,) = figure(app, "vg_state_gradients")["data"]
    values = plotted(line["y"])
    assert np.nanmax(values[:5]) < np.nanmax(values[-5:])  # shrinking on its way back
    app.multiselect(key="vg_cells").set_value([]).run()
    assert "Pick at least one cell" in shown(app.error) and not app.exception


def test_the_delay_sweep_runs_in_the_background_and_draws_accuracy_against_delay(monkeypatch):
    import engine.sequence.gradients as gradients

    monkeypatch.setattr(gradients, "SWEEP_DELAYS", (2, 3))
    original = gradients.delay_sweep
    monkeypatch.setattr(gradients, "delay_sweep", lambda settings, report: original(settings, report, (2, 3), 1))
    app = open_page(PAGE)
    app.slider(key="vg_delay").set_value(3).run()
    app.button(key="vg_sweep_button").click().run()
    chart = until(app, lambda: [item for item in app.get("plotly_chart") if item.proto.id.endswith("-vg_sweep_chart")])
    assert chart and not app.exception


def test_the_link_carries_the_setup():
    app = open_page(PAGE)
    app.slider(key="vg_delay").set_value(45).run()
    app.radio(key="vg_clip").set_value("value").run()
    params = url_settings(app)
    assert params["delay"] == "45" and params["clip"] == "value"
    shared = open_page(PAGE, params)
    assert not shared.exception
    assert from_query_params(url_settings(shared))[0] == from_query_params(params)[0]


def test_the_recall_task_trains_and_only_it_offers_the_symbols():
    app = open_page(PAGE)
    assert app.slider(key="vg_symbols").disabled  # the adding problem opens the page
    app.radio(key="vg_task").set_value("recall").run()
    assert not app.slider(key="vg_symbols").disabled
    app.button(key="vg_step").click().run()
    assert metric(app, "Epoch") == "1" and metric(app, "LSTM accuracy").endswith("%") and not app.exception
    assert all(len(plotted(line["x"])) == 31 for line in figure(app, "vg_state_gradients")["data"])
