"""Plotly figures of the RL lab: returns, training curves, the grid's values and policy, an episode replay."""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from engine.rl.episodes import Episode, scene
from engine.rl.gridworld import WALL, GridLayout, cell_reward, is_terminal
from ui.figures import (
    DIVERGING,
    NEGATIVE,
    POSITIVE,
    add_panel,
    make_figure,
    metric_label,
    robust_range,
    side_by_side_axes,
)

SCENE_COLOURS = {"track": "#888888", "cart": POSITIVE, "pole": NEGATIVE, "bar": "#888888", "links": POSITIVE,
                 "hill": "#6b8e23", "flag": "#d62728", "pivot": "#333333", "joints": "#333333", "tip": NEGATIVE,
                 "car": NEGATIVE, "agent": NEGATIVE}


def reward_figure(history: dict[str, np.ndarray], threshold: float | None, threshold_label: str) -> go.Figure:
    """Return per episode, its moving average, and the "solved" (or best possible) line."""
    episodes = history.get("epoch", np.array([]))
    traces = [
        go.Scatter(x=episodes, y=history.get("reward", []), mode="lines", name="return", opacity=0.35,
                   line=dict(color=POSITIVE, width=1), hovertemplate="return %{y:.3g}<extra>episode %{x}</extra>"),
        go.Scatter(x=episodes, y=history.get("average", []), mode="lines", name="average of the last 100",
                   line=dict(color=POSITIVE, width=3), hovertemplate="average %{y:.3g}<extra>episode %{x}</extra>"),
    ]
    shapes, annotations = [], []
    if threshold is not None:
        shapes.append(dict(type="line", xref="paper", x0=0, x1=1, y0=threshold, y1=threshold,
                           line=dict(color=NEGATIVE, dash="dash")))
        annotations.append(dict(xref="paper", x=0.01, y=threshold, text=threshold_label, showarrow=False,
                                yanchor="bottom", xanchor="left", font=dict(color=NEGATIVE)))
    return make_figure(traces, 300, shapes=shapes, annotations=annotations, legend=dict(orientation="h", y=1.12),
                   xaxis=dict(title="episode"), yaxis=dict(title="return"))


def curves_panels_figure(history: dict[str, np.ndarray], names: tuple[str, ...]) -> go.Figure:
    """One small panel per series (episode length, loss, TD error, ε), side by side."""
    traces: list = []
    layout: dict = {}
    episodes = history.get("epoch", np.array([]))
    for panel, name in enumerate(names):
        values = history.get(name, np.array([]))
        suffix, axes = side_by_side_axes(panel, len(names), metric_label(name), x_title="episode",
                                         range=robust_range([values]))
        add_panel(layout, axes)
        traces.append(go.Scatter(x=episodes, y=values, mode="lines", showlegend=False,
                                 line=dict(color=POSITIVE), xaxis=f"x{suffix}", yaxis=f"y{suffix}",
                                 hovertemplate=f"{metric_label(name)} %{{y:.4g}}<extra>episode %{{x}}</extra>"))
    return make_figure(traces, 230, **layout)


def _cell_labels(layout: GridLayout) -> list[list[str]]:
    labels = []
    for row in layout.cells:
        labels.append([("wall" if token == WALL else "start" if token == "S" else
                        f"end {cell_reward(token):+g}" if is_terminal(token) else
                        f"{cell_reward(token):+g}" if cell_reward(token) else "") for token in row])
    return labels


def _arrow_angle(move: tuple[int, int]) -> float:
    """Plotly's arrow marker angle (degrees clockwise from up) for a (row, column) step, rows going down."""
    return float(np.degrees(np.arctan2(move[1], -move[0])))


def grid_figure(layout: GridLayout, values: np.ndarray, probabilities: np.ndarray,
                moves: tuple[tuple[int, int], ...], title: str = "", clickable: bool = False) -> go.Figure:
    """State values as a heatmap with the policy's arrows (longer = more likely) and each cell's kind.

    ``clickable`` lays an invisible marker on every cell (Plotly reports clicks on points, not
    on heatmap cells), so a click can pick the cell to edit.
    """
    rows, columns = layout.shape
    grid = np.asarray(values, np.float64).reshape(rows, columns).copy()
    walls = np.array([[token == WALL for token in row] for row in layout.cells])
    ends = np.array([[is_terminal(token) for token in row] for row in layout.cells])
    grid[walls] = np.nan
    grid[ends] = np.nan  # an episode ends on entering: these cells have no value of their own
    spread = float(np.nanmax(np.abs(grid))) if np.isfinite(grid).any() else 1.0
    traces: list = [go.Heatmap(z=grid, colorscale=DIVERGING, zmin=-spread or -1, zmax=spread or 1, showscale=True,
                               colorbar=dict(title="value", thickness=12),
                               text=_cell_labels(layout), texttemplate="%{text}", textfont=dict(size=11),
                               hovertemplate="row %{y}, column %{x}<br>value %{z:.3f}<extra>%{text}</extra>")]
    for kind, mask, colour in (("wall", walls, "#555555"), ("end", ends, None)):
        cells = np.argwhere(mask)
        if len(cells) == 0:
            continue
        colours = colour or ["#2ca02c" if cell_reward(layout.cells[r][c]) > 0 else "#d62728" for r, c in cells]
        traces.append(go.Scatter(x=cells[:, 1], y=cells[:, 0], mode="markers", name=kind, showlegend=False,
                                 marker=dict(symbol="square", size=34, color=colours, opacity=0.8),
                                 hoverinfo="skip"))
    open_cells = np.argwhere(~walls & ~ends)
    xs, ys, angles, sizes = [], [], [], []
    for row, column in open_cells:
        state_probabilities = probabilities[row * columns + column]
        for action, move in enumerate(moves):
            if state_probabilities[action] < 0.05:
                continue
            xs.append(column + 0.28 * move[1])
            ys.append(row + 0.28 * move[0])
            angles.append(_arrow_angle(move))
            sizes.append(6 + 12 * float(state_probabilities[action]))
    traces.append(go.Scatter(x=xs, y=ys, mode="markers", showlegend=False, hoverinfo="skip",
                             marker=dict(symbol="arrow", angle=angles, size=sizes, color="#222222")))
    if clickable:
        cell_rows, cell_columns = np.indices((rows, columns))
        traces.append(go.Scatter(x=cell_columns.ravel(), y=cell_rows.ravel(), mode="markers", name="pick",
                                 showlegend=False, marker=dict(symbol="square", size=30, opacity=0),
                                 hovertemplate="click to change row %{y}, column %{x}<extra></extra>"))
    side = 46
    return make_figure(traces, min(560, 70 + side * rows), title=dict(text=title, font=dict(size=13)),
                   clickmode="event+select" if clickable else "event", dragmode=False,
                   xaxis=dict(showgrid=False, zeroline=False, tickmode="linear", range=[-0.5, columns - 0.5],
                              constrain="domain"),
                   yaxis=dict(showgrid=False, zeroline=False, tickmode="linear", range=[rows - 0.5, -0.5],
                              scaleanchor="x"))


def _scene_traces(episode: Episode, frame: int) -> list[go.Scatter]:
    """The scene of one frame, one trace per shape group (the same groups in every frame)."""
    shapes = scene(episode.environment, episode.observations[frame], episode.layout)
    traces = []
    for name, segments in shapes.segments.items():
        xs = np.column_stack([segments[:, 0], segments[:, 2], np.full(len(segments), np.nan)]).ravel()
        ys = np.column_stack([segments[:, 1], segments[:, 3], np.full(len(segments), np.nan)]).ravel()
        width = 8 if name in ("pole", "links") else 3
        traces.append(go.Scatter(x=xs, y=ys, mode="lines", name=name, line=dict(color=SCENE_COLOURS[name], width=width),
                                 hoverinfo="skip", showlegend=False, xaxis="x", yaxis="y"))
    for name, points in shapes.points.items():
        traces.append(go.Scatter(x=points[:, 0], y=points[:, 1], mode="markers", name=name, hoverinfo="skip",
                                 marker=dict(color=SCENE_COLOURS[name], size=22 if name == "agent" else 12),
                                 showlegend=False, xaxis="x", yaxis="y"))
    return traces


def _scene_axes(episode: Episode) -> tuple[dict, dict]:
    if episode.environment == "CartPole-v1":
        return dict(range=[-2.6, 2.6]), dict(range=[-0.3, 1.6])
    if episode.environment == "Acrobot-v1":
        return dict(range=[-2.3, 2.3]), dict(range=[-2.3, 2.3])
    if episode.environment == "MountainCar-v0":
        return dict(range=[-1.25, 0.65]), dict(range=[0, 1.15])
    rows, columns = episode.layout.shape if episode.layout is not None else (1, 1)
    return dict(range=[-0.5, columns - 0.5]), dict(range=[rows - 0.5, -0.5])


def episode_figure(episode: Episode, action_names: tuple[str, ...]) -> go.Figure:
    """The episode as a client-side animation: the scene, the action probabilities and the value, per frame.

    Play, pause and the slider run in the browser; every frame is the recorded observation
    drawn by ``engine.rl.episodes.scene``. Frame k is the state after k steps. Its caption is
    a text trace of the frame itself (a per-frame layout title would lag the slider by one),
    and the static grid behind a gridworld is part of every frame (Plotly drops traces an
    animation leaves out while it redraws).
    """
    figure = make_subplots(rows=2, cols=2, specs=[[{"rowspan": 2}, {}], [None, {}]], column_widths=[0.6, 0.4],
                           subplot_titles=("", "action probabilities", "value estimate"),
                           horizontal_spacing=0.08, vertical_spacing=0.2)
    background = []
    if episode.layout is not None:  # the grid itself is static; only the agent moves
        kinds = np.array([[0 if token == "." or token == "S" else 1 if token == WALL else
                           2 if is_terminal(token) and cell_reward(token) > 0 else 3 if is_terminal(token) else 4
                           for token in row] for row in episode.layout.cells])
        background = [go.Heatmap(z=kinds, zmin=0, zmax=4, showscale=False, hoverinfo="skip",
                                 colorscale=[[0, "#f7f7f7"], [0.25, "#555555"], [0.5, "#2ca02c"], [0.75, "#d62728"],
                                             [1, "#f5c16c"]], text=_cell_labels(episode.layout), texttemplate="%{text}")]
    x_axis, y_axis = _scene_axes(episode)
    caption_at = (sum(x_axis["range"]) / 2, y_axis["range"][1])  # the middle of the scene's top edge

    def caption(frame: int) -> go.Scatter:
        return go.Scatter(x=[caption_at[0]], y=[caption_at[1]], mode="text", text=[_frame_caption(episode, frame,
                          action_names)], textposition="top center", cliponaxis=False, showlegend=False,
                          hoverinfo="skip", textfont=dict(size=13))

    scene_traces = [*background, caption(0), *_scene_traces(episode, 0)]
    for trace in scene_traces:
        figure.add_trace(trace, row=1, col=1)
    frames_count = len(episode.observations)
    figure.add_trace(go.Bar(x=list(action_names), y=episode.probabilities[0], marker_color=POSITIVE,
                            showlegend=False, hovertemplate="%{x}: %{y:.2f}<extra></extra>"), row=1, col=2)
    figure.add_trace(go.Scatter(x=np.arange(frames_count), y=episode.values, mode="lines", showlegend=False,
                                line=dict(color="#888888"), hovertemplate="frame %{x}: %{y:.3g}<extra></extra>"),
                     row=2, col=2)
    figure.add_trace(go.Scatter(x=[0], y=[episode.values[0]], mode="markers", showlegend=False,
                                marker=dict(color=NEGATIVE, size=11), hoverinfo="skip"), row=2, col=2)
    animated = [*range(len(scene_traces)), len(scene_traces), len(scene_traces) + 2]
    names = [str(frame) for frame in range(frames_count)]
    figure.frames = [
        go.Frame(name=name, traces=animated, data=[
            *background, caption(frame), *_scene_traces(episode, frame),
            go.Bar(x=list(action_names), y=episode.probabilities[frame]),
            go.Scatter(x=[frame], y=[episode.values[frame]]),
        ])
        for frame, name in enumerate(names)
    ]
    figure.update_xaxes(x_axis, showgrid=False, zeroline=False, row=1, col=1)
    figure.update_yaxes(y_axis, showgrid=False, zeroline=False, scaleanchor="x", row=1, col=1)
    figure.update_yaxes(range=[0, 1], row=1, col=2)
    play = dict(label="Play", method="animate",
                args=[None, dict(frame=dict(duration=60, redraw=True), fromcurrent=True, transition=dict(duration=0))])
    pause = dict(label="Pause", method="animate", args=[[None], dict(frame=dict(duration=0), mode="immediate")])
    figure.update_layout(
        height=470, margin=dict(l=10, r=10, t=50, b=80),
        updatemenus=[dict(type="buttons", direction="left", buttons=[play, pause], x=0, y=-0.05, yanchor="top")],
        sliders=[dict(active=0, x=0.14, len=0.86, y=-0.05, yanchor="top", currentvalue=dict(prefix="frame "),
                      steps=[dict(label=name, method="animate",
                                  args=[[name], dict(frame=dict(duration=0, redraw=True), mode="immediate")])
                             for name in names])],
    )
    return figure


def _frame_caption(episode: Episode, frame: int, action_names: tuple[str, ...]) -> str:
    earned = float(episode.rewards[:frame].sum())
    action = f" · next: {action_names[episode.actions[frame]]}" if frame < episode.length else " · the end"
    return f"frame {frame} of {episode.length} · return so far {earned:.3g} · value {episode.values[frame]:.3g}{action}"
