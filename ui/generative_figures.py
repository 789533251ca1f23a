"""Plotly figures for the generative labs: image grids, latent maps, 2-D GAN fields, loss curves."""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go

from engine.generative.codes import tile_images
from ui.figures import DIVERGING, make_figure
from ui.vision_figures import SELECTED, _image_axes

LABEL_COLORS = ("#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f",
                "#bcbd22", "#17becf")
CLICK_TARGETS = 41  # per axis of a latent map


def tiles_figure(images: np.ndarray, columns: int, title: str = "", row_names: tuple[str, ...] = (),
                 width: int = 560, signed: bool = False) -> go.Figure:
    """(n, h, w, 1) images in [0, 1] as one grid heatmap; ``row_names`` label the rows on the left.

    ``signed`` images hold values in [-1, 1] (weights): orange below zero, white at zero, blue above.
    """
    sheet = tile_images(images, columns)
    rows, cols = sheet.shape
    height = images.shape[1]
    layout = _image_axes(rows, cols)
    layout["xaxis"].update(visible=False)
    layout["yaxis"].update(visible=bool(row_names), tickmode="array", ticks="",
                           tickvals=[index * (height + 1) + (height - 1) / 2 for index in range(len(row_names))],
                           ticktext=list(row_names))
    colours = dict(colorscale=DIVERGING, zmin=-1, zmax=1) if signed else dict(colorscale="gray", reversescale=True,
                                                                                  zmin=0, zmax=1)
    trace = go.Heatmap(z=sheet, **colours, showscale=False, hovertemplate="%{z:.2f}<extra></extra>")
    plot_height = int(min(620, max(120, width * rows / max(cols, 1)))) + (40 if title else 15)
    return make_figure([trace], plot_height, title=dict(text=title, font=dict(size=14)) if title else None,
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
    layout: dict = dict(xaxis=dict(title=axis_titles[0], zeroline=False, constrain="domain"),
                        yaxis=dict(title=axis_titles[1], zeroline=False, scaleanchor="x", constrain="domain"))
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
    return make_figure(traces, height, clickmode="event+select", dragmode=False,
                   legend=dict(orientation="h", y=-0.12), **layout)


REAL_COLOR, FAKE_COLOR = "#2ca02c", "#9467bd"
VERDICT_SCALE = [[0.0, "#c5b0d5"], [0.5, "#f7f7f7"], [1.0, "#98df8a"]]  # fake-looking purple → real-looking green


def _segments(starts: np.ndarray, ends: np.ndarray) -> tuple[list, list]:
    """x and y lists drawing one line per (start, end) pair, separated by None (one trace for all)."""
    xs, ys = [], []
    for (x0, y0), (x1, y1) in zip(starts, ends, strict=True):
        xs += [float(x0), float(x1), None]
        ys += [float(y0), float(y1), None]
    return xs, ys


def point_gan_figure(real: np.ndarray, view, show: set[str], height: int = 520) -> go.Figure:
    """Real and generated points over the discriminator's verdict, with G's noise mesh and pull arrows.

    ``show`` picks layers among "verdict", "mesh" and "arrows".
    """
    extent = view.extent
    axis = np.linspace(-extent, extent, view.heatmap.shape[0])
    traces: list = []
    if "verdict" in show:
        traces.append(go.Heatmap(x=axis, y=axis, z=view.heatmap, zmin=0, zmax=1, colorscale=VERDICT_SCALE,
                                 colorbar=dict(thickness=10, title=dict(text="D: real?", side="right")),
                                 hovertemplate="D says %{z:.0%} real<extra></extra>"))
    if "mesh" in show and view.mesh is not None:
        rows = [view.mesh[index] for index in range(view.mesh.shape[0])]
        columns = [view.mesh[:, index] for index in range(view.mesh.shape[1])]
        xs, ys = [], []
        for line in rows + columns:
            xs += [*line[:, 0].tolist(), None]
            ys += [*line[:, 1].tolist(), None]
        traces.append(go.Scatter(x=xs, y=ys, mode="lines", name="G's noise grid", hoverinfo="skip",
                                 line=dict(color="rgba(80,80,80,0.35)", width=1)))
    traces.append(go.Scatter(x=real[:, 0], y=real[:, 1], mode="markers", name="real",
                             marker=dict(size=5, color=REAL_COLOR, line=dict(width=0.5, color="white")),
                             hovertemplate="real (%{x:.2f}, %{y:.2f})<extra></extra>"))
    traces.append(go.Scatter(x=view.fake[:, 0], y=view.fake[:, 1], mode="markers", name="generated",
                             marker=dict(size=5, color=FAKE_COLOR, line=dict(width=0.5, color="white")),
                             hovertemplate="generated (%{x:.2f}, %{y:.2f})<extra></extra>"))
    if "arrows" in show:
        starts = view.fake[:len(view.arrows)]
        lengths = np.linalg.norm(view.arrows, axis=1)
        scale = 0.12 * extent / (float(lengths.max()) or 1.0)
        xs, ys = _segments(starts, starts + view.arrows * scale)
        traces.append(go.Scatter(x=xs, y=ys, mode="lines", name="generator's pull", hoverinfo="skip",
                                 line=dict(color="#d62728", width=1.2)))
    return make_figure(traces, height, dragmode=False, legend=dict(orientation="h", y=-0.08),
                   xaxis=dict(range=[-extent, extent], zeroline=False, constrain="domain"),
                   yaxis=dict(range=[-extent, extent], zeroline=False, scaleanchor="x", constrain="domain"))


def animation_figure(frames: np.ndarray, columns: int, frame_names: list[str], width: int = 560) -> go.Figure:
    """(frames, n, h, w, 1) image grids as a Plotly animation with play and pause and a frame slider (client side)."""
    first = tiles_figure(frames[0], columns, width=width)
    sheets = [tile_images(frame, columns) for frame in frames]
    first.frames = [go.Frame(data=[go.Heatmap(z=sheet)], name=name) for sheet, name in zip(sheets, frame_names, strict=True)]
    play = dict(label="Play", method="animate",
                args=[None, dict(frame=dict(duration=120, redraw=True), fromcurrent=True, transition=dict(duration=0))])
    pause = dict(label="Pause", method="animate", args=[[None], dict(frame=dict(duration=0), mode="immediate")])
    first.update_layout(
        height=first.layout.height + 90, margin=dict(l=10, r=10, t=10, b=80),
        updatemenus=[dict(type="buttons", direction="left", buttons=[play, pause], x=0, y=-0.02, yanchor="top")],
        sliders=[dict(active=0, x=0.18, len=0.82, y=-0.02, yanchor="top", currentvalue=dict(prefix="Gibbs step "),
                      steps=[dict(label=name, method="animate",
                                  args=[[name], dict(frame=dict(duration=0, redraw=True), mode="immediate")])
                             for name in frame_names])],
    )
    return first


def filters_figure(filters: np.ndarray, columns: int, width: int = 560) -> go.Figure:
    """(h, w, units) weights, one tile per unit, on one shared signed scale.

    Blue pixels turn the unit on, orange ones turn it off. One scale for all (the 99th
    percentile of |weight|, so a single outlier does not wash the rest out) keeps strengths
    comparable: a unit the data did not need stays pale instead of being stretched to full colour.
    """
    units = np.moveaxis(filters, 2, 0)[..., None]
    scale = float(np.quantile(np.abs(units), 0.99)) or 1.0
    return tiles_figure(np.clip(units / scale, -1.0, 1.0), columns, width=width, signed=True)
