"""Plotly figures for the vision labs: images, feature maps and a convolution worked by hand.

Images are drawn with row 0 at the top and square pixels. Small arrays (the 8×8 digit, the
3×3 course example, every worked example) carry their numbers in the cells, so the
arithmetic can be read off the picture.
"""

from __future__ import annotations

import html
import math

import numpy as np
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from ui.figures import DIVERGING, make_figure

MAX_ANNOTATED_CELLS = 400  # above this, values go in the hover text only
MAX_CLICK_TARGETS = 48  # per axis; bigger maps get a coarser grid of clickable points
SELECTED = "#d62728"
GRID_WIDTH_PIXELS = 900  # a grid of maps is laid out for about the width of the page's main column
TITLE_PIXELS = 20  # room above each map of a grid for its name


def _image_axes(rows: int, cols: int) -> dict:
    return dict(
        xaxis=dict(range=[-0.5, cols - 0.5], showgrid=False, zeroline=False, constrain="domain"),
        yaxis=dict(range=[rows - 0.5, -0.5], showgrid=False, zeroline=False, scaleanchor="x", constrain="domain"),
        plot_bgcolor="rgba(0,0,0,0)",
    )


def _height(rows: int, cols: int, width: int = 420) -> int:
    return int(min(560, max(220, width * rows / max(cols, 1)))) + 40


def _values_heatmap(values: np.ndarray, signed: bool | None = None, value_range: tuple[float, float] | None = None,
                    show_scale: bool = True, annotate: bool = True, **trace) -> go.Heatmap:
    """A 2-D array as a heatmap: diverging around 0 when it has negative values, grey otherwise."""
    signed = bool(values.min() < 0) if signed is None else signed
    if signed:
        limit = float(np.abs(values).max()) or 1.0
        colours = dict(colorscale=DIVERGING, zmin=-limit, zmax=limit)
    else:
        low, high = value_range or (float(values.min()), float(values.max()))
        if high <= low:  # a uniform array: mid-grey with its number, not the scale's black end
            low, high = low - 1.0, high + 1.0
        colours = dict(colorscale="gray", zmin=low, zmax=high)
    annotate = annotate and values.size <= MAX_ANNOTATED_CELLS
    return go.Heatmap(
        z=values, **colours, showscale=show_scale, colorbar=dict(thickness=10),
        texttemplate="%{z:.3~g}" if annotate else None, textfont=dict(size=11),
        hovertemplate="row %{y}, column %{x}<br>%{z:.4~g}<extra></extra>", **trace,
    )


def image_figure(pixels: np.ndarray, value_range: tuple[float, float], title: str,
                 taps: tuple[np.ndarray, np.ndarray] | None = None) -> go.Figure:
    """An (H, W, 1) or (H, W, 3) image in its units; ``taps`` outlines the pixels under the kernel."""
    rows, cols = pixels.shape[:2]
    grey = pixels.shape[2] == 1 or (np.array_equal(pixels[..., 0], pixels[..., 1])
                                    and np.array_equal(pixels[..., 0], pixels[..., 2]))
    if grey:
        trace = _values_heatmap(pixels[..., 0], signed=False, value_range=value_range, show_scale=False)
    else:
        low, high = value_range
        scaled = np.clip((pixels - low) / (high - low) * 255.0, 0, 255).astype(np.uint8)
        trace = go.Image(z=scaled, hovertemplate="row %{y}, column %{x}<br>RGB %{z}<extra></extra>")
    shapes = []
    if taps is not None:
        tap_rows, tap_cols = taps
        for row in tap_rows:
            for col in tap_cols:
                inside = 0 <= row < rows and 0 <= col < cols
                shapes.append(dict(type="rect", x0=col - 0.5, x1=col + 0.5, y0=row - 0.5, y1=row + 0.5,
                                   line=dict(color=SELECTED, width=2, dash="solid" if inside else "dot")))
    figure = make_figure([trace], _height(rows, cols), title=dict(text=title, font=dict(size=14)), shapes=shapes,
                     **_image_axes(rows, cols))
    if taps is not None:  # taps on padding lie outside the image: widen the view to show them
        figure.update_xaxes(range=[min(-0.5, float(taps[1].min()) - 0.5), max(cols - 0.5, float(taps[1].max()) + 0.5)])
        figure.update_yaxes(range=[max(rows - 0.5, float(taps[0].max()) + 0.5), min(-0.5, float(taps[0].min()) - 0.5)])
    return figure


def feature_map_figure(values: np.ndarray, title: str, selected: tuple[int, int] | None = None,
                       clickable: bool = False) -> go.Figure:
    """One (H, W) output map. ``clickable`` overlays invisible points so a click picks a pixel.

    Plotly reports clicks on scatter points, not on heatmap cells, so a grid of transparent
    markers (every pixel of small maps, an evenly spaced subset of large ones) sits on top.
    """
    rows, cols = values.shape
    traces: list = [_values_heatmap(values)]
    if clickable:
        row_targets = np.unique(np.linspace(0, rows - 1, min(rows, MAX_CLICK_TARGETS)).round().astype(int))
        col_targets = np.unique(np.linspace(0, cols - 1, min(cols, MAX_CLICK_TARGETS)).round().astype(int))
        grid_rows, grid_cols = np.meshgrid(row_targets, col_targets, indexing="ij")
        traces.append(go.Scatter(
            x=grid_cols.ravel(), y=grid_rows.ravel(), mode="markers", name="pick",
            marker=dict(size=max(6, min(24, 360 // max(len(row_targets), len(col_targets)))), opacity=0),
            hovertemplate="click: work out row %{y}, column %{x}<extra></extra>", showlegend=False,
        ))
    if selected is not None:
        traces.append(go.Scatter(
            x=[selected[1]], y=[selected[0]], mode="markers", showlegend=False, hoverinfo="skip",
            marker=dict(symbol="square-open", size=max(8, min(30, 360 // max(rows, cols))), color=SELECTED,
                        line=dict(width=3)),
        ))
    return make_figure(traces, _height(rows, cols), title=dict(text=title, font=dict(size=14)),
                   clickmode="event+select", dragmode=False, **_image_axes(rows, cols))


def colour_output_figure(maps: np.ndarray, value_range: tuple[float, float], rescale: bool, title: str) -> go.Figure:
    """Three per-channel maps as one colour image: clipped to the image's range, or each rescaled."""
    if rescale:
        low = maps.min(axis=(0, 1), keepdims=True)
        spread = np.maximum(maps.max(axis=(0, 1), keepdims=True) - low, 1e-12)
        scaled = (maps - low) / spread * 255.0
    else:
        low, high = value_range
        scaled = (maps - low) / (high - low) * 255.0
    rows, cols = maps.shape[:2]
    trace = go.Image(z=np.clip(scaled, 0, 255).astype(np.uint8),
                     hovertemplate="row %{y}, column %{x}<br>RGB shown %{z}<extra></extra>")
    return make_figure([trace], _height(rows, cols), title=dict(text=title, font=dict(size=14)), **_image_axes(rows, cols))


def maps_grid_figure(maps: np.ndarray, names: list[str], signed: bool | None = None,
                     annotate: bool = True) -> go.Figure:
    """Several (H, W) maps side by side (a bank of kernels: an output of depth N), as one mosaic.

    ``signed`` forces the diverging (True) or grey (False) colours; by default each map picks
    by whether it has negative values. Each map is scaled to its own range, as if drawn alone.
    ``annotate`` writes the values into the cells of a few small maps (pictures, such as a
    gallery of images, want none). The maps are tiles of one heatmap (two when diverging and
    grey maps mix) on one pair of axes, their names above them: Plotly lays that out and draws
    it 3-4x faster than a grid of panels with an axis pair each, and the CNN lab draws its
    filters and feature maps again after every Step. The hover gives each cell's row and
    column in its own map, and its value.
    """
    height, width, count = maps.shape
    columns = min(4 if height > 12 else 8, count)
    grid_rows = -(-count // columns)
    gap_x = max(1, round(width * 0.1))
    cell = GRID_WIDTH_PIXELS / (columns * (width + gap_x))  # a cell's size on screen, in pixels
    gap_y = max(1, math.ceil(TITLE_PIXELS / cell))  # room above each map for its name
    tile_x, tile_y = width + gap_x, height + gap_y
    shape = (grid_rows * tile_y, columns * tile_x - gap_x)
    scaled = {True: np.full(shape, np.nan, np.float32), False: np.full(shape, np.nan, np.float32)}
    hover = np.full((*shape, 3), np.nan, np.float32)
    texts = np.full(shape, "", dtype=object) if annotate and count <= 4 and height * width <= 100 else None
    cell_rows, cell_columns = np.mgrid[0:height, 0:width]
    titles = []
    for index in range(count):
        values = np.asarray(maps[:, :, index], np.float32)
        row, column = divmod(index, columns)
        top, left = row * tile_y + gap_y, column * tile_x
        tile = (slice(top, top + height), slice(left, left + width))
        diverging = bool(np.nanmin(values) < 0) if signed is None else signed
        scaled[diverging][tile] = _unit_scaled(values, diverging)
        hover[tile] = np.stack([cell_rows, cell_columns, values], axis=-1)
        if texts is not None:
            texts[tile] = np.vectorize(lambda value: f"{value:.3g}")(values)
        titles.append(dict(text=names[index], x=left + (width - 1) / 2, y=top - 0.5, xref="x", yref="y",
                           xanchor="center", yanchor="bottom", showarrow=False, font=dict(size=12)))
    traces = [go.Heatmap(
        z=tiles, colorscale=DIVERGING if diverging else "gray", zmin=-1.0 if diverging else 0.0, zmax=1.0,
        showscale=False, customdata=hover, hoverongaps=False,
        hovertemplate="row %{customdata[0]}, column %{customdata[1]}<br>%{customdata[2]:.4~g}<extra></extra>",
        text=texts, texttemplate="%{text}" if texts is not None else None, textfont=dict(size=11),
    ) for diverging, tiles in scaled.items() if np.isfinite(tiles).any()]
    return make_figure(
        traces, int(shape[0] * cell) + 10, annotations=titles, margin=dict(l=10, r=10, t=2, b=8),
        xaxis=dict(range=[-0.5, shape[1] - 0.5], visible=False, constrain="domain"),
        yaxis=dict(range=[shape[0] - 0.5, -0.5], visible=False, scaleanchor="x", constrain="domain"),
        plot_bgcolor="rgba(0,0,0,0)",
    )


def _unit_scaled(values: np.ndarray, diverging: bool) -> np.ndarray:
    """A map in its colour scale's units: -1..1 around 0 (diverging), or 0..1 from its lowest to its highest value.

    A uniform map sits mid-scale; a non-finite value gets no colour (NaN).
    """
    finite = np.isfinite(values)
    shown = values[finite]
    if diverging:
        scaled = values / ((float(np.abs(shown).max()) if shown.size else 0.0) or 1.0)
    else:
        low, high = (float(shown.min()), float(shown.max())) if shown.size else (0.0, 0.0)
        scaled = np.full_like(values, 0.5) if high <= low else (values - low) / (high - low)
    return np.where(finite, scaled, np.nan)


def worked_example_figure(patch: np.ndarray, weights: np.ndarray, products: np.ndarray,
                          channel_names: list[str], value_range: tuple[float, float]) -> go.Figure:
    """Input patch × weights = products, one row of three grids per input channel.

    The patch is drawn in the image's own units (``value_range``), as it looks in the input;
    weights and products diverge around zero (blue positive, orange negative).
    """
    channels = patch.shape[2]
    figure = make_subplots(
        channels, 3, horizontal_spacing=0.06, vertical_spacing=0.1,
        subplot_titles=[f"{title}{' — ' + name if channels > 1 else ''}"
                        for name in channel_names[:channels] for title in ("input patch", "× weights", "= products")],
    )
    for channel in range(channels):
        figure.add_trace(_values_heatmap(patch[:, :, channel], signed=False, value_range=value_range, show_scale=False),
                         row=channel + 1, col=1)
        for column, values in enumerate((weights, products), start=2):
            figure.add_trace(_values_heatmap(values[:, :, channel], signed=True, show_scale=False),
                             row=channel + 1, col=column)
    figure.update_xaxes(showticklabels=False, constrain="domain")
    figure.update_yaxes(autorange="reversed", showticklabels=False, constrain="domain")
    for index in range(channels * 3):
        axis = "" if index == 0 else str(index + 1)
        figure.layout[f"yaxis{axis}"].scaleanchor = f"x{axis}"
    cell = 34 if patch.shape[0] <= 5 else 26
    height = channels * (patch.shape[0] * cell + 50) + 30
    figure.update_layout(height=max(200, height), margin=dict(l=10, r=10, t=30, b=10))
    return figure


def saliency_figure(image: np.ndarray, gradient: np.ndarray, grad_cam: np.ndarray | None,
                    probabilities: np.ndarray, class_names: tuple[str, ...],
                    lime: np.ndarray | None = None) -> go.Figure:
    """The image; gradient saliency, Grad-CAM and LIME weights, each over it with its colour bar; the probabilities."""
    overlays = [("gradient saliency", gradient, dict(colorscale="hot", zmin=0, zmax=1), "|∂ score / ∂ pixel|")]
    if grad_cam is not None:
        overlays.append(("Grad-CAM", grad_cam, dict(colorscale="jet", zmin=0, zmax=1), "importance"))
    if lime is not None:
        limit = float(np.abs(lime).max()) or 1.0
        overlays.append(("LIME", lime, dict(colorscale=DIVERGING, zmin=-limit, zmax=limit), "weight"))
    panels = ["image", *(title for title, *_ in overlays)]
    figure = make_subplots(1, len(panels) + 1, subplot_titles=[*panels, "class probabilities"],
                           column_widths=[1] * len(panels) + [1.4], horizontal_spacing=0.04)
    picture = _values_heatmap(image, signed=False, value_range=(0, 1), show_scale=False, annotate=False)
    figure.add_trace(picture, row=1, col=1)
    for column, (_, values, colours, unit) in enumerate(overlays, start=2):
        domain = figure.layout[f"xaxis{column}"].domain
        figure.add_trace(picture, row=1, col=column)  # the image under each explanation
        figure.add_trace(go.Heatmap(
            z=values, **colours, opacity=0.6, hovertemplate=f"row %{{y}}, column %{{x}}<br>{unit} %{{z:.3f}}<extra></extra>",
            colorbar=dict(orientation="h", x=(domain[0] + domain[1]) / 2, xanchor="center", y=-0.04, yanchor="top",
                          len=domain[1] - domain[0], thickness=8, tickfont=dict(size=9),
                          title=dict(text=unit, side="bottom", font=dict(size=10))),
        ), row=1, col=column)
    figure.add_trace(_probability_bars(probabilities, class_names), row=1, col=len(panels) + 1)
    for index in range(1, len(panels) + 1):
        axis = "" if index == 1 else str(index)
        figure.layout[f"yaxis{axis}"].update(autorange="reversed", scaleanchor=f"x{axis}", showticklabels=False)
        figure.layout[f"xaxis{axis}"].update(showticklabels=False, constrain="domain")
    figure.update_yaxes(range=[0, 1], tickformat=".0%", row=1, col=len(panels) + 1)
    figure.update_layout(height=340, margin=dict(l=10, r=10, t=30, b=60), showlegend=False)
    return figure


def _probability_bars(probabilities: np.ndarray, class_names: tuple[str, ...]) -> go.Bar:
    """One bar per class, its probability on hover."""
    return go.Bar(x=[html.escape(name) for name in class_names], y=probabilities, marker_color="#0877bd",
                  hovertemplate="%{x}: %{y:.1%}<extra></extra>")
