"""The Network Playground's figures: the decision boundary over the plane and the network diagram."""

from __future__ import annotations

import base64
import io

import numpy as np
import plotly.graph_objects as go

from ui.figures import CLASS_COLORS, DIVERGING, NEGATIVE, POSITIVE, make_figure

_NEGATIVE_RGB = np.array([245, 147, 34], dtype=np.float32)
_POSITIVE_RGB = np.array([8, 119, 189], dtype=np.float32)
_WHITE_RGB = np.array([247, 247, 247], dtype=np.float32)
MAX_THUMBNAILS = 160  # beyond this the diagram draws plain nodes to keep each frame small
MAX_LINK_HOVERS = 1500
COLUMN_SPACING = 2.5  # horizontal distance between layers, in neuron rows, to leave room for links


def boundary_figure(
    output_grid: np.ndarray,
    bounds: tuple[float, float, float, float],
    problem: str,
    train: tuple[np.ndarray, np.ndarray],
    test: tuple[np.ndarray, np.ndarray] | None,
    discretize: bool = False,
    title: str = "",
    class_names: tuple[str, ...] = (),
    height: int = 430,
) -> go.Figure:
    """The model's output over the plane behind the data points.

    ``output_grid`` is (R, R) for binary (probability of class 1) and regression, (R, R, k)
    class probabilities for multi-class. Training points are filled circles, one legend
    entry per class with its colour (``class_names`` name them); test points, when given,
    are hollow.
    """
    x_min, x_max, y_min, y_max = bounds
    resolution = output_grid.shape[0]
    xs = np.linspace(x_min, x_max, resolution)
    ys = np.linspace(y_min, y_max, resolution)
    traces = []
    if problem == "multiclass":
        traces.append(go.Image(
            z=_class_image(output_grid, discretize), x0=x_min, dx=(x_max - x_min) / (resolution - 1),
            y0=y_min, dy=(y_max - y_min) / (resolution - 1), hoverinfo="skip", opacity=0.75,
        ))
    else:
        values = output_grid
        if problem == "binary":
            values = (values > 0.5).astype(np.float32) if discretize else values
            zmin, zmax, label = 0.0, 1.0, "P(class 1)"
        else:
            limit = float(np.abs(values).max()) or 1.0
            zmin, zmax, label = -limit, limit, "prediction"
            if discretize:
                values = np.sign(values)
        traces.append(go.Heatmap(
            z=values, x=xs, y=ys, zmin=zmin, zmax=zmax, colorscale=DIVERGING, opacity=0.75,
            colorbar=dict(title=label, thickness=12), hovertemplate="x₁ %{x:.2f}<br>x₂ %{y:.2f}<br>%{z:.3f}<extra></extra>",
        ))
    for part, hollow, name in ((train, False, "train"), (test, True, "test")):
        if part is None or not len(part[0]):
            continue
        points, labels = part
        marker = dict(size=7, line=dict(width=1.2, color="#333" if not hollow else "#000"),
                      symbol="circle-open" if hollow else "circle")
        if problem == "regression":  # one number per point mapped through the colour scale
            limit = float(np.abs(labels).max()) or 1.0
            traces.append(go.Scatter(
                x=points[:, 0], y=points[:, 1], mode="markers", name=name, customdata=labels,
                marker=dict(**marker, showscale=False, color=labels, colorscale=DIVERGING, cmin=-limit, cmax=limit),
                hovertemplate=f"{name}: %{{customdata:.3g}}<extra></extra>",
            ))
            continue
        for label in np.unique(labels).astype(int):  # one trace per class: the legend shows each class's colour
            chosen = labels == label
            label_name = class_names[label] if label < len(class_names) else str(label)
            colour = (NEGATIVE, POSITIVE)[label] if problem == "binary" else CLASS_COLORS[label % len(CLASS_COLORS)]
            traces.append(go.Scatter(
                x=points[chosen, 0], y=points[chosen, 1], mode="markers", legendgroup=f"class {label_name}",
                name=f"class {label_name}" + (" (test)" if hollow else ""), showlegend=not hollow,
                marker=dict(**marker, color=colour),
                hovertemplate=f"{name}: class {label_name}<extra></extra>",
            ))
        if hollow:  # one legend entry for the hollow test points of every class
            traces.append(go.Scatter(x=[None], y=[None], mode="markers", name="test points (hollow)",
                                     marker=dict(**marker, color="#888")))
    return make_figure(
        traces, height, title=title, legend=dict(orientation="h", y=-0.22),
        xaxis=dict(range=[x_min, x_max], title="x₁", constrain="domain"),
        yaxis=dict(range=[y_min, y_max], title="x₂", scaleanchor="x", scaleratio=1),
    )


def _class_image(probabilities: np.ndarray, discretize: bool) -> np.ndarray:
    """(R, R, k) probabilities to an RGB image mixing class colours (the winner alone if discretized)."""
    colours = np.array([_rgb(colour) for colour in CLASS_COLORS[: probabilities.shape[2]]], dtype=np.float32)
    if discretize:
        weights = np.eye(probabilities.shape[2], dtype=np.float32)[probabilities.argmax(axis=2)]
    else:
        weights = probabilities
    mixed = weights @ colours
    confidence = probabilities.max(axis=2, keepdims=True)  # fade towards white where unsure
    image = _WHITE_RGB + (mixed - _WHITE_RGB) * confidence
    return image.clip(0, 255).astype(np.uint8)


def _rgb(colour: str) -> tuple[int, int, int]:
    return int(colour[1:3], 16), int(colour[3:5], 16), int(colour[5:7], 16)


def _diverging_rgb(values: np.ndarray) -> np.ndarray:
    """Values in [-1, 1] to orange-white-blue RGB (float, 0-255), any shape + (3,)."""
    values = np.clip(values, -1.0, 1.0)[..., None]
    toward = np.where(values >= 0, _POSITIVE_RGB, _NEGATIVE_RGB)
    return _WHITE_RGB + (toward - _WHITE_RGB) * np.abs(values)


# Readable names of the metrics the runs record (Keras names and our own), for chart titles.


def network_figure(
    feature_labels: list[str],
    feature_grids: np.ndarray,
    neuron_grids: list[np.ndarray],
    output_grid: np.ndarray,
    kernels: list[np.ndarray],
    biases: list[np.ndarray | None],
    problem: str,
) -> go.Figure:
    """The network as TensorFlow Playground draws it, with Plotly.

    Each neuron is a thumbnail of its output over the input plane; links are coloured by the
    weight's sign (blue positive, orange negative) and thickened by its size; the small
    square at a neuron's corner is its bias. Hover a neuron or a link's middle for numbers.
    """
    columns = [feature_grids, *neuron_grids, output_grid[None]]
    sizes = [len(column) for column in columns]
    tallest = max(sizes)
    # Columns left to right; each column's neurons centred vertically, first neuron on top.
    positions = [
        [(COLUMN_SPACING * column, (tallest - 1) / 2 + (size - 1) / 2 - row) for row in range(size)]
        for column, size in enumerate(sizes)
    ]
    box = 0.42  # half the side of a neuron's thumbnail, in axis units (rows are 1 apart)
    strongest = max((float(np.abs(kernel).max()) for kernel in kernels if kernel.size), default=1.0) or 1.0
    traces = _link_traces(positions, kernels, strongest, box)
    thumbnails = sum(sizes) <= MAX_THUMBNAILS
    images = []
    if thumbnails:
        for column, (grids, layer_positions) in enumerate(zip(columns, positions, strict=True)):
            values = _thumbnail_values(grids, is_output=column == len(columns) - 1, problem=problem)
            images += [
                dict(source=_png_data_uri(_diverging_rgb(grid[::-1]).astype(np.uint8)), x=x - box, y=y + box,
                     sizex=2 * box, sizey=2 * box, xref="x", yref="y", sizing="stretch", layer="above")
                for grid, (x, y) in zip(values, layer_positions, strict=True)
            ]
    hover_x, hover_y, hover_text = [], [], []
    for column, layer_positions in enumerate(positions):
        for index, (x, y) in enumerate(layer_positions):
            hover_x.append(x)
            hover_y.append(y)
            if column == 0:
                hover_text.append(f"input {feature_labels[index]}")
            else:
                bias = biases[column - 1]
                name = "output" if column == len(positions) - 1 else f"hidden layer {column}, neuron {index + 1}"
                hover_text.append(f"{name}<br>bias {bias[index]:.3f}" if bias is not None else name)
    traces.append(go.Scatter(
        x=hover_x, y=hover_y, mode="markers", hovertext=hover_text, hoverinfo="text", showlegend=False,
        marker=dict(symbol="square", size=28 if thumbnails else 12, color="rgba(0,0,0,0)" if thumbnails else "#999",
                    line=dict(width=1, color="#555")),
    ))
    traces += _bias_traces(positions, biases, box)
    labels = [
        dict(x=x - box - 0.05, y=y, text=label, showarrow=False, xanchor="right", font=dict(size=12))
        for label, (x, y) in zip(feature_labels, positions[0], strict=True)
    ]
    return make_figure(
        traces, int(min(720, max(260, 70 * tallest))), images=images, annotations=labels,
        xaxis=dict(visible=False, range=[-1.2, COLUMN_SPACING * (len(columns) - 1) + 0.6]),
        yaxis=dict(visible=False, range=[-0.8, tallest - 0.2], scaleanchor="x", scaleratio=1),
    )


def _thumbnail_values(grids: np.ndarray, is_output: bool, problem: str) -> np.ndarray:
    """A column's neuron maps scaled to [-1, 1] for the orange-white-blue colour map.

    Hidden neurons and inputs share one scale per column, so their strengths compare; a
    binary output is a probability (0.5 is white); a multi-class output holds class indices.
    """
    scale = float(np.abs(grids).max()) or 1.0
    if is_output and problem == "binary":
        return grids * 2 - 1
    if is_output and problem == "multiclass":
        return grids / max(1.0, scale)
    return grids / scale


def _link_traces(positions: list, kernels: list[np.ndarray], strongest: float, box: float) -> list[go.Scatter]:
    """Links grouped into a few traces by sign and width, plus hover points at their middles."""
    groups: dict[tuple[bool, int], tuple[list, list]] = {}
    middles_x, middles_y, middles_text = [], [], []
    total = sum(kernel.size for kernel in kernels)
    for layer, kernel in enumerate(kernels):
        for source, (x0, y0) in enumerate(positions[layer]):
            for target, (x1, y1) in enumerate(positions[layer + 1]):
                weight = float(kernel[source, target])
                width_bin = min(4, int(5 * abs(weight) / strongest))
                xs, ys = groups.setdefault((weight >= 0, width_bin), ([], []))
                xs += [x0 + box, x1 - box, None]
                ys += [y0, y1, None]
                if total <= MAX_LINK_HOVERS:
                    middles_x.append((x0 + x1) / 2)
                    middles_y.append((y0 + y1) / 2)
                    middles_text.append(f"weight {weight:.3f}")
    traces = [
        go.Scatter(
            x=xs, y=ys, mode="lines", hoverinfo="skip", showlegend=False,
            line=dict(color=POSITIVE if positive else NEGATIVE, width=0.6 + 1.6 * width_bin),
            opacity=0.35 + 0.13 * width_bin,
        )
        for (positive, width_bin), (xs, ys) in groups.items()
    ]
    if middles_x:
        traces.append(go.Scatter(
            x=middles_x, y=middles_y, mode="markers", marker=dict(size=6, opacity=0), hovertext=middles_text,
            hoverinfo="text", showlegend=False,
        ))
    return traces


def _bias_traces(positions: list, biases: list[np.ndarray | None], box: float) -> list[go.Scatter]:
    """Each neuron's bias as a small square at its thumbnail's corner, coloured by sign and size."""
    xs, ys, values = [], [], []
    for column, bias in enumerate(biases, start=1):
        if bias is None:
            continue
        for index, (x, y) in enumerate(positions[column]):
            xs.append(x - box)
            ys.append(y - box)
            values.append(float(bias[index]))
    if not xs:
        return []
    strongest = max(abs(value) for value in values) or 1.0
    return [go.Scatter(
        x=xs, y=ys, mode="markers", hoverinfo="skip", showlegend=False,
        marker=dict(symbol="square", size=8, color=values, colorscale=DIVERGING, cmin=-strongest, cmax=strongest,
                    line=dict(width=1, color="#333")),
    )]


def _png_data_uri(rgb: np.ndarray) -> str:
    """An (h, w, 3) uint8 array as a PNG data URI for a layout image."""
    from PIL import Image

    buffer = io.BytesIO()
    Image.fromarray(rgb, "RGB").save(buffer, format="PNG")
    return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode("ascii")
