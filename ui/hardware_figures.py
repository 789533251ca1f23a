"""Plotly figure of the hardware benchmark: GFLOP/s against problem size, one line per device."""

from __future__ import annotations

import plotly.graph_objects as go

from engine.hardware import Measurement
from ui.figures import CLASS_COLORS, _figure, side_by_side_axes

TITLES = {"matmul": "matrix multiply (n × n)", "conv": "3×3 convolution (n × n maps, 32 channels)"}


def gflops_figure(measurements: list[Measurement]) -> go.Figure:
    """GFLOP/s vs size on log axes, one panel per operation, one line per device."""
    operations = list(dict.fromkeys(result.operation for result in measurements))
    devices = list(dict.fromkeys(result.device for result in measurements))
    traces, layout = [], {}
    for panel, operation in enumerate(operations):
        suffix, axes = side_by_side_axes(panel, len(operations), TITLES.get(operation, operation), type="log")
        axes[f"xaxis{suffix}"] = {**axes.get(f"xaxis{suffix}", {}), "type": "log", "title": "size n"}
        layout.update(axes)
        for index, device in enumerate(devices):
            rows = [result for result in measurements if result.operation == operation and result.device == device]
            traces.append(go.Scatter(
                x=[result.size for result in rows], y=[result.gflops for result in rows], mode="lines+markers",
                name=device, legendgroup=device, showlegend=panel == 0, line=dict(color=CLASS_COLORS[index % 5]),
                xaxis=f"x{suffix}", yaxis=f"y{suffix}",
                customdata=[result.seconds * 1e3 for result in rows],
                hovertemplate=f"{device}: %{{y:.1f}} GFLOP/s<br>n = %{{x}}, %{{customdata:.3f}} ms<extra></extra>",
            ))
    return _figure(traces, 340, legend=dict(orientation="h", y=1.15), **layout)
