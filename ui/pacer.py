"""Self-pacing live views: the browser asks for the next frame once it has drawn the last one.

A timer that fires every interval whatever the browser is doing (``st.fragment(run_every=...)``)
lets a slow laptop fall behind: frames queue up, its main thread never rests, clicks wait
seconds and the counter lags the model. Here a tiny component sits at the end of the live
views. When a frame arrives it waits until the browser has painted it (two animation frames),
then until the page's interval has passed since it asked for that frame, and only then asks
for the next one. A fast browser gets the page's interval; a slow one, as many frames as it
can draw, and its main thread keeps the time in between for the learner's clicks. Hidden tabs
draw no animation frames, so they ask for none.

The request carries how far apart this browser's requests are, so the trainer can pace
"10 epochs per frame" by the frames this learner sees.
"""

from __future__ import annotations

from typing import Any

import streamlit as st

_REQUEST_NEXT_FRAME = """
export default function ({ data, parentElement, setTriggerValue }) {
  const pacer = parentElement.dlpPacer ?? (parentElement.dlpPacer = { frame: null, asked: 0, timer: 0 });
  if (pacer.frame === data.frame) return;
  pacer.frame = data.frame;
  clearTimeout(pacer.timer);
  requestAnimationFrame(() => requestAnimationFrame(() => {
    const painted = performance.now();
    pacer.timer = setTimeout(() => {
      const now = performance.now();
      const cadence = pacer.asked ? now - pacer.asked : 0;
      pacer.asked = now;
      setTriggerValue("drawn", { frame: data.frame, cadence_ms: cadence });
    }, Math.max(0, data.interval_ms - (painted - pacer.asked)));
  }));
}
"""

_pacer = st.components.v2.component("dlp_frame_pacer", js=_REQUEST_NEXT_FRAME)


def request_next_frame(key: str, frame: int, interval_seconds: float) -> float | None:
    """Ask the browser to rerun the enclosing fragment once frame ``frame`` is drawn and the interval passed.

    Call it last in a live fragment, with a new ``frame`` number on every run (the browser asks
    once per number). Returns the seconds between the browser's last two requests when this run
    is the one it asked for (0 for its first), else None.
    """
    result: Any = _pacer(key=key, data={"frame": frame, "interval_ms": round(interval_seconds * 1000)},
                         on_drawn_change=lambda: None, height=0)
    drawn = result.get("drawn") if result else None
    if not isinstance(drawn, dict):
        return None
    try:
        return max(0.0, float(drawn["cadence_ms"]) / 1000)
    except (KeyError, TypeError, ValueError):  # not what our script sends: no report
        return None
