"""Plotly figures for runs trained side by side (a ``RunGroup``): one line per run."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import plotly.graph_objects as go

from ui.figures import CLASS_COLORS, _figure, side_by_side_axes

METRIC_TITLES = {"val_accuracy": "test accuracy", "val_loss": "test loss", "loss": "training loss",
                 "accuracy": "training accuracy"}


def comparison_figure(history: Mapping[str, np.ndarray], members: Mapping[str, str],
                      metrics: Sequence[str] = ("val_accuracy", "loss")) -> go.Figure:
    """One panel per metric side by side, one coloured line per member (``"<member>/<metric>"`` series)."""
    traces, layout = [], {}
    epochs = history.get("epoch", np.array([]))
    for panel, metric in enumerate(metrics):
        accuracy = "accuracy" in metric
        suffix, axes_layout = side_by_side_axes(panel, len(metrics), METRIC_TITLES.get(metric, metric),
                                                range=[0, 1] if accuracy else None, tickformat=".0%" if accuracy else None)
        layout.update(axes_layout)
        for (member, label), colour in zip(members.items(), CLASS_COLORS, strict=False):
            values = history.get(f"{member}/{metric}")
            if values is None or not len(values):
                continue
            traces.append(go.Scatter(
                x=epochs, y=values, mode="lines", name=label, legendgroup=member, showlegend=panel == 0,
                line=dict(color=colour), xaxis=f"x{suffix}", yaxis=f"y{suffix}",
                hovertemplate=f"{label}: %{{y:.4g}}<extra>epoch %{{x}}</extra>",
            ))
    return _figure(traces, 300, legend=dict(orientation="h", y=1.18), **layout)
