"""AppTest: the 2-D GAN lab and the image GAN train, switch sides live, explain bad input and share links."""

import numpy as np

from engine.generative.targets import decode_points, encode_points, make_target
from tests.pages.test_pages import figure, metric, open_page, plotted, shown, url_settings

POINTS, IMAGES = "gan_lab.py", "image_gan.py"


def trace(app, key: str, name: str) -> dict:
    return next(item for item in figure(app, key)["data"] if item.get("name") == name)


def test_the_2d_gan_steps_and_draws_the_plane_with_its_layers():
    app = open_page(POINTS)
    assert not app.exception and not app.error
    app.button(key="gan_step").click().run()
    assert metric(app, "Epoch") == "1" and metric(app, "Modes covered").endswith("of 8")
    names = {item.get("name") for item in figure(app, "gan_plane")["data"]}
    assert {"real", "generated", "G's noise grid", "generator's pull"} <= names
    app.pills(key="gan_layers").set_value(["verdict"]).run()
    names = {item.get("name") for item in figure(app, "gan_plane")["data"]}
    assert "G's noise grid" not in names and "generator's pull" not in names
    assert any(item["type"] == "heatmap" for item in figure(app, "gan_plane")["data"])


def test_training_only_the_discriminator_leaves_the_generated_points_in_place():
    app = open_page(POINTS)
    app.button(key="gan_step").click().run()
    before = plotted(trace(app, "gan_plane", "generated")["x"])
    app.radio(key="gan_train").set_value("discriminator").run()
    app.button(key="gan_step").click().run()
    assert metric(app, "Epoch") == "2"
    np.testing.assert_array_equal(plotted(trace(app, "gan_plane", "generated")["x"]), before)
    app.radio(key="gan_train").set_value("both").run()
    app.button(key="gan_step").click().run()
    assert not np.array_equal(plotted(trace(app, "gan_plane", "generated")["x"]), before)


def test_choosing_own_points_asks_for_them_before_training():
    app = open_page(POINTS)
    app.selectbox(key="gan_target").set_value("custom").run()
    assert any("Draw your distribution" in item.value for item in app.info)
    assert not app.exception and not app.error


def test_points_too_large_for_float32_are_refused_and_the_points_in_use_stay():
    app = open_page(POINTS)
    app.selectbox(key="gan_target").set_value("custom").run()
    good = "\n".join(f"{index},{index % 5}" for index in range(30)).encode()
    app.file_uploader(key="gan_csv").set_value(("good.csv", good, "text/csv")).run()
    kept = app.session_state["gan_points"].copy()
    huge = "\n".join(f"{index},1e300" for index in range(30)).encode()  # finite in float64, inf in float32
    app.file_uploader(key="gan_csv").set_value(("huge.csv", huge, "text/csv")).run()
    assert not app.exception
    assert "did not change" in shown(app.caption) and "larger than 1e+15" in shown(app.caption)
    assert np.array_equal(app.session_state["gan_points"], kept)


def test_a_link_carries_own_points_and_a_link_without_them_opens_on_the_ring():
    spiral = make_target("spiral", seed=0).points
    params = {"target": "custom", "points": encode_points(spiral / np.abs(spiral).max())}
    app = open_page(POINTS, params)
    assert not app.exception and not app.error
    assert app.selectbox(key="gan_target").value == "custom"
    app.button(key="gan_step").click().run()
    real = trace(app, "gan_plane", "real")
    np.testing.assert_allclose(np.sort(plotted(real["x"])), np.sort(decode_points(params["points"])[:, 0]))
    assert url_settings(app)["points"] == params["points"]  # and the page's own link carries them on
    bare = open_page(POINTS, {"target": "custom"})
    assert not bare.exception and not bare.error
    assert bare.selectbox(key="gan_target").value == "ring"
    assert any("using the ring" in item.value for item in bare.warning)
    assert bare.button(key="gan_play")


def test_the_2d_link_round_trips():
    app = open_page(POINTS)
    app.selectbox(key="gan_target").set_value("spiral").run()
    app.slider(key="gan_k").set_value(3).run()
    params = url_settings(app)
    assert params["target"] == "spiral" and params["k"] == "3"
    shared = open_page(POINTS, params)
    assert shared.selectbox(key="gan_target").value == "spiral" and shared.slider(key="gan_k").value == 3
    assert shared.metric[0].value == "0" and not shared.exception


def test_the_image_gan_trains_samples_and_walks():
    app = open_page(IMAGES)
    assert not app.exception and not app.error
    app.button(key="dcgan_step").click().run()
    assert metric(app, "Epoch") == "1" and metric(app, "D accuracy").endswith("%")
    assert any("The same 64 noise vectors" in item.value for item in app.markdown)
    app.slider(key="dcgan_count").set_value(16).run()
    assert len(plotted(figure(app, "dcgan_fresh")["data"][0]["z"])) > 0
    app.number_input(key="dcgan_to").set_value(9).run()
    assert any("seeds 1 and 9" in item.value for item in app.caption)
    params = url_settings(app)
    assert params["data"] == "digits" and params["noise"] == "16"
