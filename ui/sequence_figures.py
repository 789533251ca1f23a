"""Plotly figures of the sequence labs: a series and its split, forecasts against the truth, weights per cell."""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import plotly.graph_objects as go

from engine.sequence.forecast import CellSize, ForecastView
from ui.figures import CLASS_COLORS, NEGATIVE, POSITIVE, add_panel, make_figure, side_by_side_axes

TRUTH = "#555555"
WEIGHT_PARTS = (("input_weights", "input weights U", POSITIVE), ("recurrent_weights", "recurrent weights W", NEGATIVE),
                ("biases", "biases", "#2ca02c"), ("other", "output layer", "#9e9e9e"))


def series_figure(values: np.ndarray, split: int, height: int = 220) -> go.Figure:
    """The whole series, the part the networks learn from in blue and the part they must forecast in orange."""
    steps = np.arange(len(values))
    traces = [
        go.Scatter(x=steps[:split], y=values[:split], mode="lines", name="training", line=dict(color=POSITIVE, width=1),
                   hovertemplate="step %{x}: %{y:.4g}<extra>training</extra>"),
        go.Scatter(x=steps[split:], y=values[split:], mode="lines", name="validation (the future)",
                   line=dict(color=NEGATIVE, width=1), hovertemplate="step %{x}: %{y:.4g}<extra>validation</extra>"),
    ]
    return make_figure(traces, height, xaxis=dict(title="time step"), legend=dict(orientation="h", y=1.02, yanchor="bottom"),
                       shapes=[dict(type="line", x0=split, x1=split, y0=0, y1=1, yref="paper",
                                    line=dict(color=TRUTH, dash="dot", width=1))])


def weights_figure(sizes: Mapping[str, CellSize], names: Mapping[str, str], height: int = 240) -> go.Figure:
    """Each cell's weights as a stacked bar: input, recurrent, biases and the rest (the output layer)."""
    cells = list(sizes)
    labels = [names[cell] for cell in cells]
    traces = []
    for part, label, colour in WEIGHT_PARTS:
        counts = [sizes[cell].total - sizes[cell].input_weights - sizes[cell].recurrent_weights - sizes[cell].biases
                  if part == "other" else getattr(sizes[cell], part) for cell in cells]
        traces.append(go.Bar(x=counts, y=labels, orientation="h", name=label, marker=dict(color=colour),
                             hovertemplate=f"%{{y}}: %{{x:,}} {label}<extra></extra>"))
    totals = [dict(x=sizes[cell].total, y=label, text=f" {sizes[cell].total:,}", showarrow=False, xanchor="left")
              for cell, label in zip(cells, labels, strict=True)]
    return make_figure(traces, height, barmode="stack", xaxis=dict(title="weights"), annotations=totals,
                       legend=dict(orientation="h", y=1.02, yanchor="bottom"), margin=dict(l=10, r=60, t=30, b=10))


def forecast_figure(view: ForecastView, names: Mapping[str, str], height: int = 300) -> go.Figure:
    """Two panels: one step ahead on the validation part (the true past fed in), and free running from the split."""
    traces: list = []
    layout: dict = {}
    panels = (("One step ahead", view.one_step_index, view.one_step),
              ("Free running from the split", view.free_run_index, view.free_run))
    for panel, (title, index, forecasts) in enumerate(panels):
        suffix, axes = side_by_side_axes(panel, 2, title, x_title="time step")
        add_panel(layout, axes)
        where = dict(xaxis=f"x{suffix}", yaxis=f"y{suffix}")
        traces.append(go.Scatter(x=index, y=view.series[index], mode="lines", name="truth", legendgroup="truth",
                                 showlegend=panel == 0, line=dict(color=TRUTH, width=2),
                                 hovertemplate="truth %{y:.4g}<extra>step %{x}</extra>", **where))
        for (cell, forecast), colour in zip(forecasts.items(), CLASS_COLORS, strict=False):
            traces.append(go.Scatter(x=index, y=forecast, mode="lines", name=names[cell], legendgroup=cell,
                                     showlegend=panel == 0, line=dict(color=colour, width=1.5),
                                     hovertemplate=f"{names[cell]} %{{y:.4g}}<extra>step %{{x}}</extra>", **where))
    return make_figure(traces, height, legend=dict(orientation="h", y=1.12, yanchor="bottom"),
                       margin=dict(l=10, r=10, t=55, b=10), **layout)
