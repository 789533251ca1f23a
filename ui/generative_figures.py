"""Plotly figures for the generative labs: image grids, latent maps, 2-D GAN fields, loss curves."""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go

from engine.generative.codes import tile_images
from ui.figures import _figure
from ui.vision_figures import SELECTED, _image_axes

LABEL_COLORS = ("#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f",
                "#bcbd22", "#17becf")
CLICK_TARGETS = 41  # per axis of a latent map


def tiles_figure(images: np.ndarray, columns: int, title: str = "", row_names: tuple[str, ...] = (),
                 width: int = 560) -> go.Figure:
    """(n, h, w, 1) images in [0, 1] as one grid heatmap; ``row_names`` label the rows on the left."""
    sheet = tile_images(images, columns)
    rows, cols = sheet.shape
    height = images.shape[1]
    layout = _image_axes(rows, cols)
    layout["xaxis"].update(visible=False)
    layout["yaxis"].update(visible=bool(row_names), tickmode="array", ticks="",
                           tickvals=[index * (height + 1) + (height - 1) / 2 for index in range(len(row_names))],
                           ticktext=list(row_names))
    trace = go.Heatmap(z=sheet, colorscale="gray", reversescale=True, zmin=0, zmax=1, showscale=False,
                       hovertemplate="%{z:.2f}<extra></extra>")
    plot_height = int(min(620, max(120, width * rows / max(cols, 1)))) + (40 if title else 15)
    return _figure([trace], plot_height, title=dict(text=title, font=dict(size=14)) if title else None,
                   dragmode=False, **layout)


def _label_traces(points: np.ndarray, labels: np.ndarray, class_names: tuple[str, ...], size: int = 6) -> list:
    """One scatter per class (a legend entry each); customdata carries each point's test index."""
    traces = []
    for label, name in enumerate(class_names):
        chosen = np.flatnonzero(labels == label)
        if not len(chosen):
            continue
        traces.append(go.Scatter(
            x=points[chosen, 0], y=points[chosen, 1], mode="markers", name=name, customdata=chosen,
            marker=dict(size=size, color=LABEL_COLORS[label % len(LABEL_COLORS)], opacity=0.8,
                        line=dict(width=0.5, color="white")),
            hovertemplate=f"{name} · test image %{{customdata}}<br>(%{{x:.2f}}, %{{y:.2f}})<extra></extra>",
        ))
    return traces


def latent_map_figure(points: np.ndarray, labels: np.ndarray, class_names: tuple[str, ...], axis_titles: tuple[str, str],
                      manifold: np.ndarray | None = None, extent: float | None = None,
                      picked: tuple[float, float] | None = None, height: int = 520) -> go.Figure:
    """Test codes coloured by label; for a 2-D latent, the decoded grid behind them and click targets.

    ``manifold`` is the tiled decoded grid (steps·h × steps·w) covering [-extent, extent]²;
    transparent markers over the plane let a click pick any code, not only a test image's.
    """
    traces: list = []
    layout: dict = dict(xaxis=dict(title=axis_titles[0], zeroline=False),
                        yaxis=dict(title=axis_titles[1], zeroline=False, scaleanchor="x"))
    if manifold is not None and extent is not None:
        rows, cols = manifold.shape
        xs = np.linspace(-extent, extent, cols + 1)
        ys = np.linspace(extent, -extent, rows + 1)
        traces.append(go.Heatmap(x=(xs[:-1] + xs[1:]) / 2, y=(ys[:-1] + ys[1:]) / 2, z=manifold, colorscale="gray",
                                 reversescale=True, zmin=0, zmax=1, showscale=False, opacity=0.55, hoverinfo="skip"))
        targets = np.linspace(-extent, extent, CLICK_TARGETS)
        grid_x, grid_y = np.meshgrid(targets, targets)
        traces.append(go.Scatter(x=grid_x.ravel(), y=grid_y.ravel(), mode="markers", name="pick", showlegend=False,
                                 marker=dict(size=10, opacity=0),
                                 hovertemplate="click: decode (%{x:.2f}, %{y:.2f})<extra></extra>"))
        layout["xaxis"].update(range=[-extent, extent])
        layout["yaxis"].update(range=[-extent, extent])
    traces += _label_traces(points, labels, class_names)
    if picked is not None:
        traces.append(go.Scatter(x=[picked[0]], y=[picked[1]], mode="markers", name="picked", showlegend=False,
                                 hoverinfo="skip", marker=dict(symbol="x", size=16, color=SELECTED,
                                                               line=dict(width=2, color="white"))))
    return _figure(traces, height, clickmode="event+select", dragmode=False,
                   legend=dict(orientation="h", y=-0.12), **layout)
