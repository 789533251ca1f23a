"""Plotly figures and the metrics row for runs trained side by side (a ``RunGroup``): one line per run."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import plotly.graph_objects as go

from engine.training.contract import Snapshot
from ui.feed import Metric
from ui.figures import CLASS_COLORS, add_panel, make_figure, metric_label, robust_range, side_by_side_axes


def comparison_figure(history: Mapping[str, np.ndarray], members: Mapping[str, str],
                      metrics: Sequence[str] = ("val_accuracy", "loss"), log_scale: bool = False) -> go.Figure:
    """One panel per metric side by side, one coloured line per member (``"<member>/<metric>"`` series);
    ``log_scale`` draws the panels of metrics other than accuracy on a log axis (errors that fall by
    orders of magnitude)."""
    traces: list = []
    layout: dict = {}
    epochs = history.get("epoch", np.array([]))
    for panel, metric in enumerate(metrics):
        accuracy = "accuracy" in metric
        series = [history[f"{member}/{metric}"] for member in members if len(history.get(f"{member}/{metric}", []))]
        title = f"training {metric}" if metric in ("loss", "accuracy") else metric_label(metric)  # no test beside it
        log = log_scale and not accuracy
        suffix, axes_layout = side_by_side_axes(panel, len(metrics), title, type="log" if log else "linear",
                                                range=[0, 1] if accuracy else None if log else robust_range(series),
                                                tickformat=".0%" if accuracy else None)
        add_panel(layout, axes_layout)
        for (member, label), colour in zip(members.items(), CLASS_COLORS, strict=False):
            values = history.get(f"{member}/{metric}")
            if values is None or not len(values):
                continue
            traces.append(go.Scatter(
                x=epochs, y=values, mode="lines", name=label, legendgroup=member, showlegend=panel == 0,
                line=dict(color=colour), xaxis=f"x{suffix}", yaxis=f"y{suffix}",
                hovertemplate=f"{label}: %{{y:.4g}}<extra>epoch %{{x}}</extra>",
            ))
    return make_figure(traces, 300, legend=dict(orientation="h", y=1.12, yanchor="bottom"),
                   margin=dict(l=10, r=10, t=55, b=10), **layout)


def race_metrics(snapshot: Snapshot, members: Mapping[str, str]) -> list[Metric]:
    """A race's metrics row: the epoch, then each member's newest test accuracy."""
    accuracies = [(label, snapshot.latest.get(f"{member}/val_accuracy")) for member, label in members.items()]
    return [Metric("Epoch", f"{snapshot.epoch:,}"),
            *(Metric(label, f"{accuracy:.1%}" if accuracy is not None else "–") for label, accuracy in accuracies)]
