"""AppTest: the forecasting race steps, forecasts, takes a CSV column, explains bad setups and shares its setup."""

import numpy as np

from engine.sequence.forecast import from_query_params
from tests.pages.test_pages import figure, metric, open_page, plotted, shown, url_settings

PAGE = "forecasting_race.py"
CELLS = ("SimpleRNN", "LSTM", "GRU")


def validation_errors(app) -> dict[str, float]:
    return {cell: float(metric(app, f"{cell} validation MSE")) for cell in CELLS}


def test_steps_lower_every_cells_validation_error_and_the_forecasts_follow_the_series():
    app = open_page(PAGE)
    assert not app.exception and not app.error
    assert metric(app, "Epoch") == "0"
    app.button(key="fc_step").click().run()
    first = validation_errors(app)
    for _ in range(5):
        app.button(key="fc_step").click().run()
    assert metric(app, "Epoch") == "6"
    later = validation_errors(app)
    assert all(later[cell] < first[cell] for cell in CELLS), (first, later)
    forecasts = figure(app, "fc_forecasts")["data"]
    assert [trace["name"] for trace in forecasts] == ["truth", *CELLS] * 2
    one_step, free_run = forecasts[:4], forecasts[4:]
    assert plotted(free_run[0]["x"])[0] == 800  # free running starts at the split (1,000 steps, 20 % validation)
    assert len(plotted(one_step[1]["y"])) == len(plotted(one_step[0]["y"]))
    assert np.isfinite(plotted(free_run[2]["y"])).all()
    weights = figure(app, "fc_weights_chart")["data"]
    recurrent = next(trace for trace in weights if trace["name"] == "recurrent weights W")
    simple, lstm, gru = plotted(recurrent["x"])
    assert (lstm, gru) == (4 * simple, 3 * simple)


def test_the_race_takes_the_cells_picked_and_a_live_learning_rate_keeps_the_progress():
    app = open_page(PAGE)
    app.multiselect(key="fc_cells").set_value(["gru"]).run()
    app.button(key="fc_step").click().run()
    assert [item["name"] for item in figure(app, "fc_curves")["data"]] == ["GRU", "GRU"]
    app.select_slider(key="fc_lr").set_value(0.003).run()
    app.button(key="fc_step").click().run()
    assert metric(app, "Epoch") == "2"
    app.multiselect(key="fc_cells").set_value([]).run()
    assert "Pick at least one cell" in shown(app.error) and not app.exception


def test_a_window_longer_than_the_training_part_is_explained():
    app = open_page(PAGE)
    app.slider(key="fc_steps").set_value(200).run()
    app.slider(key="fc_window").set_value(180).run()
    assert "need more data" in shown(app.error) and not app.exception


def series_csv(rows: int = 400) -> bytes:
    steps = np.arange(rows)
    lines = ["date,temperature"] + [f"2026-01-{step},{10 + 5 * np.sin(step / 8):.3f}" for step in steps]
    return "\n".join(lines).encode()


def test_a_csv_column_becomes_the_series_and_a_bad_file_leaves_it_in_place():
    app = open_page(PAGE)
    app.file_uploader(key="fc_upload_file").set_value(("weather.csv", series_csv(), "text/csv")).run()
    assert not app.exception and not app.error
    assert app.selectbox(key="fc_series").value == "upload"
    assert app.selectbox(key="fc_column").options == ["temperature"]
    assert "weather.csv (400 rows)" in shown(app.caption)
    app.button(key="fc_step").click().run()
    truth = figure(app, "fc_forecasts")["data"][0]
    assert 5 <= plotted(truth["y"]).min() and plotted(truth["y"]).max() <= 15  # in the file's own units
    app.file_uploader(key="fc_upload_file").set_value(("words.csv", b"a,b\nx,y\n" * 30, "text/csv")).run()
    assert "Could not use words.csv" in shown(app.error) and not app.exception
    assert app.selectbox(key="fc_series").value == "upload" and metric(app, "Epoch") == "1"  # nothing lost


def test_without_an_upload_the_csv_choice_asks_for_one():
    app = open_page(PAGE)
    app.selectbox(key="fc_series").set_value("upload").run()
    assert "Upload a CSV file" in shown(app.error) and not app.exception


def test_the_link_carries_the_setup_and_reproduces_it():
    app = open_page(PAGE)
    app.selectbox(key="fc_series").set_value("sawtooth").run()
    app.slider(key="fc_window").set_value(45).run()
    app.multiselect(key="fc_cells").set_value(["lstm", "gru"]).run()
    params = url_settings(app)
    assert params["series"] == "sawtooth" and params["window"] == "45" and params["cells"] == "lstm,gru"
    shared = open_page(PAGE, params)
    assert not shared.exception
    assert from_query_params(url_settings(shared))[0] == from_query_params(params)[0]
    assert shared.multiselect(key="fc_cells").value == ["lstm", "gru"]
