"""The live feed: while a run plays, its charts and metrics reach the browser over plain HTTP.

Every Streamlit run of a fragment, however small, makes the browser re-render the whole page
(about 1,250 React components on the CNN lab, ~55 ms of its main thread for a fragment that
holds one caption). So while a run plays, its live views do not rerun at all. The live fragment
opens a ``Feed`` here: the trainer and, for each live chart and metrics row, the function that
builds it from a snapshot. The browser's pacer (``ui.pacer``) then fetches frames from
``FEED_ROUTE`` (served beside Streamlit by the ``st.App`` in ``app.py``) and hands each chart's
scene to its canvas and each metric to its tile: a canvas redraw, not a page render. When the
run stops, compiles, fails or says something new, the feed answers "rerun" and the page redraws
through Streamlit as before; every few seconds it does so anyway, for the parts that are not in
the feed (captions, warnings). Where the route is not served (a bare ``streamlit`` server,
``AppTest``) the pacer falls back to rerunning the fragment for every frame.

A feed is found only by its random token, held by the session that opened it; nothing here
imports Streamlit (the route runs on the server's thread pool, outside any script run).
"""

from __future__ import annotations

import logging
import secrets
import threading
import time
import weakref
from collections import OrderedDict
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Any

import plotly.graph_objects as go
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from engine.training.contract import Snapshot
from engine.training.trainer import Trainer
from ui.canvas_scene import scene

FEED_ROUTE = "/_dlp/feed/{token}"  # under the server's base URL path (``feed_path``)
MAX_FEEDS = 256  # open feeds kept per process (the least recently used goes first)
FEED_IDLE_SECONDS = 120.0  # a feed nobody fetched from this long is gone (its page was left or hidden)
_LOGGER = logging.getLogger(__name__)

ChartBuilder = Callable[[Snapshot], go.Figure]

# The browser side, shared by the components: a view ``follow``s its feed's frames by token and
# key; the pacer ``publish``es each frame it fetched to the views of its page that are still shown.
FOLLOW_FEED = r"""
const feedViews = window.dlpFeedViews ?? (window.dlpFeedViews = new Map());
function follow(token, key, element, listener) {
  if (!feedViews.has(token)) feedViews.set(token, new Map());
  feedViews.get(token).set(key, { element, listener });
}
function publish(token, frame) {
  const views = feedViews.get(token);
  if (!views) return;
  for (const [key, view] of views) {
    if (!view.element.isConnected) views.delete(key);
    else view.listener(frame);
  }
}
"""


@dataclass(frozen=True)
class Metric:
    """One tile of a metrics row: its label, the value as shown, and a tooltip."""

    label: str
    value: str
    help: str = ""


MetricsBuilder = Callable[[Snapshot], Sequence[Metric]]


def phase(snapshot: Snapshot) -> tuple:
    """What the page shows outside the feed: when it changes, the page redraws through Streamlit.

    Slow motion's progress through an epoch is part of it (its caption says which update is
    under way), so slow motion redraws through Streamlit frame by frame.
    """
    return snapshot.playing, snapshot.compiled, snapshot.status, snapshot.message, snapshot.update


@dataclass
class Feed:
    """One live fragment's feed: its trainer, the phase it was drawn in, and its views' builders.

    Attributes:
        trainer: a weak reference: a feed never keeps a freed run alive.
        drawn_phase: ``phase`` of the snapshot the page was drawn from.
        pace: ``pace(cadence_seconds) -> interval_seconds``: tells the trainer how often this
            browser takes a frame and returns the interval the browser should keep.
        charts, metrics: what each live chart and metrics row is built with, by key.
        used: when a browser last fetched from it (``time.monotonic``).
        served: the revision of the snapshot last sent (an unchanged one is not built again).
    """

    trainer: weakref.ref[Trainer]
    drawn_phase: tuple
    pace: Callable[[float], float]
    charts: dict[str, ChartBuilder] = field(default_factory=dict)
    metrics: dict[str, MetricsBuilder] = field(default_factory=dict)
    used: float = field(default_factory=time.monotonic)
    served: int = -1

    def frame(self, cadence_seconds: float) -> dict[str, Any]:
        """The newest snapshot as scenes and metric values, or ``{"rerun": True}`` when the page must redraw.

        ``cadence_seconds`` is how far apart the browser's last two requests were: the trainer
        paces its frames by it (``pace`` returns the interval the browser should keep).
        """
        trainer = self.trainer()
        if trainer is None:
            return {"rerun": True}
        snapshot = trainer.snapshot()
        if phase(snapshot) != self.drawn_phase or snapshot.view is None:
            return {"rerun": True}
        charts: dict[str, Any] = {}
        metrics: dict[str, list[list[str]]] = {}
        if snapshot.revision != self.served:  # else nothing new (a slow epoch): the browser keeps what it shows
            try:
                charts = {key: scene(build(snapshot)) for key, build in self.charts.items()}
                metrics = {key: [[metric.label, metric.value] for metric in build(snapshot)]
                           for key, build in self.metrics.items()}
            except Exception:  # a view that cannot draw this snapshot: the page's own run shows why
                _LOGGER.exception("A live view failed in the feed; the page redraws instead.")
                return {"rerun": True}
            self.served = snapshot.revision
        interval = self.pace(cadence_seconds)
        return {"epoch": snapshot.epoch, "charts": charts, "metrics": metrics, "interval_ms": round(interval * 1000)}


class FeedRegistry:
    """The process's open feeds by token (thread-safe; the least recently used go past ``MAX_FEEDS``)."""

    def __init__(self, capacity: int = MAX_FEEDS, idle_seconds: float = FEED_IDLE_SECONDS) -> None:
        self._feeds: OrderedDict[str, Feed] = OrderedDict()
        self._lock = threading.Lock()
        self._capacity, self._idle_seconds = capacity, idle_seconds

    def open(self, token: str, feed: Feed) -> None:
        """Store ``feed`` under ``token`` (``new_token``), in place of any feed there, and drop stale ones."""
        with self._lock:
            self._feeds[token] = feed
            self._feeds.move_to_end(token)
            now = time.monotonic()
            for old in [name for name, kept in self._feeds.items() if now - kept.used > self._idle_seconds]:
                del self._feeds[old]
            while len(self._feeds) > self._capacity:
                self._feeds.popitem(last=False)

    def get(self, token: str) -> Feed | None:
        """The feed under ``token``, marked as used, or None."""
        with self._lock:
            feed = self._feeds.get(token)
            if feed is not None:
                feed.used = time.monotonic()
                self._feeds.move_to_end(token)
        return feed

    def close(self, token: str) -> None:
        """Forget the feed under ``token`` (its page stopped playing)."""
        with self._lock:
            self._feeds.pop(token, None)


FEEDS = FeedRegistry()
_DRAWING: ContextVar[tuple[str, Feed] | None] = ContextVar("dlp_drawing_feed", default=None)


def new_token() -> str:
    """A feed's token: unguessable, so a frame reaches only the session that holds it."""
    return secrets.token_urlsafe(18)


@contextmanager
def feeding(token: str, feed: Feed) -> Iterator[None]:
    """Inside, live charts and metrics add their builders to ``feed`` (the fragment that opens it)."""
    mark = _DRAWING.set((token, feed))
    try:
        yield
    finally:
        _DRAWING.reset(mark)


def drawing_feed() -> tuple[str, Feed] | None:
    """The feed (and its token) that the live view being drawn belongs to, if its run plays."""
    return _DRAWING.get()


def feed_path(base_url_path: str, token: str = "{token}") -> str:
    """The feed's path for ``token`` (the route's pattern by default) under Streamlit's ``server.baseUrlPath``.

    Streamlit serves its own routes under the base path and an ``st.App``'s routes as given,
    so the feed is put there too: a proxy that forwards only the app's prefix forwards it.
    """
    base = base_url_path.strip("/")
    return f"/{base}{FEED_ROUTE.format(token=token)}" if base else FEED_ROUTE.format(token=token)


def _serve_frame(request: Request) -> Response:
    """``GET feed_path?cadence_ms=…``: the feed's next frame as JSON; 404 (``closed``) for a token nobody holds."""
    feed = FEEDS.get(request.path_params["token"])
    if feed is None:
        return JSONResponse({"rerun": True, "closed": True}, status_code=404)
    try:
        cadence = max(0.0, float(request.query_params.get("cadence_ms", 0)) / 1000)
    except ValueError:
        cadence = 0.0
    return JSONResponse(feed.frame(cadence), headers={"Cache-Control": "no-store"})


def feed_routes(base_url_path: str) -> list[Route]:
    """The HTTP route the browser's pacer fetches live frames from (``st.App(routes=...)``)."""
    return [Route(feed_path(base_url_path), _serve_frame, methods=["GET"])]
