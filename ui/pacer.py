"""Self-pacing live views: the browser asks for the next frame once it has drawn the last one.

A timer that fires every interval whatever the browser is doing (``st.fragment(run_every=...)``)
lets a slow laptop fall behind: frames queue up, its main thread never rests, clicks wait
seconds and the counter lags the model. Here a tiny component sits at the end of the live
views. When a frame arrives it waits until the browser has painted it (two animation frames),
then until the page's interval has passed since it asked for that frame, and only then asks
for the next one. A fast browser gets the page's interval; a slow one, as many frames as it
can draw, and its main thread keeps the time in between for the learner's clicks. Hidden tabs
draw no animation frames, so they ask for none.

While a run plays, the frames in between come from the live feed (``ui.feed``) instead of
fragment reruns: the pacer fetches one, hands it to the page's canvases and metric tiles,
waits for the paint and the interval, and fetches the next; every ``refresh_seconds``, or when
the feed says the page must change, it asks for the rerun.

Each request carries how far apart this browser's requests are, so the trainer can pace
"10 epochs per frame" by the frames this learner sees.
"""

from __future__ import annotations

from typing import Any

import streamlit as st

from ui.feed import FOLLOW_FEED, feed_path

_REQUEST_NEXT_FRAME = FOLLOW_FEED + r"""
export default function ({ data, parentElement, setTriggerValue }) {
  const pacer = parentElement.dlpPacer ?? (parentElement.dlpPacer = { frame: null, asked: 0, timer: 0, loop: 0 });
  if (pacer.frame === data.frame) return;
  pacer.frame = data.frame;
  clearTimeout(pacer.timer);
  const loop = (pacer.loop += 1);
  const current = () => loop === pacer.loop && parentElement.isConnected;
  const cadence = () => {
    const now = performance.now(), gap = pacer.asked ? now - pacer.asked : 0;
    pacer.asked = now;
    return gap;
  };
  const painted = () => new Promise(resolve => requestAnimationFrame(() => requestAnimationFrame(resolve)));
  const sleep = ms => new Promise(resolve => { pacer.timer = setTimeout(resolve, Math.max(0, ms)); });
  (async () => {
    await painted();
    let interval = data.interval_ms;
    const started = performance.now();
    while (data.feed && !window.dlpNoFeed && performance.now() - started < data.refresh_ms) {
      await sleep(interval - (performance.now() - pacer.asked));
      if (!current()) return;
      let frame = null;
      try {
        const response = await fetch(`${data.url}?cadence_ms=${Math.round(cadence())}`, { cache: "no-store" });
        frame = await response.json();  // a server (or proxy) without the route answers no JSON
        if (frame.closed) return;  // the page closed this feed: it is redrawing anyway
        if (!response.ok) frame = null;
      } catch (error) {
        window.dlpNoFeed = true;  // no feed on this server (no route, so no JSON): a rerun per frame instead
      }
      if (!current()) return;
      if (!frame || frame.rerun) break;
      publish(data.feed, frame);
      interval = frame.interval_ms;
      await painted();
    }
    await sleep(interval - (performance.now() - pacer.asked));
    if (current()) setTriggerValue("drawn", { frame: data.frame, cadence_ms: cadence() });
  })();
}
"""

_pacer = st.components.v2.component("dlp_frame_pacer", js=_REQUEST_NEXT_FRAME)


def request_next_frame(key: str, frame: int, interval_seconds: float, feed: str | None = None,
                       refresh_seconds: float = 0.0) -> float | None:
    """Ask the browser to rerun the enclosing fragment once frame ``frame`` is drawn and the interval passed.

    Call it last in a live fragment, with a new ``frame`` number on every run (the browser asks
    once per number). With ``feed`` (a token, ``ui.feed``) the browser first fetches frames from
    the feed for up to ``refresh_seconds``, one per interval after the last is painted, and
    asks for the rerun when the time is up or the feed says so. Returns the seconds between
    the browser's last two requests when this run is the one it asked for (0 for its first),
    else None.
    """
    data = {"frame": frame, "interval_ms": round(interval_seconds * 1000), "feed": feed,
            "url": feed_path(st.get_option("server.baseUrlPath"), feed) if feed else None, "refresh_ms": round(refresh_seconds * 1000)}
    result: Any = _pacer(key=key, data=data, on_drawn_change=lambda: None, height=0)
    drawn = result.get("drawn") if result else None
    if not isinstance(drawn, dict):
        return None
    try:
        return max(0.0, float(drawn["cadence_ms"]) / 1000)
    except (KeyError, TypeError, ValueError):  # not what our script sends: no report
        return None
