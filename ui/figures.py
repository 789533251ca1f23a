"""The shared chart base: colours, one-step figures, side-by-side panels, curves, a confusion matrix.

Every lab's charts build on these; each lab's own figures live in ``ui/<lab>_figures.py``.
"""

from __future__ import annotations

import html
from collections.abc import Sequence

import numpy as np
import plotly.graph_objects as go

from engine.training.history import smooth_ema

NEGATIVE, POSITIVE = "#f59322", "#0877bd"  # the classic playground's orange and blue
VALIDATION = "#2ca02c"  # the early-stopping split's curve
CLASS_COLORS = ("#f59322", "#0877bd", "#2ca02c", "#9467bd", "#d62728")
DIVERGING = [[0.0, NEGATIVE], [0.5, "#f7f7f7"], [1.0, POSITIVE]]


def make_figure(traces: list, height: int, **layout) -> go.Figure:
    """One figure from its traces and layout, built in a single validated step.

    Plotly validates on every ``add_trace``/``update_*`` call; building at once is 2-3x
    faster, which matters at several frames a second for many sessions.
    """
    return go.Figure(data=traces, layout={
        "height": height, "margin": dict(l=10, r=10, t=30, b=10), "uirevision": "keep", **layout,
    })


METRIC_LABELS = {
    "loss": "loss", "accuracy": "accuracy", "val_loss": "test loss", "val_accuracy": "test accuracy",
    "d_loss": "discriminator loss", "g_loss": "generator loss", "d_real": "D on real data",
    "d_fake": "D on generated data", "d_accuracy": "discriminator accuracy",
    "reconstruction_loss": "reconstruction loss", "kl_loss": "KL divergence", "reconstruction_error":
    "reconstruction error", "free_energy": "free energy", "length": "episode length", "td_error": "|TD error|",
    "epsilon": "ε (exploration)", "reward": "return",
}


def metric_label(name: str) -> str:
    """A metric's name in words (unknown names with their underscores as spaces)."""
    return METRIC_LABELS.get(name, name.replace("_", " "))


def side_by_side_axes(panel: int, count: int, title: str, x_title: str = "epoch", **yaxis) -> tuple[str, dict]:
    """The axis suffix ("", "2", ...) and layout entries of panel ``panel`` of ``count`` in a row.

    The panel's title sits above it (``annotations``; merge panels with ``add_panel``), not
    along its y-axis, where it would run into the panel to its left.
    """
    gap = 0.07
    width = (1 - gap * (count - 1)) / count
    suffix = str(panel + 1) if panel else ""
    start = panel * (width + gap)
    return suffix, {
        f"xaxis{suffix}": dict(title=x_title, domain=[start, start + width], anchor=f"y{suffix}"),
        f"yaxis{suffix}": dict(anchor=f"x{suffix}", **yaxis),
        "annotations": [dict(text=f"<b>{title}</b>", x=start + width / 2, xref="paper", y=1.0, yref="paper",
                             yanchor="bottom", showarrow=False, font=dict(size=12))],
    }


def add_panel(layout: dict, axes: dict) -> None:
    """Merge one panel's entries from ``side_by_side_axes`` into a figure's layout (titles accumulate)."""
    annotations = layout.pop("annotations", []) + axes.get("annotations", [])
    layout.update({key: value for key, value in axes.items() if key != "annotations"}, annotations=annotations)


def robust_range(series: Sequence[np.ndarray]) -> list[float] | None:
    """A y-range that keeps the bulk of a loss curve readable when a spike would flatten it.

    None (Plotly's own autorange) unless the largest value lies far above the 98th
    percentile; then the range ends a little above that percentile and the spike runs off
    the top of the panel instead of squashing the curve into a line.
    """
    values = np.concatenate([np.asarray(part, dtype=np.float64).ravel() for part in series] or [np.empty(0)])
    values = values[np.isfinite(values)]
    if len(values) < 20:
        return None
    low, high, top = float(values.min()), float(np.quantile(values, 0.98)), float(values.max())
    spread = max(high - low, 1e-12)
    if top - high <= 2 * spread:
        return None
    return [low - 0.05 * spread, high + 0.15 * spread]


def curves_figure(
    history: dict[str, np.ndarray], metrics: Sequence[str], smoothing: float = 0.0, log_scale: bool = False,
    height: int = 260,
) -> go.Figure:
    """Training and validation curves, one panel per metric side by side, optionally EMA-smoothed.

    One figure rather than one per metric: the browser redraws each Plotly chart several
    times a second while training, and every chart has a fixed cost. ``log_scale`` applies
    to loss panels only.
    """
    traces: list = []
    layout: dict = {}
    labels: set[str] = set()
    epochs = history.get("epoch", np.array([]))
    for panel, metric in enumerate(metrics):
        log = log_scale and "loss" in metric
        series = [history[name] for name in (metric, f"val_{metric}", f"stop_{metric}") if len(history.get(name, []))]
        suffix, axes_layout = side_by_side_axes(panel, len(metrics), metric_label(metric),
                                                type="log" if log else "linear",
                                                range=None if log else robust_range(series))
        add_panel(layout, axes_layout)
        for name, colour, label in ((metric, POSITIVE, "train"), (f"val_{metric}", NEGATIVE, "test"),
                                    (f"stop_{metric}", VALIDATION, "validation")):
            if name not in history or not len(history[name]):
                continue
            labels.add(label)
            values = history[name]
            axes = dict(xaxis=f"x{suffix}", yaxis=f"y{suffix}")
            if smoothing:
                traces.append(go.Scatter(
                    x=epochs, y=values, mode="lines", line=dict(color=colour, width=1), opacity=0.25,
                    showlegend=False, hoverinfo="skip", **axes,
                ))
                values = smooth_ema(values, smoothing)
            traces.append(go.Scatter(
                x=epochs, y=values, mode="lines", name=label, legendgroup=label, showlegend=panel == 0,
                line=dict(color=colour), hovertemplate=f"{label} {metric_label(metric)} %{{y:.4g}}"
                                                       "<extra>epoch %{x}</extra>", **axes,
            ))
    # A legend with one entry ("train") says nothing: shown only when there are series to tell apart.
    return make_figure(traces, height, showlegend=len(labels) > 1, legend=dict(orientation="h", y=1.12, yanchor="bottom"),
                   margin=dict(l=10, r=10, t=50 if len(labels) > 1 else 30, b=10), **layout)


def confusion_figure(matrix: np.ndarray, class_names: tuple[str, ...]) -> go.Figure:
    """A confusion matrix (rows: true class, columns: predicted) with counts written in."""
    names = [f"class {html.escape(name)}" for name in class_names]  # user folder names; Plotly reads tags
    heatmap = go.Heatmap(
        z=matrix, x=names, y=names, colorscale="Blues", showscale=False,
        text=matrix, texttemplate="%{text}", hovertemplate="true %{y}<br>predicted %{x}<br>%{z}<extra></extra>",
    )
    return make_figure(
        [heatmap], 260, xaxis=dict(title="predicted", side="bottom"), yaxis=dict(title="true", autorange="reversed"),
    )
