"""A Plotly figure as a compact canvas scene: what the live canvas (``ui.canvas``) draws while a lab trains.

Plotly redraws a whole figure on every update: 100-500 ms of the browser's main thread per
frame for the labs' figures, so a page that trains at four frames a second leaves the browser
no time for anything else. The live canvas draws the same picture with a few canvas calls
instead, as TensorFlow Playground does. Its input is a scene: panels (an axis pair each,
with its domain and range), and in them images (PNG: heatmaps and image traces are coloured
here), lines and markers (coordinates as base64 float32), texts, shapes and a legend.

Only what the labs' figures use is translated (scatter lines, markers and text, heatmaps,
RGB images, layout images, annotations, line shapes, subplot domains, fixed or automatic
ranges, log axes, equal aspect); ``scene`` returns None for anything else (bars, frames,
sliders), and the caller draws such a figure with Plotly.
"""

from __future__ import annotations

import base64
import io
import math
import re
from typing import Any

import numpy as np
import plotly.graph_objects as go
from plotly.colors import get_colorscale, hex_to_rgb, unlabel_rgb

MAX_TEXT_CELLS = 400  # a heatmap writes its numbers into at most this many cells
MAX_HOVER_POINTS = 4000  # markers beyond this draw without hover texts (bytes per frame)
_TAGS = re.compile(r"<(?!br\s*/?>)[^>]+>")
_SUPPORTED = {"scatter", "heatmap", "image"}


def scene(figure: go.Figure) -> dict[str, Any] | None:
    """``figure`` as the live canvas's scene, or None when it uses something the canvas does not draw."""
    spec = _decoded(figure.to_dict())
    traces: list[dict] = spec["data"]
    layout: dict = spec["layout"]
    if figure.frames or any(trace.get("type", "scatter") not in _SUPPORTED for trace in traces):
        return None
    panels: dict[tuple[str, str], dict] = {}
    for x_name, y_name in _axis_pairs(layout, traces):
        panels[(x_name, y_name)] = _panel(layout, x_name, y_name)
    legend: list[dict] = []
    for trace in traces:
        if trace.get("visible", True) is not True:
            continue
        pair = (trace.get("xaxis", "x"), trace.get("yaxis", "y"))
        panel = panels.setdefault(pair, _panel(layout, *pair))
        items = _items(trace, panel)
        panel["items"] += items
        if trace.get("name") and trace.get("showlegend", True) and items:
            legend.append(_legend_entry(trace))
    for image in layout.get("images", []):
        _add_layout_image(image, panels)
    for shape in layout.get("shapes", []):
        _add_shape(shape, panels)
    shown = layout.get("showlegend")
    legend_place = "bottom" if layout.get("legend", {}).get("y", 1.0) < 0.5 else "top"
    return {
        "height": int(layout.get("height") or 400),
        "margin": {side: int(layout.get("margin", {}).get(side, 10)) for side in "lrtb"},
        "panels": [_finish_range(panel) for panel in panels.values()],
        "texts": [text for text in map(_annotation, layout.get("annotations", [])) if text],
        "legend": legend if (shown or (shown is None and len(legend) > 1)) else [],
        "legend_place": legend_place,
    }


def floats(values: Any) -> str:
    """Numbers (None and non-numbers as NaN) as base64 float32, the canvas's compact coordinates."""
    array = np.asarray(values if values is not None else [], dtype=object)
    if array.dtype == object:
        array = np.array([np.nan if value is None else value for value in array.ravel()], dtype=np.float64)
    return base64.b64encode(np.asarray(array, dtype="<f4").ravel().tobytes()).decode("ascii")


def png(rgb: np.ndarray) -> str:
    """An (h, w, 3 or 4) uint8 array as a PNG data URI."""
    from PIL import Image

    if rgb.shape[2] == 4 and (rgb[..., 3] == 255).all():
        rgb = rgb[..., :3]  # opaque: a third smaller
    buffer = io.BytesIO()
    Image.fromarray(np.ascontiguousarray(rgb), "RGBA" if rgb.shape[2] == 4 else "RGB").save(buffer, format="PNG",
                                                                                            compress_level=3)
    return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode("ascii")


def colour_map(values: np.ndarray, colorscale: Any, low: float, high: float, reverse: bool = False) -> np.ndarray:
    """Values through a Plotly colour scale (a name or [[position, colour], ...]) to RGBA uint8; NaN is clear."""
    stops = get_colorscale(colorscale) if isinstance(colorscale, str) else [list(stop) for stop in colorscale]
    positions = np.array([float(stop[0]) for stop in stops])
    colours = np.array([_rgb(stop[1]) for stop in stops], dtype=np.float64)
    if reverse:
        positions, colours = 1 - positions[::-1], colours[::-1]
    values = np.asarray(values, dtype=np.float64)
    spread = high - low if high > low else 1.0
    position = np.clip((values - low) / spread, 0.0, 1.0)
    finite = np.isfinite(position)
    position = np.where(finite, position, 0.0)
    channels = [np.interp(position, positions, colours[:, channel]) for channel in range(3)]
    alpha = np.where(finite, 255.0, 0.0)
    return np.stack([*channels, alpha], axis=-1).round().astype(np.uint8)


# ----------------------------------------------------------------- panels and ranges
def _axis_pairs(layout: dict, traces: list[dict]) -> list[tuple[str, str]]:
    """Every axis pair the layout defines (by each x axis's anchor) or a trace uses, in order."""
    pairs: list[tuple[str, str]] = []
    for key in sorted((key for key in layout if re.fullmatch(r"xaxis\d*", key)), key=lambda key: int(key[5:] or 1)):
        suffix = key[5:]
        pair = (f"x{suffix}", layout[key].get("anchor") or f"y{suffix}")
        if pair[1] != "free" and pair not in pairs:
            pairs.append(pair)
    for trace in traces:
        pair = (trace.get("xaxis", "x"), trace.get("yaxis", "y"))
        if pair not in pairs:
            pairs.append(pair)
    return pairs or [("x", "y")]


def _axis(layout: dict, name: str) -> dict:
    return layout.get(f"{name[0]}axis{name[1:]}", {})


def _panel(layout: dict, x_name: str, y_name: str) -> dict:
    x_axis, y_axis = _axis(layout, x_name), _axis(layout, y_name)
    return {
        "domain": [*x_axis.get("domain", [0, 1]), *y_axis.get("domain", [0, 1])],
        "x": _axis_spec(x_axis), "y": _axis_spec(y_axis),
        "equal": y_axis.get("scaleanchor") == x_name or x_axis.get("scaleanchor") == y_name,
        "x_name": x_name, "y_name": y_name, "items": [],
    }


def _axis_spec(axis: dict) -> dict:
    title = axis.get("title")
    title = title.get("text", "") if isinstance(title, dict) else title or ""
    spec: dict[str, Any] = {
        "range": list(axis["range"]) if axis.get("range") is not None else None,
        "reversed": axis.get("autorange") == "reversed",
        "log": axis.get("type") == "log",
        "visible": axis.get("visible", True) is not False,
        "labels": axis.get("showticklabels", True) is not False,
        "grid": axis.get("showgrid", True) is not False,
        "title": _plain(title),
    }
    if axis.get("tickmode") == "array" or axis.get("tickvals") is not None:
        spec["ticks"] = [float(value) for value in axis.get("tickvals") or []]
        spec["tick_text"] = [_plain(str(text)) for text in axis.get("ticktext") or []]
    return spec


def _finish_range(panel: dict) -> dict:
    """Fill in automatic ranges from the ``bounds`` the panel's items carry (padded a little for markers)."""
    items = panel["items"]
    bounds = [item["bounds"] for item in items if "bounds" in item]
    padded = any(item.get("pad") for item in items)
    for axis, (low_index, high_index) in (("x", (0, 1)), ("y", (2, 3))):
        spec = panel[axis]
        if spec["range"] is not None:
            continue
        lows = [bound[low_index] for bound in bounds if math.isfinite(bound[low_index])]
        highs = [bound[high_index] for bound in bounds if math.isfinite(bound[high_index])]
        low, high = (min(lows), max(highs)) if lows and highs else (0.0, 1.0)
        if spec["log"]:
            low, high = math.log10(max(low, 1e-12)), math.log10(max(high, 1e-12))
        if high <= low:
            low, high = low - 1.0, high + 1.0
        pad = 0.04 * (high - low) if padded else 0.0
        spec["range"] = [high + pad, low - pad] if spec["reversed"] else [low - pad, high + pad]
    for item in items:
        item.pop("bounds", None)
        item.pop("pad", None)
    return panel


# ----------------------------------------------------------------- traces
def _items(trace: dict, panel: dict) -> list[dict]:
    kind = trace.get("type", "scatter")
    if kind == "heatmap":
        return _heatmap(trace, panel)
    if kind == "image":
        return [_image(trace, panel)]
    return _scatter(trace)


def _scatter(trace: dict) -> list[dict]:
    xs = np.asarray([np.nan if value is None else value for value in _list(trace.get("x"))], dtype=np.float64)
    ys = np.asarray([np.nan if value is None else value for value in _list(trace.get("y"))], dtype=np.float64)
    if not len(xs) or len(xs) != len(ys):
        return []
    mode = trace.get("mode") or ("lines+markers" if len(xs) < 20 else "lines")
    opacity = float(trace.get("opacity", 1.0))
    coordinates = floats(np.stack([xs, ys], axis=1))
    bounds = _finite_bounds(xs, ys)
    items: list[dict] = []
    if "lines" in mode:
        line = trace.get("line", {})
        items.append({"t": "line", "xy": coordinates, "c": line.get("color", "#1f77b4"),
                      "w": float(line.get("width", 2)), "op": opacity, "dash": line.get("dash", "solid"),
                      "bounds": bounds})
    if "markers" in mode:
        marker = trace.get("marker", {})
        points: dict[str, Any] = {
            "t": "pts", "xy": coordinates, "c": _marker_colours(marker, len(xs)),
            "s": float(_first(marker.get("size", 6))), "sym": marker.get("symbol", "circle"),
            "op": opacity * float(_first(marker.get("opacity", 1.0))), "bounds": bounds, "pad": True,
        }
        outline = marker.get("line", {})
        if outline.get("width"):
            points["lc"], points["lw"] = outline.get("color", "#444"), float(_first(outline["width"]))
        if marker.get("angle") is not None:
            points["angle"] = floats(np.broadcast_to(np.asarray(marker["angle"], dtype=np.float64), xs.shape))
        hover = _hover_texts(trace, xs, ys)
        if hover is not None:
            points["hover"] = hover
        items.append(points)
    if "text" in mode and trace.get("text") is not None:
        font = trace.get("textfont", {})
        items += [{"t": "txt", "x": float(x), "y": float(y), "text": _plain(str(text)), "size": font.get("size", 12),
                   "c": font.get("color", "#333"), "bounds": bounds}
                  for x, y, text in zip(xs, ys, _list(trace["text"]), strict=False)]
    return items


def _heatmap(trace: dict, panel: dict) -> list[dict]:
    z = np.asarray(trace["z"], dtype=np.float64)
    if z.ndim != 2 or not z.size:
        return []
    rows, columns = z.shape
    x_centres, x_names = _cell_centres(trace.get("x"), columns, trace.get("x0", 0), trace.get("dx", 1))
    y_centres, y_names = _cell_centres(trace.get("y"), rows, trace.get("y0", 0), trace.get("dy", 1))
    finite = z[np.isfinite(z)]
    low = float(trace["zmin"]) if trace.get("zmin") is not None else float(finite.min()) if finite.size else 0.0
    high = float(trace["zmax"]) if trace.get("zmax") is not None else float(finite.max()) if finite.size else 1.0
    rgba = colour_map(z, trace.get("colorscale") or "Plasma", low, high, bool(trace.get("reversescale")))
    if x_names:
        panel["x"].update(ticks=list(range(columns)), tick_text=x_names)
    if y_names:
        panel["y"].update(ticks=list(range(rows)), tick_text=y_names)
    items = [_picture(rgba, x_centres, y_centres, panel, float(trace.get("opacity", 1.0)))]
    text = trace.get("text")
    if text is not None and trace.get("texttemplate") and z.size <= MAX_TEXT_CELLS:
        cells = np.asarray(text, dtype=object)
        for row in range(rows):
            for column in range(columns):
                shade = (low + high) / 2
                items.append({"t": "txt", "x": float(x_centres[column]), "y": float(y_centres[row]),
                              "text": str(cells[row, column]), "size": 11,
                              "c": "#fff" if z[row, column] > shade + 0.25 * (high - low) else "#222"})
    return items


def _image(trace: dict, panel: dict) -> dict:
    rgb = np.asarray(trace["z"], dtype=np.uint8)
    rows, columns = rgb.shape[:2]
    x0, dx = float(trace.get("x0", 0)), float(trace.get("dx", 1))
    y0, dy = float(trace.get("y0", 0)), float(trace.get("dy", 1))
    if panel["y"]["range"] is None and not panel["y"]["reversed"]:
        panel["y"]["reversed"] = True  # Plotly draws an image trace's first row on top unless told otherwise
    return _picture(rgb, x0 + dx * np.arange(columns), y0 + dy * np.arange(rows), panel,
                    float(trace.get("opacity", 1.0)))


def _picture(pixels: np.ndarray, x_centres: np.ndarray, y_centres: np.ndarray, panel: dict, opacity: float) -> dict:
    """Pixels whose row i sits at ``y_centres[i]``, as an image item placed by its data box (top row first)."""
    half_x = (x_centres[1] - x_centres[0]) / 2 if len(x_centres) > 1 else 0.5
    half_y = (y_centres[1] - y_centres[0]) / 2 if len(y_centres) > 1 else 0.5
    left, right = x_centres[0] - half_x, x_centres[-1] + half_x
    first, last = y_centres[0] - half_y, y_centres[-1] + half_y
    y_range = panel["y"]["range"]
    top_is_first = (y_range[0] > y_range[1]) if y_range is not None else panel["y"]["reversed"]
    if not top_is_first:
        pixels, first, last = pixels[::-1], last, first
    return {"t": "img", "src": png(pixels), "box": [float(left), float(right), float(first), float(last)],
            "op": opacity, "bounds": [min(left, right), max(left, right), min(first, last), max(first, last)]}


def _cell_centres(coordinates: Any, count: int, start: float, step: float) -> tuple[np.ndarray, list[str]]:
    """Cell centres along one heatmap axis, and the category names when the coordinates are names."""
    values = _list(coordinates)
    if len(values) == count and all(isinstance(value, str) for value in values):
        return np.arange(count, dtype=np.float64), [_plain(value) for value in values]
    if len(values) == count:
        return np.asarray(values, dtype=np.float64), []
    if len(values) == count + 1:  # cell edges
        edges = np.asarray(values, dtype=np.float64)
        return (edges[:-1] + edges[1:]) / 2, []
    return float(start) + float(step) * np.arange(count), []


# ----------------------------------------------------------------- layout extras
def _add_layout_image(image: dict, panels: dict[tuple[str, str], dict]) -> None:
    """A layout image placed in data units (the playground's neuron thumbnails), its top-left corner at (x, y)."""
    pair = (image.get("xref", "x"), image.get("yref", "y"))
    if pair not in panels or not str(image.get("source", "")).startswith("data:image/"):
        return
    left, top = float(image["x"]), float(image["y"])
    right, bottom = left + float(image.get("sizex", 1)), top - float(image.get("sizey", 1))
    panels[pair]["items"].append({"t": "img", "src": image["source"], "box": [left, right, top, bottom],
                                  "op": float(image.get("opacity", 1.0)), "smooth": True,
                                  "bounds": [left, right, bottom, top]})


def _add_shape(shape: dict, panels: dict[tuple[str, str], dict]) -> None:
    """A line shape (a threshold across a panel): in data units, or paper units along x."""
    if shape.get("type") != "line" or not panels:
        return
    pair = (shape.get("xref", "x").replace("paper", "x"), shape.get("yref", "y").replace("paper", "y"))
    panel = panels.get(pair) or next(iter(panels.values()))
    line = shape.get("line", {})
    panel["items"].append({"t": "rule", "x0": float(shape.get("x0", 0)), "x1": float(shape.get("x1", 1)),
                           "y0": float(shape.get("y0", 0)), "y1": float(shape.get("y1", 0)),
                           "paper_x": shape.get("xref") == "paper", "c": line.get("color", "#444"),
                           "w": float(line.get("width", 1)), "dash": line.get("dash", "solid")})


def _annotation(annotation: dict) -> dict | None:
    text = _plain(str(annotation.get("text", "")))
    if not text:
        return None
    return {"text": text, "x": float(annotation.get("x", 0.5)), "y": float(annotation.get("y", 1.0)),
            "xref": annotation.get("xref", "x"), "yref": annotation.get("yref", "y"),
            "xanchor": annotation.get("xanchor", "center"), "yanchor": annotation.get("yanchor", "middle"),
            "size": annotation.get("font", {}).get("size", 12), "bold": "<b>" in str(annotation.get("text", ""))}


def _legend_entry(trace: dict) -> dict:
    mode = trace.get("mode", "lines")
    marker, line = trace.get("marker", {}), trace.get("line", {})
    colour = line.get("color") if "markers" not in mode else marker.get("color")
    if not isinstance(colour, str):
        colour = "#888"
    return {"name": _plain(trace["name"]), "c": colour, "kind": "line" if "markers" not in mode else "pt",
            "hollow": str(marker.get("symbol", "")).endswith("open")}


def _marker_colours(marker: dict, count: int) -> str | list[str]:
    colour = marker.get("color", "#1f77b4")
    if isinstance(colour, str):
        return colour
    values = np.asarray(colour)
    if values.dtype.kind in "fiu" and len(values) == count:
        low = float(marker.get("cmin", np.nanmin(values)))
        high = float(marker.get("cmax", np.nanmax(values)))
        rgba = colour_map(values, marker.get("colorscale") or "Viridis", low, high, bool(marker.get("reversescale")))
        return [f"#{red:02x}{green:02x}{blue:02x}" for red, green, blue, _ in rgba.tolist()]
    return [str(value) for value in values.tolist()]


def _hover_texts(trace: dict, xs: np.ndarray, ys: np.ndarray) -> list[str] | None:
    """Each marker's hover text, as Plotly would show it (hovertext, or the template filled in)."""
    if trace.get("hoverinfo") == "skip" or len(xs) > MAX_HOVER_POINTS:
        return None
    if trace.get("hovertext") is not None:
        return [_plain(str(text)) for text in _list(trace["hovertext"])]
    template = trace.get("hovertemplate")
    if not template:
        return None
    template = re.sub(r"<extra>.*?</extra>", "", template)
    custom = _list(trace.get("customdata"))
    return [_plain(_fill(template, {"x": x, "y": y, "customdata": custom[index] if index < len(custom) else ""}))
            for index, (x, y) in enumerate(zip(xs, ys, strict=True))]


def _fill(template: str, values: dict[str, Any]) -> str:
    """A Plotly hover template with %{name} and %{name:format} filled in (d3 formats .2f, .3g, .0% and the like)."""

    def replace(match: re.Match) -> str:
        value = values.get(match.group(1), "")
        form = match.group(2)
        if form and isinstance(value, (int, float, np.number)):
            return format(float(value), form.lstrip(":"))
        return str(value)

    return re.sub(r"%\{(\w+)(:[^}]*)?\}", replace, template)


def _decoded(value: Any) -> Any:
    """A figure's dict with Plotly's typed arrays ({"dtype", "bdata", "shape"}) back as NumPy arrays."""
    if isinstance(value, dict):
        if "bdata" in value and "dtype" in value:
            array = np.frombuffer(base64.b64decode(value["bdata"]), dtype=value["dtype"])
            shape = value.get("shape")
            return array.reshape([int(part) for part in str(shape).split(",")]) if shape else array
        return {key: _decoded(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_decoded(item) for item in value]
    return value


def _finite_bounds(xs: np.ndarray, ys: np.ndarray) -> list[float]:
    finite = np.isfinite(xs) & np.isfinite(ys)
    if not finite.any():
        return [math.nan] * 4
    return [float(xs[finite].min()), float(xs[finite].max()), float(ys[finite].min()), float(ys[finite].max())]


def _list(values: Any) -> list:
    if values is None:
        return []
    if isinstance(values, np.ndarray):
        return values.tolist()
    return list(values)


def _first(value: Any) -> Any:
    return value[0] if isinstance(value, (list, tuple, np.ndarray)) and len(value) else value


def _plain(text: str) -> str:
    """Plotly's text markup to plain text with line breaks (tags dropped, <br> as a new line)."""
    return _TAGS.sub("", text).replace("<br>", "\n").replace("<br/>", "\n")


def _rgb(colour: str) -> tuple[float, float, float]:
    colour = colour.strip()
    if colour.startswith("#"):
        return tuple(float(channel) for channel in hex_to_rgb(colour))  # type: ignore[return-value]
    red, green, blue = unlabel_rgb(colour)[:3]
    return float(red), float(green), float(blue)
