"""Plotly figures of the sequence labs: a series and its split, forecasts, weights per cell, written text."""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import plotly.graph_objects as go

from engine.sequence.forecast import CellSize, ForecastView
from engine.sequence.language_model import Written
from engine.sequence.text import Vocabulary
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


SHOWN_CHARACTERS = {" ": "␣", "\n": "↵", "\t": "⇥"}
PROBABILITY_SCALE = [[0.0, "#fdf1e4"], [0.5, "#f8c890"], [1.0, "#7fb5e0"]]  # light enough for black letters


def shown_character(character: str) -> str:
    """A character as a cell shows it: blanks and line ends as visible signs."""
    return SHOWN_CHARACTERS.get(character, character)


def written_figure(written: Written, columns: int = 40) -> go.Figure:
    """The prompt (grey) and what the model wrote, one character per cell, each coloured by the
    probability the model gave it when it was picked (pale: a long shot; blue: near certain)."""
    characters = list(written.prompt + written.text)
    probabilities = np.concatenate([np.full(len(written.prompt), np.nan), written.probabilities])
    rows = -(-len(characters) // columns)
    padding = rows * columns - len(characters)
    cells = np.array([shown_character(character) for character in characters] + [""] * padding, dtype=object)
    values = np.concatenate([probabilities, np.full(padding, np.nan)])
    grid, labels = values.reshape(rows, columns), cells.reshape(rows, columns)
    hover = np.array([f"{label!r}: prompt" if np.isnan(value) else f"{label!r} picked at p = {value:.2f}"
                      for label, value in zip(cells, values, strict=True)], dtype=object).reshape(rows, columns)
    trace = go.Heatmap(z=grid, text=labels, texttemplate="%{text}", textfont=dict(size=12, color="#222222"),
                       customdata=hover, hovertemplate="%{customdata}<extra></extra>", zmin=0, zmax=1,
                       colorscale=PROBABILITY_SCALE, showscale=False, xgap=1, ygap=1)
    return make_figure([trace], 26 * rows + 20, plot_bgcolor="#eeeeee", margin=dict(l=5, r=5, t=10, b=10),
                       xaxis=dict(visible=False), yaxis=dict(visible=False, autorange="reversed"))


def next_characters_figure(written: Written) -> go.Figure:
    """The likeliest characters to follow the prompt, each cell with its probability."""
    characters = [shown_character(character) for character, _ in written.next_characters]
    probabilities = np.array([[probability for _, probability in written.next_characters]])
    labels = np.array([[f"{character} {probability:.0%}" for character, probability
                        in zip(characters, probabilities[0], strict=True)]], dtype=object)
    trace = go.Heatmap(z=probabilities, text=labels, texttemplate="%{text}", textfont=dict(size=12, color="#222222"),
                       hovertemplate="%{text}<extra></extra>", zmin=0, zmax=1, colorscale=PROBABILITY_SCALE,
                       showscale=False, xgap=2)
    return make_figure([trace], 60, margin=dict(l=5, r=5, t=5, b=5), xaxis=dict(visible=False),
                       yaxis=dict(visible=False))


def vocabulary_figure(vocabulary: Vocabulary, shown: int = 60) -> go.Figure:
    """How often each character occurs, most frequent first (the first ``shown``)."""
    characters = [shown_character(character) for character in vocabulary.characters[:shown]]
    trace = go.Bar(x=list(range(len(characters))), y=list(vocabulary.counts[:shown]), marker=dict(color=POSITIVE),
                   customdata=characters, hovertemplate="%{customdata}: %{y:,}<extra></extra>")
    return make_figure([trace], 220, xaxis=dict(tickmode="array", tickvals=list(range(len(characters))),
                                                ticktext=characters, tickangle=0),
                       yaxis=dict(title="count", type="log"))
