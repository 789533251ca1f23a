"""Plotly figures of the sequence labs: a series and its split, forecasts, weights per cell, written text."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import plotly.graph_objects as go

from engine.sequence.embeddings import KINDS, EmbeddingMap
from engine.sequence.forecast import CellSize, ForecastView
from engine.sequence.gradients import GradientView, Sweep
from engine.sequence.inside import FEATURES, QUANTITIES, CellTrace, TrackingUnit, text_features
from engine.sequence.language_model import Written
from engine.sequence.seq2seq import Seq2SeqView
from engine.sequence.text import Vocabulary
from engine.sequence.unrolled import UnrolledView
from ui.figures import CLASS_COLORS, DIVERGING, NEGATIVE, POSITIVE, add_panel, make_figure, side_by_side_axes

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


GATE_SCALE = [[0.0, "#ffffff"], [1.0, POSITIVE]]  # 0 closed, 1 open
KIND_COLOURS = dict(zip(KINDS, CLASS_COLORS, strict=True))


def cell_trace_figure(trace: CellTrace, units: Sequence[int], panel_height: int = 130) -> go.Figure:
    """Each gate and state of the trace as a heatmap, one under another: rows are ``units``, columns the
    characters read. Gates run from white (closed, 0) to blue (open, 1); states from orange (−) to blue (+)."""
    names = list(trace.quantities)
    labels = [shown_character(character) for character in trace.text]
    count = len(names)
    gap = 0.04
    height = (1 - gap * (count - 1)) / count
    traces, layout = [], {}
    annotations = []
    for index, name in enumerate(names):
        values = trace.quantities[name][:, list(units)].T
        suffix = str(index + 1) if index else ""
        top = 1 - index * (height + gap)
        gate = name.endswith("gate")
        limit = 1.0 if gate else max(float(np.percentile(np.abs(values), 98)), 1e-6)  # a few extremes saturate
        traces.append(go.Heatmap(
            z=values, x=list(range(len(labels))), y=[f"unit {unit}" for unit in units], xaxis=f"x{suffix}",
            yaxis=f"y{suffix}", zmin=0.0 if gate else -limit, zmax=limit, colorscale=GATE_SCALE if gate else DIVERGING,
            showscale=False, customdata=np.broadcast_to(np.array(labels, dtype=object), values.shape),
            hovertemplate=f"{QUANTITIES[trace.cell][name]}<br>%{{y}}, character %{{customdata}}: %{{z:.2f}}"
                          "<extra></extra>"))
        layout[f"xaxis{suffix}"] = dict(domain=[0, 1], anchor=f"y{suffix}", tickmode="array",
                                        tickvals=list(range(len(labels))), ticktext=labels, tickangle=0,
                                        tickfont=dict(size=10), showticklabels=index in (0, count - 1),
                                        side="top" if index == 0 and count > 1 else "bottom")
        layout[f"yaxis{suffix}"] = dict(domain=[max(top - height, 0.0), top], anchor=f"x{suffix}", showticklabels=False)
        annotations.append(dict(text=f"<b>{QUANTITIES[trace.cell][name]}</b>", x=1, xref="paper", y=top,
                                yref="paper", xanchor="right", yanchor="bottom", showarrow=False, font=dict(size=12)))
    return make_figure(traces, panel_height * count + 60, annotations=annotations, margin=dict(l=10, r=10, t=50, b=10),
                       **layout)


def tracking_figure(trace: CellTrace, found: Sequence[TrackingUnit], height: int = 150) -> go.Figure:
    """For each feature, its tracking unit's value along the text (line) over the feature itself (shaded)."""
    features = text_features(trace.text)
    steps = np.arange(len(trace.text))
    traces, layout = [], {}
    count = len(found)
    gap = 0.08
    panel = (1 - gap * (count - 1)) / max(count, 1)
    annotations = []
    for index, item in enumerate(found):
        suffix = str(index + 1) if index else ""
        top = 1 - index * (panel + gap)
        values = trace.quantities[item.quantity][:, item.unit]
        feature = features[item.feature]
        low, high = float(values.min()), float(values.max())
        scaled = low + (feature - feature.min()) / max(float(np.ptp(feature)), 1e-12) * (high - low)
        where = dict(xaxis=f"x{suffix}", yaxis=f"y{suffix}")
        traces.append(go.Scatter(x=steps, y=scaled, mode="lines", fill="tozeroy", line=dict(color="#dddddd", width=0),
                                 fillcolor="rgba(200,200,200,0.4)", name=FEATURES[item.feature][0], showlegend=False,
                                 hoverinfo="skip", **where))
        traces.append(go.Scatter(x=steps, y=values, mode="lines", line=dict(color=POSITIVE, width=1.5),
                                 showlegend=False, customdata=[shown_character(c) for c in trace.text],
                                 hovertemplate=f"unit {item.unit}: %{{y:.2f}} at %{{customdata}}<extra></extra>",
                                 **where))
        layout[f"xaxis{suffix}"] = dict(domain=[0, 1], anchor=f"y{suffix}", showticklabels=index == count - 1,
                                        title="character" if index == count - 1 else None)
        layout[f"yaxis{suffix}"] = dict(domain=[max(top - panel, 0.0), top], anchor=f"x{suffix}",
                                        range=[low - 0.05, high + 0.05])
        annotations.append(dict(text=f"<b>{FEATURES[item.feature][0]}</b>: {item.quantity} unit {item.unit}, "
                                     f"r = {item.correlation:+.2f}", x=0, xref="paper", y=top, yref="paper",
                                xanchor="left", yanchor="bottom", showarrow=False, font=dict(size=12)))
    return make_figure(traces, height * max(count, 1) + 40, annotations=annotations,
                       margin=dict(l=10, r=10, t=30, b=10), **layout)


def embedding_figure(found: EmbeddingMap, height: int = 480) -> go.Figure:
    """Every character at its projected vector, written where it lies, coloured by its kind."""
    traces = []
    for kind in KINDS:
        rows = [index for index, item in enumerate(found.kinds) if item == kind]
        if not rows:
            continue
        labels = [shown_character(found.characters[index]) for index in rows]
        traces.append(go.Scatter(x=found.points[rows, 0], y=found.points[rows, 1], mode="markers+text", text=labels,
                                 textposition="top center", name=kind, marker=dict(color=KIND_COLOURS[kind], size=9),
                                 textfont=dict(size=13, color=KIND_COLOURS[kind]),
                                 hovertemplate="%{text}<extra>" + kind + "</extra>"))
    return make_figure(traces, height, legend=dict(orientation="h", y=1.02, yanchor="bottom"),
                       xaxis=dict(zeroline=False, showticklabels=False), yaxis=dict(zeroline=False, showticklabels=False))


def unrolled_figure(view: UnrolledView, height: int = 300) -> go.Figure:
    """The network unrolled in time: x_t below, h_t in the middle, y_t (and the target) above; U, W and V
    label every edge of their kind, the same matrices at every step. Each h_t is coloured by its mean."""
    steps = np.arange(len(view.inputs))
    hidden = view.trace.hidden
    edges_x: list[float | None] = []
    edges_y: list[float | None] = []
    for step in range(len(steps)):  # up x→h and h→y at every step, across h→h between steps
        edges_x += [step, step, None, step, step, None]
        edges_y += [0, 1, None, 1, 2, None]
        if step:
            edges_x += [step - 1, step, None]
            edges_y += [1, 1, None]
    limit = max(float(np.abs(hidden.mean(axis=1)).max()), 1e-6)
    traces = [
        go.Scatter(x=edges_x, y=edges_y, mode="lines", line=dict(color="#bbbbbb", width=1.5), hoverinfo="skip",
                   showlegend=False),
        go.Scatter(x=steps, y=np.zeros(len(steps)), mode="markers+text", text=[f"{value:+.2f}" for value in view.inputs],
                   textposition="bottom center", marker=dict(size=16, color="#dddddd"), name="input x_t",
                   hovertemplate="x_%{x} = %{text}<extra></extra>"),
        go.Scatter(x=steps, y=np.ones(len(steps)), mode="markers", name="hidden state h_t",
                   marker=dict(size=26, color=hidden.mean(axis=1), cmin=-limit, cmax=limit, colorscale=DIVERGING,
                               line=dict(color="#555555", width=1)),
                   customdata=[", ".join(f"{value:+.2f}" for value in row) for row in hidden],
                   hovertemplate="h_%{x} = [%{customdata}]<extra></extra>"),
        go.Scatter(x=steps, y=np.full(len(steps), 2.0), mode="markers+text",
                   text=[f"{value:+.2f}" for value in view.outputs], textposition="top center",
                   marker=dict(size=16, color=POSITIVE), name="output y_t",
                   hovertemplate="y_%{x} = %{text}<extra></extra>"),
        go.Scatter(x=steps + 0.3, y=np.full(len(steps), 2.0), mode="markers", customdata=view.targets,
                   marker=dict(size=9, color=NEGATIVE, symbol="diamond"), name="target",
                   hovertemplate="target %{customdata:+.2f}<extra>step %{x:.0f}</extra>"),
    ]
    labels = [dict(x=step + 0.08, y=0.5, text="U", showarrow=False, font=dict(size=11, color="#777777"))
              for step in steps]
    labels += [dict(x=step + 0.08, y=1.5, text="V", showarrow=False, font=dict(size=11, color="#777777"))
               for step in steps]
    labels += [dict(x=step - 0.5, y=1.12, text="W", showarrow=False, font=dict(size=11, color="#777777"))
               for step in steps[1:]]
    return make_figure(traces, height, annotations=labels, legend=dict(orientation="h", y=1.08, yanchor="bottom"),
                       xaxis=dict(title="time step t", tickmode="array", tickvals=list(steps), range=[-0.6, steps[-1] + 0.8],
                                  zeroline=False),
                       yaxis=dict(visible=False, range=[-0.6, 2.6]))


def hidden_states_figure(view: UnrolledView, height: int = 220) -> go.Figure:
    """h_t after every step, one row per unit: what the network carries from each step to the next."""
    hidden = view.trace.hidden.T
    limit = max(float(np.abs(hidden).max()), 1e-6)
    trace = go.Heatmap(z=hidden, x=list(range(hidden.shape[1])), y=[f"unit {unit}" for unit in range(hidden.shape[0])],
                       zmin=-limit, zmax=limit, colorscale=DIVERGING, texttemplate="%{z:.2f}",
                       hovertemplate="h_%{x}, %{y}: %{z:.3f}<extra></extra>", showscale=False)
    return make_figure([trace], height, xaxis=dict(title="time step t", dtick=1), yaxis=dict(autorange="reversed"))


def weights_heatmaps_figure(view: UnrolledView, height: int = 260) -> go.Figure:
    """U, W and V side by side, each titled with its shape: the only weights the unrolled network has."""
    matrices = (("U (input → state)", view.U), ("W (state → next state)", view.W), ("V (state → output)", view.V))
    traces: list = []
    layout: dict = {}
    limit = max(float(max(np.abs(matrix).max() for _, matrix in matrices)), 1e-6)
    for panel, (name, matrix) in enumerate(matrices):
        suffix, axes = side_by_side_axes(panel, 3, f"{name}: {matrix.shape[0]}×{matrix.shape[1]}", x_title="to",
                                         autorange="reversed", dtick=1)
        add_panel(layout, axes)
        traces.append(go.Heatmap(z=matrix, zmin=-limit, zmax=limit, colorscale=DIVERGING, showscale=False,
                                 texttemplate="%{z:.2f}" if matrix.size <= 64 else None,
                                 hovertemplate=f"{name.split(' ')[0]}[%{{y}}, %{{x}}] = %{{z:.3f}}<extra></extra>",
                                 xaxis=f"x{suffix}", yaxis=f"y{suffix}"))
    return make_figure(traces, height, margin=dict(l=10, r=10, t=40, b=10), **layout)


def state_gradients_figure(view: GradientView, names: Mapping[str, str], height: int = 280) -> go.Figure:
    """‖∂L/∂h_t‖ against the step t, one line per cell, on a log axis: how much of the loss's signal reaches back."""
    traces = []
    for (cell, norms), colour in zip(view.norms.items(), CLASS_COLORS, strict=False):
        shown = np.where(norms > 0, norms, np.nan)  # a gradient of exactly 0 has no place on a log axis
        traces.append(go.Scatter(x=np.arange(len(norms)), y=shown, mode="lines+markers", name=names[cell],
                                 line=dict(color=colour), marker=dict(size=4, color=colour),
                                 hovertemplate=f"{names[cell]}: %{{y:.2e}}<extra>step %{{x}}</extra>"))
    return make_figure(traces, height, legend=dict(orientation="h", y=1.02, yanchor="bottom"),
                       xaxis=dict(title="time step t (the symbol is at step 0)"),
                       yaxis=dict(title="‖∂L/∂h_t‖", type="log", exponentformat="power"))


def sweep_figure(sweep: Sweep, names: Mapping[str, str], height: int = 300) -> go.Figure:
    """Validation accuracy against the delay, one line per cell, with chance marked."""
    traces = [go.Scatter(x=list(sweep.delays), y=accuracy, mode="lines+markers", name=names[cell],
                         line=dict(color=colour), hovertemplate=f"{names[cell]}: %{{y:.0%}}<extra>delay %{{x}}</extra>")
              for (cell, accuracy), colour in zip(sweep.accuracy.items(), CLASS_COLORS, strict=False)]
    return make_figure(traces, height, legend=dict(orientation="h", y=1.02, yanchor="bottom"),
                       xaxis=dict(title="delay (steps)", type="log"), yaxis=dict(title="validation accuracy",
                                                                              range=[0, 1.05], tickformat=".0%"),
                       shapes=[dict(type="line", x0=0, x1=1, xref="paper", y0=sweep.chance, y1=sweep.chance,
                                    line=dict(color=TRUTH, dash="dot"))],
                       annotations=[dict(x=1, xref="paper", y=sweep.chance, text="chance", showarrow=False,
                                         xanchor="right", yanchor="bottom")])


def attention_figure(view: Seq2SeqView, height: int = 360) -> go.Figure:
    """The attention weights while the model wrote its answer: a row per token written, a column per source token."""
    sources = [f"{shown_character(token)}·{index}" for index, token in enumerate(view.source_tokens)]
    written = [f"{shown_character(token)}·{index}" for index, token in enumerate(view.written_tokens)]
    trace = go.Heatmap(z=view.weights, x=sources, y=written, zmin=0, zmax=1,
                       colorscale=[[0.0, "#ffffff"], [1.0, POSITIVE]], showscale=False,
                       hovertemplate="writing %{y}, looking at %{x}: %{z:.2f}<extra></extra>")
    return make_figure([trace], height, xaxis=dict(title="source token", side="top", tickangle=0),
                       yaxis=dict(title="token written", autorange="reversed"), margin=dict(l=10, r=10, t=60, b=10))
