"""Figure builders: the numbers a chart shows must be the numbers we pass in."""

import numpy as np
import pytest

from ui.figures import CLASS_COLORS, NEGATIVE, POSITIVE, curves_figure
from ui.playground_figures import boundary_figure, network_figure

BOUNDS = (-6.0, 6.0, -6.0, 6.0)


def scatter(figure, name):
    return next(trace for trace in figure.data if trace.name == name)


def colour_at(scale, position):
    """The colour a Plotly colour scale gives ``position``: a stop's own colour, or the colour
    of the band it falls in (only called where both ends of that band share a colour)."""
    for stop, colour in scale:
        if stop == position:
            return colour
    return next(colour for (start, colour), (end, _) in zip(scale, scale[1:], strict=False) if start < position < end)


def test_binary_points_are_orange_for_class_0_and_blue_for_class_1():
    points, labels = np.array([[0.0, 0.0], [1.0, 1.0]]), np.array([0.0, 1.0])
    figure = boundary_figure(np.full((5, 5), 0.5), BOUNDS, "binary", (points, labels), None, class_names=("0", "1"))
    assert scatter(figure, "class 0").marker.color == NEGATIVE and scatter(figure, "class 1").marker.color == POSITIVE
    assert list(scatter(figure, "class 1").x) == [1.0]


def test_every_class_gets_its_own_colour_and_legend_entry():
    labels = np.arange(5, dtype=np.float32)
    points = np.zeros((5, 2))
    names = ("a", "b", "c", "d", "e")
    figure = boundary_figure(np.full((5, 5, 5), 0.2), BOUNDS, "multiclass", (points, labels), (points, labels),
                             class_names=names)
    shown = [trace for trace in figure.data if trace.type == "scatter" and trace.showlegend is not False]
    assert [trace.name for trace in shown] == [f"class {name}" for name in names] + ["test points (hollow)"]
    assert [trace.marker.color for trace in shown[:5]] == list(CLASS_COLORS)
    assert scatter(figure, "class c (test)").marker.symbol == "circle-open"


def test_test_points_are_hollow_and_regression_colours_are_symmetric():
    points, targets = np.array([[0.0, 0.0], [1.0, 1.0]]), np.array([-2.0, 1.0])
    figure = boundary_figure(np.zeros((5, 5)), BOUNDS, "regression", (points, targets), (points, targets))
    assert scatter(figure, "test").marker.symbol == "circle-open"
    marker = scatter(figure, "train").marker
    assert (marker.cmin, marker.cmax) == (-2.0, 2.0)


def test_curves_put_each_metric_on_its_own_panel_and_log_scale_only_on_loss():
    history = {
        "epoch": np.arange(1, 4), "loss": np.array([1.0, 0.5, 0.25]), "val_loss": np.array([1.1, 0.6, 0.3]),
        "accuracy": np.array([0.5, 0.7, 0.9]), "val_accuracy": np.array([0.4, 0.6, 0.8]),
    }
    figure = curves_figure(history, ("loss", "accuracy"), log_scale=True)
    by_axis = {(trace.xaxis, trace.name): list(trace.y) for trace in figure.data}
    assert by_axis[("x", "train")] == [1.0, 0.5, 0.25] and by_axis[("x2", "test")] == pytest.approx([0.4, 0.6, 0.8])
    assert figure.layout.yaxis.type == "log" and figure.layout.yaxis2.type == "linear"
    assert figure.layout.xaxis.domain[1] < figure.layout.xaxis2.domain[0]  # side by side, no overlap
    assert sum(trace.showlegend is not False for trace in figure.data) == 2  # train and test, once


def test_smoothing_keeps_the_raw_curve_faintly_behind_the_smoothed_one():
    history = {"epoch": np.arange(1, 5), "loss": np.array([1.0, 0.0, 1.0, 0.0])}
    figure = curves_figure(history, ("loss",), smoothing=0.6)
    raw, smoothed = figure.data
    assert list(raw.y) == [1.0, 0.0, 1.0, 0.0] and raw.opacity < 1
    assert smoothed.y[0] == pytest.approx(1.0) and 0.0 < smoothed.y[1] < 1.0


def test_network_draws_one_thumbnail_per_neuron_and_one_bias_square_per_unit():
    rng = np.random.default_rng(0)
    kernels = [rng.normal(size=(2, 4)), rng.normal(size=(4, 1))]
    biases = [rng.normal(size=4), rng.normal(size=1)]
    figure = network_figure(
        ["x1", "x2"], rng.normal(size=(2, 8, 8)), [rng.normal(size=(4, 8, 8))], rng.uniform(size=(8, 8)),
        kernels, biases, "binary",
    )
    assert len(figure.layout.images) == 2 + 4 + 1
    assert [annotation.text for annotation in figure.layout.annotations] == ["x1", "x2"]
    bias_trace = next(trace for trace in figure.data if trace.marker.size == 8)
    assert list(bias_trace.marker.color) == pytest.approx([*biases[0], *biases[1]])
    hover = next(trace for trace in figure.data if trace.hovertext and "weight" in trace.hovertext[0])
    assert len(hover.hovertext) == 2 * 4 + 4 * 1  # one hover point per link


def test_curves_are_titled_in_words_above_each_panel_and_a_lone_train_series_has_no_legend():
    history = {"epoch": np.arange(1, 4), "d_real": np.array([0.9, 0.7, 0.6]), "free_energy": np.array([-3.0, -4, -5])}
    figure = curves_figure(history, ("d_real", "free_energy"))
    assert [annotation.text for annotation in figure.layout.annotations] == [
        "<b>D on real data</b>", "<b>free energy</b>"]
    assert figure.layout.yaxis.title.text is None  # no title along the axis to run into the panel beside it
    assert figure.layout.showlegend is False  # one series per panel: a "train" legend would say nothing


def test_a_loss_spike_does_not_flatten_the_rest_of_the_curve():
    loss = np.linspace(1.0, 0.1, 200)
    loss[120] = 80.0  # one diverging batch
    figure = curves_figure({"epoch": np.arange(1, 201), "loss": loss, "val_loss": loss * 1.1}, ("loss",))
    low, high = figure.layout.yaxis.range
    assert high < 5 and low < 0.2  # the bulk stays readable; the spike runs off the top
    calm = curves_figure({"epoch": np.arange(1, 201), "loss": np.linspace(1, 0.1, 200)}, ("loss",))
    assert calm.layout.yaxis.range is None  # no spike: Plotly's own range


def test_the_benchmark_chart_labels_its_axes_and_ticks_in_readable_units():
    from engine.hardware import Measurement
    from ui.hardware_figures import gflops_figure

    measurements = [Measurement("CPU:0", operation, size, 1e-3, gflops)
                    for operation in ("matmul", "conv") for size, gflops in ((64, 0.5), (256, 12.0), (1024, 80.0))]
    figure = gflops_figure(measurements)
    for axis in ("yaxis", "yaxis2"):
        assert figure.layout[axis].title.text == "GFLOP/s" and figure.layout[axis].type == "log"
        assert figure.layout[axis].dtick == 1  # one labelled tick per decade
    assert list(figure.layout.xaxis.tickvals) == [64, 256, 1024] and figure.layout.xaxis.title.text == "size n"
    assert figure.layout.margin.l >= 50  # the tick labels are not cut off
