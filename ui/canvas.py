"""The live canvas: a lab's figures drawn with a few canvas calls per frame while it trains.

``live_chart`` is what a live view calls instead of ``st.plotly_chart``. While the run plays
it sends the figure as a compact scene (``ui.canvas_scene``) to a small component that draws
it on a canvas: images decode off the main thread and the new frame replaces the old one only
once they are ready (never a blank chart), markers keep their hover texts, and the canvas
follows the column's width. When the run stops, the same figure is a full Plotly chart again,
to zoom, hover and save. A figure the canvas cannot draw stays a Plotly chart.

``live_metrics`` does the same for a row of metrics: ``st.metric``s while paused, tiles that
look like them while playing. Both take a builder (snapshot → figure or metrics) rather than
the thing built: while the run plays, the live feed (``ui.feed``) calls it again for every
frame and the browser redraws the canvas or the tiles in place, with no Streamlit rerun.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

import streamlit as st

from engine.training.contract import Snapshot
from ui.canvas_scene import scene
from ui.feed import FOLLOW_FEED, ChartBuilder, MetricsBuilder, drawing_feed

_DRAW_SCENE = FOLLOW_FEED + r"""
const FONT = "12px 'Source Sans Pro', 'Source Sans 3', sans-serif";
const floats = text => {
  const bytes = atob(text || "");
  const buffer = new Uint8Array(bytes.length);
  for (let index = 0; index < bytes.length; index += 1) buffer[index] = bytes.charCodeAt(index);
  return new Float32Array(buffer.buffer);
};
const niceTicks = (low, high, count) => {
  const span = Math.abs(high - low) || 1;
  const raw = span / count;
  const power = Math.pow(10, Math.floor(Math.log10(raw)));
  const step = [1, 2, 5, 10].map(factor => factor * power).find(candidate => candidate >= raw) || power * 10;
  const ticks = [];
  for (let value = Math.ceil(Math.min(low, high) / step) * step; value <= Math.max(low, high) + step * 1e-9;
       value += step) ticks.push(Math.abs(value) < step * 1e-9 ? 0 : value);
  return { ticks, step };
};
const label = (value, step, log) => {
  if (log) value = Math.pow(10, value);
  const magnitude = Math.abs(value);
  if (magnitude !== 0 && (magnitude >= 1e5 || magnitude < 1e-3)) return value.toExponential(1);
  if (log) return String(Number(value.toPrecision(3)));
  return value.toFixed(Math.max(0, Math.min(6, -Math.floor(Math.log10(step) + 1e-9))));
};

function layoutPanel(panel, area) {
  const [x0, x1, y0, y1] = panel.domain;
  const box = { left: area.left + x0 * area.width, top: area.top + (1 - y1) * area.height,
                width: (x1 - x0) * area.width, height: (y1 - y0) * area.height };
  const axes = panel.x.visible || panel.y.visible;
  const left = panel.y.visible && panel.y.labels ? (panel.y.title ? 52 : 38) : 0;
  const bottom = panel.x.visible && panel.x.labels ? (panel.x.title ? 34 : 18) : 0;
  box.left += left; box.width -= left; box.height -= bottom;
  if (!axes) box.width = Math.max(box.width, 1);
  const [xa, xb] = panel.x.range, [ya, yb] = panel.y.range;
  if (panel.equal) {
    const scale = Math.min(box.width / Math.abs(xb - xa), box.height / Math.abs(yb - ya));
    const width = scale * Math.abs(xb - xa), height = scale * Math.abs(yb - ya);
    box.left += (box.width - width) / 2; box.top += (box.height - height) / 2;
    box.width = width; box.height = height;
  }
  const log = (axis, value) => (axis.log ? Math.log10(Math.max(value, 1e-300)) : value);
  box.X = value => box.left + (log(panel.x, value) - xa) / (xb - xa) * box.width;
  box.Y = value => box.top + box.height - (log(panel.y, value) - ya) / (yb - ya) * box.height;
  box.XL = value => box.left + (value - xa) / (xb - xa) * box.width;  // already in axis units (ticks)
  box.YL = value => box.top + box.height - (value - ya) / (yb - ya) * box.height;
  return box;
}

function drawAxes(context, panel, box) {
  context.save();
  context.font = FONT;
  context.fillStyle = "#555";
  context.strokeStyle = "#ebebeb";
  context.lineWidth = 1;
  for (const name of ["x", "y"]) {
    const axis = panel[name];
    if (!axis.visible) continue;
    const [low, high] = axis.range;
    const given = axis.ticks !== undefined;
    const { ticks, step } = given ? { ticks: axis.ticks, step: 1 } : niceTicks(low, high, name === "x" ? 5 : 4);
    ticks.forEach((value, index) => {
      if ((value - low) * (value - high) > 1e-12) return;
      const text = given ? (axis.tick_text[index] ?? "") : label(value, step, axis.log);
      if (name === "x") {
        const at = box.XL(value);
        if (axis.grid && !given) { context.beginPath(); context.moveTo(at, box.top); context.lineTo(at, box.top + box.height); context.stroke(); }
        if (axis.labels) { context.textAlign = "center"; context.textBaseline = "top"; context.fillText(text, at, box.top + box.height + 3); }
      } else {
        const at = box.YL(value);
        if (axis.grid && !given) { context.beginPath(); context.moveTo(box.left, at); context.lineTo(box.left + box.width, at); context.stroke(); }
        if (axis.labels) { context.textAlign = "right"; context.textBaseline = "middle"; context.fillText(text, box.left - 4, at); }
      }
    });
    if (axis.title && axis.labels) {
      if (name === "x") {
        context.textAlign = "center"; context.textBaseline = "top";
        context.fillText(axis.title, box.left + box.width / 2, box.top + box.height + 18);
      } else {
        context.save(); context.translate(box.left - 40, box.top + box.height / 2); context.rotate(-Math.PI / 2);
        context.textAlign = "center"; context.textBaseline = "bottom"; context.fillText(axis.title, 0, 0);
        context.restore();
      }
    }
  }
  context.restore();
}

function marker(context, symbol, x, y, size, angle) {
  const half = size / 2;
  context.beginPath();
  if (symbol.startsWith("square")) context.rect(x - half, y - half, size, size);
  else if (symbol.startsWith("x")) { context.moveTo(x - half, y - half); context.lineTo(x + half, y + half); context.moveTo(x + half, y - half); context.lineTo(x - half, y + half); }
  else if (symbol.startsWith("arrow")) {
    const turn = (angle || 0) * Math.PI / 180, point = (dx, dy) => [x + dx * Math.cos(turn) - dy * Math.sin(turn), y + dx * Math.sin(turn) + dy * Math.cos(turn)];
    context.moveTo(...point(0, -half)); context.lineTo(...point(half * 0.8, half)); context.lineTo(...point(-half * 0.8, half)); context.closePath();
  } else context.arc(x, y, half, 0, 2 * Math.PI);
}

function drawItem(context, item, box, state) {
  context.globalAlpha = item.op ?? 1;
  if (item.t === "img") {
    const image = state.images.get(item.src);
    if (!image) return;
    const [left, right, top, bottom] = item.box;
    context.imageSmoothingEnabled = !!item.smooth;
    const x = box.X(left), y = box.Y(top);
    context.drawImage(image, x, y, box.X(right) - x, box.Y(bottom) - y);
  } else if (item.t === "line") {
    const xy = item.values;
    context.strokeStyle = item.c; context.lineWidth = item.w; context.lineJoin = "round";
    context.setLineDash(item.dash === "dash" ? [6, 4] : item.dash === "dot" ? [2, 3] : []);
    context.beginPath();
    let open = false;
    for (let index = 0; index < xy.length; index += 2) {
      const x = xy[index], y = xy[index + 1];
      if (!Number.isFinite(x) || !Number.isFinite(y)) { open = false; continue; }
      if (open) context.lineTo(box.X(x), box.Y(y)); else { context.moveTo(box.X(x), box.Y(y)); open = true; }
    }
    context.stroke();
    context.setLineDash([]);
  } else if (item.t === "pts") {
    const xy = item.values, many = Array.isArray(item.c), hollow = item.sym.endsWith("open") || item.sym === "x";
    context.lineWidth = item.lw ?? (hollow ? 1.5 : 0);
    for (let index = 0; index < xy.length; index += 2) {
      const x = xy[index], y = xy[index + 1];
      if (!Number.isFinite(x) || !Number.isFinite(y)) continue;
      const px = box.X(x), py = box.Y(y), colour = many ? item.c[index / 2] : item.c;
      marker(context, item.sym, px, py, item.s, item.angles ? item.angles[index / 2] : 0);
      if (hollow) { context.strokeStyle = colour; context.stroke(); continue; }
      context.fillStyle = colour; context.fill();
      if (item.lw) { context.strokeStyle = item.lc; context.stroke(); }
      if (item.hover) state.hovers.push([px, py, item.hover[index / 2]]);
    }
  } else if (item.t === "txt") {
    context.font = `${item.size}px 'Source Sans Pro', sans-serif`; context.fillStyle = item.c;
    context.textAlign = "center"; context.textBaseline = "middle";
    context.fillText(item.text, box.X(item.x), box.Y(item.y));
  } else if (item.t === "rule") {
    context.strokeStyle = item.c; context.lineWidth = item.w;
    context.setLineDash(item.dash === "solid" ? [] : [6, 4]);
    const x0 = item.paper_x ? box.left + item.x0 * box.width : box.X(item.x0);
    const x1 = item.paper_x ? box.left + item.x1 * box.width : box.X(item.x1);
    context.beginPath(); context.moveTo(x0, box.Y(item.y0)); context.lineTo(x1, box.Y(item.y1)); context.stroke();
    context.setLineDash([]);
  }
  context.globalAlpha = 1;
}

function drawLegend(context, scene, width, area) {
  if (!scene.legend.length) return;
  context.font = FONT; context.textBaseline = "middle"; context.textAlign = "left";
  const y = scene.legend_place === "top" ? Math.max(8, area.top - 30) : area.top + area.height + 8;
  let x = area.left;
  for (const entry of scene.legend) {
    context.strokeStyle = entry.c; context.fillStyle = entry.c; context.lineWidth = 2;
    context.beginPath();
    if (entry.kind === "line") { context.moveTo(x, y); context.lineTo(x + 18, y); context.stroke(); }
    else { context.arc(x + 9, y, 4, 0, 2 * Math.PI); entry.hollow ? context.stroke() : context.fill(); }
    context.fillStyle = "#333";
    context.fillText(entry.name, x + 24, y);
    x += 24 + context.measureText(entry.name).width + 18;
    if (x > width - 60) break;
  }
}

function draw(state) {
  const scene = state.scene;
  if (!scene) return;
  const width = Math.max(120, state.wrap.clientWidth || 600), height = scene.height, ratio = window.devicePixelRatio || 1;
  const canvas = state.canvas, context = canvas.getContext("2d");
  if (canvas.width !== Math.round(width * ratio) || canvas.height !== Math.round(height * ratio)) {
    canvas.width = Math.round(width * ratio); canvas.height = Math.round(height * ratio);
    canvas.style.width = `${width}px`; canvas.style.height = `${height}px`;
  }
  context.setTransform(ratio, 0, 0, ratio, 0, 0);
  context.clearRect(0, 0, width, height);
  const margin = scene.margin, legendRoom = scene.legend.length && scene.legend_place === "bottom" ? 26 : 0;
  const area = { left: margin.l, top: margin.t, width: width - margin.l - margin.r, height: height - margin.t - margin.b - legendRoom };
  state.hovers = [];
  const boxes = {};
  for (const panel of scene.panels) {
    const box = layoutPanel(panel, area);
    boxes[`${panel.name}`] = box;
    drawAxes(context, panel, box);
    context.save();
    context.beginPath(); context.rect(box.left, box.top, box.width, box.height); context.clip();
    for (const item of panel.items) drawItem(context, item, box, state);
    context.restore();
  }
  context.font = FONT; context.fillStyle = "#333";
  for (const text of scene.texts) {
    const box = boxes[text.axes] || Object.values(boxes)[0];
    const x = text.xref === "paper" ? area.left + text.x * area.width : box.X(text.x);
    const y = text.yref === "paper" ? area.top + (1 - text.y) * area.height : box.Y(text.y);
    context.font = `${text.bold ? "600 " : ""}${text.size}px 'Source Sans Pro', sans-serif`;
    context.textAlign = { left: "left", right: "right" }[text.xanchor] || "center";
    context.textBaseline = { bottom: "bottom", top: "top" }[text.yanchor] || "middle";
    context.fillText(text.text, x, y);
  }
  drawLegend(context, scene, width, area);
  canvas.dataset.drawn = "1";
}

function hover(state, event) {
  const bounds = state.canvas.getBoundingClientRect();
  const x = event.clientX - bounds.left, y = event.clientY - bounds.top;
  let best = null, distance = 12 * 12;
  for (const [px, py, text] of state.hovers) {
    const gap = (px - x) ** 2 + (py - y) ** 2;
    if (gap < distance) { best = [px, py, text]; distance = gap; }
  }
  state.tip.style.display = best ? "block" : "none";
  if (best) {
    state.tip.textContent = best[2];
    state.tip.style.left = `${Math.min(best[0] + 10, bounds.width - 160)}px`;
    state.tip.style.top = `${best[1] + 10}px`;
  }
}

function show(state, scene) {
  const ticket = (state.latest += 1);
  scene.panels.forEach((panel, index) => {
    panel.name = index;
    for (const item of panel.items) {
      if (item.xy !== undefined) item.values = floats(item.xy);
      if (item.angle !== undefined) item.angles = floats(item.angle);
    }
  });
  for (const text of scene.texts) {
    const index = scene.panels.findIndex(panel => panel.x_name === text.xref && panel.y_name === text.yref);
    text.axes = index >= 0 ? index : 0;
  }
  const sources = [...new Set(scene.panels.flatMap(panel => panel.items.filter(item => item.t === "img").map(item => item.src)))];
  const images = new Map();
  Promise.all(sources.map(source => {
    const known = state.images.get(source);
    if (known) { images.set(source, known); return null; }
    const image = new Image();
    image.src = source;
    images.set(source, image);
    return image.decode().catch(() => null);
  })).then(() => {
    if (ticket !== state.latest) return;  // a newer frame came meanwhile: it draws instead
    state.images = images;
    state.scene = scene;
    state.canvas.style.height = `${scene.height}px`;
    draw(state);
  });
}

export default function ({ data, parentElement }) {
  let state = parentElement.dlpCanvas;
  if (!state) {
    const wrap = document.createElement("div");
    wrap.className = "dlp-live-canvas";
    const canvas = document.createElement("canvas");
    const tip = document.createElement("div");
    tip.className = "dlp-tip";
    wrap.append(canvas, tip);
    parentElement.appendChild(wrap);
    state = parentElement.dlpCanvas = { wrap, canvas, tip, scene: null, images: new Map(), hovers: [], latest: 0 };
    canvas.addEventListener("mousemove", event => hover(state, event));
    canvas.addEventListener("mouseleave", () => { tip.style.display = "none"; });
    new ResizeObserver(() => draw(state)).observe(wrap);
  }
  show(state, data.scene);
  if (data.feed) follow(data.feed, data.key, parentElement, frame => frame.charts[data.key] && show(state, frame.charts[data.key]));
}
"""

_CSS = """
.dlp-live-canvas { position: relative; width: 100%; }
.dlp-live-canvas canvas { display: block; }
.dlp-tip { display: none; position: absolute; pointer-events: none; background: rgba(255, 255, 255, 0.95);
  border: 1px solid #bbb; border-radius: 3px; padding: 2px 6px; font: 12px sans-serif; white-space: pre;
  color: #222; z-index: 2; }
"""

_METRICS_CSS = """
.dlp-metrics { display: flex; gap: 1rem; width: 100%; }
.dlp-metric { flex: 1 1 0; min-width: 0; color: inherit; }
.dlp-metric-label { font-size: 0.875rem; line-height: 1.6; min-height: 1.5rem; overflow: hidden;
  text-overflow: ellipsis; white-space: nowrap; }
.dlp-metric-value { font-size: 2.25rem; line-height: 1.4; padding-bottom: 0.25rem; overflow: hidden;
  text-overflow: ellipsis; white-space: nowrap; }
"""

_DRAW_METRICS = FOLLOW_FEED + r"""
export default function ({ data, parentElement }) {
  let row = parentElement.dlpMetrics;
  if (!row) {
    row = parentElement.dlpMetrics = document.createElement("div");
    row.className = "dlp-metrics";
    parentElement.appendChild(row);
  }
  const render = metrics => {
    if (row.children.length !== metrics.length) {
      row.replaceChildren(...metrics.map(() => {
        const tile = document.createElement("div"), label = document.createElement("div"), value = document.createElement("div");
        tile.className = "dlp-metric"; label.className = "dlp-metric-label"; value.className = "dlp-metric-value";
        tile.append(label, value);
        return tile;
      }));
    }
    metrics.forEach(([label, value, help], index) => {
      const tile = row.children[index];
      if (help !== undefined) tile.title = help;
      tile.children[0].textContent = label;
      tile.children[1].textContent = value;
    });
  };
  render(data.metrics);
  if (data.feed) follow(data.feed, data.key, parentElement, frame => frame.metrics[data.key] && render(frame.metrics[data.key]));
}
"""

_canvas = st.components.v2.component("dlp_live_canvas", js=_DRAW_SCENE, css=_CSS)
_metrics = st.components.v2.component("dlp_live_metrics", js=_DRAW_METRICS, css=_METRICS_CSS, isolate_styles=False)


_ON_CANVAS: ContextVar[bool] = ContextVar("dlp_on_canvas", default=False)


@contextmanager
def charts_on_canvas() -> Iterator[None]:
    """Inside, every live chart is drawn on the canvas, live or not (the frame that answers Pause)."""
    token = _ON_CANVAS.set(True)
    try:
        yield
    finally:
        _ON_CANVAS.reset(token)


def live_chart(build: ChartBuilder, key: str, snapshot: Snapshot, container: Any = None,
               **plotly_options: Any) -> None:
    """The chart ``build(snapshot)`` on the live canvas while the run plays, else as a Plotly chart.

    While a feed is open (``ui.feed``), later frames come through it: ``build`` runs there
    on each new snapshot, so it must read everything that changes from its argument.
    ``container`` is where to draw (a column; the main area by default); ``plotly_options``
    go to ``st.plotly_chart`` (``config``, ``on_select``...).
    """
    figure = build(snapshot)
    drawn = scene(figure) if snapshot.playing or _ON_CANVAS.get() else None
    with container or contextlib.nullcontext():
        if drawn is None:
            st.plotly_chart(figure, key=key, **plotly_options)
            return
        drawing = drawing_feed()
        if drawing:  # later frames come through the feed
            drawing[1].charts[key] = build
        _canvas(key=f"{key}_canvas", data={"scene": drawn, "feed": drawing and drawing[0], "key": key},
                height=drawn["height"])


def live_metrics(build: MetricsBuilder, key: str, snapshot: Snapshot) -> None:
    """A row of metrics (``build(snapshot)``): Streamlit's own while paused, tiles the feed updates while playing."""
    metrics = list(build(snapshot))
    if not snapshot.playing:
        for column, metric in zip(st.columns(len(metrics)), metrics, strict=True):
            column.metric(metric.label, metric.value, help=metric.help or None)
        return
    drawing = drawing_feed()
    if drawing:
        drawing[1].metrics[key] = build
    _metrics(key=f"{key}_metrics", data={"metrics": [[metric.label, metric.value, metric.help] for metric in metrics],
                                         "feed": drawing and drawing[0], "key": key})

