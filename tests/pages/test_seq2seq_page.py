"""AppTest: the seq2seq race trains, draws its attention on the chosen pair, searches beams and shares its setup."""

import numpy as np

from engine.sequence.seq2seq import from_query_params
from tests.pages.test_pages import figure, metric, open_page, plotted, url_settings

PAGE = "seq2seq_attention.py"


def test_steps_train_both_models_and_the_attention_rows_sum_to_one():
    app = open_page(PAGE)
    assert not app.exception and not app.error
    for _ in range(3):
        app.button(key="s2s_step").click().run()
    assert metric(app, "Epoch") == "3"
    assert metric(app, "With attention: whole answers right").endswith("%")
    source, answer = metric(app, "Source"), metric(app, "Answer")
    assert answer == source[::-1] and len(source) == 8
    (heatmap,) = figure(app, "s2s_attention")["data"]
    weights = np.stack([plotted(row) for row in heatmap["z"]]) if isinstance(heatmap["z"], list) \
        else plotted(heatmap["z"]).reshape(8, 8)
    assert weights.shape == (8, 8)
    np.testing.assert_allclose(weights.sum(axis=1), 1.0, rtol=1e-4)
    greedy, beam = app.dataframe
    assert len(greedy.value) == 3 and len(beam.value) == 3


def test_the_example_and_the_task_follow_their_controls():
    app = open_page(PAGE)
    app.button(key="s2s_step").click().run()
    first = metric(app, "Source")
    app.number_input(key="s2s_example").set_value(9).run()
    app.button(key="s2s_step").click().run()
    assert metric(app, "Source") != first and metric(app, "Epoch") == "2"  # the network stayed
    app.radio(key="s2s_task").set_value("dates").run()
    app.button(key="s2s_step").click().run()
    assert metric(app, "Epoch") == "1" and len(metric(app, "Answer")) == 10 and metric(app, "Answer")[4] == "-"
    app.number_input(key="s2s_beam").set_value(5).run()
    assert all(len(table.value) == 5 for table in app.dataframe)


def test_the_link_carries_the_setup():
    app = open_page(PAGE)
    app.radio(key="s2s_task").set_value("sort").run()
    app.slider(key="s2s_length").set_value(12).run()
    params = url_settings(app)
    assert params["task"] == "sort" and params["length"] == "12"
    shared = open_page(PAGE, params)
    assert not shared.exception
    assert from_query_params(url_settings(shared))[0] == from_query_params(params)[0]
