"""The live canvas's scenes: the same numbers, colours and places as the Plotly figure they replace."""

import base64
import io

import numpy as np
import plotly.graph_objects as go
from PIL import Image
from plotly.colors import sample_colorscale

from ui.canvas_scene import colour_map, floats, scene
from ui.figures import DIVERGING, NEGATIVE, POSITIVE, curves_figure, make_figure
from ui.generative_figures import tiles_figure
from ui.playground_figures import boundary_figure, network_figure


def decoded(text: str) -> np.ndarray:
    return np.frombuffer(base64.b64decode(text), dtype="<f4")


def pixels(item: dict) -> np.ndarray:
    return np.asarray(Image.open(io.BytesIO(base64.b64decode(item["src"].split(",", 1)[1]))).convert("RGB"))


def items(drawn: dict, kind: str) -> list[dict]:
    return [item for panel in drawn["panels"] for item in panel["items"] if item["t"] == kind]


def test_floats_are_float32_with_gaps_as_nan():
    values = decoded(floats([1.5, None, -2.25]))
    assert values[0] == 1.5 and np.isnan(values[1]) and values[2] == -2.25


def test_colour_map_matches_plotlys_own_interpolation():
    values = np.array([-1.0, -0.3, 0.0, 0.6, 1.0])
    ours = colour_map(values, DIVERGING, -1.0, 1.0)[:, :3]
    theirs = [tuple(int(part) for part in colour[4:-1].split(",")) if colour.startswith("rgb")
              else tuple(int(colour[index:index + 2], 16) for index in (1, 3, 5))
              for colour in sample_colorscale(DIVERGING, list((values + 1) / 2))]
    np.testing.assert_allclose(ours, np.array(theirs), atol=1)


def test_nan_cells_are_transparent():
    assert colour_map(np.array([np.nan, 0.5]), "gray", 0, 1)[:, 3].tolist() == [0, 255]


def test_curves_become_one_panel_per_metric_with_the_histories_as_lines():
    history = {"epoch": np.arange(1, 6), "loss": np.linspace(1, 0.2, 5), "val_loss": np.linspace(1.1, 0.4, 5),
               "accuracy": np.linspace(0.5, 0.9, 5)}
    drawn = scene(curves_figure(history, ("loss", "accuracy")))
    assert len(drawn["panels"]) == 2
    loss_lines = drawn["panels"][0]["items"]
    assert [line["c"] for line in loss_lines] == [POSITIVE, NEGATIVE]
    xy = decoded(loss_lines[1]["xy"]).reshape(-1, 2)
    np.testing.assert_allclose(xy[:, 1], history["val_loss"], rtol=1e-6)
    first, second = (panel["domain"][:2] for panel in drawn["panels"])
    assert first[1] < second[0]  # side by side, left to right
    assert [entry["name"] for entry in drawn["legend"]] == ["train", "test"]
    low, high = drawn["panels"][0]["x"]["range"]
    assert low <= 1 and high >= 5


def test_boundary_heatmap_is_an_image_with_low_y_at_the_bottom():
    grid = np.zeros((4, 4))
    grid[0] = 1.0  # the first row is the lowest y: class 1 (blue) along the bottom edge
    points = (np.array([[0.0, 0.0]]), np.array([0]))
    drawn = scene(boundary_figure(grid, (-2, 2, -2, 2), "binary", points, None))
    image = items(drawn, "img")[0]
    left, right, top, bottom = image["box"]
    assert top > bottom and left < right  # the PNG's first row is drawn at the top
    rgb = pixels(image)
    assert tuple(rgb[-1, 0]) == tuple(int(POSITIVE[index:index + 2], 16) for index in (1, 3, 5))
    assert tuple(rgb[0, 0]) == tuple(int(NEGATIVE[index:index + 2], 16) for index in (1, 3, 5))
    marker = items(drawn, "pts")[0]
    assert marker["c"] == NEGATIVE and decoded(marker["xy"]).tolist() == [0.0, 0.0]
    assert drawn["panels"][0]["equal"]


def test_image_tiles_keep_their_first_row_on_top_of_a_reversed_axis():
    images = np.zeros((2, 3, 3, 1))
    images[0, 0] = 1.0  # the first image's top row is black
    drawn = scene(tiles_figure(images, 2))
    rgb = pixels(items(drawn, "img")[0])
    assert rgb[0, 0].max() < 50 and rgb[-1, 0].min() > 200


def test_network_thumbnails_links_and_hover_texts_come_through():
    kernels = [np.array([[0.5, -0.5]]), np.array([[1.0], [2.0]])]
    figure = network_figure(["x₁"], np.zeros((1, 5, 5)), [np.zeros((2, 5, 5))], np.zeros((5, 5)), kernels,
                            [np.zeros(2), np.zeros(1)], "binary")
    drawn = scene(figure)
    assert len(items(drawn, "img")) == 4  # one thumbnail per neuron, inputs and output included
    colours = {line["c"] for line in items(drawn, "line")}
    assert colours == {POSITIVE, NEGATIVE}
    hovers = [text for item in items(drawn, "pts") for text in item.get("hover", [])]
    assert "weight -0.500" in hovers and any(text.startswith("hidden layer 1, neuron 2") for text in hovers)
    assert drawn["texts"][0]["text"] == "x₁"


def test_hover_templates_are_filled_as_plotly_fills_them():
    trace = go.Scatter(x=[1.234], y=[0.5], mode="markers", customdata=[7],
                       hovertemplate="image %{customdata}<br>(%{x:.2f}, %{y:.0%})<extra>hidden</extra>")
    hover = items(scene(make_figure([trace], 300)), "pts")[0]["hover"]
    assert hover == ["image 7\n(1.23, 50%)"]


def test_figures_the_canvas_cannot_draw_stay_plotly():
    assert scene(make_figure([go.Bar(x=["a"], y=[1])], 300)) is None
    animated = make_figure([go.Scatter(x=[0], y=[0])], 300)
    animated.frames = [go.Frame(data=[go.Scatter(x=[1], y=[1])])]
    assert scene(animated) is None
