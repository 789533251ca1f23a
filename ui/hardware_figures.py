"""Plotly figure of the hardware benchmark: GFLOP/s against problem size, one line per device."""

from __future__ import annotations

import plotly.graph_objects as go

from engine.hardware import Measurement
from ui.figures import CLASS_COLORS, add_panel, make_figure, side_by_side_axes

TITLES = {"matmul": "matrix multiply (n × n)", "conv": "3×3 convolution (n × n maps, 32 channels)"}


def gflops_figure(measurements: list[Measurement]) -> go.Figure:
    """GFLOP/s vs size on log axes, one panel per operation, one line per device."""
    operations = list(dict.fromkeys(result.operation for result in measurements))
    devices = list(dict.fromkeys(result.device for result in measurements))
    traces: list = []
    layout: dict = {}
    for panel, operation in enumerate(operations):
        sizes = sorted({result.size for result in measurements if result.operation == operation})
        # Log axes with one labelled tick per decade of GFLOP/s and one per measured size: 0.1, 1, 10, 100, ...
        suffix, axes = side_by_side_axes(panel, len(operations), TITLES.get(operation, operation), x_title="size n",
                                         type="log", dtick=1, tickformat=",~g")
        axes[f"yaxis{suffix}"]["title"] = "GFLOP/s"
        axes[f"xaxis{suffix}"].update(type="log", tickvals=sizes, ticktext=[str(size) for size in sizes])
        add_panel(layout, axes)
        for index, device in enumerate(devices):
            rows = [result for result in measurements if result.operation == operation and result.device == device]
            traces.append(go.Scatter(
                x=[result.size for result in rows], y=[result.gflops for result in rows], mode="lines+markers",
                name=device, legendgroup=device, showlegend=panel == 0, line=dict(color=CLASS_COLORS[index % 5]),
                xaxis=f"x{suffix}", yaxis=f"y{suffix}",
                customdata=[result.seconds * 1e3 for result in rows],
                hovertemplate=f"{device}: %{{y:.1f}} GFLOP/s<br>n = %{{x}}, %{{customdata:.3f}} ms<extra></extra>",
            ))
    return make_figure(traces, 380, legend=dict(orientation="h", y=1.12, yanchor="bottom"),
                   margin=dict(l=60, r=20, t=60, b=50), **layout)
