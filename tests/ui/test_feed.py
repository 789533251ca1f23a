"""The live feed: frames from a playing run's builders, "rerun" when the page must change, and its HTTP route."""

import gc
import json
import time
import weakref
from dataclasses import replace
from pathlib import Path

import plotly.graph_objects as go
from starlette.requests import Request
from streamlit.web.server.app_discovery import discover_asgi_app

from engine.training.contract import DIVERGED, Snapshot
from tests.conftest import ROOT
from ui.canvas_scene import scene
from ui.feed import (
    FEED_ROUTE,
    FEEDS,
    Feed,
    FeedRegistry,
    Metric,
    _serve_frame,
    feed_path,
    feed_routes,
    new_token,
    phase,
)


class StubTrainer:
    """Hands out whatever snapshot the test sets."""

    def __init__(self, snapshot: Snapshot) -> None:
        self.current = snapshot

    def snapshot(self) -> Snapshot:
        return self.current


def playing(epoch: int) -> Snapshot:
    return Snapshot(playing=True, compiled=True, epoch=epoch, view={"loss": [1.0, 0.5, 0.25][: epoch]},
                    latest={"loss": 1.0 / (epoch + 1)})


def line(snapshot: Snapshot) -> go.Figure:
    return go.Figure(go.Scatter(x=list(range(len(snapshot.view["loss"]))), y=snapshot.view["loss"], mode="lines"))


def epoch_metrics(snapshot: Snapshot) -> list[Metric]:
    return [Metric("Epoch", f"{snapshot.epoch:,}"), Metric("Loss", f"{snapshot.latest['loss']:.3f}")]


def feed_for(trainer: StubTrainer, paced: list[float]) -> Feed:
    def pace(cadence: float) -> float:
        paced.append(cadence)
        return 0.25

    return Feed(weakref.ref(trainer), phase(trainer.snapshot()), pace, {"curve": line}, {"row": epoch_metrics})


def test_a_frame_holds_each_view_built_from_the_newest_snapshot_and_paces_the_trainer():
    trainer, paced = StubTrainer(playing(2)), []
    feed = feed_for(trainer, paced)
    trainer.current = playing(3)  # trained on since the page was drawn
    frame = feed.frame(0.4)
    assert frame["epoch"] == 3 and frame["interval_ms"] == 250 and paced == [0.4]
    assert frame["charts"]["curve"] == scene(line(playing(3)))
    assert frame["metrics"]["row"] == [["Epoch", "3"], ["Loss", "0.250"]]
    json.dumps(frame, allow_nan=False)  # what the route sends
    again = feed.frame(0.3)  # nothing trained since: nothing built or sent again
    assert again["charts"] == again["metrics"] == {} and again["epoch"] == 3 and paced == [0.4, 0.3]
    trainer.current = replace(playing(3), revision=1)
    assert feed.frame(0.3)["metrics"]["row"][0] == ["Epoch", "3"]


def test_the_page_is_asked_to_redraw_when_the_run_pauses_fails_or_is_gone():
    trainer, paced = StubTrainer(playing(2)), []
    feed = feed_for(trainer, paced)
    trainer.current = Snapshot(playing=False, compiled=True, epoch=2, view={"loss": [1.0, 0.5]})
    assert feed.frame(0.0) == {"rerun": True}
    trainer.current = Snapshot(playing=True, compiled=True, status=DIVERGED, message="NaN", epoch=2, view={})
    assert feed.frame(0.0) == {"rerun": True}
    trainer.current = Snapshot(playing=True, compiled=True, epoch=2, update=3, updates_per_epoch=8, view={})
    assert feed.frame(0.0) == {"rerun": True}  # slow motion: its caption names the update under way
    assert paced == []  # no frame, no pacing
    feed = feed_for(StubTrainer(playing(1)), paced)  # its trainer is freed at once: nothing holds it
    gc.collect()
    assert feed.frame(0.0) == {"rerun": True}


def test_a_view_that_fails_on_a_snapshot_asks_for_a_redraw_instead_of_a_broken_frame():
    trainer = StubTrainer(playing(2))
    feed = feed_for(trainer, [])
    feed.charts["broken"] = lambda snapshot: snapshot.view["missing"]
    assert feed.frame(0.0) == {"rerun": True}


def test_the_registry_keeps_the_newest_feeds_and_forgets_idle_and_closed_ones():
    trainer = StubTrainer(playing(1))
    registry = FeedRegistry(capacity=2, idle_seconds=60)
    tokens = [new_token() for _ in range(3)]
    assert len(set(tokens)) == 3 and all(len(token) >= 24 for token in tokens)
    for token in tokens:
        registry.open(token, feed_for(trainer, []))
    assert registry.get(tokens[0]) is None and registry.get(tokens[1]) and registry.get(tokens[2])
    registry.close(tokens[2])
    assert registry.get(tokens[2]) is None
    stale = feed_for(trainer, [])
    stale.used = time.monotonic() - 61
    registry = FeedRegistry(capacity=8, idle_seconds=60)
    registry.open(tokens[0], stale)
    registry.open(tokens[1], feed_for(trainer, []))  # opening a feed clears out the stale ones
    assert registry.get(tokens[0]) is None and registry.get(tokens[1])


def request(token: str, query: bytes = b"") -> Request:
    return Request({"type": "http", "method": "GET", "path": FEED_ROUTE.format(token=token),
                    "path_params": {"token": token}, "query_string": query, "headers": []})


def test_the_route_serves_a_held_token_and_refuses_others():
    trainer, paced = StubTrainer(playing(2)), []
    token = new_token()
    FEEDS.open(token, feed_for(trainer, paced))
    try:
        response = _serve_frame(request(token, b"cadence_ms=500"))
        assert response.status_code == 200 and response.headers["cache-control"] == "no-store"
        assert json.loads(response.body)["metrics"]["row"][0] == ["Epoch", "2"] and paced == [0.5]
        assert _serve_frame(request(token, b"cadence_ms=soon")).status_code == 200  # a bad cadence counts as none
        assert paced[-1] == 0.0
    finally:
        FEEDS.close(token)
    closed = _serve_frame(request(token))
    assert closed.status_code == 404 and json.loads(closed.body) == {"rerun": True, "closed": True}
    assert _serve_frame(request(new_token())).status_code == 404


def test_streamlit_run_finds_the_app_that_serves_the_feed_route():
    found = discover_asgi_app(Path(ROOT / "app.py"))
    assert found.is_asgi_app and found.app_name == "app"
    assert [route.path for route in feed_routes("")] == [FEED_ROUTE]
    assert [route.path for route in feed_routes("/labs/")] == ["/labs/_dlp/feed/{token}"]  # beside Streamlit's own
    assert feed_path("labs", "abc") == "/labs/_dlp/feed/abc" and feed_path("", "abc") == "/_dlp/feed/abc"
